package faq

import "context"

// Progress reports how far a long piece of work has come: Stage names it ("analyse",
// "index"), Done of Total items are finished.
type Progress struct {
	Stage       string
	Done, Total int
}

type progressKey struct{}

// WithProgress returns a context under which NewIndex calls report as it analyses and indexes
// the phrasings of the content — for a progress line on a terminal when an FAQ has thousands of
// entries. As with net/http/httptrace, the hook travels in the context because it observes the
// work and changes nothing in it. report is called from one goroutine at a time, at most a few
// hundred times per stage.
func WithProgress(ctx context.Context, report func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, report)
}

// progress returns the reporter in ctx for a stage of total items: call it with the number
// done (cheap when nothing listens; calls are thinned to about 1 per 0.5% and the last).
func progress(ctx context.Context, stage string, total int) func(done int) {
	report, _ := ctx.Value(progressKey{}).(func(Progress))
	if report == nil || total == 0 {
		return func(int) {}
	}
	step := max(1, total/200)
	last := -1
	return func(done int) {
		if done == total || done-last >= step {
			last = done
			report(Progress{Stage: stage, Done: done, Total: total})
		}
	}
}
