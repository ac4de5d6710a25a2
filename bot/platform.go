package bot

import (
	"context"
	"time"
)

// The interfaces in this file are what a platform adapter needs besides the Bot itself. Each
// has an in-process implementation here; cmd may plug in shared ones (several replicas).

// FeedbackRecorder records a user's answer to "was this helpful?" about an entry, with the
// masked question it answered when known. Implementations are safe for concurrent use.
type FeedbackRecorder interface {
	Record(ctx context.Context, f Feedback) error
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
