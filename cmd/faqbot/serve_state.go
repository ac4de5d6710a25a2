package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/metrics"
)

// state is what the adapters of one server share, and what several replicas of faqbot must
// share with each other: conversation state, the event ids already taken, per-user rate
// limits, feedback, and reindex announcements.
type state struct {
	store    bot.StateStore
	seen     bot.Deduper
	limiter  bot.Limiter
	feedback bot.FeedbackRecorder
	// observer sees every reply and refusal (metrics, and whatever else records them).
	observer bot.Observer
	// announce tells the other replicas that this one now serves version (after a reindex).
	announce func(ctx context.Context, version string)
	// close releases the state's resources, once the adapters are stopped.
	close func() error
}

// newState returns the state of a single process, in memory.
func newState(_ context.Context, sc *serveConfig, _ *slog.Logger, mx *metrics.Metrics,
	_ func(ctx context.Context, via string) (bot.ReloadResult, error)) (*state, error) {
	return &state{
		store:    bot.NewMemoryStore(30*time.Minute, nil),
		seen:     bot.NewMemoryDeduper(24*time.Hour, 500_000, nil),
		limiter:  bot.NewMemoryLimiter(sc.userEvery, sc.userBurst, nil),
		feedback: bot.NewMemoryFeedback(),
		observer: mx,
		announce: func(context.Context, string) {},
		close:    func() error { return nil },
	}, nil
}
