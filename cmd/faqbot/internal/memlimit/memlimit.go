// Package memlimit paces the garbage collector with a soft memory limit that keeps headroom
// above the live heap: the limit is the configured size while the live heap is well under it,
// and rises with the live heap when that grows near or past it (a large index being built, a
// reindex while the old engine still serves), so that the collector never runs back to back
// trying to meet a limit the live heap alone exceeds. It imports nothing of faqbot.
package memlimit

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Pacer keeps the runtime's memory limit at max(Limit, what the runtime holds besides the
// heap + the live heap × (1 + Headroom)), recomputed after every garbage collection. It is safe
// for concurrent use; Start and Stop may each be called once.
type Pacer struct {
	// Limit is the soft limit in bytes, as for runtime/debug.SetMemoryLimit.
	Limit int64
	// Headroom is the share of the live heap kept free above it (0.5: the collector runs
	// when the heap has grown by half of what is live, at the latest).
	Headroom float64

	// setLimit and read are the runtime's (debug.SetMemoryLimit, runtime/metrics); tests
	// replace them.
	setLimit func(int64) int64
	read     func() Usage

	stopped  atomic.Bool
	mu       sync.Mutex
	current  int64
	previous int64 // the limit before Start, restored by Stop
}

// Usage is what the runtime holds, in bytes.
type Usage struct {
	Live    uint64 // the heap marked live by the last collection
	NonHeap uint64 // what the memory limit counts besides the heap: stacks, runtime metadata, …
}

// Limit returns the limit the pacer would set for u.
func (p *Pacer) limitFor(u Usage) int64 {
	floor := float64(u.NonHeap) + float64(u.Live)*(1+p.Headroom)
	return max(p.Limit, int64(floor))
}

// Start sets the limit and keeps it after every collection until Stop.
func (p *Pacer) Start() {
	if p.setLimit == nil {
		p.setLimit = debug.SetMemoryLimit
	}
	if p.read == nil {
		p.read = ReadUsage
	}
	p.mu.Lock()
	p.previous = p.setLimit(-1)
	p.mu.Unlock()
	p.adjust()
	p.arm()
}

// Stop stops following the live heap and restores the limit there was before Start.
func (p *Pacer) Stop() {
	if p.stopped.Swap(true) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLimit(p.previous)
}

// Current returns the limit last set.
func (p *Pacer) Current() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

// adjust sets the limit for the usage now.
func (p *Pacer) adjust() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped.Load() {
		return
	}
	if l := p.limitFor(p.read()); l != p.current {
		p.setLimit(l)
		p.current = l
	}
}

// sentinel is allocated on its own (not in a tiny-allocator block, which would keep it alive
// with its neighbours) so that its cleanup runs after the first collection that finds it.
type sentinel struct{ _ [64]byte }

// arm runs adjust after the next garbage collection, and arms itself again from there.
func (p *Pacer) arm() {
	if p.stopped.Load() {
		return
	}
	runtime.AddCleanup(&sentinel{}, func(p *Pacer) {
		p.adjust()
		p.arm()
	}, p)
}

var samples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
}

var samplesMu sync.Mutex

// ReadUsage reads the live heap and what the memory limit counts besides the heap from
// runtime/metrics.
func ReadUsage() Usage {
	samplesMu.Lock()
	defer samplesMu.Unlock()
	metrics.Read(samples)
	v := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	counted := v(1) - v(2)
	heap := v(3) + v(4) + v(5)
	var nonHeap uint64
	if counted > heap {
		nonHeap = counted - heap
	}
	return Usage{Live: v(0), NonHeap: nonHeap}
}
