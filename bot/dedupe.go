package bot

import (
	"context"
	"sync"
	"time"
)

// Deduper remembers the platform event ids taken, so that an event a platform delivers again
// (LINE and Slack both redeliver) is not answered again. Implementations are safe for
// concurrent use.
type Deduper interface {
	// FirstTime records id and reports whether it was new.
	FirstTime(ctx context.Context, id string) (bool, error)
}

// MemoryDeduper is a Deduper in memory. It remembers an id for at least ttl and at most 2·ttl,
// and at most 2·max ids: under a load that would hold more, it forgets the oldest ids earlier.
// It is safe for concurrent use.
type MemoryDeduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu        sync.Mutex
	cur, prev map[string]struct{}
	rotated   time.Time
}

// NewMemoryDeduper returns a MemoryDeduper; now is the clock (time.Now when nil).
func NewMemoryDeduper(ttl time.Duration, max int, now func() time.Time) *MemoryDeduper {
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{ttl: ttl, max: max, now: now, cur: map[string]struct{}{}, prev: map[string]struct{}{}, rotated: now()}
}

// FirstTime records id and reports whether it was new. It never fails.
func (d *MemoryDeduper) FirstTime(_ context.Context, id string) (bool, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	switch age := now.Sub(d.rotated); {
	case age >= 2*d.ttl:
		clear(d.prev)
		clear(d.cur)
		d.rotated = now
	case age >= d.ttl || len(d.cur) >= d.max:
		d.prev, d.cur, d.rotated = d.cur, make(map[string]struct{}, len(d.cur)), now
	}
	if _, ok := d.cur[id]; ok {
		return false, nil
	}
	if _, ok := d.prev[id]; ok {
		return false, nil
	}
	d.cur[id] = struct{}{}
	return true, nil
}
