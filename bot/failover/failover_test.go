package failover_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/memstore"
)

// shared is a shared store that fails while down is set.
type shared struct {
	down   atomic.Bool
	calls  atomic.Int32
	dedupe *memstore.Deduper
	states *memstore.Store
}

var errDown = errors.New("connection refused")

func (s *shared) FirstTime(ctx context.Context, id string) (bool, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return false, errDown
	}
	return s.dedupe.FirstTime(ctx, id)
}

func (s *shared) Get(ctx context.Context, user string) (bot.State, bool, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return bot.State{}, false, errDown
	}
	return s.states.Get(ctx, user)
}

func (s *shared) Put(ctx context.Context, user string, st bot.State) error {
	s.calls.Add(1)
	if s.down.Load() {
		return errDown
	}
	return s.states.Put(ctx, user, st)
}

// Admit takes the events in the shared dedupe, reads the shared states, and says that every
// user is over the rate limit.
func (s *shared) Admit(ctx context.Context, a bot.Arrival) (bot.Turn, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return bot.Turn{}, errDown
	}
	return bot.Stepwise{Seen: s.dedupe, Limiter: refuseAll{}, Store: s.states}.Admit(ctx, a)
}

type refuseAll struct{}

func (refuseAll) Allow(context.Context, string) (bool, error) { return false, nil }

func (s *shared) Ping(context.Context) error {
	if s.down.Load() {
		return errDown
	}
	return nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFailover(t *testing.T) {
	sh := &shared{dedupe: memstore.NewDeduper(time.Hour, 100, nil), states: memstore.NewStore(time.Hour, nil)}
	logs := &syncBuffer{}
	h := failover.NewHealth(failover.HealthConfig{Ping: sh.Ping, Every: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)
	local := bot.Stepwise{
		Seen:    memstore.NewDeduper(time.Hour, 100, nil),
		Limiter: memstore.NewLimiter(time.Hour, 1, nil),
		Store:   memstore.NewStore(time.Hour, nil),
	}
	seen := h.NewDeduper(sh, local.Seen)
	store := h.NewStateStore(sh, local.Store)
	admit := h.NewAdmitter(sh, local)
	message := bot.Arrival{Events: []string{"m1"}, Limit: "u", User: "u"}

	// Healthy: the shared components answer.
	if first, _ := seen.FirstTime(ctx, "e1"); !first {
		t.Fatal("e1 not first")
	}
	store.Put(ctx, "u", bot.State{Last: "a"})
	turn, err := admit.Admit(ctx, message)
	if want := (bot.Turn{Limited: true, State: bot.State{Last: "a"}, Known: true}); err != nil || turn != want {
		t.Errorf("shared admission = %+v, %v; want %+v", turn, err, want)
	}

	// Down: the first failure degrades; then calls stay in process, without asking the shared
	// components; an event seen before the outage is still known.
	sh.down.Store(true)
	if first, err := seen.FirstTime(ctx, "e1"); err != nil || first {
		t.Errorf("e1 during the outage: first = %v, err = %v; want a repeat", first, err)
	}
	if !h.Degraded() {
		t.Fatal("not degraded after a failure")
	}
	calls := sh.calls.Load()
	for i := range 50 {
		if first, err := seen.FirstTime(ctx, "e2"); err != nil || first != (i == 0) {
			t.Fatalf("e2 #%d during the outage: first = %v, err = %v", i, first, err)
		}
	}
	if st, ok, err := store.Get(ctx, "u"); err != nil || !ok || st.Last != "a" {
		t.Errorf("state during the outage = %+v, %v, %v; want the one put before", st, ok, err)
	}
	if turn, err := admit.Admit(ctx, message); err != nil || !turn.Repeat {
		t.Errorf("the message admitted before the outage, again: %+v, %v; want a repeat", turn, err)
	}
	turn, err = admit.Admit(ctx, bot.Arrival{Events: []string{"m2"}, Limit: "u", User: "u"})
	if want := (bot.Turn{State: bot.State{Last: "a"}, Known: true}); err != nil || turn != want {
		t.Errorf("local admission = %+v, %v; want %+v (the local limit, the state put before)", turn, err, want)
	}
	if n := sh.calls.Load() - calls; n != 0 {
		t.Errorf("%d calls to the shared state while degraded", n)
	}
	if err := h.Do(ctx, "announce", func(context.Context) error { return nil }); !errors.Is(err, failover.ErrDegraded) {
		t.Errorf("Do while degraded = %v", err)
	}
	fb := h.Fallbacks()
	if fb["dedupe"] < 50 || fb["state"] != 1 || fb["admit"] != 2 || fb["announce"] != 1 {
		t.Errorf("fallbacks = %v", fb)
	}

	// Back: the ping notices, and calls go to the shared components again. The flag flips just
	// before the recovery is logged, so wait for both.
	sh.down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for h.Degraded() || !strings.Contains(logs.String(), "shared state is back") {
		if time.Now().After(deadline) {
			t.Fatal("still degraded after the shared state came back")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if first, _ := seen.FirstTime(ctx, "e3"); !first {
		t.Error("e3 not first")
	}
	if first, _ := seen.FirstTime(ctx, "e3"); first {
		t.Error("e3 first twice")
	}
	if h.Outages() != 1 {
		t.Errorf("outages = %d, want 1", h.Outages())
	}
	out := logs.String()
	if n := strings.Count(out, "shared state unavailable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "shared state is back"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, out)
	}
}

// A caller that gives up is not an outage.
func TestCallerCancelIsNotAnOutage(t *testing.T) {
	h := failover.NewHealth(failover.HealthConfig{Ping: func(context.Context) error { return nil }})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.Do(ctx, "x", func(ctx context.Context) error { return ctx.Err() })
	if err == nil || h.Degraded() {
		t.Errorf("Do = %v, degraded = %v; want an error and healthy", err, h.Degraded())
	}
}

// A shared component slower than the timeout counts as failed.
func TestTimeout(t *testing.T) {
	h := failover.NewHealth(failover.HealthConfig{Ping: func(context.Context) error { return nil }, Timeout: 20 * time.Millisecond})
	slow := admitterFunc(func(ctx context.Context, _ bot.Arrival) (bot.Turn, error) {
		<-ctx.Done()
		return bot.Turn{Limited: true}, ctx.Err()
	})
	ad := h.NewAdmitter(slow, bot.Stepwise{Limiter: memstore.NewLimiter(0, 1, nil)})
	start := time.Now()
	if turn, err := ad.Admit(context.Background(), bot.Arrival{Limit: "u"}); turn.Limited || err != nil {
		t.Errorf("Admit = %+v, %v", turn, err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
	if !h.Degraded() {
		t.Error("not degraded after a timeout")
	}
}

type admitterFunc func(ctx context.Context, a bot.Arrival) (bot.Turn, error)

func (f admitterFunc) Admit(ctx context.Context, a bot.Arrival) (bot.Turn, error) { return f(ctx, a) }
