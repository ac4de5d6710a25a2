package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/faqbot/faqbot/faq"
)

// Reloader rebuilds a Bot's engine from freshly loaded content and swaps it in, without
// downtime: the new index is built beside the one serving, messages keep being answered by the
// old engine meanwhile, and the old engine's index is closed once the searches running on it
// are done. Content that fails to load leaves the serving engine as it was. Reloads are
// serialised; Reloader is safe for concurrent use.
type Reloader struct {
	Bot *Bot
	// Load loads the content to serve; content problems come back as faq.Problems.
	Load func(ctx context.Context) (*faq.Content, error)
	// IndexDir is where on-disk indexes live ("" in memory), as for NewEngine.
	IndexDir string
	// CacheDecisions is the size of each new engine's decision cache (Engine.CacheDecisions).
	CacheDecisions int

	mu sync.Mutex
}

// ReloadResult describes a reload that succeeded.
type ReloadResult struct {
	Version  string        `json:"version"`  // content version now served
	Previous string        `json:"previous"` // content version served before
	Entries  int           `json:"entries"`
	Changed  bool          `json:"changed"` // false: the content was unchanged, nothing swapped
	Took     time.Duration `json:"took_ns"`
}

func (r ReloadResult) String() string {
	if !r.Changed {
		return fmt.Sprintf("content unchanged (version %s, %d entries)", r.Version, r.Entries)
	}
	return fmt.Sprintf("now serving version %s (%d entries; was %s), built in %s",
		r.Version, r.Entries, r.Previous, r.Took.Round(time.Millisecond))
}

// Reload loads the content, and when it differs from what is served, builds its engine and
// swaps it in. The error wraps faq.Problems when the content is broken.
func (rl *Reloader) Reload(ctx context.Context) (ReloadResult, error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	start := time.Now()
	cur := rl.Bot.Engine()
	c, err := rl.Load(ctx)
	if err != nil {
		return ReloadResult{}, fmt.Errorf("reload: %w", err)
	}
	res := ReloadResult{Version: c.Version(), Previous: cur.Version, Entries: len(c.Entries)}
	if res.Version == cur.Version {
		res.Took = time.Since(start)
		return res, nil
	}
	eng, err := NewEngine(ctx, c, rl.IndexDir)
	if err != nil {
		return ReloadResult{}, fmt.Errorf("reload: %w", err)
	}
	eng.CacheDecisions(rl.CacheDecisions)
	old := rl.Bot.Swap(eng)
	res.Changed, res.Took = true, time.Since(start)
	if err := retire(ctx, old, eng); err != nil {
		return res, fmt.Errorf("reload: the new content serves, but the old index: %w", err)
	}
	return res, nil
}

// retire closes old once no search runs on it any more, and removes its on-disk index when the
// new engine does not use the same one. When ctx ends first, that happens in the background.
func retire(ctx context.Context, old, cur *Engine) error {
	closeOld := func() error {
		err := old.Close()
		if dir := old.Index.Dir(); dir != "" && dir != cur.Index.Dir() {
			err = errors.Join(err, os.RemoveAll(dir))
		}
		return err
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for old.inflight.Load() > 0 {
		select {
		case <-ctx.Done():
			go func() {
				for old.inflight.Load() > 0 {
					time.Sleep(10 * time.Millisecond)
				}
				closeOld()
			}()
			return nil
		case <-tick.C:
		}
	}
	return closeOld()
}
