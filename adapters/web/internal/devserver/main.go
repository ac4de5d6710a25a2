// Command devserver serves the web console over the shipped content on a loopback address,
// with the rate limits open, for load tests and for looking at the page before a full
// "faqbot serve" is at hand:
//
//	go run ./adapters/web/internal/devserver -addr 127.0.0.1:18090 [-debug-decisions]
//
// It logs nothing but its address; GET /healthz answers "ok".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/faqbot/faqbot/adapters/web"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

// open lets every request through.
type open struct{}

func (open) Allow(context.Context, string) (bool, error) { return true, nil }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "listen on `ADDR` (loopback only)")
	decisions := fs.Bool("debug-decisions", false, "show the decision behind each reply, as editors see it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address", host)
	}
	c, err := faq.LoadEmbedded()
	if err != nil {
		return err
	}
	eng, err := bot.NewEngine(ctx, c, "")
	if err != nil {
		return err
	}
	defer eng.Close()
	cfg := web.Config{Limiter: open{}, AddrLimiter: open{}}
	if *decisions {
		cfg.Editor = func(*http.Request) bool { return true }
	}
	h, err := web.New(bot.New(eng, nil), cfg)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	h.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(out, "serving the console on http://%s/\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
