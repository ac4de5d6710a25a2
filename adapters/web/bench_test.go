package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchQuestions are the phrasings of the shipped content as request bodies: a realistic mix
// of answers, ask-backs and hand-offs.
func benchQuestions(b *testing.B) [][]byte {
	var qs [][]byte
	for _, e := range shippedBot(b).Engine().Content.Entries {
		for _, t := range e.Text {
			for _, q := range append([]string{t.Title}, t.Questions...) {
				body, _ := json.Marshal(map[string]string{"query": q})
				qs = append(qs, body)
			}
		}
	}
	return qs
}

// reportLatency adds the median and the 99th percentile of lat to b's results.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.5), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkAsk is one POST /api/ask through the handler, in process: decoding, limits, the
// decision, the conversation state and the JSON answer.
func BenchmarkAsk(b *testing.B) {
	h := newHandler(b, Config{})
	qs := benchQuestions(b)
	b.Run("serial", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			req := httptest.NewRequest("POST", "/api/ask", bytes.NewReader(qs[i%len(qs)]))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, req)
			lat = append(lat, time.Since(start))
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			i++
		}
		reportLatency(b, lat)
	})
	b.Run("parallel", func(b *testing.B) {
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				req := httptest.NewRequest("POST", "/api/ask", bytes.NewReader(qs[int(i)%len(qs)]))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Errorf("status %d", w.Code)
					return
				}
			}
		})
	})
}

// BenchmarkAskLoopback is the closed loop of internal/loadgen in process: conns clients, each
// with one request in flight and one conversation, against the handler behind a loopback HTTP
// server. It reports requests per second and the latency each client saw.
func BenchmarkAskLoopback(b *testing.B) {
	for _, conns := range []int{1, 32} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			srv := httptest.NewServer(newHandler(b, Config{}))
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			qs := benchQuestions(b)
			var next atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range conns {
				wg.Go(func() {
					var mine []time.Duration
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							break
						}
						t0 := time.Now()
						res, err := client.Post(srv.URL+"/api/ask", "application/json", bytes.NewReader(qs[int(i)%len(qs)]))
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						mine = append(mine, time.Since(t0))
						if res.StatusCode != http.StatusOK {
							b.Errorf("status %d", res.StatusCode)
							return
						}
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			reportLatency(b, lat)
		})
	}
}
