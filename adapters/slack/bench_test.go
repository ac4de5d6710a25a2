package slack

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// sinkAPI is a lean fake Web API for benchmarks: it accepts every post and tells the waiter of
// a thread when its reply arrives.
type sinkAPI struct {
	srv     *httptest.Server
	waiters sync.Map // thread ts → chan struct{}
	posts   atomic.Int64
}

func newSinkAPI(b *testing.B) *sinkAPI {
	s := &sinkAPI{}
	s.srv = httptest.NewServer(s)
	b.Cleanup(s.srv.Close)
	return s
}

var threadField = []byte("thread_ts=")

func (s *sinkAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if i := bytes.Index(body, threadField); i >= 0 {
		rest := body[i+len(threadField):]
		if j := bytes.IndexByte(rest, '&'); j >= 0 {
			rest = rest[:j]
		}
		if ts, err := url.QueryUnescape(string(rest)); err == nil {
			if ch, ok := s.waiters.LoadAndDelete(ts); ok {
				ch.(chan struct{}) <- struct{}{}
			}
		}
	}
	s.posts.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true,"channel":"C0","ts":"1.1"}`)
}

// benchServer is an adapter with its default pool behind a loopback HTTP server.
func benchServer(b *testing.B) (*Adapter, *sinkAPI, string) {
	sink := newSinkAPI(b)
	a, err := New(shippedBot(b), Config{
		SigningSecret: testSecret, BotToken: testBotToken, APIURL: sink.srv.URL + "/api/",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return a, sink, srv.URL + EventsPath
}

// benchQuestions are the phrasings of the shipped content: a realistic mix of answers,
// ask-backs and hand-offs.
func benchQuestions(b *testing.B) []string {
	var qs []string
	for _, e := range shippedBot(b).Engine().Content.Entries {
		for _, t := range e.Text {
			qs = append(qs, t.Title)
			qs = append(qs, t.Questions...)
		}
	}
	return qs
}

// signedEvent is the body of a mention, signed when sent (Slack's signatures carry the time).
type signedEvent struct {
	body []byte
	ts   string // the mention's ts: the thread its answer goes to
}

func makeEvents(n int, qs []string, prefix string) []signedEvent {
	out := make([]signedEvent, n)
	for i := range out {
		ts := fmt.Sprintf("1717462800.%s%06d", prefix, i)
		body := mention(fmt.Sprintf("Ev%s%010d", prefix, i), fmt.Sprintf("U%09d", i%5000), "C0SUPPORT1", ts, qs[i%len(qs)]).body()
		out[i] = signedEvent{body: body, ts: ts}
	}
	return out
}

func benchClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func postEvent(b *testing.B, c *http.Client, u string, e signedEvent) {
	now := time.Now().Unix()
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(e.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("X-Slack-Signature", platformtest.SignSlack(testSecret, now, e.body))
	res, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Errorf("events answered %d", res.StatusCode)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportPercentiles(b *testing.B, lat []time.Duration, unit string, scale time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(scale) }
	b.ReportMetric(at(0.50), "p50-"+unit)
	b.ReportMetric(at(0.99), "p99-"+unit)
}

// BenchmarkEventAck measures the time from sending a signed event to its 200, on loopback,
// while the adapter answers the events in the background against a fake Web API. "paced"
// sends 1,000 events a second from 8 connections, the target load; "max" sends them as fast
// as 8 connections allow.
func BenchmarkEventAck(b *testing.B) {
	qs := benchQuestions(b)
	for _, bc := range []struct {
		name string
		rate int // events per second; 0: as fast as possible
	}{{"paced-1000rps", 1000}, {"max", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			a, _, u := benchServer(b)
			events := makeEvents(b.N, qs, fmt.Sprintf("%x", time.Now().UnixNano()%0xffff))
			client := benchClient(8)
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						if bc.rate > 0 {
							if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(bc.rate))); d > 0 {
								time.Sleep(d)
							}
						}
						t0 := time.Now()
						postEvent(b, client, u, events[i])
						lat[i] = time.Since(t0)
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			reportPercentiles(b, lat, "µs", time.Microsecond)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "acks/s")
			if bc.rate == 0 {
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(time.Microsecond), "cpu-µs/op")
			}
			s := a.Stats()
			b.ReportMetric(float64(s.Busy+s.Dropped), "busy+dropped")
		})
	}
}

// BenchmarkRoundTrip measures full round trips: a signed mention to the loopback server, the
// bot's decision, the threaded reply posted to the fake Web API. 64 users each wait for their
// reply before asking again (a closed loop), so the pool is never overrun.
func BenchmarkRoundTrip(b *testing.B) {
	qs := benchQuestions(b)
	a, sink, u := benchServer(b)
	const users = 64
	events := makeEvents(b.N, qs, fmt.Sprintf("%x", time.Now().UnixNano()%0xffff))
	client := benchClient(users)
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	var wg sync.WaitGroup
	for range users {
		wg.Go(func() {
			done := make(chan struct{}, 1)
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				sink.waiters.Store(events[i].ts, done)
				postEvent(b, client, u, events[i])
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					b.Errorf("no reply to %s", events[i].ts)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "round-trips/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(time.Microsecond), "cpu-µs/op")
	reportPercentiles(b, lat, "ms", time.Millisecond)
	s := a.Stats()
	b.ReportMetric(float64(s.Busy+s.Dropped+s.Failed), "busy+dropped+failed")
}

// BenchmarkEventHandler measures the handler's own work on one signed event, in process: read,
// verify the signature, decode, dedupe. The event is a repeat after the first round, so that
// nothing is queued and the workers stay idle.
func BenchmarkEventHandler(b *testing.B) {
	h := newHarness(b, func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) })
	body := mention("Ev0BENCH0001", "U0ASKER001", "C0SUPPORT1", "1717462800.000100", "How many records were leaked?").body()
	now := time.Now().Unix()
	sig := platformtest.SignSlack(testSecret, now, body)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, EventsPath, bytes.NewReader(body))
		r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
		r.Header.Set("X-Slack-Signature", sig)
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
