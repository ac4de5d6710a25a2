package memstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryStoreTTL(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)}
	s := memstore.NewStore(time.Minute, clock.now)

	if _, ok, err := s.Get(ctx, "u1"); ok || err != nil {
		t.Fatalf("Get of an unknown user = ok %v, err %v; want absent", ok, err)
	}
	want := bot.State{Pending: "change-password", Last: "change-password", Lang: faq.English}
	if err := s.Put(ctx, "u1", want); err != nil {
		t.Fatal(err)
	}
	clock.add(59 * time.Second)
	got, ok, err := s.Get(ctx, "u1")
	if !ok || err != nil {
		t.Fatalf("Get before the ttl = ok %v, err %v; want the state", ok, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	clock.add(time.Second)
	if _, ok, _ := s.Get(ctx, "u1"); ok {
		t.Error("Get at the ttl still finds the state")
	}

	// Expired states are dropped by a later Put.
	clock.add(time.Minute)
	s.Put(ctx, "u2", bot.State{})
	if n := s.Len(); n != 1 {
		t.Errorf("after the sweep the store holds %d states, want 1", n)
	}
}

func TestMemoryFeedback(t *testing.T) {
	f := memstore.NewFeedback()
	ctx := context.Background()
	f.Record(ctx, bot.Feedback{EntryID: "contact", Helpful: true})
	f.Record(ctx, bot.Feedback{EntryID: "contact", Helpful: true})
	f.Record(ctx, bot.Feedback{EntryID: "contact", Helpful: false})
	if yes, no := f.Counts("contact"); yes != 2 || no != 1 {
		t.Errorf("Counts = %d yes, %d no; want 2, 1", yes, no)
	}
	if yes, no := f.Counts("other"); yes+no != 0 {
		t.Errorf("Counts of an entry without feedback = %d, %d", yes, no)
	}
}

func TestMemoryStoreConcurrent(t *testing.T) {
	s := memstore.NewStore(time.Millisecond, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				u := string(rune('a' + (i+j)%5))
				s.Put(ctx, u, bot.State{Last: u})
				if st, ok, _ := s.Get(ctx, u); ok && !slices.Contains([]string{"a", "b", "c", "d", "e"}, st.Last) {
					t.Errorf("Get(%s) = %+v", u, st)
				}
			}
		})
	}
	wg.Wait()
}
