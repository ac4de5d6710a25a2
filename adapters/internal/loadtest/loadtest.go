// Package loadtest holds what the adapters' load generators share: the questions they send,
// the loopback-only rule, waiting for the server, and the tally of answers with their latency
// percentiles.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqbot/faqbot/faq"
)

// Loopback reports whether host names this machine.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Questions returns the phrasings of the shipped FAQ, the messages the users send.
func Questions() ([]string, error) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	var qs []string
	for _, e := range c.Entries {
		for _, t := range e.Text {
			qs = append(qs, t.Title)
			qs = append(qs, t.Questions...)
		}
	}
	return qs, nil
}

// WaitUp waits, up to wait, until the server of u is ready: GET /readyz answers 200 (faqbot
// serve answers 503 while it builds its index), or, on a server without /readyz (404), until
// it answers at all.
func WaitUp(ctx context.Context, c *http.Client, u *url.URL, wait time.Duration, out io.Writer) error {
	ready := *u
	ready.Path, ready.RawQuery = "/readyz", ""
	deadline := time.Now().Add(wait)
	said := false
	for {
		res, err := c.Get(ready.String())
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNotFound {
				return nil
			}
			err = fmt.Errorf("%s: %s", ready.String(), res.Status)
		}
		if !said {
			fmt.Fprintf(out, "waiting for %s\n", ready.String())
			said = true
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready after %v: %w", wait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// NewResults returns Results for n requests, numbered 0 to n-1.
func NewResults(n int) *Results {
	return &Results{ack: make([]time.Duration, n), codes: map[int]int{}}
}

// OK is the number of requests answered 200 so far.
func (r *Results) OK() int64 { return r.ok.Load() }

// Results collects the acknowledgements of requests. It is safe for concurrent use.
type Results struct {
	ok     atomic.Int64
	mu     sync.Mutex
	ack    []time.Duration
	n      int
	codes  map[int]int
	errors int
}

// Record records request i: its latency, status code or error.
func (r *Results) Record(i int, lat time.Duration, code int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if err != nil {
		r.errors++
		return
	}
	r.codes[code]++
	if code == http.StatusOK {
		r.ok.Add(1)
		r.ack[i] = lat
	}
}

// Print prints the count, rate, status codes and latency percentiles of the 200s.
func (r *Results) Print(out io.Writer, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lat []time.Duration
	for _, d := range r.ack {
		if d > 0 {
			lat = append(lat, d)
		}
	}
	fmt.Fprintf(out, "sent %d in %v (%.0f/s); errors %d; status %s\n",
		r.n, elapsed.Round(time.Millisecond), float64(r.n)/elapsed.Seconds(), r.errors, Codes(r.codes))
	fmt.Fprintf(out, "ack latency: %s\n", Percentiles(lat))
}

// Codes lists status codes with their counts: "200×95 429×5".
func Codes(m map[int]int) string {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// Percentiles summarises latencies: p50, p90, p99, max and their number.
func Percentiles(lat []time.Duration) string {
	if len(lat) == 0 {
		return "none"
	}
	slices.Sort(lat)
	at := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	r := func(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (n=%d)", r(at(0.5)), r(at(0.9)), r(at(0.99)), r(lat[len(lat)-1]), len(lat))
}

// Client returns an HTTP client that keeps up to conns connections to one server.
func Client(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost = conns, conns, conns
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// OpenLoop calls send for requests 0 to total-1, rate a second, from conns goroutines, and
// returns how long it took. The load is open-loop: request i is due at a fixed time, and send
// is told when, so that its latency counts from then and a server that falls behind is not
// flattered. It stops early when ctx ends.
func OpenLoop(ctx context.Context, rate, total, conns int, send func(i int, due time.Time)) time.Duration {
	start := time.Now().Add(50 * time.Millisecond)
	dueAt := func(i int) time.Time { return start.Add(time.Duration(i) * time.Second / time.Duration(rate)) }
	jobs := make(chan int, conns)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := range jobs {
				send(i, dueAt(i))
			}
		})
	}
send:
	for i := range total {
		if d := time.Until(dueAt(i)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				break send
			}
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	return time.Since(start)
}
