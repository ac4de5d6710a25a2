package line

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// sinkAPI is a lean fake Messaging API for benchmarks: it accepts everything and tells the
// waiter of a reply token when the reply arrives.
type sinkAPI struct {
	srv     *httptest.Server
	waiters sync.Map // reply token → chan struct{}
	replies atomic.Int64
}

func newSinkAPI(b *testing.B) *sinkAPI {
	s := &sinkAPI{}
	s.srv = httptest.NewServer(s)
	b.Cleanup(s.srv.Close)
	return s
}

var replyTokenField = []byte(`"replyToken":"`)

func (s *sinkAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if i := bytes.Index(body, replyTokenField); i >= 0 {
		rest := body[i+len(replyTokenField):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			if ch, ok := s.waiters.LoadAndDelete(string(rest[:j])); ok {
				ch.(chan struct{}) <- struct{}{}
			}
		}
	}
	s.replies.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"sentMessages":[{"id":"1"}]}`)
}

// benchServer is an adapter with its default pool behind a loopback HTTP server.
func benchServer(b *testing.B) (*Adapter, *sinkAPI, string) {
	sink := newSinkAPI(b)
	a, err := New(shippedBot(b), Config{
		ChannelSecret: testSecret, ChannelAccessToken: testToken, APIURL: sink.srv.URL,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a)
	b.Cleanup(srv.Close)
	return a, sink, srv.URL
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

// signedWebhook is the body and signature of a one-message webhook.
type signedWebhook struct {
	body  []byte
	sig   string
	token string
}

func makeWebhooks(n int, qs []string, prefix string) []signedWebhook {
	out := make([]signedWebhook, n)
	for i := range out {
		tok := fmt.Sprintf("%s-%d", prefix, i)
		body := webhookBody(textEvent(fmt.Sprintf("%s%020d", prefix, i), tok, userID(i%5000), qs[i%len(qs)]))
		out[i] = signedWebhook{body: body, sig: platformtest.SignLine(testSecret, body), token: tok}
	}
	return out
}

func benchClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func postWebhook(b *testing.B, c *http.Client, url string, w signedWebhook) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(w.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Line-Signature", w.sig)
	res, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Errorf("webhook answered %d", res.StatusCode)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since cpu0 — of the whole process: the client,
// the adapter and the fake API — and the operations per second it allows on two processors.
// Unlike wall-clock rates, these hold when other work shares the machine.
func reportCPU(b *testing.B, cpu0 time.Duration, unit string) {
	per := float64(cpuTime()-cpu0) / float64(b.N)
	b.ReportMetric(per/float64(time.Microsecond), "cpu-µs/op")
	b.ReportMetric(2*float64(time.Second)/per, unit+"/s-on-2-cpus")
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

// BenchmarkWebhookAck measures the time from sending a signed webhook to its 200, on loopback,
// while the adapter answers the events in the background against a fake API. "paced" sends
// 1,000 webhooks a second from 8 connections, the target load; "max" sends them as fast as 8
// connections allow.
func BenchmarkWebhookAck(b *testing.B) {
	qs := benchQuestions(b)
	for _, bc := range []struct {
		name string
		rate int // webhooks per second; 0: as fast as possible
	}{{"paced-1000rps", 1000}, {"max", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			a, _, url := benchServer(b)
			hooks := makeWebhooks(b.N, qs, "01HZACK"+bc.name)
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
						postWebhook(b, client, url, hooks[i])
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
				reportCPU(b, cpu0, "acks")
			}
			s := a.Stats()
			b.ReportMetric(float64(s.Busy+s.Dropped), "busy+dropped")
		})
	}
}

// BenchmarkRoundTrip measures full round trips: a signed webhook to the loopback server, the
// bot's decision, the reply delivered to the fake API. 64 users each wait for their reply
// before asking again (a closed loop), so the pool is never overrun.
func BenchmarkRoundTrip(b *testing.B) {
	qs := benchQuestions(b)
	a, sink, url := benchServer(b)
	const users = 64
	hooks := makeWebhooks(b.N, qs, "01HZRT")
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
				sink.waiters.Store(hooks[i].token, done)
				postWebhook(b, client, url, hooks[i])
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					b.Errorf("no reply to %s", hooks[i].token)
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
	reportCPU(b, cpu0, "round-trips")
	reportPercentiles(b, lat, "ms", time.Millisecond)
	s := a.Stats()
	b.ReportMetric(float64(s.Busy+s.Dropped+s.Failed), "busy+dropped+failed")
}
