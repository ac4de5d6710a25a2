package journal

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

// seenBucket holds the event ids taken: id → the time it was taken (Unix nanoseconds).
const seenBucket = "seen"

// Deduper is a bot.Deduper whose ids outlive the process: a platform's redelivery that arrives
// after a restart is known as a repeat. Ids are answered from memory and written to the
// journal in batches (every FlushEvery, and on Close), so that taking an event never waits for
// the disk. An id taken less than FlushEvery before a crash (not a graceful stop, whose Close
// writes everything) may be forgotten: its redelivery is then answered again. It is safe for
// concurrent use.
type Deduper struct {
	j     *Journal
	ttl   time.Duration
	mem   *memstore.Deduper
	every time.Duration

	mu      sync.Mutex
	pending map[string]time.Time
	pruned  time.Time // when ids older than ttl were last dropped from the file

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// DeduperOptions configures a Deduper; every field has a default.
type DeduperOptions struct {
	// TTL is how long an id is remembered at least (default 24 h, beyond LINE's and Slack's
	// redelivery windows).
	TTL time.Duration
	// Max bounds the ids held in memory, as for memstore.NewDeduper (default 500,000).
	Max int
	// FlushEvery is how often the ids taken are written (default 100 ms).
	FlushEvery time.Duration
}

// Deduper returns the journal's Deduper, loaded with the ids taken within TTL (older ones are
// dropped from the file), and starts writing ids in the background; Close stops it.
func (j *Journal) Deduper(opts DeduperOptions) (*Deduper, error) {
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.Max <= 0 {
		opts.Max = 500_000
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 100 * time.Millisecond
	}
	d := &Deduper{j: j, ttl: opts.TTL, mem: memstore.NewDeduper(opts.TTL, opts.Max, j.opts.Now), every: opts.FlushEvery,
		pending: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	cutoff := j.opts.Now().Add(-opts.TTL).UnixNano()
	ctx := context.Background()
	err := j.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(seenBucket))
		if err != nil {
			return err
		}
		var stale [][]byte
		err = b.ForEach(func(k, v []byte) error {
			if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) < cutoff {
				stale = append(stale, append([]byte(nil), k...))
				return nil
			}
			d.mem.FirstTime(ctx, string(k))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: load event ids: %w", err)
	}
	d.pruned = j.opts.Now()
	go d.run()
	return d, nil
}

// FirstTime records id and reports whether it was new, here or before a restart. It never
// fails.
func (d *Deduper) FirstTime(ctx context.Context, id string) (bool, error) {
	first, _ := d.mem.FirstTime(ctx, id)
	if first {
		d.mu.Lock()
		d.pending[id] = d.j.opts.Now()
		d.mu.Unlock()
	}
	return first, nil
}

func (d *Deduper) run() {
	defer close(d.done)
	t := time.NewTicker(d.every)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.flush() // a failed write is retried with the next batch
		}
	}
}

// flush writes the ids taken since the last flush, in one transaction.
func (d *Deduper) flush() error {
	d.mu.Lock()
	batch := d.pending
	if len(batch) == 0 {
		d.mu.Unlock()
		return nil
	}
	d.pending = map[string]time.Time{}
	now := d.j.opts.Now()
	prune := now.Sub(d.pruned) >= time.Hour
	if prune {
		d.pruned = now
	}
	d.mu.Unlock()
	err := d.j.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(seenBucket))
		if err != nil {
			return err
		}
		if prune {
			cutoff := now.Add(-d.ttl).UnixNano()
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) < cutoff {
					if err := c.Delete(); err != nil {
						return err
					}
				}
			}
		}
		var v [8]byte
		for id, at := range batch {
			binary.BigEndian.PutUint64(v[:], uint64(at.UnixNano()))
			if err := b.Put([]byte(id), v[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		d.mu.Lock()
		for id, at := range batch {
			if _, ok := d.pending[id]; !ok {
				d.pending[id] = at
			}
		}
		d.mu.Unlock()
		return fmt.Errorf("journal: write event ids: %w", err)
	}
	return nil
}

// Close stops the background writes and writes the ids not yet written.
func (d *Deduper) Close() error {
	d.once.Do(func() { close(d.stop) })
	<-d.done
	return d.flush()
}

var _ bot.Deduper = (*Deduper)(nil)
