package journal

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestDeduperOutlivesRestart: an event id taken before a restart is a repeat after it, once the
// Deduper was closed (a graceful stop) or once a flush ran (a crash after it); ids older than
// the TTL are forgotten.
func TestDeduperOutlivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func() *Deduper {
		t.Helper()
		j, err := Open(dir, Options{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		d, err := j.Deduper(DeduperOptions{TTL: time.Hour, FlushEvery: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := open()
	for i := range 100 {
		if first, _ := d.FirstTime(ctx, fmt.Sprint("line:", i)); !first {
			t.Fatalf("line:%d not new", i)
		}
	}
	if first, _ := d.FirstTime(ctx, "line:7"); first {
		t.Error("line:7 new twice in one process")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	now = now.Add(30 * time.Minute)
	d = open() // the restart
	for _, id := range []string{"line:0", "line:7", "line:99"} {
		if first, _ := d.FirstTime(ctx, id); first {
			t.Errorf("%s new again after a restart", id)
		}
	}
	if first, _ := d.FirstTime(ctx, "slack:event:Ev1"); !first {
		t.Error("an id never seen is not new")
	}
	if err := d.flush(); err != nil { // as the background writer does, before a crash
		t.Fatal(err)
	}
	now = now.Add(31 * time.Minute)
	d2 := open() // a crash: d is never closed
	if first, _ := d2.FirstTime(ctx, "slack:event:Ev1"); first {
		t.Error("an id flushed before a crash is new again")
	}
	if first, _ := d2.FirstTime(ctx, "line:0"); !first {
		t.Error("an id older than the TTL is still remembered")
	}
	d2.Close()
	d.Close()
}
