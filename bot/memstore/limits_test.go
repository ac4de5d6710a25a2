package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestMemoryDeduper(t *testing.T) {
	now := time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	d := NewDeduper(time.Hour, 1000, func() time.Time { return now })
	ctx := context.Background()
	first := func(id string) bool { ok, _ := d.FirstTime(ctx, id); return ok }
	if !first("a") || first("a") {
		t.Fatal("a is new once")
	}
	now = now.Add(90 * time.Minute) // a moves to the previous generation
	if first("a") {
		t.Error("a forgotten before ttl·2")
	}
	if !first("b") {
		t.Error("b is new")
	}
	now = now.Add(3 * time.Hour)
	if !first("a") || !first("b") {
		t.Error("ids remembered past 2·ttl")
	}
	small := NewDeduper(time.Hour, 2, nil)
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		small.FirstTime(ctx, id)
	}
	if small.cur == nil || len(small.cur)+len(small.prev) > 4 {
		t.Errorf("the deduper holds %d ids, want at most 2·max", len(small.cur)+len(small.prev))
	}
}

func TestMemoryLimiter(t *testing.T) {
	now := time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(time.Second, 3, func() time.Time { return now })
	ctx := context.Background()
	allow := func(key string) bool { ok, _ := l.Allow(ctx, key); return ok }
	for i := range 3 {
		if !allow("a") {
			t.Fatalf("message %d of a burst of 3 refused", i+1)
		}
	}
	if allow("a") {
		t.Error("a 4th message at once allowed")
	}
	if !allow("b") {
		t.Error("another user is limited by a's messages")
	}
	now = now.Add(time.Second)
	if !allow("a") || allow("a") {
		t.Error("after 1 s, want exactly one more message")
	}
	for i := range 100 {
		allow(fmt.Sprint("u", i))
	}
	now = now.Add(10 * time.Second) // every bucket is full again
	allow("c")
	if n := l.Len(); n != 1 {
		t.Errorf("%d keys remembered after all were idle, want 1", n)
	}
	unlimited := NewLimiter(0, 1, nil)
	for range 100 {
		if ok, _ := unlimited.Allow(ctx, "a"); !ok {
			t.Fatal("a limiter of every 0 refused a message")
		}
	}
}
