package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
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
	"github.com/faqbot/faqbot/bot"
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

// testEngine is the engine over the shipped content, built once per test binary.
var testEngine = sync.OnceValues(func() (*bot.Engine, error) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return bot.NewEngine(context.Background(), c, "")
})

// testNow is a Tuesday morning in Japan: the desk is open.
func testNow() time.Time { return time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST) }

func testBot(tb testing.TB) *bot.Bot {
	tb.Helper()
	e, err := testEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return bot.New(e, testNow)
}

// sign signs a request body as Slack does: "v0=" and the hex HMAC-SHA256 of
// "v0:<timestamp>:<body>" under the signing secret.
func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", ts)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// signedRequest is a request to path carrying body, signed at ts with secret.
func signedRequest(path string, body []byte, secret string, ts int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if strings.HasPrefix(string(body), "{") {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	return r
}

// The blocks of a message as the fake API decodes them.
type wireBlock struct {
	Type     string          `json:"type"`
	Text     *wireText       `json:"text"`
	Elements []wireElement   `json:"elements"`
	Fields   json.RawMessage `json:"fields"`
}

type wireText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// wireElement is a context element (a text object: Text is a string) or a button (Text is a
// text object).
type wireElement struct {
	Type     string          `json:"type"`
	Text     json.RawMessage `json:"text"`
	ActionID string          `json:"action_id"`
	Value    string          `json:"value"`
}

func (e wireElement) text() string {
	var s string
	if json.Unmarshal(e.Text, &s) == nil {
		return s
	}
	var t wireText
	json.Unmarshal(e.Text, &t)
	return t.Text
}

// post is one message the fake API received: through chat.postMessage or a response URL.
type post struct {
	Path         string
	Status       int
	Token        string
	Channel      string
	ThreadTS     string
	Text         string
	Blocks       []wireBlock
	ResponseType string
	Replace      bool
	Metadata     string // the metadata field of a chat.postMessage, as sent
	At           time.Time
}

// all is the text of every section, context and button of p, one per line.
func (p post) all() string {
	var b strings.Builder
	for _, bl := range p.Blocks {
		if bl.Text != nil {
			b.WriteString(bl.Text.Text + "\n")
		}
		for _, e := range bl.Elements {
			b.WriteString(e.text() + "\n")
		}
	}
	return b.String()
}

// buttons lists p's buttons as "action_id value".
func (p post) buttons() []string {
	var out []string
	for _, bl := range p.Blocks {
		for _, e := range bl.Elements {
			if e.Type == "button" {
				out = append(out, e.ActionID+" "+e.Value)
			}
		}
	}
	return out
}

// button finds the button of p whose value starts with prefix.
func (p post) button(tb testing.TB, prefix string) wireElement {
	tb.Helper()
	for _, bl := range p.Blocks {
		for _, e := range bl.Elements {
			if e.Type == "button" && strings.HasPrefix(e.Value, prefix) {
				return e
			}
		}
	}
	tb.Fatalf("no button %q among %v", prefix, p.buttons())
	return wireElement{}
}

// fakeAPI is a local stand-in for Slack: the Web API under /api/ (chat.postMessage and
// apps.connections.open), response URLs under /response/, and a Socket Mode WebSocket at /ws
// (socket_test.go).
type fakeAPI struct {
	srv *httptest.Server

	mu     sync.Mutex
	posts  []post
	counts map[string]int
	// fail, when set, answers the n-th request (from 1) to path with its status instead of
	// carrying it out (0: carry it out). header goes with it.
	fail func(path string, n int) (status int, header http.Header)
	// hold, when set, is waited for before a post is carried out.
	hold chan struct{}
	// slow, when set, is how long the answer to the n-th request to path waits after the
	// request was carried out (0: none): the answer of a post that succeeded gets lost in a
	// timeout.
	slow func(path string, n int) time.Duration
	// ws serves the Socket Mode WebSocket.
	ws http.Handler
}

func newFakeAPI(tb testing.TB) *fakeAPI {
	f := &fakeAPI{counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) apiURL() string { return f.srv.URL + "/api/" }

// responseURL is a response URL of the fake, as Slack puts in commands and clicks.
func (f *fakeAPI) responseURL(n int) string {
	return fmt.Sprintf("%s/response/%s/%d/secrethooktoken%04d", f.srv.URL, testTeam, n, n)
}

const (
	pathHistory = "/api/conversations.history"
	pathReplies = "/api/conversations.replies"
	pathPost    = "/api/chat.postMessage"
	pathOpen    = "/api/apps.connections.open"
	pathRespond = "/response/"
)

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" && f.ws != nil {
		f.ws.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if f.hold != nil && r.URL.Path != pathOpen {
		<-f.hold
	}
	path := r.URL.Path
	if strings.HasPrefix(path, pathRespond) {
		path = pathRespond
	}
	p := post{Path: path, At: time.Now()}
	switch path {
	case pathPost:
		v, _ := url.ParseQuery(string(body))
		p.Token, p.Channel, p.ThreadTS, p.Text = v.Get("token"), v.Get("channel"), v.Get("thread_ts"), v.Get("text")
		p.Metadata = v.Get("metadata")
		json.Unmarshal([]byte(v.Get("blocks")), &p.Blocks)
	case pathRespond:
		var m struct {
			Text         string      `json:"text"`
			Blocks       []wireBlock `json:"blocks"`
			ResponseType string      `json:"response_type"`
			Replace      bool        `json:"replace_original"`
			ThreadTS     string      `json:"thread_ts"`
		}
		json.Unmarshal(body, &m)
		p.Text, p.Blocks, p.ResponseType, p.Replace, p.ThreadTS = m.Text, m.Blocks, m.ResponseType, m.Replace, m.ThreadTS
	case pathOpen:
		p.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}

	f.mu.Lock()
	f.counts[path]++
	n := f.counts[path]
	status, header, answer := http.StatusOK, http.Header(nil), `{"ok":true,"channel":"C0","ts":"1717462800.000100"}`
	switch {
	case path == pathPost && p.Token != testBotToken:
		answer = `{"ok":false,"error":"invalid_auth"}`
	case path == pathHistory || path == pathReplies:
		answer = f.history(body)
	case path == pathOpen:
		answer = `{"ok":true,"url":"ws` + strings.TrimPrefix(f.srv.URL, "http") + `/ws"}`
		if p.Token != testAppToken {
			answer = `{"ok":false,"error":"invalid_auth"}`
		}
	case path != pathPost && path != pathRespond && path != pathHistory && path != pathReplies:
		status, answer = http.StatusNotFound, `{"ok":false,"error":"unknown_method"}`
	}
	if f.fail != nil {
		if s, h := f.fail(path, n); s != 0 {
			status, header, answer = s, h, `<html>fake failure</html>`
		}
	}
	p.Status = status
	if path != pathOpen {
		f.posts = append(f.posts, p)
	}
	var slow time.Duration
	if f.slow != nil {
		slow = f.slow(path, n)
	}
	f.mu.Unlock()
	time.Sleep(slow)

	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// history answers conversations.history and conversations.replies: the posts carried out in
// the channel (and thread) asked for, with their metadata when include_all_metadata is set.
// Called with f.mu held.
func (f *fakeAPI) history(body []byte) string {
	v, _ := url.ParseQuery(string(body))
	type message struct {
		Type     string          `json:"type"`
		Text     string          `json:"text"`
		TS       string          `json:"ts"`
		ThreadTS string          `json:"thread_ts,omitempty"`
		Metadata json.RawMessage `json:"metadata,omitempty"`
	}
	msgs := []message{}
	for i, p := range f.posts {
		if p.Path != pathPost || p.Status != http.StatusOK || p.Channel != v.Get("channel") ||
			(v.Get("ts") != "" && p.ThreadTS != v.Get("ts")) {
			continue
		}
		m := message{Type: "message", Text: p.Text, TS: fmt.Sprintf("1717462900.%06d", i), ThreadTS: p.ThreadTS}
		if (v.Get("include_all_metadata") == "1" || v.Get("include_all_metadata") == "true") && p.Metadata != "" {
			m.Metadata = json.RawMessage(p.Metadata)
		}
		msgs = append(msgs, m)
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "messages": msgs, "has_more": false})
	return string(b)
}

// accepted returns the posts to path (pathPost, pathRespond, or "" for both) that Slack would
// have carried out.
func (f *fakeAPI) accepted(path string) []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []post
	for _, p := range f.posts {
		if (path == "" || p.Path == path) && p.Status == http.StatusOK {
			out = append(out, p)
		}
	}
	return out
}

// attempts is how many requests path received.
func (f *fakeAPI) attempts(path string) []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []post
	for _, p := range f.posts {
		if p.Path == path {
			out = append(out, p)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes, for capturing logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is an adapter answering with the shipped content against a fake Slack.
type harness struct {
	a        *Adapter
	api      *fakeAPI
	bot      *bot.Bot
	mux      *http.ServeMux
	logs     *syncBuffer
	feedback *memstore.Feedback
	clicks   int
}

func newHarness(tb testing.TB, configure ...func(*Config)) *harness {
	tb.Helper()
	h := &harness{api: newFakeAPI(tb), bot: testBot(tb), logs: &syncBuffer{}, mux: http.NewServeMux(),
		feedback: memstore.NewFeedback()}
	cfg := Config{
		SigningSecret: testSecret,
		BotToken:      testBotToken,
		APIURL:        strings.TrimSuffix(h.api.apiURL(), "/"), // New adds the "/"
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
	r := signedRequest(path, body, testSecret, time.Now().Unix())
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
	w := h.do(CommandsPath, commandForm(user, text, h.api.responseURL(h.clicks)))
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
func (h *harness) click(tb testing.TB, user string, p post, b wireElement) {
	tb.Helper()
	h.clicks++
	body := interactionForm(user, p, b, h.api.responseURL(h.clicks))
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
func interaction(user string, p post, b wireElement, responseURL string) []byte {
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

func interactionForm(user string, p post, b wireElement, responseURL string) []byte {
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
func wireBlocks(tb testing.TB, blocks []slack.Block) []wireBlock {
	tb.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		tb.Fatal(err)
	}
	var out []wireBlock
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkLimits checks a message against Block Kit's limits.
func checkLimits(t *testing.T, blocks []wireBlock) {
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
				if n := textcut.Len(e.text()); n == 0 || n > maxContextText {
					t.Errorf("block %d: context text of %d characters", i, n)
				}
			}
		case "actions":
			if len(b.Elements) == 0 || len(b.Elements) > maxActionElements {
				t.Errorf("block %d: %d elements", i, len(b.Elements))
			}
			for _, e := range b.Elements {
				var text wireText
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
