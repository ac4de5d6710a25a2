// Package journal keeps the events editors read (package bot/record) in an embedded on-disk
// store, a bbolt file, for a faqbot that runs without Redis: nothing is lost on restart. Events
// are kept per kind, in the order they happened, and pruned once older than a retention period.
//
// The file is opened only while events are written or read, so that "faqbot report" can read
// it while "faqbot serve" runs (bbolt allows one process at a time: the other waits up to a
// timeout). It also remembers the platform event ids taken (Deduper), so that a redelivery
// after a restart is not answered again. It imports bot and bot/record; bbolt types never leave
// it.
package journal

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/faqbot/faqbot/bot/record"
)

// FileName is the name of the journal's file in its directory.
const FileName = "journal.db"

// Options configures a Journal; every field has a default.
type Options struct {
	// Keep is how long events are kept (default 90 days).
	Keep time.Duration
	// Timeout is how long to wait for the file while another process has it (default 1 s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Journal is the event store in one directory. It is safe for concurrent use.
type Journal struct {
	path string
	opts Options

	mu     sync.Mutex // serialises this process's use of the file
	pruned time.Time
}

// Open returns the Journal in dir, creating dir and the file when needed.
func Open(dir string, opts Options) (*Journal, error) {
	if opts.Keep <= 0 {
		opts.Keep = 90 * 24 * time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("journal: open: %w", err)
	}
	j := &Journal{path: filepath.Join(dir, FileName), opts: opts}
	if err := j.update(func(*bolt.Tx) error { return nil }); err != nil {
		return nil, err
	}
	return j, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Exists reports whether dir holds a journal.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileName))
	return err == nil
}

// update runs f in a write transaction on the file, with every kind's bucket created.
func (j *Journal) update(f func(*bolt.Tx) error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	db, err := bolt.Open(j.path, 0o640, &bolt.Options{Timeout: j.opts.Timeout})
	if err != nil {
		return fmt.Errorf("journal: open %s: %w", j.path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, k := range record.Kinds {
			if _, err := tx.CreateBucketIfNotExists([]byte(k)); err != nil {
				return err
			}
		}
		return f(tx)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: write %s: %w", j.path, err)
	}
	return nil
}

// key orders events by time: the nanoseconds of At, then a sequence number.
func key(at time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(max(at.UnixNano(), 0)))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// Append stores events, in one transaction (synced to disk). Once an hour it also drops the
// events older than Keep.
func (j *Journal) Append(ctx context.Context, events []record.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("journal: append: %w", err)
	}
	now := j.opts.Now()
	prune := now.Sub(j.lastPrune()) >= time.Hour
	err := j.update(func(tx *bolt.Tx) error {
		for _, ev := range events {
			b := tx.Bucket([]byte(ev.Kind))
			if b == nil {
				return fmt.Errorf("unknown event kind %q", ev.Kind)
			}
			seq, _ := b.NextSequence()
			v, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			if err := b.Put(key(ev.At, seq), v); err != nil {
				return err
			}
		}
		if prune {
			_, err := pruneTx(tx, now.Add(-j.opts.Keep))
			return err
		}
		return nil
	})
	if err == nil && prune {
		j.mu.Lock()
		j.pruned = now
		j.mu.Unlock()
	}
	return err
}

func (j *Journal) lastPrune() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.pruned
}

// Prune drops the events that happened before before and returns how many it dropped.
func (j *Journal) Prune(before time.Time) (n int, err error) {
	err = j.update(func(tx *bolt.Tx) error {
		n, err = pruneTx(tx, before)
		return err
	})
	return n, err
}

func pruneTx(tx *bolt.Tx, before time.Time) (int, error) {
	n := 0
	end := key(before, 0)
	for _, k := range record.Kinds {
		c := tx.Bucket([]byte(k)).Cursor()
		for kk, _ := c.First(); kk != nil && string(kk) < string(end); kk, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Events returns the events of kind that happened in [since, until), oldest first.
func (j *Journal) Events(ctx context.Context, kind record.Kind, since, until time.Time) ([]record.Event, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	db, err := bolt.Open(j.path, 0o640, &bolt.Options{Timeout: j.opts.Timeout, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", j.path, err)
	}
	defer db.Close()
	var out []record.Event
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		end := string(key(until, 0))
		for k, v := c.Seek(key(since, 0)); k != nil && string(k) < end; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var ev record.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return errors.New("corrupt event")
			}
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: read %s: %w", j.path, err)
	}
	return out, nil
}

var (
	_ record.Sink   = (*Journal)(nil)
	_ record.Source = (*Journal)(nil)
)
