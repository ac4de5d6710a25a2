// Package workpool is the bounded pool of workers the chat adapters answer in: a queue per
// worker, so that the messages of one user are answered in order by one worker, a small "busy"
// lane for the messages that find their worker's queue full, and a shutdown that stops taking
// work and waits for what was taken.
package workpool

import (
	"context"
	"errors"
	"sync"
)

// Outcome is what Submit did with a job.
type Outcome int

const (
	Queued  Outcome = iota // queued for its worker
	Busy                   // its worker's queue was full: queued on the busy lane
	Dropped                // the busy lane was full too
)

// Config configures a Pool.
type Config[J any] struct {
	Workers int // workers, each with its own queue
	// Queue is the capacity of each worker's queue; the busy lane holds as many jobs as all
	// the queues together (Workers × Queue, at least 4 × Queue).
	Queue int
	// BusyWorkers work the busy lane.
	BusyWorkers int
	// Key names the user of a job: the jobs of one key go to one worker.
	Key func(J) string
	// Do answers a job; Busy answers a job of the busy lane (tells the user to try again).
	Do, Busy func(context.Context, J)
	// Abandoned is called for each job still queued when Shutdown's context ends.
	Abandoned func(J)
}

// Pool runs jobs of type J. It is safe for concurrent use.
type Pool[J any] struct {
	cfg    Config[J]
	shards []chan J
	busy   chan J
	mu     sync.RWMutex // guards closed against the sends to shards and busy
	closed bool
	// rmu guards reserved: the room in the busy lane that open tickets hold.
	rmu      sync.Mutex
	reserved int
	wg       sync.WaitGroup
	cancel   context.CancelFunc
}

// Start starts the workers of a new Pool.
func Start[J any](cfg Config[J]) *Pool[J] {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool[J]{cfg: cfg, shards: make([]chan J, cfg.Workers), busy: make(chan J, max(cfg.Workers, 4)*cfg.Queue), cancel: cancel}
	for i := range p.shards {
		p.shards[i] = make(chan J, cfg.Queue)
		p.wg.Go(func() { p.work(ctx, p.shards[i], cfg.Do) })
	}
	for range max(1, cfg.BusyWorkers) {
		p.wg.Go(func() { p.work(ctx, p.busy, cfg.Busy) })
	}
	return p
}

func (p *Pool[J]) work(ctx context.Context, jobs <-chan J, do func(context.Context, J)) {
	// A context of its own: the jobs' deadlines then hang off it, not all off one parent
	// whose lock every worker would contend for.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for j := range jobs {
		if ctx.Err() != nil {
			p.cfg.Abandoned(j)
			continue
		}
		do(ctx, j)
	}
}

// Errors of Open.
var (
	ErrClosed = errors.New("workpool: shut down")
	ErrFull   = errors.New("workpool: no room for the jobs")
)

// Ticket holds the pool open and room in it for a number of jobs, which Submit hands in. Close
// it once they are submitted. A Ticket is used by one goroutine.
type Ticket[J any] struct {
	p    *Pool[J]
	left int
}

// Open makes room for n jobs and keeps the pool open until the ticket is closed: a caller that
// must record jobs (as seen) and submit them does both while it holds the ticket, so that
// Shutdown cannot come in between, and a caller that acknowledges the jobs to their sender
// (a webhook's 200) knows beforehand that none of them will be dropped. It fails with
// ErrClosed after Shutdown, and with ErrFull when the busy lane could not take n more jobs
// should their workers' queues be full: the caller should then refuse the jobs (a 503, for
// the platform to deliver them again), not acknowledge them.
func (p *Pool[J]) Open(n int) (*Ticket[J], error) {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return nil, ErrClosed
	}
	p.rmu.Lock()
	if len(p.busy)+p.reserved+n > cap(p.busy) {
		p.rmu.Unlock()
		p.mu.RUnlock()
		return nil, ErrFull
	}
	p.reserved += n
	p.rmu.Unlock()
	return &Ticket[J]{p: p, left: n}, nil
}

// Submit hands j to its key's worker, or to the busy lane when that worker's queue is full.
// Within the number of jobs the ticket was opened for, it never drops a job; beyond it, a job
// that finds the busy lane full is Dropped.
func (t *Ticket[J]) Submit(j J) Outcome {
	p := t.p
	reserved := t.left > 0
	if reserved {
		t.left--
	}
	defer func() {
		if reserved {
			p.rmu.Lock()
			p.reserved--
			p.rmu.Unlock()
		}
	}()
	select {
	case p.shards[shard(p.cfg.Key(j), len(p.shards))] <- j:
		return Queued
	default:
	}
	select {
	case p.busy <- j:
		return Busy
	default:
		return Dropped
	}
}

// Close gives back the room not used and lets Shutdown proceed.
func (t *Ticket[J]) Close() {
	if t.p == nil {
		return
	}
	t.p.rmu.Lock()
	t.p.reserved -= t.left
	t.p.rmu.Unlock()
	t.left = 0
	t.p.mu.RUnlock()
	t.p = nil
}

// Queued is the number of jobs waiting for a worker.
func (p *Pool[J]) Queued() int {
	n := len(p.busy)
	for _, ch := range p.shards {
		n += len(ch)
	}
	return n
}

// Shutdown stops taking jobs and waits until the jobs taken are done. When ctx ends first,
// the jobs in flight are cancelled, the queued ones abandoned, and Shutdown returns ctx's error
// once the workers have stopped.
func (p *Pool[J]) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for _, ch := range p.shards {
			close(ch)
		}
		close(p.busy)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	defer p.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}

// shard maps a key to a worker (FNV-1a).
func shard(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}
