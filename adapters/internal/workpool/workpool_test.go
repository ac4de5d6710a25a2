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
	release, ok := p.Open()
	if !ok {
		t.Fatal("a new pool is closed")
	}
	for n := range 50 {
		for _, u := range []string{"a", "b", "c"} {
			if got := p.Submit(job{u, n}); got != Queued {
				t.Fatalf("submit %s %d: %v", u, n, got)
			}
		}
	}
	release()
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
	if _, ok := p.Open(); ok {
		t.Error("a shut pool is open")
	}

	// One worker with a queue of one: the third job of a held worker goes to the busy lane,
	// then, when that is full (4 × 1), jobs are dropped.
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
	release, _ = small.Open()
	small.Submit(job{"hold", 0})
	for small.Queued() != 0 { // the worker took it and waits
		time.Sleep(time.Millisecond)
	}
	outcomes := []Outcome{small.Submit(job{"hold", 1}), small.Submit(job{"hold", 2})}
	for small.Queued() != 1 { // the busy worker took its job and waits
		time.Sleep(time.Millisecond)
	}
	for n := range 5 {
		outcomes = append(outcomes, small.Submit(job{"hold", n + 3}))
	}
	release()
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
