package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

const mib = 1 << 20

// fake records the limits set, starting from a limit of its own.
type fake struct {
	mu     sync.Mutex
	limit  int64
	sets   []int64
	usage  Usage
	readsN int
}

func (f *fake) set(l int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.limit
	if l >= 0 {
		f.limit = l
		f.sets = append(f.sets, l)
	}
	return old
}

func (f *fake) read() Usage {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readsN++
	return f.usage
}

func (f *fake) setUsage(u Usage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.usage = u
}

func (f *fake) reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readsN
}

func TestLimitFollowsLiveHeap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		usage Usage
		want  int64
	}{
		{"small heap: the configured limit", Usage{Live: 20 * mib, NonHeap: 8 * mib}, 100 * mib},
		{"at the edge", Usage{Live: 60 * mib, NonHeap: 10 * mib}, 100 * mib},
		{"live heap near the limit: headroom above it", Usage{Live: 80 * mib, NonHeap: 10 * mib}, 130 * mib},
		{"live heap past the limit (a large build)", Usage{Live: 300 * mib, NonHeap: 20 * mib}, 470 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pacer{Limit: 100 * mib, Headroom: 0.5}
			if got := p.limitFor(tc.usage); got != tc.want {
				t.Errorf("limit for %+v = %d MiB, want %d MiB", tc.usage, got/mib, tc.want/mib)
			}
		})
	}
}

func TestStartAdjustsAfterCollectionsAndStopRestores(t *testing.T) {
	f := &fake{limit: math.MaxInt64, usage: Usage{Live: 10 * mib, NonHeap: mib}}
	p := &Pacer{Limit: 64 * mib, Headroom: 0.5, setLimit: f.set, read: f.read}
	p.Start()
	if got := p.Current(); got != 64*mib {
		t.Fatalf("after Start: limit %d MiB, want 64", got/mib)
	}
	// The live heap grows past the limit: the next collection raises it.
	f.setUsage(Usage{Live: 100 * mib, NonHeap: 2 * mib})
	want := int64(2*mib + 150*mib)
	deadline := time.Now().Add(5 * time.Second)
	for p.Current() != want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := p.Current(); got != want {
		t.Fatalf("after collections with 100 MiB live: limit %d, want %d", got, want)
	}
	// And falls back when the heap shrinks.
	f.setUsage(Usage{Live: 5 * mib, NonHeap: 2 * mib})
	for p.Current() != 64*mib && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := p.Current(); got != 64*mib {
		t.Fatalf("after the heap shrank: limit %d MiB, want 64", got/mib)
	}
	p.Stop()
	if f.limit != math.MaxInt64 {
		t.Errorf("after Stop: limit %d, want the one before Start", f.limit)
	}
	n := f.reads()
	for range 3 {
		runtime.GC()
	}
	time.Sleep(10 * time.Millisecond)
	if f.reads() != n {
		t.Errorf("the pacer still adjusts after Stop (%d reads, then %d)", n, f.reads())
	}
}

func TestReadUsage(t *testing.T) {
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 256<<10)) // 16 MiB live
	}
	runtime.GC()
	u := ReadUsage()
	runtime.KeepAlive(keep)
	if u.Live < 16*mib || u.Live > 1<<30 {
		t.Errorf("live heap %d MiB with 16 MiB held", u.Live/mib)
	}
	if u.NonHeap == 0 || u.NonHeap > 1<<30 {
		t.Errorf("non-heap %d bytes", u.NonHeap)
	}
}

func TestRealLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	p := &Pacer{Limit: 1 << 40, Headroom: 0.5}
	p.Start()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("runtime limit %d after Start, want %d", got, int64(1<<40))
	}
	p.Stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("runtime limit %d after Stop, want %d", got, before)
	}
}
