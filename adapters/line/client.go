package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/internal/retry"
)

// api sends requests to the Messaging API, retrying 5xx and 429 answers. It is safe for
// concurrent use.
type api struct {
	hc       *http.Client
	endpoint string
	token    string
	policy   retry.Policy
}

// client returns a Messaging API client bound to ctx. The SDK's WithContext sets the context on
// the client itself, so a shared client would race: each call gets its own (they share hc and
// its connections, and cost a few small allocations).
func (c *api) client(ctx context.Context) (*messaging_api.MessagingApiAPI, error) {
	cl, err := messaging_api.NewMessagingApiAPI(c.token,
		messaging_api.WithHTTPClient(c.hc), messaging_api.WithEndpoint(c.endpoint))
	if err != nil {
		return nil, fmt.Errorf("line: api client: %w", err)
	}
	return cl.WithContext(ctx), nil
}

// outcome is how a request ended.
type outcome struct {
	status   int // the last HTTP status (0: no answer)
	attempts int
	// uncertain is set when an attempt may have been carried out although it failed (a 5xx or
	// no answer): the reply token may be used up by it.
	uncertain bool
	// invalidToken is set when the reply token was refused (expired or used).
	invalidToken bool
	// duplicate is set when LINE had already accepted a request with the same retry key.
	duplicate bool
	err       error
}

var errInvalidReplyToken = errors.New("invalid reply token")

// call runs op until it succeeds, fails for good, or runs out of attempts or time (the
// shared retry policy: a 5xx, a 429 or no answer is tried again, after its Retry-After or the
// backoff). Before each wait it calls waiting (when not nil) with the wait's length.
func (c *api) call(ctx context.Context, name string, retryKey bool, waiting func(time.Duration),
	op func(*messaging_api.MessagingApiAPI) (*http.Response, error)) outcome {
	var out outcome
	out.attempts, out.err = retry.Do(ctx, c.policy, func(ctx context.Context) error {
		cl, err := c.client(ctx)
		if err != nil {
			return retry.Final(err)
		}
		res, err := op(cl)
		out.status = 0
		if res != nil {
			out.status = res.StatusCode
		}
		if err == nil {
			return nil
		}
		switch s := out.status; {
		case s == 0:
			if ctx.Err() != nil {
				return retry.Final(fmt.Errorf("line: %s: %w", name, ctx.Err()))
			}
			// The request may have reached LINE before the connection failed. The error names
			// the URL and the network failure, nothing the user sent.
			out.uncertain = true
			return fmt.Errorf("line: %s: %w", name, err)
		case s == http.StatusTooManyRequests:
			return retry.Later(fmt.Errorf("line: %s: status %d", name, s), retry.After(res.Header, time.Now()))
		case s >= 500:
			out.uncertain = true
			return retry.Later(fmt.Errorf("line: %s: status %d", name, s), retry.After(res.Header, time.Now()))
		case s == http.StatusConflict && retryKey:
			// Accepted before under the same retry key: done, and not twice.
			out.duplicate = true
			return nil
		case s == http.StatusBadRequest && isInvalidReplyToken(res):
			out.invalidToken = true
			return retry.Final(fmt.Errorf("line: %s: %w", name, errInvalidReplyToken))
		default:
			return retry.Final(fmt.Errorf("line: %s: status %d", name, s))
		}
	}, waiting)
	return out
}

// isInvalidReplyToken reports whether a 400 answer says the reply token is invalid. The SDK
// leaves the body of an error answer readable.
func isInvalidReplyToken(res *http.Response) bool {
	if res.Body == nil {
		return false
	}
	var e messaging_api.ErrorResponse
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		return false
	}
	return e.Message == "Invalid reply token"
}

// retryKey derives the X-Line-Retry-Key of the push that stands in for the reply to event id:
// a name-based (version 5, SHA-1) UUID of the id, so that every attempt, by any process, at
// pushing the same event's answer carries the same key and LINE accepts only one of them.
func retryKey(eventID string) string {
	return uuid.NewSHA1(retryKeyNamespace, []byte(eventID)).String()
}

// retryKeyNamespace is the UUID namespace of faqbot's LINE retry keys.
var retryKeyNamespace = uuid.MustParse("5c1f0e6a-3b52-4d2e-9a41-7e08c366d10b")

// deliver sends msgs as the reply to j: with the reply token, or, when LINE refuses the token as
// expired or used and no earlier attempt can have used it, as a push with a retry key derived
// from the event id. attrs describe the reply for the log.
func (a *Adapter) deliver(ctx context.Context, j job, msgs []messaging_api.MessageInterface, ld *loader, attrs ...any) {
	log := a.log.With("event", j.id, "kind", string(j.kind))
	waiting := func(d time.Duration) {
		if d >= a.cfg.LoadingAfter {
			ld.show(ctx)
		}
	}
	if j.replyToken != "" {
		out := a.api.call(ctx, "reply", false, waiting, func(cl *messaging_api.MessagingApiAPI) (*http.Response, error) {
			res, _, err := cl.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: j.replyToken, Messages: msgs})
			return res, err
		})
		switch {
		case out.err == nil:
			a.counters.replied.Add(1)
			log.InfoContext(ctx, "replied", append(attrs, "status", out.status, "attempts", out.attempts, "ms", ms(j.received))...)
			return
		case out.invalidToken && out.uncertain:
			// A failed attempt before may have used the token: pushing could answer twice.
			a.counters.failed.Add(1)
			log.WarnContext(ctx, "reply outcome unknown, not pushing", append(attrs, "status", out.status, "attempts", out.attempts)...)
			return
		case !out.invalidToken:
			a.counters.failed.Add(1)
			log.ErrorContext(ctx, "reply failed", append(attrs, "status", out.status, "attempts", out.attempts, "error", out.err)...)
			return
		}
		log.InfoContext(ctx, "reply token refused, pushing", "status", out.status)
	}
	if j.chat == "" || j.id == "" {
		a.counters.failed.Add(1)
		log.WarnContext(ctx, "cannot push: no chat or event id", attrs...)
		return
	}
	key := retryKey(j.id)
	out := a.api.call(ctx, "push", true, waiting, func(cl *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := cl.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: j.chat, Messages: msgs}, key)
		return res, err
	})
	if out.err != nil {
		a.counters.failed.Add(1)
		log.ErrorContext(ctx, "push failed", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key, "error", out.err)...)
		return
	}
	a.counters.pushed.Add(1)
	if out.duplicate {
		// An earlier attempt, here or in another process, was accepted: its answer got lost.
		log.InfoContext(ctx, "push already accepted", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key)...)
		return
	}
	log.InfoContext(ctx, "pushed", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key, "ms", ms(j.received))...)
}

func ms(since time.Time) int64 { return time.Since(since).Milliseconds() }

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
