package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRun(t *testing.T) {
	var asks, fresh atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{} // conversation id → requests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			return
		case "/api/ask":
		default:
			http.NotFound(w, r)
			return
		}
		var req struct{ Query, Conversation string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Query == "" ||
			r.Header.Get("Content-Type") != "application/json" || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		asks.Add(1)
		if req.Conversation == "" {
			req.Conversation = fmt.Sprintf("conversation-%016d", fresh.Add(1))
		}
		mu.Lock()
		seen[req.Conversation]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"action": "answer", "conversation": req.Conversation})
	}))
	defer srv.Close()

	var out bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL + "/api/ask", "-conns", "4", "-duration", "300ms", "-warmup", "50ms"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if n := fresh.Load(); n != 4 {
		t.Errorf("%d conversations started, want one per connection (4)", n)
	}
	if asks.Load() < 8 {
		t.Errorf("the server got %d questions", asks.Load())
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\d+ answers in 300ms: \d+ req/s; errors 0; status 200×\d+\n`),
		regexp.MustCompile(`latency of 200s: p50 [\d.]+ms  p90 [\d.]+ms  p99 [\d.]+ms  max [\d.]+ms  \(n=\d+\)`),
	} {
		if !want.Match(out.Bytes()) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("warning for all-200 answers:\n%s", out.String())
	}
}

func TestWarnsOfRefusals(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/ask" {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", srv.URL + "/api/ask", "-conns", "2", "-duration", "100ms", "-warmup", "0s"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "status 429×") || !strings.Contains(out.String(), "open the server's rate limits") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestRefusesBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "http://192.0.2.1/api/ask"},
		{"-url", "http://example.com/api/ask"},
		{"-conns", "0"},
		{"-duration", "0s"},
		{"-duration", "11m"},
	} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
