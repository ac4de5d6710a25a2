package line

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

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
