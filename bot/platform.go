package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The interfaces in this file are what a platform adapter needs besides the Bot itself. Each
// has an in-process implementation here; cmd may plug in shared ones (several replicas).

// FeedbackRecorder records a user's answer to "was this helpful?" about an entry.
// Implementations are safe for concurrent use.
type FeedbackRecorder interface {
	Record(ctx context.Context, entryID string, helpful bool) error
}

// Observer is told what adapters do, for metrics. platform is "line", "slack" or "web".
// Implementations are safe for concurrent use and must not block.
type Observer interface {
	// Replied is called for every answer sent; took is how long the bot took to answer.
	Replied(platform string, r Reply, took time.Duration)
	// Refused is called for a message not answered: reason is "rate_limited", "busy" or
	// "shutting_down".
	Refused(platform, reason string)
}

// NopObserver observes nothing.
type NopObserver struct{}

// Replied does nothing.
func (NopObserver) Replied(string, Reply, time.Duration) {}

// Refused does nothing.
func (NopObserver) Refused(string, string) {}

// Limiter decides whether a user may be answered now. key identifies the user on a platform
// ("line:U…", "slack:T…:U…"). Implementations are safe for concurrent use; an error means the
// limiter could not decide, and callers then let the message through.
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// MemoryLimiter is a per-key token bucket in memory (golang.org/x/time/rate): each key may
// send burst messages at once and every more on average. Keys idle for long enough to have a
// full bucket again are forgotten, so memory follows the number of active users.
type MemoryLimiter struct {
	every rate.Limit
	burst int
	now   func() time.Time

	mu     sync.Mutex
	keys   map[string]*rate.Limiter
	swept  time.Time
	refill time.Duration
}

// NewMemoryLimiter returns a MemoryLimiter that allows burst messages at once and one per
// every after that; every <= 0 means no limit. now is the clock (time.Now when nil).
func NewMemoryLimiter(every time.Duration, burst int, now func() time.Time) *MemoryLimiter {
	if now == nil {
		now = time.Now
	}
	return &MemoryLimiter{
		every: rate.Every(every), burst: burst, now: now, keys: map[string]*rate.Limiter{},
		swept: now(), refill: every * time.Duration(burst),
	}
}

// Allow reports whether key may send one more message now. It never fails.
func (m *MemoryLimiter) Allow(_ context.Context, key string) (bool, error) {
	if m.refill <= 0 {
		return true, nil
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) > m.refill {
		for k, l := range m.keys {
			if l.TokensAt(now) >= float64(m.burst) {
				delete(m.keys, k)
			}
		}
		m.swept = now
	}
	l, ok := m.keys[key]
	if !ok {
		l = rate.NewLimiter(m.every, m.burst)
		m.keys[key] = l
	}
	return l.AllowN(now, 1), nil
}

// Len is the number of keys remembered.
func (m *MemoryLimiter) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
