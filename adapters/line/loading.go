package line

import (
	"context"
	"sync"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// loadingSeconds is how long LINE shows the loading animation unless a message comes first.
const loadingSeconds = 20

// loader shows LINE's loading animation in a 1:1 chat when the answer takes noticeable time. A
// nil *loader does nothing.
type loader struct {
	a       *Adapter
	j       job
	timer   *time.Timer
	mu      sync.Mutex // held while the animation request is in flight
	stopped bool       // the answer is ready: the timer must not show the animation any more
	until   time.Time  // when the animation shown last ends
}

// startLoading arms the animation for j after LoadingAfter; nil when j is not a 1:1 chat.
func (a *Adapter) startLoading(ctx context.Context, j job) *loader {
	if !j.oneToOne || j.chat == "" || a.cfg.LoadingAfter < 0 {
		return nil
	}
	l := &loader{a: a, j: j}
	l.timer = time.AfterFunc(a.cfg.LoadingAfter, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if !l.stopped {
			l.showLocked(ctx)
		}
	})
	return l
}

// stop disarms the timer and waits for a request in flight, so that the animation never
// arrives after the answer.
func (l *loader) stop() {
	if l == nil {
		return
	}
	l.timer.Stop()
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// show starts the animation now unless it is still showing (while a reply waits to be retried).
func (l *loader) show(ctx context.Context) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.showLocked(ctx)
}

func (l *loader) showLocked(ctx context.Context) {
	if time.Now().Before(l.until) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cl, err := l.a.api.client(ctx)
	if err != nil {
		return
	}
	res, _, err := cl.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: l.j.chat, LoadingSeconds: loadingSeconds})
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	if err != nil {
		l.a.log.DebugContext(ctx, "loading animation failed", "event", l.j.id, "status", status)
		return
	}
	l.until = time.Now().Add(loadingSeconds * time.Second)
	l.a.log.DebugContext(ctx, "loading animation shown", "event", l.j.id, "status", status)
}
