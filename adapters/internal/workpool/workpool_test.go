package workpool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

type job struct {
	user string
	n    int
}

func TestOrderBusyAndShutdown(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]int{}
	var busy, abandoned []job
	hold := make(chan struct{})
	p := Start(Config[job]{
		Workers: 2, Queue: 100, BusyWorkers: 1, Key: func(j job) string { return j.user },
		Do: func(_ context.Context, j job) {
			if j.user == "hold" {
				<-hold
			}
			mu.Lock()
			seen[j.user] = append(seen[j.user], j.n)
			mu.Unlock()
		},
		Busy:      func(_ context.Context, j job) { mu.Lock(); busy = append(busy, j); mu.Unlock() },
		Abandoned: func(j job) { mu.Lock(); abandoned = append(abandoned, j); mu.Unlock() },
	})
	tk, err := p.Open(150)
	if err != nil {
		t.Fatal("a new pool:", err)
	}
	for n := range 50 {
		for _, u := range []string{"a", "b", "c"} {
			if got := tk.Submit(job{u, n}); got != Queued {
				t.Fatalf("submit %s %d: %v", u, n, got)
			}
		}
	}
	tk.Close()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"a", "b", "c"} {
		if len(seen[u]) != 50 {
			t.Fatalf("%s: %d jobs done, want 50", u, len(seen[u]))
		}
		for i, n := range seen[u] {
			if n != i {
				t.Fatalf("%s: job %d done as #%d: one user's jobs out of order", u, n, i)
			}
		}
	}
	if _, err := p.Open(1); err != ErrClosed {
		t.Errorf("a shut pool opens: %v", err)
	}

	// One worker with a queue of one: the third job of a held worker goes to the busy lane,
	// then, when that is full (4 × 1), jobs submitted beyond the room asked for are dropped,
	// and a ticket for more is refused.
	small := Start(Config[job]{
		Workers: 1, Queue: 1, BusyWorkers: 1, Key: func(j job) string { return j.user },
		Do: func(_ context.Context, j job) {
			if j.user == "hold" {
				<-hold
			}
		},
		Busy:      func(context.Context, job) { <-hold },
		Abandoned: func(j job) { mu.Lock(); abandoned = append(abandoned, j); mu.Unlock() },
	})
	tk, _ = small.Open(0) // no room asked for: jobs beyond the busy lane are dropped
	tk.Submit(job{"hold", 0})
	for small.Queued() != 0 { // the worker took it and waits
		time.Sleep(time.Millisecond)
	}
	outcomes := []Outcome{tk.Submit(job{"hold", 1}), tk.Submit(job{"hold", 2})}
	for small.Queued() != 1 { // the busy worker took its job and waits
		time.Sleep(time.Millisecond)
	}
	for n := range 5 {
		outcomes = append(outcomes, tk.Submit(job{"hold", n + 3}))
	}
	tk.Close()
	if _, err := small.Open(1); err != ErrFull {
		t.Errorf("open with the busy lane full: %v, want ErrFull", err)
	}
	// queue 1, busy lane: one taken by its worker (then blocked) + 4 queued, then dropped
	want := fmt.Sprint([]Outcome{Queued, Busy, Busy, Busy, Busy, Busy, Dropped})
	if got := fmt.Sprint(outcomes); got != want {
		t.Errorf("outcomes %s, want %s", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() { done <- small.Shutdown(ctx) }()
	time.Sleep(100 * time.Millisecond)
	close(hold)
	if err := <-done; err != context.DeadlineExceeded {
		t.Errorf("shutdown past its deadline: %v", err)
	}
	if len(abandoned) == 0 {
		t.Error("no job abandoned when shutdown's deadline passed")
	}
}

// TestTicketNeverDrops: jobs submitted within the room a ticket holds are never dropped, however
// many tickets are open at once and however full the queues; a ticket that cannot have its room
// is refused before anything is submitted.
func TestTicketNeverDrops(t *testing.T) {
	hold := make(chan struct{})
	var mu sync.Mutex
	done := map[string]int{}
	p := Start(Config[job]{
		Workers: 2, Queue: 2, BusyWorkers: 1, Key: func(j job) string { return j.user },
		Do:        func(_ context.Context, j job) { <-hold; mu.Lock(); done["do"]++; mu.Unlock() },
		Busy:      func(_ context.Context, j job) { <-hold; mu.Lock(); done["busy"]++; mu.Unlock() },
		Abandoned: func(job) { t.Error("abandoned") },
	})
	var wg sync.WaitGroup
	var accepted, refused, dropped sync.Map
	for w := range 8 {
		wg.Go(func() {
			for n := range 20 {
				tk, err := p.Open(3)
				if err != nil {
					refused.Store(fmt.Sprint(w, n), true)
					continue
				}
				for i := range 3 {
					if tk.Submit(job{"u", i}) == Dropped {
						dropped.Store(fmt.Sprint(w, n, i), true)
					}
				}
				accepted.Store(fmt.Sprint(w, n), true)
				tk.Close()
			}
		})
	}
	wg.Wait()
	close(hold)
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	count := func(m *sync.Map) (n int) { m.Range(func(any, any) bool { n++; return true }); return n }
	if n := count(&dropped); n != 0 {
		t.Errorf("%d jobs dropped within their tickets", n)
	}
	if a, r := count(&accepted), count(&refused); a == 0 || r == 0 || a+r != 160 {
		t.Errorf("%d tickets accepted, %d refused: want both, 160 in all", a, r)
	}
	if got, want := done["do"]+done["busy"], 3*count(&accepted); got != want {
		t.Errorf("%d jobs done, want %d", got, want)
	}
}
