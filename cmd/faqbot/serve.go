package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/faqbot/faqbot/adapters/line"
	"github.com/faqbot/faqbot/bot"
)

// shutdownGrace is how long serve waits, once told to stop, for requests and replies in flight.
const shutdownGrace = 15 * time.Second

// cmdServe runs the HTTP server: GET /healthz, and POST /line/webhook when LINE's credentials
// are in the environment (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN; the API's base URL
// from FAQBOT_LINE_API_URL). It logs JSON lines on stderr and stops gracefully when ctx ends.
func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("serve", "serve [--addr ADDR] [--content DIR] [--index DIR]")
	defAddr := env.getenv("FAQBOT_ADDR")
	if defAddr == "" {
		defAddr = ":8080"
	}
	addr := fs.String("addr", defAddr, "listen on `ADDR` (env FAQBOT_ADDR)")
	var cf contentFlags
	cf.register(fs, env, true)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	root := slog.New(slog.NewJSONHandler(env.stderr, nil))
	log := root.With("component", "serve")

	eng, err := cf.engine(ctx, env.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	b := bot.New(eng, nil)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	lcfg := line.Config{
		ChannelSecret:      env.getenv("LINE_CHANNEL_SECRET"),
		ChannelAccessToken: env.getenv("LINE_CHANNEL_ACCESS_TOKEN"),
		APIURL:             env.getenv("FAQBOT_LINE_API_URL"),
		Logger:             root,
	}
	var lineAdapter *line.Adapter
	if lcfg.ChannelSecret != "" && lcfg.ChannelAccessToken != "" {
		lineAdapter, err = line.New(b, lcfg)
		if err != nil {
			return err
		}
		mux.Handle("POST /line/webhook", lineAdapter)
		log.Info("LINE is on", "path", "/line/webhook", "line", lcfg)
	} else {
		log.Warn("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to turn it on", "line", lcfg)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "content", eng.Content.Source, "entries", len(eng.Content.Entries))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx) // no new webhooks; the ones being read finish
	if lineAdapter != nil {
		err = errors.Join(err, lineAdapter.Shutdown(sctx)) // the replies they queued go out
		log.Info("LINE stopped", "stats", lineAdapter.Stats())
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
