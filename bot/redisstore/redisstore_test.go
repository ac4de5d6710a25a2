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
	return openWith(t, srv, redisstore.Options{Replica: replica})
}

func openWith(t *testing.T, srv *redistest.Server, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	opts.Prefix = "test:"
	s, err := redisstore.Open(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// bothWays runs f with the message path's commands pipelined (the default) and not.
func bothWays(t *testing.T, f func(t *testing.T, opts redisstore.Options)) {
	for _, opts := range []redisstore.Options{{}, {Unpipelined: true}} {
		t.Run(fmt.Sprintf("unpipelined=%v", opts.Unpipelined), func(t *testing.T) { f(t, opts) })
	}
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
	// The masked question a rating is about travels with it, cut to bot.MaxQuestion.
	const rated = "U5b5b"
	long := strings.Repeat("<phone>を", bot.MaxQuestion)
	if err := a.Put(ctx, rated, bot.State{Last: "my-number", Rating: "my-number", Question: long, Lang: "ja"}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := b.Get(ctx, rated); got.Rating != "my-number" || !strings.HasPrefix(long, got.Question) || len([]rune(got.Question)) != bot.MaxQuestion {
		t.Errorf("rated state %+v, want the question cut to %d characters", got, bot.MaxQuestion)
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

// One script call per message: the event ids, the rate limit and the state, across replicas.
func TestAdmitterAcrossReplicas(t *testing.T) { bothWays(t, testAdmitterAcrossReplicas) }

func testAdmitterAcrossReplicas(t *testing.T, opts redisstore.Options) {
	srv := redistest.Start(t)
	open := func(t *testing.T, srv *redistest.Server, replica string) *redisstore.Store {
		o := opts
		o.Replica = replica
		return openWith(t, srv, o)
	}
	sa, sb := open(t, srv, "a"), open(t, srv, "b")
	a, b := sa.Admitter(time.Hour, time.Hour, 3), sb.Admitter(time.Hour, time.Hour, 3)
	ctx := context.Background()
	admit := func(ad *redisstore.Admitter, ar bot.Arrival) bot.Turn {
		t.Helper()
		turn, err := ad.Admit(ctx, ar)
		if err != nil {
			t.Fatal(err)
		}
		return turn
	}

	// The same event delivered to both replicas at once, ten times each: one is taken.
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		ad := []*redisstore.Admitter{a, b}[i%2]
		wg.Go(func() {
			turn, err := ad.Admit(ctx, bot.Arrival{Events: []string{"line:01HZX"}, Limit: "line:U0", User: "line:U0"})
			if err != nil {
				t.Error(err)
			}
			if !turn.Repeat {
				firsts.Add(1)
			}
		})
	}
	wg.Wait()
	if n := firsts.Load(); n != 1 {
		t.Errorf("%d deliveries taken as first, want 1", n)
	}
	// The repeats did not count against the limit: two of three messages are left.
	for i, want := range []bool{false, false, true} {
		if got := admit(a, bot.Arrival{Limit: "line:U0"}).Limited; got != want {
			t.Errorf("U0's message %d after the repeats: limited = %v, want %v", i+2, got, want)
		}
	}

	// Several ids: a repeat when any was taken, and all are taken then.
	if admit(a, bot.Arrival{Events: []string{"x", "y"}}).Repeat {
		t.Error("x, y: a repeat")
	}
	if !admit(b, bot.Arrival{Events: []string{"y", "z"}}).Repeat {
		t.Error("y, z: not a repeat")
	}
	if !admit(a, bot.Arrival{Events: []string{"z"}}).Repeat {
		t.Error("z, taken with the repeat y: not a repeat")
	}
	// The ids Deduper takes are the same.
	if first, _ := sb.Deduper(time.Hour).FirstTime(ctx, "x"); first {
		t.Error("Deduper: x taken by the Admitter is new")
	}

	// The rate limit is shared: three messages, then none, whichever replica takes them.
	var limited []bool
	for i := range 6 {
		limited = append(limited, admit([]*redisstore.Admitter{a, b}[i%2], bot.Arrival{Limit: "line:U1"}).Limited)
	}
	if d := cmp.Diff([]bool{false, false, false, true, true, true}, limited); d != "" {
		t.Errorf("limited (-want +got):\n%s", d)
	}
	if admit(a, bot.Arrival{Limit: "line:U2"}).Limited {
		t.Error("another user was limited")
	}
	// One message per 50 ms: after the burst, one more is allowed 50 ms later.
	fast := open(t, srv, "c").Admitter(time.Hour, 50*time.Millisecond, 1)
	if admit(fast, bot.Arrival{Limit: "k"}).Limited {
		t.Fatal("first message refused")
	}
	if !admit(fast, bot.Arrival{Limit: "k"}).Limited {
		t.Fatal("second message at once allowed")
	}
	time.Sleep(60 * time.Millisecond)
	if admit(fast, bot.Arrival{Limit: "k"}).Limited {
		t.Error("message after the interval refused")
	}
	unlimited := open(t, srv, "d").Admitter(time.Hour, 0, 1)
	for range 3 {
		if admit(unlimited, bot.Arrival{Limit: "k2"}).Limited {
			t.Error("no limit refused")
		}
	}

	// The state the other replica's StateStore put, with the limit in the same call.
	const user = "U4af4980629b5c5a1b3c5e5b1e5f5a5b5"
	if turn := admit(b, bot.Arrival{User: user}); turn.Known {
		t.Errorf("state before any: %+v", turn)
	}
	want := bot.State{Pending: "account-info", Last: "account-info", Lang: "en"}
	if err := sa.StateStore(time.Minute).Put(ctx, user, want); err != nil {
		t.Fatal(err)
	}
	turn := admit(b, bot.Arrival{Events: []string{"line:01HZS"}, Limit: "line:" + user, User: user})
	if d := cmp.Diff(bot.Turn{State: want, Known: true}, turn); d != "" {
		t.Errorf("turn (-want +got):\n%s", d)
	}
	if turn := admit(a, bot.Arrival{Events: []string{"line:01HZS"}, Limit: "line:" + user, User: user}); !turn.Repeat || turn.Known {
		t.Errorf("repeat: %+v, want a repeat and nothing read", turn)
	}

	slackMsg := "slack:msg:T0TEAM0001:C0CHAN0001:1700000000.000100"
	admit(b, bot.Arrival{Events: []string{slackMsg, "slack:event:Ev0EVENT01"}, Limit: "slack:T0TEAM0001:U0USER0001", User: "slack:T0TEAM0001:U0USER0001"})
	for _, k := range keys(t, srv) {
		for _, id := range []string{"T0TEAM0001", "C0CHAN0001", "U0USER0001", "Ev0EVENT01", "01HZS", "1700000000"} {
			if strings.Contains(k, id) {
				t.Errorf("key %q holds the id %s", k, id)
			}
		}
		if strings.Contains(k, user) {
			t.Errorf("key %q holds a user id", k)
		}
		if !strings.HasPrefix(k, "test:seen:") && !strings.HasPrefix(k, "test:rate:") && !strings.HasPrefix(k, "test:state:") {
			t.Errorf("key %q: unexpected", k)
		}
	}
}

// A state that is not faqbot's JSON does not stop the message: it is admitted, without state.
func TestAdmitterBadState(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv, "a")
	ctx := context.Background()
	const user = "U1"
	s.StateStore(time.Minute).Put(ctx, user, bot.State{Last: "a"})
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	for _, k := range keys(t, srv) {
		c.Set(ctx, k, "{not json", time.Minute)
	}
	turn, err := s.Admitter(time.Hour, time.Hour, 1).Admit(ctx, bot.Arrival{Events: []string{"e"}, Limit: user, User: user})
	if err == nil || turn.Repeat || turn.Limited || turn.Known {
		t.Errorf("Admit = %+v, %v; want an error and the message admitted without state", turn, err)
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
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "my-number", Helpful: false, Text: "番号は<phone>で合ってる"},
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

func TestDown(t *testing.T) { bothWays(t, testDown) }

func testDown(t *testing.T, opts redisstore.Options) {
	srv := redistest.Start(t)
	s := openWith(t, srv, opts)
	ctx := context.Background()
	if _, err := s.Admitter(time.Hour, time.Hour, 1).Admit(ctx, bot.Arrival{Events: []string{"e0"}}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
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
	// A caller's deadline is kept, pipelined or not (failover gives each call 250 ms).
	start = time.Now()
	dctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	if _, err := s.Admitter(time.Hour, time.Hour, 1).Admit(dctx, bot.Arrival{Events: []string{"e"}, User: "u"}); err == nil {
		t.Error("Admit without Redis did not fail")
	}
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Errorf("Admit with a 250 ms deadline took %v", took)
	}
	srv.Restart(t)
	if first, err := s.Deduper(time.Hour).FirstTime(ctx, "e"); err != nil || !first {
		t.Errorf("after restart: %v, %v", first, err)
	}
	// A restarted Redis has lost the script: it is loaded again.
	if turn, err := s.Admitter(time.Hour, time.Hour, 1).Admit(ctx, bot.Arrival{Events: []string{"e2"}, User: "u"}); err != nil || turn.Repeat {
		t.Errorf("Admit after restart: %+v, %v", turn, err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := redisstore.Open("redis://:s3cret@host:port:x/0", redisstore.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open = %v, want an error without the password", err)
	}
}

// Events older than StreamKeep are dropped from the streams when more are written.
func TestEventsKeptForStreamKeep(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.Open(srv.URL, redisstore.Options{Prefix: "keep:", StreamKeep: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	old := record.Event{Kind: record.Unanswered, At: time.Now(), Platform: "web", Text: "old <phone>"}
	if err := s.Append(ctx, []record.Event{old}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	recent := record.Event{Kind: record.Unanswered, At: time.Now(), Platform: "web", Text: "recent"}
	if err := s.Append(ctx, []record.Event{recent}); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	entries, err := c.XRange(ctx, "keep:events:unanswered", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Values["text"] != "recent" {
		t.Errorf("stream after StreamKeep: %v, want the recent event alone", entries)
	}
}
