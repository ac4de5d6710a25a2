// Command loadgen sends signed LINE webhooks at a fixed rate to a running "faqbot serve" and
// prints the latency of their acknowledgements; with -api it also plays LINE's Messaging API, so
// that the server's replies come back to it and full round trips are timed too.
//
//	loadgen -secret S [-url URL] [-rate N] [-duration D] [-users N] [-api ADDR]
//
// A typical run, in two terminals:
//
//	loadgen -api 127.0.0.1:8081 -secret s3cret -rate 1000 -duration 10s   # waits for the server
//	LINE_CHANNEL_SECRET=s3cret LINE_CHANNEL_ACCESS_TOKEN=t FAQBOT_LINE_API_URL=http://127.0.0.1:8081 faqbot serve
//
// The load is open-loop: each webhook's latency counts from when it was due, so a server that
// falls behind is not flattered. Only loopback targets are accepted unless -remote is given.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
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
	secret   string
	rate     int
	duration time.Duration
	users    int
	conns    int
	api      string
	wait     time.Duration
	remote   bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/line/webhook", "webhook `URL` of the server")
	fs.StringVar(&o.secret, "secret", os.Getenv("LINE_CHANNEL_SECRET"), "channel `secret` to sign with (env LINE_CHANNEL_SECRET)")
	fs.IntVar(&o.rate, "rate", 1000, "webhooks per second")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to send (at most 10m)")
	fs.IntVar(&o.users, "users", 1000, "distinct users the messages come from")
	fs.IntVar(&o.conns, "conns", 64, "connections to the server at most")
	fs.StringVar(&o.api, "api", "", "play the Messaging API on `ADDR` (host:port) and time round trips")
	fs.DurationVar(&o.wait, "wait", 2*time.Minute, "how long to wait for the server to come up")
	fs.BoolVar(&o.remote, "remote", false, "allow a target that is not on this machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.secret == "":
		return errors.New("no channel secret: -secret or LINE_CHANNEL_SECRET")
	case o.rate <= 0 || o.users <= 0 || o.conns <= 0:
		return errors.New("-rate, -users and -conns must be positive")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be between 0 and 10m")
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return err
	}
	if !o.remote && !loadtest.Loopback(u.Hostname()) {
		return fmt.Errorf("%s is not a loopback address (use -remote to allow it)", u.Hostname())
	}
	questions, err := loadtest.Questions()
	if err != nil {
		return err
	}

	var sink *apiSink
	if o.api != "" {
		sink, err = startSink(o.api)
		if err != nil {
			return err
		}
		defer sink.srv.Close()
		fmt.Fprintf(out, "playing the Messaging API on http://%s\n", sink.addr)
	}
	client := loadtest.Client(o.conns)
	if err := loadtest.WaitUp(ctx, client, u, o.wait, out); err != nil {
		return err
	}

	total := int(o.duration.Seconds() * float64(o.rate))
	batch := fmt.Sprintf("%x", time.Now().UnixNano())
	res := loadtest.NewResults(total)
	fmt.Fprintf(out, "sending %d webhooks at %d/s for %v to %s\n", total, o.rate, o.duration, o.url)
	elapsed := loadtest.OpenLoop(ctx, o.rate, total, o.conns, func(i int, due time.Time) {
		id := fmt.Sprintf("LG%s%012d", batch, i)
		body := webhookBody(id, "rt-"+id, fmt.Sprintf("U%032x", i%o.users), questions[i%len(questions)])
		if sink != nil {
			sink.expect("rt-"+id, due)
		}
		code, err := post(ctx, client, o.url, o.secret, body)
		res.Record(i, time.Since(due), code, err)
	})
	res.Print(out, elapsed)

	if sink != nil {
		// Wait for the replies still on their way, as long as they keep coming.
		last, lastChange := sink.replies.Load(), time.Now()
		for n := last; n < res.OK() && time.Since(lastChange) < time.Second && ctx.Err() == nil; n = sink.replies.Load() {
			if n != last {
				last, lastChange = n, time.Now()
			}
			time.Sleep(20 * time.Millisecond)
		}
		sink.print(out, total)
	}
	return nil
}

// webhookBody is the body of a webhook carrying one text message.
func webhookBody(id, token, user, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"destination": "U00000000000000000000000000000000",
		"events": []any{map[string]any{
			"type": "message", "mode": "active", "timestamp": time.Now().UnixMilli(),
			"source":          map[string]any{"type": "user", "userId": user},
			"webhookEventId":  id,
			"deliveryContext": map[string]any{"isRedelivery": false},
			"replyToken":      token,
			"message":         map[string]any{"id": id, "type": "text", "text": text, "quoteToken": "q"},
		}},
	})
	return b
}

// post sends body signed as LINE signs webhooks: base64 of its HMAC-SHA256 under the secret.
func post(ctx context.Context, c *http.Client, url, secret string, body []byte) (int, error) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Line-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// apiSink plays LINE's Messaging API: it accepts every request and times the replies.
type apiSink struct {
	srv     *http.Server
	addr    string
	due     sync.Map // reply token → time.Time the webhook was due
	replies atomic.Int64
	pushes  atomic.Int64
	other   atomic.Int64
	mu      sync.Mutex
	rt      []time.Duration
}

func startSink(addr string) (*apiSink, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !loadtest.Loopback(host) {
		return nil, fmt.Errorf("-api %s: listen on a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &apiSink{addr: ln.Addr().String()}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *apiSink) expect(token string, due time.Time) { s.due.Store(token, due) }

var tokenField = []byte(`"replyToken":"`)

func (s *apiSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	switch r.URL.Path {
	case "/v2/bot/message/reply":
		s.replies.Add(1)
		if i := bytes.Index(body, tokenField); i >= 0 {
			rest := body[i+len(tokenField):]
			if j := bytes.IndexByte(rest, '"'); j >= 0 {
				if due, ok := s.due.LoadAndDelete(string(rest[:j])); ok {
					s.mu.Lock()
					s.rt = append(s.rt, now.Sub(due.(time.Time)))
					s.mu.Unlock()
				}
			}
		}
	case "/v2/bot/message/push":
		s.pushes.Add(1)
	default:
		s.other.Add(1)
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"sentMessages":[{"id":"1"}]}`)
}

func (s *apiSink) print(out io.Writer, sent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(out, "replies %d, pushes %d, other API calls %d (of %d webhooks)\n",
		s.replies.Load(), s.pushes.Load(), s.other.Load(), sent)
	fmt.Fprintf(out, "round trip (webhook due → reply at the API): %s\n", loadtest.Percentiles(s.rt))
}
