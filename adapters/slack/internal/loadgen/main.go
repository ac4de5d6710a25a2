// Command loadgen sends signed Slack Events API requests (app_mention events) at a fixed rate to
// a running "faqbot serve" and prints the latency of their acknowledgements; with -api it also
// plays Slack's Web API, so that the server's threaded replies come back to it and full round
// trips are timed too.
//
//	loadgen -secret S [-url URL] [-rate N] [-duration D] [-users N] [-api ADDR]
//
// A typical run, in two terminals:
//
//	loadgen -api 127.0.0.1:8081 -secret s3cret -rate 1000 -duration 10s   # waits for the server
//	SLACK_SIGNING_SECRET=s3cret SLACK_BOT_TOKEN=xoxb-t FAQBOT_SLACK_API_URL=http://127.0.0.1:8081/api/ faqbot serve
//
// The load is open-loop: each request's latency counts from when it was due, so a server that
// falls behind is not flattered. Only loopback targets are accepted unless -remote is given.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	"strconv"
	"strings"
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
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/slack/events", "Events API `URL` of the server")
	fs.StringVar(&o.secret, "secret", os.Getenv("SLACK_SIGNING_SECRET"), "signing `secret` to sign with (env SLACK_SIGNING_SECRET)")
	fs.IntVar(&o.rate, "rate", 1000, "events per second")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to send (at most 10m)")
	fs.IntVar(&o.users, "users", 1000, "distinct users the mentions come from")
	fs.IntVar(&o.conns, "conns", 64, "connections to the server at most")
	fs.StringVar(&o.api, "api", "", "play the Web API on `ADDR` (host:port) and time round trips")
	fs.DurationVar(&o.wait, "wait", 2*time.Minute, "how long to wait for the server to come up")
	fs.BoolVar(&o.remote, "remote", false, "allow a target that is not on this machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.secret == "":
		return errors.New("no signing secret: -secret or SLACK_SIGNING_SECRET")
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
		fmt.Fprintf(out, "playing the Web API on http://%s/api/\n", sink.addr)
	}
	client := loadtest.Client(o.conns)
	if err := loadtest.WaitUp(ctx, client, u, o.wait, out); err != nil {
		return err
	}

	total := int(o.duration.Seconds() * float64(o.rate))
	batch := time.Now().UnixNano() % 1_000_000
	res := loadtest.NewResults(total)
	fmt.Fprintf(out, "sending %d events at %d/s for %v to %s\n", total, o.rate, o.duration, o.url)
	elapsed := loadtest.OpenLoop(ctx, o.rate, total, o.conns, func(i int, due time.Time) {
		ts := fmt.Sprintf("%d.%06d", 1_700_000_000+batch, i)
		body := eventBody(fmt.Sprintf("EvLG%06d%08d", batch, i), fmt.Sprintf("U%09d", i%o.users), ts, questions[i%len(questions)])
		if sink != nil {
			sink.expect(ts, due)
		}
		code, err := post(ctx, client, o.url, o.secret, body)
		res.Record(i, time.Since(due), code, err)
	})
	res.Print(out, elapsed)

	if sink != nil {
		// Wait for the replies still on their way, as long as they keep coming.
		last, lastChange := sink.posts.Load(), time.Now()
		for n := last; n < res.OK() && time.Since(lastChange) < time.Second && ctx.Err() == nil; n = sink.posts.Load() {
			if n != last {
				last, lastChange = n, time.Now()
			}
			time.Sleep(20 * time.Millisecond)
		}
		sink.print(out, total)
	}
	return nil
}

// botUser is the bot's user id in the events: the mentions name it.
const botUser = "U0LOADBOT1"

// eventBody is an event callback carrying one app_mention of the bot in a channel.
func eventBody(id, user, ts, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "loadgen", "team_id": "T0LOADGEN1", "api_app_id": "A0LOADGEN1", "type": "event_callback",
		"event_id": id, "event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{"team_id": "T0LOADGEN1", "user_id": botUser, "is_bot": true}},
		"event": map[string]any{
			"type": "app_mention", "user": user, "text": "<@" + botUser + "> " + text, "ts": ts,
			"channel": "C0LOADGEN1", "event_ts": ts, "team": "T0LOADGEN1",
		},
	})
	return b
}

// post sends body signed as Slack signs requests: "v0=" and the hex HMAC-SHA256 of
// "v0:<timestamp>:<body>" under the signing secret.
func post(ctx context.Context, c *http.Client, url, secret string, body []byte) (int, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+ts+":")
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// apiSink plays Slack's Web API: it accepts every chat.postMessage and times the replies by
// their thread (the ts of the mention they answer).
type apiSink struct {
	srv   *http.Server
	addr  string
	due   sync.Map // thread ts → time.Time the event was due
	posts atomic.Int64
	other atomic.Int64
	mu    sync.Mutex
	rt    []time.Duration
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

func (s *apiSink) expect(ts string, due time.Time) { s.due.Store(ts, due) }

func (s *apiSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		s.posts.Add(1)
		if v, err := url.ParseQuery(string(body)); err == nil {
			if due, ok := s.due.LoadAndDelete(v.Get("thread_ts")); ok {
				s.mu.Lock()
				s.rt = append(s.rt, now.Sub(due.(time.Time)))
				s.mu.Unlock()
			}
		}
	} else {
		s.other.Add(1)
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true,"channel":"C0LOADGEN1","ts":"1.1"}`)
}

func (s *apiSink) print(out io.Writer, sent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(out, "posts %d, other API calls %d (of %d events)\n", s.posts.Load(), s.other.Load(), sent)
	fmt.Fprintf(out, "round trip (event due → reply at the API): %s\n", loadtest.Percentiles(s.rt))
}
