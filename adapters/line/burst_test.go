package line

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

// TestBurstAnsweredInFull: 100 events of one user in one webhook are all acknowledged and each
// gets exactly one reply: the answer while the user is within the rate limit (a burst of 10),
// "slow down" beyond it. None is dropped, however small the queues.
func TestBurstAnsweredInFull(t *testing.T) {
	now := bottest.Now()
	h := newHarness(t, func(c *Config) {
		c.Limiter = memstore.NewLimiter(time.Hour, 10, func() time.Time { return now })
		c.Workers, c.Queue = 2, 4
	})
	var events []event
	for i := range 100 {
		events = append(events, textEvent(fmt.Sprintf("01HZBURST%019d", i), fmt.Sprintf("token-burst-%d", i), userID(7), "How many records were leaked?"))
	}
	h.send(t, events...)
	h.drain(t)

	slow := h.bot.Engine().Content.Messages.SlowDown.In(faq.English)
	perToken := map[string]int{}
	answers, slowDowns := 0, 0
	for _, r := range h.api.Accepted(pathReply) {
		perToken[r.Req.ReplyToken]++
		if r.Req.Messages[0].Text == slow {
			slowDowns++
		} else {
			answers++
		}
	}
	for i := range 100 {
		if n := perToken[fmt.Sprintf("token-burst-%d", i)]; n != 1 {
			t.Errorf("event %d got %d replies, want 1", i, n)
		}
	}
	if answers != 10 || slowDowns != 90 {
		t.Errorf("%d answers and %d slow-downs, want 10 and 90", answers, slowDowns)
	}
	if s := h.a.Stats(); s.Dropped != 0 || s.Accepted != 100 {
		t.Errorf("stats %+v, want 100 accepted and none dropped", s)
	}
}

// TestFullPoolRefusesWebhook: when the workers could not take every event of a webhook, the
// webhook is refused with 503 (LINE delivers it again) and none of its events is taken: what
// is acknowledged is never dropped.
func TestFullPoolRefusesWebhook(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *Config) { c.Workers, c.Queue = 1, 1 })
	h.api.Hold = func(platformtest.LineBody) <-chan struct{} { return release }
	var events []event
	for i := range 20 { // 20 users: 20 places needed, the busy lane has 4
		events = append(events, textEvent(fmt.Sprintf("01HZFULL%020d", i), fmt.Sprintf("token-full-%d", i), userID(100+i), "How many records were leaked?"))
	}
	h.send(t, events[0]) // takes the only worker, held by the fake API
	platformtest.WaitFor(t, "the worker to take the first event", func() bool { return h.a.pool.Queued() == 0 && h.a.Stats().Accepted == 1 })
	body := webhookBody(events[1:]...)
	if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a webhook the workers cannot take answered %d, want 503", w.Code)
	}
	close(release)
	h.drain(t)
	if s := h.a.Stats(); s.Dropped != 0 || s.Refused != 19 || s.Accepted != 1 {
		t.Errorf("stats %+v, want 1 accepted, 19 refused, none dropped", s)
	}
	if n := len(h.api.Accepted(pathReply)); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
}
