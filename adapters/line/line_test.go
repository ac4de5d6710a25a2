package line

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// wire renders messages as the API receives them.
func wire(t *testing.T, msgs []messaging_api.MessageInterface) []platformtest.LineMessage {
	t.Helper()
	b, err := json.Marshal(&messaging_api.ReplyMessageRequest{ReplyToken: "x", Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	var req platformtest.LineBody
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	return req.Messages
}

func TestTextQuestion(t *testing.T) {
	h := newHarness(t)
	const q = "How many records were leaked?"
	h.send(t, textEvent("01HZTEXT0000000000000000001", "token-1", userID(1), q))
	h.drain(t)

	replies := h.api.Accepted(pathReply)
	if len(replies) != 1 {
		t.Fatalf("%d replies, want 1", len(replies))
	}
	got := replies[0]
	if got.Req.ReplyToken != "token-1" || got.Auth != "Bearer "+testToken {
		t.Errorf("reply with token %q and authorization %q", got.Req.ReplyToken, got.Auth)
	}
	r, err := h.bot.Ask(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision.Entry == nil || r.Decision.Entry.ID != "leak-count" {
		t.Fatalf("the bot answers %v, want leak-count", r)
	}
	if diff := cmp.Diff(wire(t, messages(r)), got.Req.Messages); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	msgs := got.Req.Messages
	if len(msgs) != 2 || msgs[0].Text != r.Body {
		t.Fatalf("reply = %+v, want the answer and the helpful question", msgs)
	}
	content := h.bot.Engine().Content
	if msgs[1].Text != content.Messages.HelpfulAsk.In(faq.English) {
		t.Errorf("second message %q, want the helpful question", msgs[1].Text)
	}
	want := []string{"postback Yes helpful=leak-count%3Ayes&lang=en", "postback No helpful=leak-count%3Ano&lang=en"}
	if diff := cmp.Diff(want, buttons(msgs[1])); diff != "" {
		t.Errorf("helpful buttons (-want +got):\n%s", diff)
	}
	checkLimits(t, msgs)
	if s := h.a.Stats(); s.Accepted != 1 || s.Replied != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestSignature(t *testing.T) {
	body := webhookBody(textEvent("01HZSIG00000000000000000001", "token-sig", userID(1), "How many records were leaked?"))
	other := webhookBody(textEvent("01HZSIG00000000000000000002", "token-sig", userID(1), "hello"))
	for _, tc := range []struct {
		name string
		sig  string
		want int
	}{
		{"missing", "", http.StatusBadRequest},
		{"forged: another secret", platformtest.SignLine("not-the-channel-secret", body), http.StatusBadRequest},
		{"stale: another body", platformtest.SignLine(testSecret, other), http.StatusBadRequest},
		{"garbled: not base64", "%%not*base64%%", http.StatusBadRequest},
		{"truncated", platformtest.SignLine(testSecret, body)[:20], http.StatusBadRequest},
		{"hex instead of base64", fmt.Sprintf("%x", []byte(platformtest.SignLine(testSecret, body))), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if w := h.post(body, tc.sig); w.Code != tc.want {
				t.Errorf("status %d, want %d", w.Code, tc.want)
			}
			h.drain(t)
			if n := len(h.api.All("")); n != 0 {
				t.Errorf("the API got %d requests, want none", n)
			}
			if s := h.a.Stats(); s.Rejected != 1 || s.Accepted != 0 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestWebhookRefused(t *testing.T) {
	h := newHarness(t)
	big := append(webhookBody(), bytes.Repeat([]byte(" "), 1<<20)...)
	if w := h.post(big, platformtest.SignLine(testSecret, big)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("body over 1 MiB: status %d, want 413", w.Code)
	}
	junk := []byte(`{"destination":"U1","events":[{"type":"message","message":` + "\x00")
	if w := h.post(junk, platformtest.SignLine(testSecret, junk)); w.Code != http.StatusBadRequest {
		t.Errorf("signed junk: status %d, want 400", w.Code)
	}
	r, _ := http.NewRequest(http.MethodGet, "/line/webhook", nil)
	w := &recorder{header: http.Header{}}
	h.a.ServeHTTP(w, r)
	if w.code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", w.code)
	}
}

// recorder is a minimal ResponseWriter.
type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return len(p), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func TestMalformedEventSkipped(t *testing.T) {
	h := newHarness(t)
	good, _ := json.Marshal(textEvent("01HZMALFORMED0000000000001", "token-m", userID(1), "How many records were leaked?"))
	body := []byte(`{"destination":"U1","events":[{"type":5},{"type":"message","source":"nowhere"},` + string(good) + `]}`)
	if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusOK {
		t.Errorf("status %d, want 200", w.Code)
	}
	h.drain(t)
	if n := len(h.api.Accepted(pathReply)); n != 1 {
		t.Errorf("%d replies, want 1: the good event is answered", n)
	}
}

func TestVerifyRequest(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"destination":"U0123456789abcdef0123456789abcdef","events":[]}`)
	if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusOK {
		t.Errorf("verify request: status %d, want 200", w.Code)
	}
	h.drain(t)
	if n := len(h.api.All("")); n != 0 {
		t.Errorf("the API got %d requests, want none", n)
	}
}

func TestRedeliveredEventAnsweredOnce(t *testing.T) {
	h := newHarness(t)
	ev := textEvent("01HZREDELIVERY00000000000001", "token-r", userID(1), "How many records were leaked?")
	h.send(t, ev)
	h.send(t, ev.redelivered())
	// And many copies at once.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { h.send(t, ev.redelivered()) })
	}
	wg.Wait()
	h.drain(t)
	if n := len(h.api.All(pathReply)); n != 1 {
		t.Errorf("%d reply requests, want 1", n)
	}
	if n := len(h.api.All(pathPush)); n != 0 {
		t.Errorf("%d pushes, want none", n)
	}
	if s := h.a.Stats(); s.Duplicates != 9 {
		t.Errorf("stats %+v, want 9 duplicates", s)
	}
}

func TestStandbyNotAnswered(t *testing.T) {
	h := newHarness(t)
	ev := textEvent("01HZSTANDBY0000000000000001", "token-s", userID(1), "How many records were leaked?")
	ev["mode"] = "standby"
	delete(ev, "replyToken")
	h.send(t, ev)
	h.drain(t)
	if n := len(h.api.All("")); n != 0 {
		t.Errorf("the API got %d requests for a standby event, want none", n)
	}
}

func TestServerErrorRetried(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if path == pathReply && n == 1 {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	}
	h.send(t, textEvent("01HZ500000000000000000000001", "token-500", userID(1), "How many records were leaked?"))
	h.drain(t)
	all, ok := h.api.All(pathReply), h.api.Accepted(pathReply)
	if len(all) != 2 || len(ok) != 1 {
		t.Errorf("%d reply requests, %d accepted; want 2 and 1", len(all), len(ok))
	}
	if n := len(h.api.All(pathPush)); n != 0 {
		t.Errorf("%d pushes, want none", n)
	}
}

func TestTooManyRequestsHonoursRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if path == pathReply && n == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		}
		return 0, nil
	}
	h.send(t, textEvent("01HZ429000000000000000000001", "token-429", userID(1), "How many records were leaked?"))
	h.drain(t)
	all := h.api.All(pathReply)
	if len(all) != 2 || all[1].Status != http.StatusOK {
		t.Fatalf("reply requests %+v, want a 429 then a 200", all)
	}
	if gap := all[1].At.Sub(all[0].At); gap < time.Second {
		t.Errorf("retried after %v, want at least Retry-After's 1 s", gap)
	}
}

func TestTooManyRequestsHonoursRetryAfterDate(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if path == pathReply && n == 1 {
			// Whole seconds: two from now is more than one.
			at := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			return http.StatusTooManyRequests, http.Header{"Retry-After": {at}}
		}
		return 0, nil
	}
	h.send(t, textEvent("01HZ429DATE00000000000000001", "token-429d", userID(1), "How many records were leaked?"))
	h.drain(t)
	all := h.api.All(pathReply)
	if len(all) != 2 || all[1].Status != http.StatusOK {
		t.Fatalf("reply requests %+v, want a 429 then a 200", all)
	}
	if gap := all[1].At.Sub(all[0].At); gap < time.Second {
		t.Errorf("retried after %v, want at least the second the Retry-After date is away", gap)
	}
}

func TestExpiredReplyTokenPushesOnce(t *testing.T) {
	ev := textEvent("01HZEXPIRED00000000000000001", "expired-token", userID(7), "How many records were leaked?")
	h := newHarness(t)
	// The first push is carried out but its answer is lost: the retry must not push again.
	h.api.Lose = func(path string, n int) bool { return path == pathPush && n == 1 }
	h.send(t, ev)
	h.drain(t)

	pushes := h.api.All(pathPush)
	if len(pushes) != 2 {
		t.Fatalf("%d push requests, want 2 (one lost answer, one retry)", len(pushes))
	}
	key := retryKey("01HZEXPIRED00000000000000001")
	for _, p := range pushes {
		if p.RetryKey != key || p.Req.To != userID(7) {
			t.Errorf("push to %q with retry key %q, want %q with %q", p.Req.To, p.RetryKey, userID(7), key)
		}
	}
	if pushes[1].Status != http.StatusConflict {
		t.Errorf("the retried push got %d, want 409", pushes[1].Status)
	}
	if s := h.a.Stats(); s.Pushed != 1 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}

	// A restarted process (nothing remembered) gets the event again: its push carries the same
	// key, so LINE does not deliver it twice.
	h2 := newHarness(t, func(c *Config) { c.APIURL = h.api.URL() })
	h2.send(t, ev.redelivered())
	h2.drain(t)
	if n := len(h.api.All(pathPush)); n != 3 {
		t.Fatalf("%d push requests, want 3", n)
	}
	if last := h.api.All(pathPush)[2]; last.RetryKey != key || last.Status != http.StatusConflict {
		t.Errorf("push after the restart: key %q, status %d; want %q, 409", last.RetryKey, last.Status, key)
	}
	if n := len(h.api.Accepted(pathPush)); n != 0 {
		// lose turned the one carried-out push into a 500 on the wire; count it through keys.
		t.Errorf("%d pushes answered 2xx", n)
	}
	carried := h.api.RetryKeys()
	if carried != 1 {
		t.Errorf("LINE carried out %d pushes, want exactly 1", carried)
	}
}

func TestReplyUsedByLostAttemptIsNotPushed(t *testing.T) {
	h := newHarness(t)
	// The first reply is carried out but its answer lost; the retry finds the token used.
	h.api.Lose = func(path string, n int) bool { return path == pathReply && n == 1 }
	h.send(t, textEvent("01HZLOSTREPLY000000000000001", "token-lost", userID(1), "How many records were leaked?"))
	h.drain(t)
	if n := len(h.api.All(pathReply)); n != 2 {
		t.Errorf("%d reply requests, want 2", n)
	}
	if n := len(h.api.All(pathPush)); n != 0 {
		t.Errorf("%d pushes after an uncertain reply, want none: the user has the answer", n)
	}
}

func TestRetryKey(t *testing.T) {
	k := retryKey("01HZEXPIRED00000000000000001")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(k) {
		t.Errorf("retry key %q is not a version 5 UUID", k)
	}
	if retryKey("01HZEXPIRED00000000000000001") != k {
		t.Error("retry key is not stable")
	}
	if retryKey("01HZEXPIRED00000000000000002") == k {
		t.Error("two events share a retry key")
	}
}

// TestRetryKeyPinned holds the keys of events whose pushes may already be in LINE's hands: a
// key that changed across a release would let a redelivered event be pushed a second time.
// The values are those of the key derivation as first shipped (a version 5 UUID of the event
// id in faqbot's namespace, 5c1f0e6a-3b52-4d2e-9a41-7e08c366d10b), and agree with other
// implementations of RFC 9562's name-based UUIDs.
func TestRetryKeyPinned(t *testing.T) {
	for id, want := range map[string]string{
		"01HZEXPIRED00000000000000001": "7bc938c7-c301-5d04-812f-1173df1be181",
		"":                             "20d20613-9e14-5037-be1c-165a23953049",
		"x":                            "3178d7d7-5931-5d1c-b80a-141006fc97f6",
		"日本語イベント":                      "d23ab738-c3ce-5660-8019-b7b533297ec9",
	} {
		if got := retryKey(id); got != want {
			t.Errorf("retryKey(%q) = %s, want %s", id, got, want)
		}
	}
}

func TestFollowUpAndFeedback(t *testing.T) {
	h := newHarness(t)
	u := userID(3)
	h.send(t, textEvent("01HZFOLLOWUP0000000000000001", "token-f1", u, "パスワードを変更したい"))
	platformtest.WaitFor(t, "the ask-back", func() bool { return len(h.api.Accepted(pathReply)) == 1 })
	askBack := h.api.Accepted(pathReply)[0].Req.Messages
	checkLimits(t, askBack)
	c := h.bot.Engine().Content
	want := []string{
		"postback " + c.Entry("change-password-pc").Text[faq.Japanese].Label + " entry=change-password-pc&lang=ja",
		"postback " + c.Entry("change-password-app").Text[faq.Japanese].Label + " entry=change-password-app&lang=ja",
	}
	if diff := cmp.Diff(want, buttons(askBack[len(askBack)-1])); diff != "" {
		t.Fatalf("choices (-want +got):\n%s", diff)
	}

	h.send(t, postbackEvent("01HZFOLLOWUP0000000000000002", "token-f2", u, "entry=change-password-app&lang=ja"))
	platformtest.WaitFor(t, "the answer", func() bool { return len(h.api.Accepted(pathReply)) == 2 })
	answer := h.api.Accepted(pathReply)[1].Req.Messages
	if wantText := c.Entry("change-password-app").Text[faq.Japanese].Answer; strings.TrimSpace(answer[0].Text) != strings.TrimSpace(wantText) {
		t.Errorf("after the choice: %q, want the app answer", answer[0].Text)
	}

	// A typed choice works as well as a tap.
	h.send(t, textEvent("01HZFOLLOWUP0000000000000003", "token-f3", u, "パスワードを変更したい"))
	h.send(t, textEvent("01HZFOLLOWUP0000000000000004", "token-f4", u, "PC"))
	platformtest.WaitFor(t, "the typed choice", func() bool { return len(h.api.Accepted(pathReply)) == 4 })
	typed := h.api.Accepted(pathReply)[3].Req.Messages
	if wantText := c.Entry("change-password-pc").Text[faq.Japanese].Answer; strings.TrimSpace(typed[0].Text) != strings.TrimSpace(wantText) {
		t.Errorf("after typing PC: %q, want the PC answer in Japanese", typed[0].Text)
	}

	yes := answer[len(answer)-1].Items()[0].Action.Data
	h.send(t, postbackEvent("01HZFOLLOWUP0000000000000005", "token-f5", u, yes))
	h.send(t, postbackEvent("01HZFOLLOWUP0000000000000006", "token-f6", u, "helpful=nonexistent:yes"))
	h.drain(t)
	replies := h.api.Accepted(pathReply)
	if len(replies) != 5 {
		t.Fatalf("%d replies, want 5 (no reply to unknown feedback)", len(replies))
	}
	if got := replies[4].Req.Messages[0].Text; got != c.Messages.HelpfulThank.In(faq.Japanese) {
		t.Errorf("after feedback: %q, want the thanks", got)
	}
	if y, n := h.a.cfg.Feedback.(*memstore.Feedback).Counts("change-password-app"); y != 1 || n != 0 {
		t.Errorf("feedback counts %d yes, %d no; want 1, 0", y, n)
	}
	if !regexp.MustCompile(`"msg":"feedback".*"event":"01HZFOLLOWUP0000000000000005","entry":"change-password-app","helpful":"yes"`).MatchString(h.logs.String()) {
		t.Errorf("no feedback log line:\n%s", h.logs)
	}
}

func TestFollowGreeting(t *testing.T) {
	h := newHarness(t)
	c := h.bot.Engine().Content
	h.send(t, followEvent("01HZGREET0000000000000000001", "token-g1", userID(4)))
	platformtest.WaitFor(t, "the greeting", func() bool { return len(h.api.Accepted(pathReply)) == 1 })
	msgs := h.api.Accepted(pathReply)[0].Req.Messages
	checkLimits(t, msgs)
	if !strings.HasPrefix(msgs[0].Text, c.Messages.Greeting.In(faq.Japanese)+"\n・") {
		t.Errorf("greeting %q", msgs[0].Text)
	}
	var first []string
	for _, e := range c.Entries {
		if e.Parent == "" && len(first) < bot.WelcomeChoices {
			first = append(first, "entry="+e.ID+"&lang=ja")
		}
	}
	var got []string
	for _, it := range msgs[0].Items() {
		got = append(got, it.Action.Data)
	}
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("before any answer, the first entries (-want +got):\n%s", diff)
	}

	// Saying hello gets the same greeting.
	h.send(t, textEvent("01HZGREET0000000000000000003", "token-g3", userID(4), "こんにちは"))
	platformtest.WaitFor(t, "the greeting to hello", func() bool { return len(h.api.Accepted(pathReply)) == 2 })
	hello := h.api.Accepted(pathReply)[1].Req.Messages
	if diff := cmp.Diff(msgs, hello); diff != "" {
		t.Errorf("hello is greeted as a follow (-follow +hello):\n%s", diff)
	}

	// After answers, the most asked come first.
	for i := range 3 {
		h.send(t, textEvent(fmt.Sprintf("01HZGREET000000000000000010%d", i), fmt.Sprintf("token-q%d", i), userID(10+i), "How many records were leaked?"))
	}
	platformtest.WaitFor(t, "the answers", func() bool { return len(h.api.Accepted(pathReply)) == 5 })
	h.send(t, followEvent("01HZGREET0000000000000000002", "token-g2", userID(5)))
	h.drain(t)
	last := h.api.Accepted(pathReply)[5].Req.Messages[0].Items()
	if len(last) == 0 || last[0].Action.Data != "entry=leak-count&lang=ja" {
		t.Errorf("after answers the greeting offers %+v first, want leak-count", last)
	}
}

func TestNonTextMessage(t *testing.T) {
	h := newHarness(t)
	h.send(t, stickerEvent("01HZSTICKER00000000000000001", "token-st", userID(6)))
	img := baseEvent("message", "01HZIMAGE0000000000000000001", "token-img", user(userID(6)))
	img["message"] = map[string]any{"id": "1", "type": "image", "contentProvider": map[string]any{"type": "line"}, "quoteToken": "q"}
	loc := baseEvent("message", "01HZLOCATION000000000000001", "token-loc", user(userID(6)))
	loc["message"] = map[string]any{"id": "2", "type": "location", "title": "my home", "address": "1-2-3 Somewhere", "latitude": 35.6, "longitude": 139.7}
	h.send(t, img, loc)
	h.drain(t)
	replies := h.api.Accepted(pathReply)
	if len(replies) != 3 {
		t.Fatalf("%d replies, want 3", len(replies))
	}
	msgs := h.bot.Engine().Content.Messages
	named := map[string]string{"token-st": "sticker", "token-img": "image", "token-loc": "location"}
	for _, r := range replies {
		want := strings.ReplaceAll(msgs.NonText.In(faq.Japanese), "{media}", msgs.MediaNames[named[r.Req.ReplyToken]].In(faq.Japanese))
		if len(r.Req.Messages) != 1 || r.Req.Messages[0].Text != want || r.Req.Messages[0].QuickReply != nil {
			t.Errorf("reply to %s: %+v, want the plain notice naming what was sent: %q", r.Req.ReplyToken, r.Req.Messages, want)
		}
	}
}

func TestBusy(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *Config) { c.Workers, c.Queue = 1, 1 })
	h.api.Hold = func(r platformtest.LineBody) <-chan struct{} {
		if r.ReplyToken == "token-b1" {
			return release
		}
		return nil
	}
	h.send(t, textEvent("01HZBUSY00000000000000000001", "token-b1", userID(1), "How many records were leaked?"))
	// Once the only worker has taken the first event, one more fits in its queue and the third
	// finds it full.
	platformtest.WaitFor(t, "the worker to take the first event", func() bool {
		return h.a.Stats().Accepted == 1 && h.a.pool.Queued() == 0
	})
	h.send(t, textEvent("01HZBUSY00000000000000000002", "token-b2", userID(2), "How many records were leaked?"))
	h.send(t, textEvent("01HZBUSY00000000000000000003", "token-b3", userID(3), "How many records were leaked?"))
	platformtest.WaitFor(t, "the busy reply", func() bool { return len(h.api.Accepted(pathReply)) == 1 })
	busy := h.api.Accepted(pathReply)[0]
	if busy.Req.ReplyToken != "token-b3" || busy.Req.Messages[0].Text != h.bot.Engine().Content.Messages.Busy.In(faq.English) {
		t.Errorf("busy reply %+v", busy)
	}
	// Redelivered while the workers are still busy: the events were taken (answered "busy",
	// or being answered), so they get no second reply.
	h.send(t, textEvent("01HZBUSY00000000000000000003", "token-b3", userID(3), "How many records were leaked?").redelivered())
	h.send(t, textEvent("01HZBUSY00000000000000000001", "token-b1", userID(1), "How many records were leaked?").redelivered())
	platformtest.WaitFor(t, "the repeats to be dropped", func() bool { return h.a.Stats().Duplicates == 2 })
	close(release)
	h.drain(t)
	if n := len(h.api.Accepted(pathReply)); n != 3 {
		t.Errorf("%d replies, want 3", n)
	}
	if s := h.a.Stats(); s.Accepted != 2 || s.Busy != 3 || s.Dropped != 0 || s.Duplicates != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestLoadingAnimation(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.LoadingAfter = 10 * time.Millisecond
		c.RetryBase = 60 * time.Millisecond
	})
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if path == pathReply && n <= 2 {
			return http.StatusServiceUnavailable, nil
		}
		return 0, nil
	}
	h.send(t, textEvent("01HZLOADING00000000000000001", "token-l1", userID(8), "How many records were leaked?"))
	h.drain(t)
	loading := h.api.All(pathLoading)
	if len(loading) != 1 {
		t.Fatalf("%d loading requests, want 1 (shown once while it lasts)", len(loading))
	}
	if loading[0].Req.ChatID != userID(8) || loading[0].Req.Seconds%5 != 0 || loading[0].Req.Seconds < 5 {
		t.Errorf("loading request %+v", loading[0].Req)
	}
	replies := h.api.Accepted(pathReply)
	if len(replies) != 1 || !replies[0].At.After(loading[0].At) {
		t.Errorf("the reply must come after the animation")
	}

	// Not in groups: LINE shows the animation in 1:1 chats only.
	h2 := newHarness(t, func(c *Config) {
		c.LoadingAfter = 10 * time.Millisecond
		c.RetryBase = 60 * time.Millisecond
	})
	h2.api.Fail = h.api.Fail
	ev := mention(textEvent("01HZLOADING00000000000000002", "token-l2", userID(8), "@FAQ How many records were leaked?"), 0, 4)
	ev["source"] = group("C0123456789abcdef0123456789abcdef", userID(8))
	h2.send(t, ev)
	h2.drain(t)
	if n := len(h2.api.All(pathLoading)); n != 0 {
		t.Errorf("%d loading requests in a group, want none", n)
	}
	if n := len(h2.api.Accepted(pathReply)); n != 1 {
		t.Errorf("%d replies in the group, want 1", n)
	}
}

// TestLimitsEveryEntry checks LINE's limits on the reply to every entry of the shipped content,
// in every language: shown by a tap (EntryReply) and asked by its title through the webhook.
func TestLimitsEveryEntry(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t))
	c := h.bot.Engine().Content
	n := 0
	for _, e := range c.Entries {
		for _, lang := range c.Languages {
			t.Run(e.ID+"/"+string(lang)+"/tap", func(t *testing.T) {
				r, ok := h.bot.EntryReply(e.ID, lang)
				if !ok {
					t.Fatal("no reply")
				}
				msgs := wire(t, messages(r))
				checkLimits(t, msgs)
				if got := len(msgs[len(msgs)-1].Items()); got < len(e.Followups) {
					t.Errorf("%d quick replies for %d follow-ups", got, len(e.Followups))
				}
			})
			n++
			title := e.Text[lang].Title
			h.send(t, textEvent(fmt.Sprintf("01HZLIMITS%018d", n), fmt.Sprintf("token-limits-%d", n), userID(100+n), title))
		}
	}
	h.drain(t)
	for _, r := range h.api.Accepted(pathReply) {
		t.Run("asked/"+r.Req.ReplyToken, func(t *testing.T) { checkLimits(t, r.Req.Messages) })
	}
	if got := len(h.api.Accepted(pathReply)); got != n {
		t.Errorf("%d replies to %d titles", got, n)
	}

	// The bot's own replies: welcome, don't know with suggestions, hand-off.
	b := h.bot
	dk := bot.Reply{
		Body: c.Messages.Fallback.In(faq.English) + "\n\n" + c.Messages.Suggestions.In(faq.English), Lang: faq.English,
		Choices:  []bot.Choice{{EntryID: "leak-count", Label: "How many records"}, {EntryID: "contact", Label: "Contact us"}},
		Decision: nlu.Decision{Action: nlu.DontKnow, Lang: faq.English},
		Kind:     bot.KindDontKnow,
		Offers:   bot.Offers{Desk: &bot.DeskOffer{Label: "Call Customer Desk", Tel: "0120455512"}},
	}
	ho, _ := b.Ask(context.Background(), "オペレーターと話したい")
	for name, r := range map[string]bot.Reply{
		"welcome": b.Welcome(faq.Japanese, nil, bot.WelcomeChoices), "dont-know": dk, "handoff": ho,
		"many-choices": {Body: strings.Repeat("長い本文。\n", 3000), Lang: faq.Japanese, Choices: manyChoices(30)},
	} {
		t.Run(name, func(t *testing.T) { checkLimits(t, wire(t, messages(r))) })
	}
	dkMsgs := wire(t, messages(dk))
	got := buttons(dkMsgs[len(dkMsgs)-1])
	want := []string{
		"postback How many records entry=leak-count&lang=en",
		"postback Contact us entry=contact&lang=en",
		"uri Call Customer Desk tel:0120455512",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("don't know: suggestions and the desk (-want +got):\n%s", diff)
	}
	if !ho.Handoff {
		t.Fatalf("%v is not a hand-off", ho)
	}
	msgs := wire(t, messages(ho))
	items := msgs[len(msgs)-1].Items()
	if len(items) != 1 || items[0].Action.URI != "tel:0120455512" {
		t.Errorf("hand-off quick replies %+v, want a call to the desk", items)
	}
	if !strings.Contains(msgs[0].Text, c.Desk.Phone) {
		t.Errorf("hand-off text lacks the desk's number: %q", msgs[0].Text)
	}
}

// buttons lists the quick replies of a message as "type label data-or-uri".
func buttons(m platformtest.LineMessage) []string {
	var out []string
	for _, it := range m.Items() {
		out = append(out, it.Action.Type+" "+it.Action.Label+" "+it.Action.Data+it.Action.URI)
	}
	return out
}

func manyChoices(n int) []bot.Choice {
	var cs []bot.Choice
	for i := range n {
		cs = append(cs, bot.Choice{EntryID: fmt.Sprintf("entry-%d", i), Label: strings.Repeat("ラ", 25+i)})
	}
	return cs
}

// TestLogsHoldNoPersonalData drives every path that logs and checks that no message text, user
// id, reply token or credential reaches the logs.
func TestLogsHoldNoPersonalData(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.LoadingAfter = time.Millisecond })
	const (
		phone    = "090-3141-5926"
		email    = "hanako.yamada@example.co.jp"
		sentence = "私の口座番号は漏れていますか"
	)
	u := userID(0xfeed)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if path == pathReply && n == 1 {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	}
	h.send(t,
		textEvent("01HZLOGS000000000000000000001", "token-secret-1", u, sentence+" "+phone+" "+email),
		textEvent("01HZLOGS000000000000000000002", "expired-token-secret-2", u, "my e-mail is "+email+", call me at "+phone),
		textEvent("01HZLOGS000000000000000000003", "token-secret-3", u, "パスワードを変更したい"),
		postbackEvent("01HZLOGS000000000000000000004", "token-secret-4", u, "helpful=contact:no&lang=ja"),
		stickerEvent("01HZLOGS000000000000000000005", "token-secret-5", u),
	)
	h.post([]byte(`{"events":[{"type":"message","message":{"type":"text","text":"`+phone+`"}}]}`), "forged")
	h.drain(t)
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"replied"`) || !strings.Contains(logs, `"msg":"pushed"`) {
		t.Fatalf("the logs lack the replies:\n%s", logs)
	}
	for _, secret := range []string{
		phone, "3141", "5926", email, "hanako", sentence, "口座", "e-mail is", "パスワードを変更",
		u, "token-secret", testSecret, testToken,
	} {
		if platformtest.Holds(logs, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
	}
}

func TestShutdown(t *testing.T) {
	h := newHarness(t)
	for i := range 20 {
		h.send(t, textEvent(fmt.Sprintf("01HZSHUTDOWN%016d", i), fmt.Sprintf("token-sd-%d", i), userID(i), "How many records were leaked?"))
	}
	h.drain(t)
	if n := len(h.api.Accepted(pathReply)); n != 20 {
		t.Errorf("%d replies after Shutdown, want all 20", n)
	}
	body := webhookBody(textEvent("01HZSHUTDOWN9999999999999999", "token-late", userID(1), "hello"))
	if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: status %d, want 503", w.Code)
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	if _, err := New(bottest.New(t), Config{ChannelSecret: testSecret}); err == nil {
		t.Error("New without an access token succeeded")
	}
	var b strings.Builder
	cfg := Config{ChannelSecret: testSecret, ChannelAccessToken: testToken}
	fmt.Fprint(&b, cfg.LogValue())
	if strings.Contains(b.String(), testSecret) || strings.Contains(b.String(), testToken) {
		t.Errorf("LogValue shows a secret: %s", b.String())
	}
}

// countingObserver counts what an adapter reports, by action or reason.
type countingObserver struct {
	mu      sync.Mutex
	replied map[string]int
	refused map[string]int
}

func (o *countingObserver) Replied(platform string, r bot.Reply, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replied[platform+":"+string(r.Decision.Action)]++
}

func (o *countingObserver) Refused(platform, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refused[platform+":"+reason]++
}

func TestRateLimitAndObserver(t *testing.T) {
	obs := &countingObserver{replied: map[string]int{}, refused: map[string]int{}}
	h := newHarness(t, func(c *Config) {
		c.Limiter = memstore.NewLimiter(time.Hour, 2, nil) // two messages, then one an hour
		c.Observer = obs
	})
	for i := range 3 {
		h.send(t, textEvent(fmt.Sprintf("01HZRATE%019d", i), fmt.Sprintf("token-rl-%d", i), userID(1), "How many records were leaked?"))
	}
	h.send(t, textEvent("01HZRATE9999999999999999999", "token-rl-other", userID(2), "How many records were leaked?"))
	h.drain(t)
	slow := h.bot.Engine().Content.Messages.SlowDown.In(faq.English)
	var limited, answered int
	for _, r := range h.api.Accepted(pathReply) {
		switch {
		case len(r.Req.Messages) == 1 && r.Req.Messages[0].Text == slow:
			limited++
		case len(r.Req.Messages) == 2:
			answered++
		}
	}
	if limited != 1 || answered != 3 {
		t.Errorf("%d answered and %d told to slow down, want 3 and 1 (the first user's third message)", answered, limited)
	}
	if obs.replied["line:answer"] != 3 || obs.refused["line:rate_limited"] != 1 {
		t.Errorf("observed replies %v, refusals %v", obs.replied, obs.refused)
	}
}

// In a group the bot answers only what is for it: a text that mentions it (the mention cut from
// the question) or replies to one of its messages, and taps on its buttons; it greets the group
// it joins with how to ask there, and stays silent on everything else.
func TestGroups(t *testing.T) {
	h := newHarness(t)
	const room = "C0123456789abcdef0123456789abcdef"
	in := func(e event) event { e["source"] = group(room, userID(9)); return e }
	h.send(t, baseEvent("join", "01HZGROUP00000000000000000001", "token-join", map[string]any{"type": "group", "groupId": room}))
	h.send(t, in(textEvent("01HZGROUP00000000000000000002", "token-chat", userID(9), "How many records were leaked?")))
	h.send(t, in(stickerEvent("01HZGROUP00000000000000000003", "token-sticker", userID(9))))
	h.send(t, in(mention(textEvent("01HZGROUP00000000000000000004", "token-mention", userID(9), "@FAQ 漏えいした件数は？"), 0, 4)))
	platformtest.WaitFor(t, "the answer to the mention", func() bool { return len(h.api.Accepted(pathReply)) == 2 })
	// The fake API sends every message as id "1": a reply quoting it is for the bot.
	quote := in(textEvent("01HZGROUP00000000000000000005", "token-quote", userID(9), "How many records were leaked?"))
	quote["message"].(map[string]any)["quotedMessageId"] = "1"
	other := in(textEvent("01HZGROUP00000000000000000006", "token-other", userID(9), "How many records were leaked?"))
	other["message"].(map[string]any)["quotedMessageId"] = "2"
	h.send(t, quote, other)
	h.drain(t)

	content := h.bot.Engine().Content
	got := map[string]string{}
	var tokens []string
	for _, r := range h.api.Accepted(pathReply) {
		got[r.Req.ReplyToken] = r.Req.Messages[0].Text
		tokens = append(tokens, r.Req.ReplyToken)
	}
	if diff := cmp.Diff([]string{"token-join", "token-mention", "token-quote"}, tokens); diff != "" {
		t.Errorf("replies in the group (-want +got):\n%s", diff)
	}
	if got["token-join"] != content.Messages.Join.In(faq.Japanese) {
		t.Errorf("join: %q, want the join message", got["token-join"])
	}
	if got["token-mention"] != content.Entry("leak-count").Text[faq.Japanese].Answer {
		t.Errorf("mention: %q, want the answer of leak-count (the mention cut)", got["token-mention"])
	}
	if got := cutMentions("@FAQ 😀 漏えい @FAQ", []mentionee{{0, 4, true}, {12, 4, true}, {40, 4, true}}); got != "😀 漏えい" {
		t.Errorf("cutMentions = %q", got)
	}
}

// mention marks text event e as mentioning the bot at index, for length UTF-16 units.
func mention(e event, index, length int) event {
	e["message"].(map[string]any)["mention"] = map[string]any{"mentionees": []any{
		map[string]any{"index": index, "length": length, "type": "user", "isSelf": true}}}
	return e
}
