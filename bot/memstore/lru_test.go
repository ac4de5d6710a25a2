package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
)

func TestLRUStoreBoundedInCount(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	s := NewLRU(time.Hour, 3, func() time.Time { return now })
	for _, u := range []string{"a", "b", "c"} {
		s.Put(ctx, u, bot.State{Last: u})
	}
	s.Get(ctx, "a") // a is used again: b is now the least recently used
	s.Put(ctx, "d", bot.State{Last: "d"})
	if s.Len() != 3 {
		t.Fatalf("len %d, want 3", s.Len())
	}
	for u, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok, _ := s.Get(ctx, u); ok != want {
			t.Errorf("%s held: %v, want %v", u, ok, want)
		}
	}
	// A million conversations made up by clients: memory stays at the cap.
	for i := range 1_000_000 {
		s.Put(ctx, fmt.Sprint("made-up-", i), bot.State{})
	}
	if s.Len() != 3 {
		t.Errorf("len %d after a million puts, want 3", s.Len())
	}
}

func TestLRUStoreExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	s := NewLRU(time.Minute, 100, func() time.Time { return now })
	s.Put(ctx, "a", bot.State{Last: "x"})
	s.Put(ctx, "b", bot.State{Last: "y"})
	now = now.Add(59 * time.Second)
	if st, ok, _ := s.Get(ctx, "a"); !ok || st.Last != "x" {
		t.Errorf("a: %+v %v before its ttl", st, ok)
	}
	now = now.Add(time.Second)
	if _, ok, _ := s.Get(ctx, "a"); ok {
		t.Error("a held after its ttl")
	}
	s.Put(ctx, "c", bot.State{}) // forgets the expired b
	if s.Len() != 1 {
		t.Errorf("len %d, want 1 (expired states forgotten)", s.Len())
	}
}
