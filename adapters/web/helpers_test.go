package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/faq"
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

// testBot is a bot over bottest's fixture content.
func testBot(tb testing.TB) *bot.Bot {
	tb.Helper()
	return bottest.New(tb)
}

// shippedBot is a bot over the shipped content.
func shippedBot(tb testing.TB) *bot.Bot {
	tb.Helper()
	e, err := testEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return bot.New(e, testNow)
}

// open is a limiter that lets everything through.
type open struct{}

func (open) Allow(context.Context, string) (bool, error) { return true, nil }

// fakeLimiter is a Limiter with a function field.
type fakeLimiter struct {
	allow func(key string) (bool, error)
}

func (f fakeLimiter) Allow(_ context.Context, key string) (bool, error) { return f.allow(key) }

// fakeObserver records the replies it is told about.
type fakeObserver struct {
	mu      sync.Mutex
	replies []string // platform + " " + reply.String()
}

func (o *fakeObserver) Replied(platform string, r bot.Reply, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replies = append(o.replies, platform+" "+r.String())
}

func (o *fakeObserver) Refused(platform, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replies = append(o.replies, platform+" refused "+reason)
}

// failingStore is a StateStore that always fails.
type failingStore struct{}

func (failingStore) Get(context.Context, string) (bot.State, bool, error) {
	return bot.State{}, false, errStoreDown
}

func (failingStore) Put(context.Context, string, bot.State) error { return errStoreDown }

var errStoreDown = errors.New("store down")

// everyone and nobody are Config.Editor functions: every request comes from an editor, none does.
func everyone(*http.Request) bool { return true }
func nobody(*http.Request) bool   { return false }

// newHandler returns a handler over bottest's fixture content with open limits unless cfg sets
// them, whose every reader is an editor (the tests read the decision) unless cfg.Editor says
// otherwise.
func newHandler(tb testing.TB, cfg Config) *Handler {
	tb.Helper()
	return newHandlerOver(tb, testBot(tb), cfg)
}

// newHandlerOver is newHandler with the bot b.
func newHandlerOver(tb testing.TB, b *bot.Bot, cfg Config) *Handler {
	tb.Helper()
	if cfg.Editor == nil {
		cfg.Editor = everyone
	}
	if cfg.Limiter == nil {
		cfg.Limiter = open{}
	}
	if cfg.AddrLimiter == nil {
		cfg.AddrLimiter = open{}
	}
	h, err := New(b, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// response is the body of an answer as a client reads it.
type response struct {
	bot.Explanation
	Conversation string `json:"conversation"`
	Body         string `json:"body"`
	Helpful      *struct {
		Ask, Yes, No string
	} `json:"helpful"`
	Desk *struct {
		Label, Tel string
	} `json:"desk"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// call sends a request to h and decodes its JSON answer.
func call(tb testing.TB, h http.Handler, method, path, contentType, body string) (*httptest.ResponseRecorder, response) {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var res response
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			tb.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, w.Body)
		}
	}
	return w, res
}

// ask posts v as JSON to /api/ask and expects 200.
func ask(tb testing.TB, h http.Handler, v any) response {
	tb.Helper()
	w, res := post(tb, h, "/api/ask", v)
	if w.Code != http.StatusOK {
		tb.Fatalf("POST /api/ask %v: status %d, want 200: %s", v, w.Code, w.Body)
	}
	return res
}

func post(tb testing.TB, h http.Handler, path string, v any) (*httptest.ResponseRecorder, response) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return call(tb, h, http.MethodPost, path, "application/json", string(b))
}

// captureLogs returns a logger that writes everything, debug included, as JSON to the buffer.
func captureLogs() (*slog.Logger, *platformtest.SyncBuffer) {
	var buf platformtest.SyncBuffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}
