// Package failover keeps faqbot answering when the state its replicas share is out of reach.
// Each shared component (event dedupe, conversation state, the admission of arriving messages
// with their rate limits) is paired with an in-process one: calls go to the shared one with a
// short timeout and, when it fails, to the in-process one, and a Health marks the shared state
// degraded. While degraded, calls go straight to the in-process components, without waiting for
// timeouts, and Health pings the shared state until it answers again. Transitions are logged
// once each, never per message.
//
// It imports only bot; what "shared" means (Redis) is the caller's business.
package failover

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqbot/faqbot/bot"
)

// HealthConfig configures a Health; Ping is required.
type HealthConfig struct {
	// Ping checks that the shared state answers.
	Ping func(ctx context.Context) error
	// Every is how often Ping runs (default 1 s).
	Every time.Duration
	// Timeout bounds one Ping and one call to a shared component (default 250 ms).
	Timeout time.Duration
	// Logger receives the transitions (default: none).
	Logger *slog.Logger
}

// Health tracks whether the shared state answers. It is safe for concurrent use.
type Health struct {
	cfg HealthConfig
	log *slog.Logger

	degraded atomic.Bool
	outages  atomic.Int64
	mu       sync.Mutex
	fallback map[string]*atomic.Int64
}

// NewHealth returns a Health that starts healthy; Run keeps it up to date.
func NewHealth(cfg HealthConfig) *Health {
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Health{cfg: cfg, log: cfg.Logger.With("component", "failover"), fallback: map[string]*atomic.Int64{}}
}

// Run pings the shared state every cfg.Every until ctx ends, marking it degraded when a ping
// fails and healthy again when one succeeds.
func (h *Health) Run(ctx context.Context) {
	t := time.NewTicker(h.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
		err := h.cfg.Ping(pctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			h.Fail("ping", err)
		case h.degraded.CompareAndSwap(true, false):
			h.log.Info("shared state is back: using it again")
		}
	}
}

// Healthy reports whether calls should go to the shared state.
func (h *Health) Healthy() bool { return !h.degraded.Load() }

// Fail marks the shared state degraded after component failed with err. Only the first failure
// of an outage is logged.
func (h *Health) Fail(component string, err error) {
	if h.degraded.CompareAndSwap(false, true) {
		h.outages.Add(1)
		h.log.Warn("shared state unavailable: answering with per-process state until it is back",
			"failed", component, "error", err)
	}
}

// Degraded reports whether the shared state is out of reach.
func (h *Health) Degraded() bool { return h.degraded.Load() }

// Outages counts the transitions to degraded.
func (h *Health) Outages() int64 { return h.outages.Load() }

// Fallbacks returns how many calls of each component were answered in-process because the shared
// state was degraded or failed.
func (h *Health) Fallbacks() map[string]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int64, len(h.fallback))
	for k, v := range h.fallback {
		out[k] = v.Load()
	}
	return out
}

// counter returns the fallback counter of component, creating it (at 0) if needed.
func (h *Health) counter(component string) *atomic.Int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.fallback[component]
	if c == nil {
		c = new(atomic.Int64)
		h.fallback[component] = c
	}
	return c
}

// try calls f with the call timeout while healthy; it reports whether f succeeded. A failure
// marks the state degraded unless it is the caller's ctx that ended.
func (h *Health) try(ctx context.Context, component string, f func(ctx context.Context) error) bool {
	if !h.degraded.Load() {
		tctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
		err := f(tctx)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() == nil {
			h.Fail(component, err)
		}
	}
	return false
}

// Deduper is a bot.Deduper that asks Shared and, when it fails, Local. Every id taken is also
// recorded in Local, so that an outage does not forget the events this process saw before it.
type Deduper struct {
	Shared, Local bot.Deduper
	h             *Health
	n             *atomic.Int64
}

// NewDeduper returns a Deduper over shared and local.
func (h *Health) NewDeduper(shared, local bot.Deduper) *Deduper {
	return &Deduper{Shared: shared, Local: local, h: h, n: h.counter("dedupe")}
}

// FirstTime records id and reports whether it was new. It fails only when Local does.
func (d *Deduper) FirstTime(ctx context.Context, id string) (bool, error) {
	var first bool
	if d.h.try(ctx, "dedupe", func(ctx context.Context) (err error) {
		first, err = d.Shared.FirstTime(ctx, id)
		return err
	}) {
		// Local remembers what this process took, also while the shared store works: an id it
		// took stays a repeat should the shared store lose it (a restart without persistence).
		if localFirst, err := d.Local.FirstTime(ctx, id); err == nil && !localFirst {
			first = false
		}
		return first, nil
	}
	d.n.Add(1)
	return d.Local.FirstTime(ctx, id)
}

// StateStore is a bot.StateStore that uses Shared and, when it fails, Local. States put are
// also put in Local, so that an outage does not lose the conversations of this process.
type StateStore struct {
	Shared, Local bot.StateStore
	h             *Health
	n             *atomic.Int64
}

// NewStateStore returns a StateStore over shared and local.
func (h *Health) NewStateStore(shared, local bot.StateStore) *StateStore {
	return &StateStore{Shared: shared, Local: local, h: h, n: h.counter("state")}
}

// Get returns the state of user. It fails only when Local does.
func (s *StateStore) Get(ctx context.Context, user string) (bot.State, bool, error) {
	var (
		st bot.State
		ok bool
	)
	if s.h.try(ctx, "state", func(ctx context.Context) (err error) {
		st, ok, err = s.Shared.Get(ctx, user)
		return err
	}) {
		return st, ok, nil
	}
	s.n.Add(1)
	return s.Local.Get(ctx, user)
}

// Put replaces the state of user. It fails only when Local does.
func (s *StateStore) Put(ctx context.Context, user string, st bot.State) error {
	lerr := s.Local.Put(ctx, user, st)
	if s.h.try(ctx, "state", func(ctx context.Context) error { return s.Shared.Put(ctx, user, st) }) {
		return nil
	}
	s.n.Add(1)
	return lerr
}

// Admitter is a bot.Admitter that asks Shared and, when it fails, Local. The event ids of every
// arrival Shared admits are also taken in Local, so that an outage does not forget the events
// this process saw before it; Local should read the states and take the ids of this process's
// other in-process components (see NewStateStore and NewDeduper).
type Admitter struct {
	Shared, Local bot.Admitter
	h             *Health
	n             *atomic.Int64
}

// NewAdmitter returns an Admitter over shared and local.
func (h *Health) NewAdmitter(shared, local bot.Admitter) *Admitter {
	return &Admitter{Shared: shared, Local: local, h: h, n: h.counter("admit")}
}

// Admit tells what the shared state says of a, or else what Local says. It fails only when
// Local does.
func (ad *Admitter) Admit(ctx context.Context, a bot.Arrival) (bot.Turn, error) {
	var t bot.Turn
	if ad.h.try(ctx, "admit", func(ctx context.Context) (err error) {
		t, err = ad.Shared.Admit(ctx, a)
		return err
	}) {
		// Local takes the events too: an event this process took stays a repeat should the
		// shared store lose it (a restart without persistence, after or during an outage).
		if len(a.Events) > 0 {
			if lt, err := ad.Local.Admit(ctx, bot.Arrival{Events: a.Events}); err == nil && lt.Repeat && !t.Repeat {
				t = bot.Turn{Repeat: true}
			}
		}
		return t, nil
	}
	ad.n.Add(1)
	return ad.Local.Admit(ctx, a)
}

// ErrDegraded is returned by Do while the shared state is degraded.
var ErrDegraded = errors.New("failover: shared state degraded")

// Do runs f against the shared state, with the call timeout, unless it is degraded; a failure
// marks it degraded. It is for the shared operations that have no in-process counterpart.
func (h *Health) Do(ctx context.Context, component string, f func(ctx context.Context) error) error {
	if h.degraded.Load() {
		h.counter(component).Add(1)
		return ErrDegraded
	}
	tctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	err := f(tctx)
	cancel()
	if err != nil && ctx.Err() == nil {
		h.Fail(component, err)
	}
	return err
}

var (
	_ bot.Deduper    = (*Deduper)(nil)
	_ bot.StateStore = (*StateStore)(nil)
	_ bot.Admitter   = (*Admitter)(nil)
)
