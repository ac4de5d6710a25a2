package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/faqbot/faqbot/faq"
)

// Reindex is one reindex and its result, for editors: what triggered it, the version served
// after it, or the problems that kept the old content serving.
type Reindex struct {
	At       time.Time     `json:"at"`
	Replica  string        `json:"replica,omitempty"`
	Via      string        `json:"via"` // admin, console, sighup, slack, announcement, …
	Version  string        `json:"version,omitempty"`
	Previous string        `json:"previous,omitempty"`
	Changed  bool          `json:"changed"`
	Took     time.Duration `json:"took_ns"`
	// Error is why the reindex failed ("" when it succeeded); Problems are the content's
	// problems (file:line: message) when that was why.
	Error    string   `json:"error,omitempty"`
	Problems []string `json:"problems,omitempty"`
}

// NewReindex describes the result of a Reloader's reload.
func NewReindex(at time.Time, via string, res ReloadResult, err error) Reindex {
	r := Reindex{At: at, Via: via, Version: res.Version, Previous: res.Previous, Changed: res.Changed, Took: res.Took}
	if err != nil {
		r.Error = "the reindex failed; the content served is unchanged"
		var ps faq.Problems
		if errors.As(err, &ps) {
			r.Error = "the content has problems; the content served is unchanged"
			for _, p := range ps {
				r.Problems = append(r.Problems, p.String())
			}
		}
	}
	return r
}

// ReindexLog remembers the last reindexes of this process and, once Share is called, of every
// replica. It is safe for concurrent use; the zero value keeps the last 20 of this process.
type ReindexLog struct {
	mu     sync.Mutex
	last   []Reindex // oldest first
	shared ReindexShare
	guard  Guard
	Keep   int
}

// ReindexShare is where the replicas keep their reindexes together (bot/redisstore.Store).
type ReindexShare interface {
	AddReindex(ctx context.Context, r Reindex) error
	// Reindexes returns the last n, newest first.
	Reindexes(ctx context.Context, n int) ([]Reindex, error)
}

// Guard runs a call to a shared store, bounding it and keeping track of its failures
// (bot/failover.Health). component names the call.
type Guard interface {
	Do(ctx context.Context, component string, f func(ctx context.Context) error) error
}

// Share makes the log add every reindex to s as well, and read the last ones from there, each
// call through g. While s is out of reach, the log gives this process's reindexes.
func (l *ReindexLog) Share(s ReindexShare, g Guard) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shared, l.guard = s, g
}

func (l *ReindexLog) keep() int {
	if l.Keep <= 0 {
		return 20
	}
	return l.Keep
}

// Add remembers r. It returns the error of the shared store, r being remembered here anyway.
func (l *ReindexLog) Add(ctx context.Context, r Reindex) error {
	l.mu.Lock()
	l.last = append(l.last, r)
	if over := len(l.last) - l.keep(); over > 0 {
		l.last = slices.Delete(l.last, 0, over)
	}
	shared, guard := l.shared, l.guard
	l.mu.Unlock()
	if shared == nil {
		return nil
	}
	return guard.Do(ctx, "reindexes", func(ctx context.Context) error { return shared.AddReindex(ctx, r) })
}

// Last returns the reindexes remembered, newest first: every replica's when they are shared and
// the shared store answers, else this process's.
func (l *ReindexLog) Last(ctx context.Context) []Reindex {
	l.mu.Lock()
	out := slices.Clone(l.last)
	shared, guard := l.shared, l.guard
	l.mu.Unlock()
	if shared != nil {
		var all []Reindex
		if guard.Do(ctx, "reindexes", func(ctx context.Context) (err error) {
			all, err = shared.Reindexes(ctx, l.keep())
			return err
		}) == nil {
			return all
		}
	}
	slices.Reverse(out)
	return out
}
