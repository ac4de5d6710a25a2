package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	slackadapter "github.com/faqbot/faqbot/adapters/slack"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

func TestRun(t *testing.T) {
	const secret = "loadgen-test-secret"
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			return
		}
		body, _ := io.ReadAll(r.Body)
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			sv.Write(body)
			err = sv.Ensure()
		}
		if err == nil {
			good.Add(1)
		} else {
			bad.Add(1)
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL + "/slack/events", "-secret", secret,
		"-rate", "200", "-duration", "250ms", "-api", "127.0.0.1:0"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if good.Load() != 50 || bad.Load() != 0 {
		t.Errorf("the server got %d well-signed and %d badly signed events, want 50 and 0", good.Load(), bad.Load())
	}
	for _, want := range []string{"status 200×50", "ack latency: p50 ", "posts 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRefusesRemoteTargets(t *testing.T) {
	err := run(context.Background(), []string{"-url", "http://192.0.2.1/slack/events", "-secret", "s"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("err = %v, want a refusal of a non-loopback target", err)
	}
}

var (
	rate     = flag.Int("rate", 200, "TestAgainstAdapter: events per second")
	duration = flag.Duration("duration", 500*time.Millisecond, "TestAgainstAdapter: how long")
)

// TestAgainstAdapter runs the load against the Slack adapter itself, served on loopback with
// its default pool, the Web API played by loadgen. Its figures are logged (-v); to measure at
// the target load: go test -count=1 -run TestAgainstAdapter -v ./adapters/slack/internal/loadgen -rate 1000 -duration 10s
func TestAgainstAdapter(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	e, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const secret = "loadgen-adapter-secret"
	api := httptest.NewUnstartedServer(nil)
	sink := &apiSink{}
	api.Config.Handler = sink
	api.Start()
	defer api.Close()
	a, err := slackadapter.New(bot.New(e, nil), slackadapter.Config{
		SigningSecret: secret, BotToken: "xoxb-loadgen", APIURL: api.URL + "/api/",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	mux.HandleFunc("GET /readyz", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", srv.URL + slackadapter.EventsPath, "-secret", secret,
		"-rate", strconv.Itoa(*rate), "-duration", duration.String()}, &out); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\nadapter: %+v\nposts at the API: %d", out.String(), a.Stats(), sink.posts.Load())
	want := int(duration.Seconds() * float64(*rate))
	if m := regexp.MustCompile(`status 200×(\d+)\n`).FindStringSubmatch(out.String()); m == nil || m[1] != strconv.Itoa(want) {
		t.Errorf("not every event acknowledged with 200 (want %d):\n%s", want, out.String())
	}
	if s := a.Stats(); int(s.Replied) != want {
		t.Errorf("%d replies posted for %d events (busy %d, dropped %d, failed %d)", s.Replied, want, s.Busy, s.Dropped, s.Failed)
	}
}
