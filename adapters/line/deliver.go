package line

import (
	"context"
	"net/http"
	"sync"
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
		var sent []messaging_api.SentMessage
		out := a.api.call(ctx, "reply", false, waiting, func(cl *messaging_api.MessagingApiAPI) (*http.Response, error) {
			res, body, err := cl.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: j.replyToken, Messages: msgs})
			if body != nil {
				sent = body.SentMessages
			}
			return res, err
		})
		switch {
		case out.err == nil:
			a.counters.replied.Add(1)
			a.remember(j, sent)
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
	var sent []messaging_api.SentMessage
	out := a.api.call(ctx, "push", true, waiting, func(cl *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, body, err := cl.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: j.chat, Messages: msgs}, key)
		if body != nil {
			sent = body.SentMessages
		}
		return res, err
	})
	if out.err != nil {
		a.counters.failed.Add(1)
		log.ErrorContext(ctx, "push failed", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key, "error", out.err)...)
		return
	}
	a.counters.pushed.Add(1)
	a.remember(j, sent)
	if out.duplicate {
		// An earlier attempt, here or in another process, was accepted: its answer got lost.
		log.InfoContext(ctx, "push already accepted", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key)...)
		return
	}
	log.InfoContext(ctx, "pushed", append(attrs, "status", out.status, "attempts", out.attempts, "retry_key", key, "ms", ms(j.received))...)
}

func ms(since time.Time) int64 { return time.Since(since).Milliseconds() }

// remember keeps the ids of the messages sent to a group or a room, so that a member's reply
// quoting one of them is answered without a mention.
func (a *Adapter) remember(j job, sent []messaging_api.SentMessage) {
	if j.oneToOne {
		return
	}
	for _, m := range sent {
		a.sent.add(m.Id)
	}
}

// sentIDs are the ids of the messages the adapter sent to groups and rooms lately: at most
// maxSent, the oldest forgotten first. They are this process's only (another replica's
// messages are not known here: a reply quoting one needs a mention). Safe for concurrent use.
type sentIDs struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring []string
	next int
}

// maxSent bounds the sent message ids remembered.
const maxSent = 50_000

func (s *sentIDs) add(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids, s.ring = map[string]struct{}{}, make([]string, maxSent)
	}
	if _, ok := s.ids[id]; ok {
		return
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next], s.next = id, (s.next+1)%maxSent
	s.ids[id] = struct{}{}
}

func (s *sentIDs) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}
