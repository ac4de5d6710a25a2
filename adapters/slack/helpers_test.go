package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

const (
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotToken = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
	testAppToken = "xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f"
	testTeam     = "T0F4QAB12"
	botUser      = "U0BOT00001"
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
	pathHistory = platformtest.SlackHistory
	pathReplies = platformtest.SlackReplies
	pathPost    = platformtest.SlackPost
	pathOpen    = platformtest.SlackOpen
	pathRespond = platformtest.SlackRespond
)

// post is one message the fake Slack received.
type post = platformtest.SlackMessage

// newFakeAPI is a fake Slack that accepts the test tokens.
func newFakeAPI(tb testing.TB) *platformtest.SlackAPI {
	return platformtest.NewSlackAPI(tb, platformtest.SlackAuth{BotToken: testBotToken, AppToken: testAppToken, Team: testTeam})
}

// harness is an adapter answering against a fake Slack, with bottest's fixture content unless
// made by newHarnessOver.
type harness struct {
	a        *Adapter
	api      *platformtest.SlackAPI
	bot      *bot.Bot
	mux      *http.ServeMux
	logs     *platformtest.SyncBuffer
	feedback *memstore.Feedback
	clicks   int
}

func newHarness(tb testing.TB, configure ...func(*Config)) *harness {
	tb.Helper()
	return newHarnessOver(tb, bottest.New(tb), configure...)
}

// newHarnessOver is a harness whose adapter answers with b.
func newHarnessOver(tb testing.TB, b *bot.Bot, configure ...func(*Config)) *harness {
	tb.Helper()
	h := &harness{api: newFakeAPI(tb), bot: b, logs: &platformtest.SyncBuffer{}, mux: http.NewServeMux(),
		feedback: memstore.NewFeedback()}
	cfg := Config{
		SigningSecret: testSecret,
		BotToken:      testBotToken,
		APIURL:        strings.TrimSuffix(h.api.APIURL(), "/"), // New adds the "/"
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Feedback:      h.feedback,
		Workers:       4,
		RetryBase:     5 * time.Millisecond,
	}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := New(h.bot, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	h.a = a
	a.Register(h.mux)
	tb.Cleanup(func() { h.a.Shutdown(context.Background()) })
	return h
}

// do sends a request signed now with the signing secret.
func (h *harness) do(path string, body []byte, header ...string) *httptest.ResponseRecorder {
	r := platformtest.SlackRequest(path, body, testSecret, time.Now().Unix())
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

// event posts an event callback and fails unless it is acknowledged with 200.
func (h *harness) event(tb testing.TB, env envelope, header ...string) {
	tb.Helper()
	if w := h.do(EventsPath, env.body(), header...); w.Code != http.StatusOK {
		tb.Fatalf("events answered %d, want 200", w.Code)
	}
}

// command runs a slash command and returns its immediate answer.
func (h *harness) command(tb testing.TB, user, text string) ackMessage {
	tb.Helper()
	h.clicks++
	w := h.do(CommandsPath, commandForm(user, text, h.api.ResponseURL(h.clicks)))
	if w.Code != http.StatusOK {
		tb.Fatalf("commands answered %d, want 200", w.Code)
	}
	var ack ackMessage
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil {
		tb.Fatalf("ack %q: %v", w.Body.String(), err)
	}
	return ack
}

// click clicks button b of message p as user.
func (h *harness) click(tb testing.TB, user string, p post, b platformtest.SlackElement) {
	tb.Helper()
	h.clicks++
	body := interactionForm(user, p, b, h.api.ResponseURL(h.clicks))
	if w := h.do(InteractionsPath, body); w.Code != http.StatusOK {
		tb.Fatalf("interactions answered %d, want 200", w.Code)
	}
}

// drain waits until every event taken has been answered.
func (h *harness) drain(tb testing.TB) {
	tb.Helper()
	if err := h.a.Shutdown(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// envelope is an Events API request body.
type envelope map[string]any

func (e envelope) body() []byte {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return b
}

func callback(eventID string, event map[string]any) envelope {
	return envelope{
		"token": "legacy-verification-token", "team_id": testTeam, "api_app_id": "A0FAQBOT01",
		"type": "event_callback", "event_id": eventID, "event_time": 1717462800,
		"event":          event,
		"authorizations": []any{map[string]any{"team_id": testTeam, "user_id": botUser, "is_bot": true}},
	}
}

// mention is an app_mention of the bot by user in channel at ts.
func mention(eventID, user, channel, ts, text string) envelope {
	return callback(eventID, map[string]any{
		"type": "app_mention", "user": user, "text": "<@" + botUser + "> " + text, "ts": ts,
		"channel": channel, "event_ts": ts, "team": testTeam,
	})
}

// dm is a direct message from user in the bot's DM channel.
func dm(eventID, user, channel, ts, text string) envelope {
	return callback(eventID, map[string]any{
		"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
		"channel": channel, "event_ts": ts, "team": testTeam,
	})
}

func commandForm(user, text, responseURL string) []byte {
	return []byte(url.Values{
		"token": {"legacy"}, "team_id": {testTeam}, "team_domain": {"moneysq"},
		"channel_id": {"C0SUPPORT1"}, "channel_name": {"support"}, "user_id": {user}, "user_name": {"staff"},
		"command": {"/faq"}, "text": {text}, "api_app_id": {"A0FAQBOT01"},
		"response_url": {responseURL}, "trigger_id": {triggerID(responseURL)},
	}.Encode())
}

// interaction is a block_actions payload for a click of b on message p.
func interaction(user string, p post, b platformtest.SlackElement, responseURL string) []byte {
	channel := p.Channel
	if channel == "" {
		channel = "C0SUPPORT1"
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": testTeam, "domain": "moneysq"},
		"user":       map[string]any{"id": user, "team_id": testTeam},
		"api_app_id": "A0FAQBOT01", "trigger_id": triggerID(responseURL),
		"container": map[string]any{"type": "message", "message_ts": "1717462900.000200", "channel_id": channel,
			"is_ephemeral": p.Path == pathRespond, "thread_ts": p.ThreadTS},
		"channel":      map[string]any{"id": channel},
		"response_url": responseURL,
		"actions": []any{map[string]any{"type": "button", "action_id": b.ActionID, "block_id": "b1",
			"value": b.Value, "action_ts": actionTS(responseURL)}},
	})
	return payload
}

// triggerID is the trigger id of the command or click that got responseURL: each invocation has
// its own, as on Slack.
func triggerID(responseURL string) string {
	return fmt.Sprintf("13345224609.738474920.%d", invocation(responseURL))
}

// actionTS is the action_ts of the click that got responseURL.
func actionTS(responseURL string) string {
	return fmt.Sprintf("1717462901.%06d", invocation(responseURL))
}

// invocation is the number n of the fake's responseURL(n), or else a number derived from the
// URL. Small numbers keep the logs free of digit runs that the personal-data tests look for.
func invocation(responseURL string) int {
	parts := strings.Split(responseURL, "/")
	if len(parts) >= 2 {
		if n, err := strconv.Atoi(parts[len(parts)-2]); err == nil {
			return n
		}
	}
	return int(crc32.ChecksumIEEE([]byte(responseURL)) % 1000)
}

func interactionForm(user string, p post, b platformtest.SlackElement, responseURL string) []byte {
	return []byte(url.Values{"payload": {string(interaction(user, p, b, responseURL))}}.Encode())
}

// reindexer is a real Reindex: it loads the content tree in dir, builds its engine and swaps it
// into b.
func reindexer(b *bot.Bot, dir string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		c, err := faq.LoadDir(dir)
		if err != nil {
			return "", err
		}
		e, err := bot.NewEngine(ctx, c, "")
		if err != nil {
			return "", err
		}
		b.Swap(e) // the engine swapped out is the shared test engine: left open
		return fmt.Sprintf("%d entries", len(c.Entries)), nil
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// wireBlocks is blocks as Slack receives them.
func wireBlocks(tb testing.TB, blocks []slack.Block) []platformtest.SlackBlock {
	tb.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		tb.Fatal(err)
	}
	var out []platformtest.SlackBlock
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkLimits checks a message against Block Kit's limits.
func checkLimits(t *testing.T, blocks []platformtest.SlackBlock) {
	t.Helper()
	if len(blocks) == 0 || len(blocks) > maxBlocks {
		t.Errorf("%d blocks, want 1 to %d", len(blocks), maxBlocks)
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		switch b.Type {
		case "section":
			if b.Text == nil || b.Text.Text == "" || textcut.Len(b.Text.Text) > maxSectionText {
				t.Errorf("block %d: section text of %d characters", i, textcut.Len(b.Text.Text))
			}
			if b.Text.Type != "plain_text" && b.Text.Type != "mrkdwn" {
				t.Errorf("block %d: text type %q", i, b.Text.Type)
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				t.Errorf("block %d: %d context elements", i, len(b.Elements))
			}
			for _, e := range b.Elements {
				if n := textcut.Len(e.TextOf()); n == 0 || n > maxContextText {
					t.Errorf("block %d: context text of %d characters", i, n)
				}
			}
		case "actions":
			if len(b.Elements) == 0 || len(b.Elements) > maxActionElements {
				t.Errorf("block %d: %d elements", i, len(b.Elements))
			}
			for _, e := range b.Elements {
				var text platformtest.SlackText
				json.Unmarshal(e.Text, &text)
				if e.Type != "button" || text.Type != "plain_text" {
					t.Errorf("block %d: element %s with %s text", i, e.Type, text.Type)
				}
				if n := textcut.Len(text.Text); n == 0 || n > maxButtonText {
					t.Errorf("block %d: button text %q of %d characters", i, text.Text, n)
				}
				if n := textcut.Len(e.Value); n == 0 || n > maxButtonValue {
					t.Errorf("block %d: button value of %d characters", i, n)
				}
				if _, ok := parseAction(e.Value); !ok {
					t.Errorf("block %d: button value %q does not parse", i, e.Value)
				}
				if n := len(e.ActionID); n == 0 || n > maxActionID || ids[e.ActionID] {
					t.Errorf("block %d: action id %q (%d characters, repeated %v)", i, e.ActionID, n, ids[e.ActionID])
				}
				ids[e.ActionID] = true
			}
		default:
			t.Errorf("block %d: type %q", i, b.Type)
		}
	}
}
