package replicas

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// replica is one faqbot process as the protocol sees it: the version it serves, reloaded from a
// content directory that all replicas share.
type replica struct {
	p        *Protocol
	store    *redisstore.Store
	version  atomic.Value // string
	reindexs atomic.Int64
}

func (r *replica) serving() string { return r.version.Load().(string) }

func newReplica(t *testing.T, srv *redistest.Server, name string, disk *atomic.Value, every time.Duration) *replica {
	t.Helper()
	s, err := redisstore.Open(srv.URL, redisstore.Options{Prefix: "stress:", Replica: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r := &replica{store: s}
	r.version.Store(disk.Load().(string))
	r.p = New(Config{
		Shared:  s,
		Version: r.serving,
		Reindex: func(ctx context.Context) {
			r.reindexs.Add(1)
			time.Sleep(100 * time.Microsecond) // building an index takes a while
			r.version.Store(disk.Load().(string))
		},
		Every: every,
	})
	return r
}

// TestStressHeartbeatsAndReindexes runs, on two replicas sharing a real redis-server,
// heartbeats every millisecond, extra heartbeats from other goroutines, and thousands of
// reindexes announced by one replica and followed by the other, all at once. No call may
// wait on another in a cycle: every announcement is caught up with, and Run returns promptly
// once its context ends.
func TestStressHeartbeatsAndReindexes(t *testing.T) {
	srv := redistest.Start(t)
	var disk atomic.Value
	disk.Store("v0")
	a := newReplica(t, srv, "a", &disk, time.Millisecond)
	b := newReplica(t, srv, "b", &disk, time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running sync.WaitGroup
	for _, r := range []*replica{a, b} {
		running.Go(func() { r.p.Run(ctx) })
	}
	// Heartbeats from outside the ticker, as the subscription's (re)connections and the
	// reindex loop make them, racing with everything else.
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	stopBeats := make(chan struct{})
	var beats sync.WaitGroup
	for _, r := range []*replica{a, b, a, b} {
		beats.Go(func() {
			for {
				select {
				case <-stopBeats:
					return
				default:
				}
				r.p.beat(ctx)
				// An announcement of a version older or newer than the one served, as
				// the channel delivers them while replicas reindex one after another.
				r.p.follow(fmt.Sprintf("v%d", rand.IntN(rounds+1)))
			}
		})
	}

	// The announcements run apart, so that a protocol stuck on itself fails the test rather
	// than hanging it.
	announced := make(chan struct{})
	go func() {
		defer close(announced)
		for i := 1; i <= rounds; i++ {
			v := fmt.Sprintf("v%d", i)
			disk.Store(v)
			a.version.Store(v) // a reindexes itself…
			a.p.Announce(ctx, v)
			if i%2 == 0 { // …and, every other round, b does too, announcing over a's
				b.version.Store(v)
				b.p.Announce(ctx, v)
			}
		}
	}()
	select {
	case <-announced:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%d announcements not made within 2 minutes: the protocol is stuck", rounds)
	}
	final := disk.Load().(string)
	for deadline := time.Now().Add(30 * time.Second); a.serving() != final || b.serving() != final; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %d announcements a serves %s, b %s, want %s: the protocol is stuck", rounds, a.serving(), b.serving(), final)
		}
	}
	close(stopBeats)
	beatsDone := make(chan struct{})
	go func() { beats.Wait(); close(beatsDone) }()
	select {
	case <-beatsDone:
	case <-time.After(30 * time.Second):
		t.Fatal("heartbeats still running 30 s after they were stopped: the protocol is stuck")
	}

	cancel()
	stopped := make(chan struct{})
	go func() { running.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of its context ending: the protocol is stuck")
	}
	t.Logf("%d rounds; reindexes followed: a %d, b %d", rounds, a.reindexs.Load(), b.reindexs.Load())
	if b.reindexs.Load() == 0 {
		t.Error("b never followed an announcement of a")
	}
}

// TestLaggingReplicaCatchesUp: a replica that was not listening when a version was announced
// reindexes on its next heartbeat, and heartbeats say which version each replica serves.
func TestLaggingReplicaCatchesUp(t *testing.T) {
	srv := redistest.Start(t)
	var disk atomic.Value
	disk.Store("v0")
	a := newReplica(t, srv, "a", &disk, time.Hour)
	disk.Store("v1")
	a.version.Store("v1")
	a.p.Announce(context.Background(), "v1") // b is not running yet: it misses the message

	b := newReplica(t, srv, "b", &disk, 20*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.p.Run(ctx); close(done) }()
	for deadline := time.Now().Add(10 * time.Second); b.serving() != "v1"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("b did not catch up with the version announced before it started")
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		rs, err := b.store.Replicas(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 2 && rs[1].Replica == "b" && rs[1].Version == "v1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas: %+v, want b serving v1", rs)
		}
	}
	cancel()
	<-done
}

// failing is a Shared whose Announce fails until ok is set.
type failing struct {
	ok        atomic.Bool
	announced atomic.Value
}

func (f *failing) Announce(_ context.Context, v string) error {
	if !f.ok.Load() {
		return errors.New("down")
	}
	f.announced.Store(v)
	return nil
}
func (f *failing) Heartbeat(context.Context, string) (string, error)   { return "", nil }
func (f *failing) Watch(ctx context.Context, _ func(string), _ func()) { <-ctx.Done() }

// TestAnnouncementMadeWhenBack: an announcement that fails is made by the first heartbeat
// after the store is back.
func TestAnnouncementMadeWhenBack(t *testing.T) {
	f := &failing{}
	p := New(Config{Shared: f, Version: func() string { return "v2" }, Reindex: func(context.Context) {}, Every: time.Hour})
	ctx := context.Background()
	p.Announce(ctx, "v2")
	p.beat(ctx)
	if f.announced.Load() != nil {
		t.Fatal("announced while the store was down")
	}
	f.ok.Store(true)
	p.beat(ctx)
	if got := f.announced.Load(); got != "v2" {
		t.Fatalf("announced %v after the store came back, want v2", got)
	}
}
