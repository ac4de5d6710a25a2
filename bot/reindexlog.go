package bot

import (
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

// ReindexLog remembers the last reindexes of this process. It is safe for concurrent use; the
// zero value keeps the last 20.
type ReindexLog struct {
	mu   sync.Mutex
	last []Reindex // oldest first
	Keep int
}

// Add remembers r.
func (l *ReindexLog) Add(r Reindex) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := l.Keep
	if keep <= 0 {
		keep = 20
	}
	l.last = append(l.last, r)
	if over := len(l.last) - keep; over > 0 {
		l.last = slices.Delete(l.last, 0, over)
	}
}

// Last returns the reindexes remembered, newest first.
func (l *ReindexLog) Last() []Reindex {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.last)
	slices.Reverse(out)
	return out
}
