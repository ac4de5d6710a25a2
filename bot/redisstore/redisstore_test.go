package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// open returns a Store on srv named replica, closed when the test ends.
func open(t *testing.T, srv *redistest.Server, replica string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(srv.URL, redisstore.Options{Replica: replica, Prefix: "test:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// keys lists the keys in srv.
func keys(t *testing.T, srv *redistest.Server) []string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	ks, err := c.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestDeduperAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, "a").Deduper(time.Hour), open(t, srv, "b").Deduper(time.Hour)
	ctx := context.Background()
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 { // the same event delivered to both replicas at once, ten times each
		d := []bot.Deduper{a, b}[i%2]
		wg.Go(func() {
			first, err := d.FirstTime(ctx, "line:01HZX")
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts.Add(1)
			}
		})
	}
	wg.Wait()
	if n := firsts.Load(); n != 1 {
		t.Errorf("%d deliveries taken as first, want 1", n)
	}
	if first, _ := b.FirstTime(ctx, "line:01HZY"); !first {
		t.Error("another event was not new")
	}
}

func TestDeduperExpires(t *testing.T) {
	srv := redistest.Start(t)
	d := open(t, srv, "a").Deduper(time.Second)
	ctx := context.Background()
	d.FirstTime(ctx, "e1")
	time.Sleep(1100 * time.Millisecond)
	if first, err := d.FirstTime(ctx, "e1"); err != nil || !first {
		t.Errorf("after the TTL: first = %v, %v; want true", first, err)
	}
}

func TestStateStore(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, "a").StateStore(time.Minute), open(t, srv, "b").StateStore(time.Minute)
	ctx := context.Background()
	const user = "U4af4980629b5c5a1b3c5e5b1e5f5a5b5"
	if _, ok, err := a.Get(ctx, user); ok || err != nil {
		t.Fatalf("empty store: ok = %v, err = %v", ok, err)
	}
	want := bot.State{Pending: "account-info", Last: "account-info", Lang: "en"}
	if err := a.Put(ctx, user, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := b.Get(ctx, user) // the other replica sees it
	if err != nil || !ok {
		t.Fatalf("Get: ok = %v, err = %v", ok, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("state (-want +got):\n%s", d)
	}
	for _, k := range keys(t, srv) {
		if strings.Contains(k, user) {
			t.Errorf("key %q holds the user id", k)
		}
		if !strings.HasPrefix(k, "test:state:") {
			t.Errorf("key %q lacks the prefix", k)
		}
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	ks := keys(t, srv)
	if ttl := c.TTL(ctx, ks[0]).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL %v, want up to a minute", ttl)
	}
}

func TestLimiterAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, "a").Limiter(time.Hour, 3), open(t, srv, "b").Limiter(time.Hour, 3)
	ctx := context.Background()
	var allowed []bool
	for i := range 6 {
		ok, err := []bot.Limiter{a, b}[i%2].Allow(ctx, "line:U1")
		if err != nil {
			t.Fatal(err)
		}
		allowed = append(allowed, ok)
	}
	if d := cmp.Diff([]bool{true, true, true, false, false, false}, allowed); d != "" {
		t.Errorf("allowed (-want +got):\n%s", d)
	}
	if ok, _ := a.Allow(ctx, "line:U2"); !ok {
		t.Error("another user was limited")
	}
	// One message per 50 ms: after the burst, one more is allowed 50 ms later.
	fast := open(t, srv, "c").Limiter(50*time.Millisecond, 1)
	if ok, _ := fast.Allow(ctx, "k"); !ok {
		t.Fatal("first message refused")
	}
	if ok, _ := fast.Allow(ctx, "k"); ok {
		t.Fatal("second message at once allowed")
	}
	time.Sleep(60 * time.Millisecond)
	if ok, _ := fast.Allow(ctx, "k"); !ok {
		t.Error("message after the interval refused")
	}
	if ok, _ := open(t, srv, "d").Limiter(0, 1).Allow(ctx, "k"); !ok {
		t.Error("no limit refused")
	}
}

func TestEvents(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv, "a")
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	evs := []record.Event{
		{Kind: record.Unanswered, At: now.Add(-3 * time.Hour), Platform: "line", Text: "old question", Lang: "ja"},
		{Kind: record.Unanswered, At: now.Add(-time.Minute), Platform: "line", Text: "電話番号は<phone>です", Lang: "ja"},
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "my-number", Helpful: false},
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "my-number", Helpful: true},
		{Kind: record.Handoff, At: now.Add(-2 * time.Minute), Platform: "web", Entry: "identity", Reason: "identity-specific question"},
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// Written late, happened earlier: still in order.
	late := record.Event{Kind: record.Unanswered, At: now.Add(-30 * time.Minute), Platform: "slack", Text: "earlier"}
	if err := s.Append(ctx, []record.Event{late}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, record.Unanswered, now.Add(-time.Hour), now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]record.Event{late, evs[1]}, got, cmpTime); d != "" {
		t.Errorf("unanswered (-want +got):\n%s", d)
	}
	got, _ = s.Events(ctx, record.Feedback, now.Add(-time.Hour), now.Add(time.Second))
	if d := cmp.Diff(evs[2:4], got, cmpTime); d != "" {
		t.Errorf("feedback (-want +got):\n%s", d)
	}
	got, _ = s.Events(ctx, record.Handoff, now.Add(-time.Hour), now.Add(-90*time.Second))
	if d := cmp.Diff(evs[4:], got, cmpTime); d != "" {
		t.Errorf("handoffs (-want +got):\n%s", d)
	}
}

var cmpTime = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestEventsPagesAndCap(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.Open(srv.URL, redisstore.Options{StreamMaxLen: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	for range 10 {
		batch := make([]record.Event, 250)
		for i := range batch {
			batch[i] = record.Event{Kind: record.Unanswered, At: now, Text: fmt.Sprint(i)}
		}
		if err := s.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Events(ctx, record.Unanswered, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// MAXLEN ~ trims whole macro nodes: about 1000 are kept, never all 2500.
	if len(got) < 1000 || len(got) >= 2500 {
		t.Errorf("%d events kept, want about 1000", len(got))
	}
}

func TestAnnounceAndWatch(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, "a"), open(t, srv, "b")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	subscribed := make(chan struct{}, 10)
	go b.Watch(ctx, func(v string) { got <- v }, func() { subscribed <- struct{}{} })
	go a.Watch(ctx, func(v string) { t.Errorf("a heard its own announcement %q", v) }, func() {})
	select {
	case <-subscribed:
	case <-time.After(5 * time.Second):
		t.Fatal("b did not subscribe")
	}
	if v, err := b.Heartbeat(ctx, "v1"); err != nil || v != "" {
		t.Fatalf("Heartbeat before any announcement = %q, %v", v, err)
	}
	if err := a.Announce(ctx, "v2"); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v != "v2" {
			t.Errorf("b heard %q, want v2", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b heard nothing")
	}
	if v, _ := b.Heartbeat(ctx, "v1"); v != "v2" {
		t.Errorf("Heartbeat = %q, want the announced v2", v)
	}
	rs, err := a.Replicas(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, r := range rs {
		vs = append(vs, r.Replica+"="+r.Version)
	}
	if d := cmp.Diff([]string{"a=v2", "b=v1"}, vs); d != "" {
		t.Errorf("replicas (-want +got):\n%s", d)
	}
	if err := b.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, _ := a.Replicas(ctx, time.Minute); len(rs) != 1 {
		t.Errorf("after b left: %v", rs)
	}
}

func TestDown(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv, "a")
	srv.Stop()
	ctx := context.Background()
	start := time.Now()
	if _, err := s.Deduper(time.Hour).FirstTime(ctx, "e"); err == nil {
		t.Error("FirstTime without Redis did not fail")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping without Redis did not fail")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("failing took %v", took)
	}
	srv.Restart(t)
	if first, err := s.Deduper(time.Hour).FirstTime(ctx, "e"); err != nil || !first {
		t.Errorf("after restart: %v, %v", first, err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := redisstore.Open("redis://:s3cret@host:port:x/0", redisstore.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open = %v, want an error without the password", err)
	}
}
