package line

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef"
	testToken  = "test-channel-access-token-Zx81"
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

// sign signs a webhook body as LINE does: base64 of the HMAC-SHA256 of the raw body keyed with
// the channel secret.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// The wire format of the API requests, as the fake API decodes them.
type wireRequest struct {
	ReplyToken string        `json:"replyToken"`
	To         string        `json:"to"`
	ChatID     string        `json:"chatId"`
	Seconds    int           `json:"loadingSeconds"`
	Messages   []wireMessage `json:"messages"`
}

type wireMessage struct {
	Type       string `json:"type"`
	Text       string `json:"text"`
	QuickReply *struct {
		Items []wireItem `json:"items"`
	} `json:"quickReply"`
}

type wireItem struct {
	Type   string `json:"type"`
	Action struct {
		Type        string `json:"type"`
		Label       string `json:"label"`
		Data        string `json:"data"`
		DisplayText string `json:"displayText"`
		URI         string `json:"uri"`
	} `json:"action"`
}

func (m wireMessage) items() []wireItem {
	if m.QuickReply == nil {
		return nil
	}
	return m.QuickReply.Items
}

// apiRequest is one request the fake API received.
type apiRequest struct {
	Path     string
	Status   int
	RetryKey string
	Auth     string
	At       time.Time
	Req      wireRequest
}

// fakeAPI is a local stand-in for LINE's Messaging API. Reply tokens are good once, and tokens
// starting with "expired" never; pushes are accepted once per retry key, as LINE does.
type fakeAPI struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []apiRequest
	used     map[string]bool
	keys     map[string]bool
	counts   map[string]int
	// fail, when set, answers the n-th request (from 1) to path with its status instead of
	// carrying it out (0: carry it out). header goes with it.
	fail func(path string, n int) (status int, header http.Header)
	// lose, when set, carries out the n-th request to path but answers 500, as if the answer
	// were lost on the way.
	lose func(path string, n int) bool
	// hold, when set, is waited for before the request is carried out.
	hold func(r wireRequest) <-chan struct{}
}

func newFakeAPI(tb testing.TB) *fakeAPI {
	f := &fakeAPI{used: map[string]bool{}, keys: map[string]bool{}, counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req wireRequest
	json.Unmarshal(body, &req)
	rec := apiRequest{Path: r.URL.Path, RetryKey: r.Header.Get("X-Line-Retry-Key"), Auth: r.Header.Get("Authorization"), At: time.Now(), Req: req}
	if f.hold != nil {
		if ch := f.hold(req); ch != nil {
			<-ch
		}
	}

	f.mu.Lock()
	f.counts[r.URL.Path]++
	n := f.counts[r.URL.Path]
	status, header, answer := f.carryOut(rec, n)
	rec.Status = status
	f.requests = append(f.requests, rec)
	f.mu.Unlock()

	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// carryOut decides the answer to the n-th request to its path; f.mu is held.
func (f *fakeAPI) carryOut(rec apiRequest, n int) (int, http.Header, string) {
	if rec.Auth != "Bearer "+testToken {
		return http.StatusUnauthorized, nil, `{"message":"Authentication failed"}`
	}
	if f.fail != nil {
		if s, h := f.fail(rec.Path, n); s != 0 {
			return s, h, `{"message":"fake failure"}`
		}
	}
	status, answer := http.StatusOK, `{"sentMessages":[{"id":"1"}]}`
	switch rec.Path {
	case "/v2/bot/message/reply":
		tok := rec.Req.ReplyToken
		if f.used[tok] || strings.HasPrefix(tok, "expired") {
			return http.StatusBadRequest, nil, `{"message":"Invalid reply token"}`
		}
		f.used[tok] = true
	case "/v2/bot/message/push":
		if rec.RetryKey != "" {
			if f.keys[rec.RetryKey] {
				return http.StatusConflict, http.Header{"X-Line-Accepted-Request-Id": {"accepted-1"}}, `{"message":"The retry key is already accepted"}`
			}
			f.keys[rec.RetryKey] = true
		}
	case "/v2/bot/chat/loading/start":
		status, answer = http.StatusAccepted, `{}`
	default:
		return http.StatusNotFound, nil, `{"message":"Not found"}`
	}
	if f.lose != nil && f.lose(rec.Path, n) {
		return http.StatusInternalServerError, nil, `{"message":"lost"}`
	}
	return status, nil, answer
}

// all returns the requests to path received so far.
func (f *fakeAPI) all(path string) []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiRequest
	for _, r := range f.requests {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// accepted returns the requests to path that LINE would have carried out (2xx answers).
func (f *fakeAPI) accepted(path string) []apiRequest {
	var out []apiRequest
	for _, r := range f.all(path) {
		if r.Status/100 == 2 {
			out = append(out, r)
		}
	}
	return out
}

const (
	pathReply   = "/v2/bot/message/reply"
	pathPush    = "/v2/bot/message/push"
	pathLoading = "/v2/bot/chat/loading/start"
)

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

// harness is an adapter answering with the shipped content against a fake API.
type harness struct {
	a    *Adapter
	api  *fakeAPI
	bot  *bot.Bot
	logs *syncBuffer
}

func newHarness(tb testing.TB, configure ...func(*Config)) *harness {
	tb.Helper()
	h := &harness{api: newFakeAPI(tb), bot: testBot(tb), logs: &syncBuffer{}}
	cfg := Config{
		ChannelSecret:      testSecret,
		ChannelAccessToken: testToken,
		APIURL:             h.api.srv.URL,
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
	r := httptest.NewRequest(http.MethodPost, "/line/webhook", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set("X-Line-Signature", sig)
	}
	w := httptest.NewRecorder()
	h.a.ServeHTTP(w, r)
	return w
}

// send posts events signed with the channel secret and fails unless they are acknowledged.
func (h *harness) send(tb testing.TB, events ...event) {
	tb.Helper()
	body := webhookBody(events...)
	if w := h.post(body, sign(testSecret, body)); w.Code != http.StatusOK {
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
func checkLimits(t *testing.T, msgs []wireMessage) {
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
		items := m.items()
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
