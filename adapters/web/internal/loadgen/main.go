// Command loadgen puts a closed-loop load on the web console's API of a running server: each of
// N connections posts a question to /api/ask, waits for the answer and posts the next, for a
// while; then it prints the answers per second and their latency.
//
//	loadgen [-url URL] [-conns N] [-duration D] [-warmup D]
//
// The questions are the phrasings of the shipped FAQ, in turn; each connection keeps one
// conversation, so that answers to ask-backs take the conversation's path. The server's rate
// limits must be open for the load (internal/devserver opens them):
//
//	go run ./adapters/web/internal/devserver -addr 127.0.0.1:18090 &
//	go run ./adapters/web/internal/loadgen -url http://127.0.0.1:18090/api/ask -conns 32 -duration 10s
//
// Only loopback targets are accepted.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/faqbot/faqbot/adapters/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	url      string
	conns    int
	duration time.Duration
	warmup   time.Duration
	wait     time.Duration
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/api/ask", "`URL` of the server's /api/ask")
	fs.IntVar(&o.conns, "conns", 32, "connections, each with one request in flight")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to measure (at most 10m)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "how long to load the server before measuring")
	fs.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the server to come up")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.conns <= 0 || o.conns > 4096:
		return errors.New("-conns must be between 1 and 4096")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be between 0 and 10m")
	case o.warmup < 0:
		return errors.New("-warmup must not be negative")
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return err
	}
	if !loadtest.Loopback(u.Hostname()) {
		return fmt.Errorf("%s is not a loopback address", u.Hostname())
	}
	questions, err := loadtest.Questions()
	if err != nil {
		return err
	}
	client := loadtest.Client(o.conns)
	defer client.CloseIdleConnections()
	if err := loadtest.WaitUp(ctx, client, u, o.wait, out); err != nil {
		return err
	}

	fmt.Fprintf(out, "%d connections, closed loop, %v warm-up then %v against %s\n", o.conns, o.warmup, o.duration, o.url)
	start := time.Now().Add(o.warmup)
	end := start.Add(o.duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	tallies := make([]tally, o.conns)
	var wg sync.WaitGroup
	for c := range o.conns {
		wg.Go(func() {
			t := &tallies[c]
			t.codes = map[int]int{}
			conv := ""
			for i := c; ctx.Err() == nil; i += o.conns {
				sent := time.Now()
				code, next, err := ask(ctx, client, o.url, questions[i%len(questions)], conv)
				done := time.Now()
				if next != "" {
					conv = next
				}
				if ctx.Err() != nil || sent.Before(start) {
					continue // cut short by the end, or warming up
				}
				if err != nil {
					t.errors++
					continue
				}
				t.codes[code]++
				if code == http.StatusOK {
					t.lat = append(t.lat, done.Sub(sent))
				}
			}
		})
	}
	wg.Wait()
	elapsed := min(time.Since(start), o.duration)
	report(out, tallies, elapsed)
	return nil
}

// tally is what one connection saw.
type tally struct {
	lat    []time.Duration
	codes  map[int]int
	errors int
}

// ask posts one question and returns the status and the conversation id of the answer.
func ask(ctx context.Context, c *http.Client, url, query, conv string) (int, string, error) {
	body, _ := json.Marshal(map[string]string{"query": query, "conversation": conv})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", err
	}
	var a struct {
		Conversation string `json:"conversation"`
	}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &a); err != nil {
			return 0, "", fmt.Errorf("answer is not JSON: %w", err)
		}
	}
	return res.StatusCode, a.Conversation, nil
}

func report(out io.Writer, tallies []tally, elapsed time.Duration) {
	var lat []time.Duration
	codes := map[int]int{}
	errs, n := 0, 0
	for _, t := range tallies {
		lat = append(lat, t.lat...)
		for k, v := range t.codes {
			codes[k] += v
			n += v
		}
		errs += t.errors
	}
	fmt.Fprintf(out, "%d answers in %v: %.0f req/s; errors %d; status %s\n",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), errs, loadtest.Codes(codes))
	fmt.Fprintf(out, "latency of 200s: %s\n", loadtest.Percentiles(lat))
	if n > codes[http.StatusOK] {
		fmt.Fprintln(out, "warning: not all answers were 200; open the server's rate limits for a load test")
	}
}
