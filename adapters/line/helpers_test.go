package line

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/faq"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef"
	testToken  = "test-channel-access-token-Zx81"
)

// shippedEngine is the engine over the shipped content, built once per test binary: for the
// tests that check the shipped content and for the benchmarks' realistic mix.
var shippedEngine = sync.OnceValues(func() (*bot.Engine, error) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return bot.NewEngine(context.Background(), c, "")
})

// shippedBot is a bot over the shipped content, on bottest's clock (the desk is open).
func shippedBot(tb testing.TB) *bot.Bot {
	tb.Helper()
	e, err := shippedEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return bot.New(e, bottest.Now)
}

const (
	pathReply   = platformtest.LineReply
	pathPush    = platformtest.LinePush
	pathLoading = platformtest.LineLoading
)

// harness is an adapter answering against a fake API, with bottest's fixture content unless
// made by newHarnessOver.
type harness struct {
	a    *Adapter
	api  *platformtest.LineAPI
	bot  *bot.Bot
	logs *platformtest.SyncBuffer
}

func newHarness(tb testing.TB, configure ...func(*Config)) *harness {
	tb.Helper()
	return newHarnessOver(tb, bottest.New(tb), configure...)
}

// newHarnessOver is a harness whose adapter answers with b.
func newHarnessOver(tb testing.TB, b *bot.Bot, configure ...func(*Config)) *harness {
	tb.Helper()
	h := &harness{api: platformtest.NewLineAPI(tb, testToken), bot: b, logs: &platformtest.SyncBuffer{}}
	cfg := Config{
		ChannelSecret:      testSecret,
		ChannelAccessToken: testToken,
		APIURL:             h.api.URL(),
		Logger:             slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Workers:            4,
		RetryBase:          5 * time.Millisecond,
		LoadingAfter:       -1,
	}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := New(h.bot, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	h.a = a
	tb.Cleanup(func() { h.a.Shutdown(context.Background()) })
	return h
}

// post sends a webhook body signed with sig and returns the response.
func (h *harness) post(body []byte, sig string) *httptest.ResponseRecorder {
	r := platformtest.LineWebhook("/line/webhook", body, sig)
	w := httptest.NewRecorder()
	h.a.ServeHTTP(w, r)
	return w
}

// send posts events signed with the channel secret and fails unless they are acknowledged.
func (h *harness) send(tb testing.TB, events ...event) {
	tb.Helper()
	body := webhookBody(events...)
	if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusOK {
		tb.Fatalf("webhook answered %d, want 200", w.Code)
	}
}

// drain waits until every event taken has been answered.
func (h *harness) drain(tb testing.TB) {
	tb.Helper()
	if err := h.a.Shutdown(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// event is one webhook event as LINE sends it.
type event map[string]any

func userID(n int) string { return fmt.Sprintf("U%032x", n) }

func baseEvent(typ, id, token string, source map[string]any) event {
	e := event{
		"type":            typ,
		"mode":            "active",
		"timestamp":       int64(1717462800000),
		"source":          source,
		"webhookEventId":  id,
		"deliveryContext": map[string]any{"isRedelivery": false},
	}
	if token != "" {
		e["replyToken"] = token
	}
	return e
}

func user(id string) map[string]any { return map[string]any{"type": "user", "userId": id} }

func group(groupID, userID string) map[string]any {
	return map[string]any{"type": "group", "groupId": groupID, "userId": userID}
}

func textEvent(id, token, from, text string) event {
	e := baseEvent("message", id, token, user(from))
	e["message"] = map[string]any{"id": "4680" + id, "type": "text", "text": text, "quoteToken": "q-" + id}
	return e
}

func postbackEvent(id, token, from, data string) event {
	e := baseEvent("postback", id, token, user(from))
	e["postback"] = map[string]any{"data": data}
	return e
}

func followEvent(id, token, from string) event {
	e := baseEvent("follow", id, token, user(from))
	e["follow"] = map[string]any{"isUnblocked": false}
	return e
}

func stickerEvent(id, token, from string) event {
	e := baseEvent("message", id, token, user(from))
	e["message"] = map[string]any{"id": "4681" + id, "type": "sticker", "packageId": "446", "stickerId": "1988",
		"stickerResourceType": "STATIC", "quoteToken": "q-" + id}
	return e
}

func (e event) redelivered() event {
	c := event{}
	for k, v := range e {
		c[k] = v
	}
	c["deliveryContext"] = map[string]any{"isRedelivery": true}
	return c
}

func webhookBody(events ...event) []byte {
	if events == nil {
		events = []event{}
	}
	b, err := json.Marshal(map[string]any{"destination": "U0123456789abcdef0123456789abcdef", "events": events})
	if err != nil {
		panic(err)
	}
	return b
}

// checkLimits checks a reply against LINE's limits.
func checkLimits(t *testing.T, msgs []platformtest.LineMessage) {
	t.Helper()
	if len(msgs) == 0 || len(msgs) > maxMessages {
		t.Errorf("%d messages, want 1 to %d", len(msgs), maxMessages)
	}
	for i, m := range msgs {
		if m.Type != "text" {
			t.Errorf("message %d has type %q", i, m.Type)
		}
		if n := textcut.Len(m.Text); n == 0 || n > maxTextLen {
			t.Errorf("message %d has %d characters", i, n)
		}
		items := m.Items()
		if len(items) > 0 && i != len(msgs)-1 {
			t.Errorf("message %d of %d has quick replies: only the last one shows them", i, len(msgs))
		}
		if len(items) > maxQuickReplies {
			t.Errorf("message %d has %d quick replies", i, len(items))
		}
		for _, it := range items {
			a := it.Action
			if it.Type != "action" {
				t.Errorf("quick reply item type %q", it.Type)
			}
			if n := textcut.Len(a.Label); n == 0 || n > maxLabelLen {
				t.Errorf("quick reply label %q has %d characters", a.Label, n)
			}
			switch a.Type {
			case "postback":
				if n := textcut.Len(a.Data); n == 0 || n > maxPostbackData {
					t.Errorf("postback data %q has %d characters", a.Data, n)
				}
				if n := textcut.Len(a.DisplayText); n == 0 || n > maxDisplayTextLen {
					t.Errorf("display text %q has %d characters", a.DisplayText, n)
				}
			case "uri":
				if !strings.HasPrefix(a.URI, "tel:") {
					t.Errorf("uri action to %q", a.URI)
				}
			default:
				t.Errorf("quick reply action type %q", a.Type)
			}
		}
	}
}
