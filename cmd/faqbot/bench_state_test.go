package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/line"
	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
	"github.com/faqbot/faqbot/faq"
)

// BenchmarkLineRoundTrip measures what sharing state in Redis costs: the round trip of the LINE
// adapter's benchmark (a signed webhook to a loopback server, the decision, the reply at a fake
// Messaging API; 64 users in a closed loop), with the state serve builds — "embedded" in
// process, "redis" in a local redis-server (dedupe, conversation state, rate limit and event
// recording all go to Redis: the admission and, when the state changed, its write), over TCP,
// over its Unix socket, and over TCP with each command sent on its own (--redis-pipeline=false).
//
//	go test -run '^$' -bench LineRoundTrip -benchtime 20000x ./cmd/faqbot
func BenchmarkLineRoundTrip(b *testing.B) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	eng, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	var qs []string
	for _, e := range c.Entries {
		for _, t := range e.Text {
			qs = append(qs, t.Title)
			qs = append(qs, t.Questions...)
		}
	}
	for _, mode := range []string{"embedded", "redis", "redis-unix", "redis-unpipelined"} {
		b.Run(mode, func(b *testing.B) {
			sc := &serveConfig{userBurst: 10, userEvery: time.Second}
			sc.shared.redisPipeline = mode != "redis-unpipelined"
			switch mode {
			case "redis", "redis-unpipelined":
				sc.shared.redisURL = redistest.Start(b).URL
			case "redis-unix": // Redis beside faqbot, through its Unix socket
				sc.shared.redisURL = redistest.Start(b).SocketURL
			}
			benchRoundTrip(b, bot.New(eng, nil), sc, qs)
		})
	}
}

func benchRoundTrip(b *testing.B, bt *bot.Bot, sc *serveConfig, qs []string) {
	const secret, token = "bench-channel-secret", "bench-access-token"
	var waiters sync.Map // reply token → chan struct{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ReplyToken string `json:"replyToken"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if ch, ok := waiters.LoadAndDelete(req.ReplyToken); ok {
			ch.(chan struct{}) <- struct{}{}
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"sentMessages":[{"id":"1"}]}`)
	}))
	defer api.Close()
	log := slog.New(slog.DiscardHandler)
	noReindex := func(context.Context, string) (bot.ReloadResult, error) { return bot.ReloadResult{}, nil }
	st, err := newState(context.Background(), sc, log, metrics.New(), noReindex, func() string { return bt.Engine().Version })
	if err != nil {
		b.Fatal(err)
	}
	defer st.close()
	a, err := line.New(bt, line.Config{ChannelSecret: secret, ChannelAccessToken: token, APIURL: api.URL, Logger: log,
		Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	srv := httptest.NewServer(a)
	defer srv.Close()

	type hook struct {
		body       []byte
		sig, token string
	}
	batch := fmt.Sprintf("%x", time.Now().UnixNano())
	hooks := make([]hook, b.N)
	for i := range hooks {
		id := fmt.Sprintf("B%s%012d", batch, i)
		body := lineWebhook(id, fmt.Sprintf("U%032x", i%5000), qs[i%len(qs)])
		hooks[i] = hook{body, platformtest.SignLine(secret, body), "reply-" + id}
	}
	const users = 64
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = users, users
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
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
				waiters.Store(hooks[i].token, done)
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(hooks[i].body))
				req.Header.Set("X-Line-Signature", hooks[i].sig)
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
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
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/float64(time.Millisecond), "p99-ms")
	s := a.Stats()
	b.ReportMetric(float64(s.Busy+s.Dropped+s.Failed+s.Duplicates), "busy+dropped+failed+dup")
}
