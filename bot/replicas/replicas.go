// Package replicas is the protocol by which the replicas of faqbot serve the same content: a
// replica that reindexes announces its new version; the others, told over a channel or, when
// they missed the announcement, by their next heartbeat, reindex too; and each replica says
// every few seconds which version it serves.
//
// Nothing here holds a lock while it waits: the state the goroutines share is guarded by a
// mutex taken only to read or write it, never across a call to the shared store, a reindex or
// a channel send, and every send is a non-blocking nudge. Reindexes, heartbeats, announcements
// and Run's end can therefore never wait on one another in a cycle.
//
// It imports nothing of faqbot: where the versions are shared (Redis, package bot/redisstore)
// and how a failure is survived (package bot/failover) are the caller's business.
package replicas

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Shared is where the replicas meet (bot/redisstore.Store).
type Shared interface {
	// Announce makes version the one every replica should serve, and tells them.
	Announce(ctx context.Context, version string) error
	// Heartbeat records that this replica serves version and returns the version announced
	// last ("" when none was).
	Heartbeat(ctx context.Context, version string) (announced string, err error)
	// Watch calls announced with each version another replica announces, and subscribed each
	// time it starts listening, until ctx ends.
	Watch(ctx context.Context, announced func(version string), subscribed func())
}

// Guard runs a call to the shared store, bounding it and keeping track of its failures
// (bot/failover.Health). component names the call for the metrics.
type Guard interface {
	Do(ctx context.Context, component string, f func(ctx context.Context) error) error
}

// Config configures a Protocol. Shared, Version and Reindex are required.
type Config struct {
	Shared Shared
	// Guard wraps every call to Shared (default: the call as it is).
	Guard Guard
	// Version is the content version this replica serves now.
	Version func() string
	// Reindex reloads the content because another replica announced a version this one does
	// not serve. It is called from one goroutine at a time.
	Reindex func(ctx context.Context)
	// Every is how often the heartbeat runs (default 5 s).
	Every time.Duration
	// Logger receives the protocol's logs (default: none).
	Logger *slog.Logger
}

// Protocol is one replica's side of the protocol. It is safe for concurrent use: Announce may
// be called from any goroutine, before, while or after Run runs.
type Protocol struct {
	cfg Config
	log *slog.Logger

	// wake nudges the reindex loop that want holds a version; a send that finds it full is
	// dropped, since the loop reads want afresh.
	wake chan struct{}

	mu       sync.Mutex // guards the fields below; never held across a call or a send
	want     string     // an announced version to catch up with, not yet acted on
	unsent   string     // a version whose announcement failed, to announce once the store is back
	caughtUp string     // the last announced version acted on
}

// New returns the protocol of one replica; Run runs it.
func New(cfg Config) *Protocol {
	if cfg.Guard == nil {
		cfg.Guard = direct{}
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Protocol{cfg: cfg, log: cfg.Logger.With("component", "replicas"), wake: make(chan struct{}, 1)}
}

type direct struct{}

func (direct) Do(ctx context.Context, _ string, f func(context.Context) error) error { return f(ctx) }

// Run takes part in the protocol until ctx ends: it listens for announcements, beats every
// cfg.Every, and reindexes when another replica announced a version this one does not serve.
// It returns once all of its goroutines have stopped; a reindex in progress is cancelled
// through its context.
func (p *Protocol) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { p.reindexLoop(ctx) })
	wg.Go(func() { p.cfg.Shared.Watch(ctx, p.follow, func() { p.beat(ctx) }) })
	wg.Go(func() {
		t := time.NewTicker(p.cfg.Every)
		defer t.Stop()
		for {
			p.beat(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	wg.Wait()
}

// Announce tells the other replicas that this one now serves version. When the store is out of
// reach, the announcement is made by the first heartbeat that reaches it.
func (p *Protocol) Announce(ctx context.Context, version string) {
	err := p.cfg.Guard.Do(ctx, "announce", func(ctx context.Context) error { return p.cfg.Shared.Announce(ctx, version) })
	p.mu.Lock()
	if err != nil {
		p.unsent = version
	} else {
		p.unsent, p.caughtUp = "", version
	}
	p.mu.Unlock()
	if err != nil {
		p.log.Warn("could not tell the other replicas about the reindex; will once the shared store is back",
			"version", version, "error", err)
	}
}

// beat announces a reindex whose announcement failed, says which version this replica serves,
// and catches up with a version announced while it was not listening.
func (p *Protocol) beat(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	p.mu.Lock()
	unsent := p.unsent
	p.mu.Unlock()
	if unsent != "" {
		if p.cfg.Guard.Do(ctx, "announce", func(ctx context.Context) error { return p.cfg.Shared.Announce(ctx, unsent) }) == nil {
			p.mu.Lock()
			if p.unsent == unsent {
				p.unsent = ""
			}
			p.mu.Unlock()
			p.log.Info("announced the reindex made while the shared store was away", "version", unsent)
		}
	}
	var announced string
	err := p.cfg.Guard.Do(ctx, "heartbeat", func(ctx context.Context) (err error) {
		announced, err = p.cfg.Shared.Heartbeat(ctx, p.cfg.Version())
		return err
	})
	if err != nil {
		return
	}
	p.mu.Lock()
	fresh := announced != p.caughtUp
	if fresh {
		p.caughtUp = announced
	}
	p.mu.Unlock()
	if fresh {
		p.follow(announced)
	}
}

// follow asks the reindex loop to catch up with version, unless it is served already. A newer
// version replaces one not yet acted on. It never blocks.
func (p *Protocol) follow(version string) {
	if version == "" || version == p.cfg.Version() {
		return
	}
	p.mu.Lock()
	p.want = version
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default: // a nudge is pending: the loop will read want
	}
}

// reindexLoop reindexes, one at a time, for the versions follow asks for.
func (p *Protocol) reindexLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		}
		p.mu.Lock()
		v := p.want
		p.want = ""
		p.mu.Unlock()
		if v == "" || v == p.cfg.Version() {
			continue
		}
		p.log.Info("another replica reindexed: reindexing", "announced", v, "version", p.cfg.Version())
		p.cfg.Reindex(ctx)
		p.beat(ctx) // say at once which version this replica serves now
	}
}
