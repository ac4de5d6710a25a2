package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func TestAsk(t *testing.T) {
	h := newHandler(t, Config{})
	b := testBot(t)
	for _, tc := range []struct {
		query  string
		action nlu.Action
		entry  string
		lang   string
	}{
		{"パスワードを変更したい", nlu.AskBack, "change-password", "ja"},
		{"How many records were leaked?", nlu.Answer, "leak-count", "en"},
		{"私の住所は漏れましたか", nlu.Handoff, "", "ja"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := ask(t, h, map[string]string{"query": tc.query})
			if res.Action != tc.action || (tc.entry != "" && res.Entry != tc.entry) || res.Lang != tc.lang {
				t.Errorf("answer %s %q (%s), want %s %q (%s)", res.Action, res.Entry, res.Lang, tc.action, tc.entry, tc.lang)
			}
			if !regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`).MatchString(res.Conversation) {
				t.Errorf("conversation id %q, want 22 characters of base64url", res.Conversation)
			}
			// The decision is exactly what `faqbot ask --json` prints for the question.
			r, err := b.Ask(context.Background(), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(bot.Explain(r), res.Explanation); diff != "" {
				t.Errorf("decision (-ask +web):\n%s", diff)
			}
			if res.Body != r.Body {
				t.Errorf("body %q, want %q", res.Body, r.Body)
			}
		})
	}
}

func TestAskExtras(t *testing.T) {
	h := newHandlerOver(t, shippedBot(t), Config{})
	res := ask(t, h, map[string]string{"query": "How many records were leaked?"})
	if res.Helpful == nil || res.Helpful.Ask != "Was this answer helpful?" || res.Helpful.Yes != "Yes" {
		t.Errorf("an answer asks %+v, want whether it helped, in English", res.Helpful)
	}
	if res.Desk != nil {
		t.Errorf("an answer offers the desk: %+v", res.Desk)
	}
	res = ask(t, h, map[string]string{"query": "私の住所は漏れましたか"})
	if res.Desk == nil || res.Desk.Tel != "0120455512" || res.Desk.Label != "カスタマーデスクに電話" {
		t.Errorf("a hand-off offers %+v, want the desk's number", res.Desk)
	}
	if res.Helpful != nil {
		t.Errorf("a hand-off asks whether it helped")
	}
	res = ask(t, h, map[string]string{"query": "こんにちは"})
	if len(res.Choices) != bot.WelcomeChoices || res.Desk != nil {
		t.Errorf("a greeting offers %d choices and desk %v, want %d and none", len(res.Choices), res.Desk, bot.WelcomeChoices)
	}
}

func TestConversation(t *testing.T) {
	h := newHandlerOver(t, shippedBot(t), Config{})
	first := ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	if first.Action != nlu.AskBack || len(first.Choices) != 2 {
		t.Fatalf("first answer %s with %d choices, want an ask-back with 2", first.Action, len(first.Choices))
	}
	if diff := cmp.Diff([]string{"change-password-pc", "change-password-app"}, first.Followups); diff != "" {
		t.Errorf("follow-ups (-want +got):\n%s", diff)
	}

	t.Run("typed reply", func(t *testing.T) {
		res := ask(t, h, map[string]string{"query": "PC", "conversation": first.Conversation})
		// Taken as the choice of the ask-back, "PC" is answered in the conversation's language.
		if res.Entry != "change-password-pc" || res.Lang != "ja" || res.Reason != "chosen" || res.Conversation != first.Conversation {
			t.Errorf("reply to the ask-back: %s (%s, %s) in %q, want change-password-pc (ja, chosen) in %q",
				res.Entry, res.Lang, res.Reason, res.Conversation, first.Conversation)
		}
	})
	t.Run("choice", func(t *testing.T) {
		start := ask(t, h, map[string]string{"query": "パスワードを変更したい"})
		res := ask(t, h, map[string]string{"choice": "change-password-app", "conversation": start.Conversation, "lang": "ja"})
		if res.Entry != "change-password-app" || res.Action != nlu.Answer || res.Lang != "ja" {
			t.Errorf("tap: %s %s (%s), want answer change-password-app (ja)", res.Action, res.Entry, res.Lang)
		}
		res = ask(t, h, map[string]string{"choice": "change-password-pc", "lang": "en"})
		if res.Entry != "change-password-pc" || res.Lang != "en" || !strings.Contains(res.Body, "On a PC") {
			t.Errorf("tap in English: %s (%s) %q", res.Entry, res.Lang, res.Body)
		}
	})
	t.Run("another conversation", func(t *testing.T) {
		res := ask(t, h, map[string]string{"query": "PC"})
		if res.Conversation == first.Conversation {
			t.Errorf("a request without an id joined another conversation")
		}
		if res.Lang != "en" || res.Reason == "chosen" {
			t.Errorf("a new conversation answered %q as the reply to another's ask-back (%s, %s)", "PC", res.Lang, res.Reason)
		}
	})
}

func TestRefused(t *testing.T) {
	h := newHandler(t, Config{MaxBody: 256})
	const js = "application/json"
	for _, tc := range []struct {
		name, method, path, ctype, body string
		status                          int
		err                             string
	}{
		{"get", "GET", "/api/ask", "", "", 405, "method not allowed"},
		{"put", "PUT", "/api/ask", js, `{"query":"x"}`, 405, "method not allowed"},
		{"form", "POST", "/api/ask", "application/x-www-form-urlencoded", "query=x", 415, "content type must be application/json"},
		{"no type", "POST", "/api/ask", "", `{"query":"x"}`, 415, "content type must be application/json"},
		{"malformed", "POST", "/api/ask", js, `{"query":`, 400, "malformed JSON"},
		{"not an object", "POST", "/api/ask", js, `["query"]`, 400, "malformed JSON"},
		{"trailing data", "POST", "/api/ask", js, `{"query":"x"} {}`, 400, "malformed JSON"},
		{"wrong type", "POST", "/api/ask", js, `{"query":1}`, 400, "malformed JSON"},
		{"empty body", "POST", "/api/ask", js, ``, 400, "malformed JSON"},
		{"empty query", "POST", "/api/ask", js, `{"query":""}`, 400, "empty query"},
		{"blank query", "POST", "/api/ask", js, `{"query":" \n\t　"}`, 400, "empty query"},
		{"no query", "POST", "/api/ask", js, `{}`, 400, "empty query"},
		{"bad lang", "POST", "/api/ask", js, `{"query":"x","lang":"fr"}`, 400, "lang must be ja or en"},
		{"bad conversation", "POST", "/api/ask", js, `{"query":"x","conversation":"../../etc"}`, 400, "invalid conversation id"},
		{"short conversation", "POST", "/api/ask", js, `{"query":"x","conversation":"abc"}`, 400, "invalid conversation id"},
		{"too large", "POST", "/api/ask", js, `{"query":"` + strings.Repeat("あ", 200) + `"}`, 413, "request body too large"},
		{"unknown choice", "POST", "/api/ask", js, `{"choice":"no-such-entry"}`, 404, "unknown choice"},
		{"feedback get", "GET", "/api/feedback", "", "", 405, "method not allowed"},
		{"feedback no helpful", "POST", "/api/feedback", js, `{"entry":"leak-count"}`, 400, "helpful must be true or false"},
		{"feedback unknown entry", "POST", "/api/feedback", js, `{"entry":"nope","helpful":true}`, 404, "unknown entry"},
		{"welcome post", "POST", "/api/welcome", js, `{}`, 405, "method not allowed"},
		{"welcome bad lang", "GET", "/api/welcome?lang=xx", "", "", 400, "lang must be ja or en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, res := call(t, h, tc.method, tc.path, tc.ctype, tc.body)
			if w.Code != tc.status || res.Error != tc.err {
				t.Errorf("status %d %q, want %d %q", w.Code, res.Error, tc.status, tc.err)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if tc.status == 405 && w.Header().Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
		})
	}
	if s := h.Stats(); s.Rejected == 0 || s.Failed != 0 || s.Answered != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := newHandler(t, Config{
		Limiter:     memstore.NewLimiter(time.Minute, 2, clock),
		AddrLimiter: memstore.NewLimiter(time.Minute, 4, clock),
		RetryAfter:  1500 * time.Millisecond,
	})
	first := ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	ask(t, h, map[string]string{"query": "PC", "conversation": first.Conversation})

	w, res := post(t, h, "/api/ask", map[string]string{"query": "アプリ", "conversation": first.Conversation})
	if w.Code != http.StatusTooManyRequests || res.Error != "rate limited" || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("third message: %d %q Retry-After %q, want 429 after 2 s", w.Code, res.Error, w.Header().Get("Retry-After"))
	}
	slow := testBot(t).Engine().Content.Messages.SlowDown
	if res.Message != slow.In("ja") || res.Conversation != first.Conversation {
		t.Errorf("429 says %q in %q, want the Japanese SlowDown message", res.Message, res.Conversation)
	}
	_, res = post(t, h, "/api/ask", map[string]string{"query": "Is my card safe?", "conversation": first.Conversation})
	if res.Message != slow.In("en") {
		t.Errorf("429 to an English question says %q, want the English SlowDown message", res.Message)
	}

	// A new conversation from the same address has two messages left under the address limit
	// (four in all, two of them refused above did not count against it), then none.
	ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	w, _ = post(t, h, "/api/ask", map[string]string{"query": "パスワードを変更したい"})
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("dropping the conversation id escaped the address limit: %d", w.Code)
	}
	w, _ = post(t, h, "/api/feedback", map[string]any{"entry": "leak-count", "helpful": true})
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("feedback past the limit: %d, want 429", w.Code)
	}
	// Another address is not limited.
	req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(`{"query":"パスワードを変更したい"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "198.51.100.7:4242"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("another address: %d, want 200", rec.Code)
	}
	if s := h.Stats(); s.Limited != 4 {
		t.Errorf("%d requests limited, want 4", s.Limited)
	}
}

func TestRateLimitKeys(t *testing.T) {
	var keys []string
	h := newHandler(t, Config{
		Limiter:     fakeLimiter{func(k string) (bool, error) { keys = append(keys, k); return true, nil }},
		AddrLimiter: fakeLimiter{func(k string) (bool, error) { keys = append(keys, k); return false, errStoreDown }},
		ClientAddr:  func(r *http.Request) string { return r.Header.Get("X-Test-Client") },
	})
	req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(`{"query":"PC","conversation":"AAAAAAAAAAAAAAAAAAAAAA"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Client", "203.0.113.9")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Errorf("a limiter that cannot decide refused: %d", w.Code)
	}
	if diff := cmp.Diff([]string{"web:c:AAAAAAAAAAAAAAAAAAAAAA", "web:ip:203.0.113.9"}, keys); diff != "" {
		t.Errorf("limiter keys (-want +got):\n%s", diff)
	}
}

func TestFeedback(t *testing.T) {
	fb := memstore.NewFeedback()
	h := newHandler(t, Config{Feedback: fb})
	for _, v := range []map[string]any{
		{"entry": "leak-count", "helpful": true, "lang": "en"},
		{"entry": "leak-count", "helpful": false},
		{"entry": "leak-count", "helpful": true, "conversation": "AAAAAAAAAAAAAAAAAAAAAA"},
	} {
		w, res := post(t, h, "/api/feedback", v)
		if w.Code != http.StatusOK || res.Message == "" {
			t.Errorf("feedback %v: %d %q", v, w.Code, res.Message)
		}
	}
	if yes, no := fb.Counts("leak-count"); yes != 2 || no != 1 {
		t.Errorf("recorded %d yes and %d no, want 2 and 1", yes, no)
	}
	_, res := post(t, h, "/api/feedback", map[string]any{"entry": "leak-count", "helpful": true, "lang": "en"})
	if res.Message != "Thank you for your feedback." {
		t.Errorf("thanks %q", res.Message)
	}
}

func TestWelcome(t *testing.T) {
	h := newHandlerOver(t, shippedBot(t), Config{})
	for _, lang := range []string{"ja", "en"} {
		w, res := call(t, h, "GET", "/api/welcome?lang="+lang, "", "")
		if w.Code != 200 || res.Lang != lang || len(res.Choices) != bot.WelcomeChoices || res.Body == "" {
			t.Errorf("welcome in %s: %d, lang %s, %d choices, body %q", lang, w.Code, res.Lang, len(res.Choices), res.Body)
		}
	}
	// The most answered entries come first.
	ask(t, h, map[string]string{"query": "How many records were leaked?"})
	_, res := call(t, h, "GET", "/api/welcome", "", "")
	if res.Lang != "ja" || len(res.Choices) == 0 || res.Choices[0].EntryID != "leak-count" {
		t.Errorf("welcome offers %+v first, want leak-count", res.Choices)
	}
}

func TestObserverAndStore(t *testing.T) {
	obs := &fakeObserver{}
	h := newHandler(t, Config{Observer: obs, Store: failingStore{},
		Limiter: memstore.NewLimiter(time.Hour, 2, nil)})
	res := ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	if res.Action != nlu.AskBack {
		t.Errorf("with the store down: %s, want the ask-back all the same", res.Action)
	}
	ask(t, h, map[string]string{"choice": "change-password-pc", "conversation": res.Conversation})
	post(t, h, "/api/ask", map[string]string{"query": "PC", "conversation": res.Conversation})
	want := []string{"web ask_back change-password (ja)", "web answer change-password-pc (ja)", "web refused rate_limited"}
	if diff := cmp.Diff(want, obs.replies); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
	if s := h.Stats(); s.Answered != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestPage(t *testing.T) {
	h := newHandler(t, Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("POST /line/webhook", func(http.ResponseWriter, *http.Request) {})
	h.Register(mux) // beside the routes of faqbot serve, without a conflict
	for _, tc := range []struct {
		path, ctype string
		status      int
	}{
		{"/", "text/html; charset=utf-8", 200},
		{"/static/app.js", "text/javascript; charset=utf-8", 200},
		{"/static/style.css", "text/css; charset=utf-8", 200},
		{"/static/icon.svg", "image/svg+xml", 200},
		{"/static/missing.js", "", 404},
		{"/elsewhere", "", 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if tc.status != 200 {
				return
			}
			hd := w.Header()
			if hd.Get("Content-Type") != tc.ctype {
				t.Errorf("content type %q, want %q", hd.Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(hd.Get("Content-Security-Policy"), "default-src 'self'") ||
				hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("X-Frame-Options") != "DENY" {
				t.Errorf("security headers missing: %v", hd)
			}
		})
	}
}

// TestStaticFiles checks the embedded files: nothing loaded from elsewhere, and no server text
// ever parsed as markup.
func TestStaticFiles(t *testing.T) {
	external := regexp.MustCompile(`(src|href)=["']?(https?:)?//|@import|url\(\s*["']?(https?:)?//`)
	for _, name := range []string{"index.html", "app.js", "style.css", "icon.svg"} {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if m := external.Find(b); m != nil {
			t.Errorf("%s loads from elsewhere: %s", name, m)
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "style=\""} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
	}
	page, _ := static.ReadFile("static/index.html")
	for _, want := range []string{`<meta name="viewport"`, `role="log"`, `aria-live="polite"`, `<label for="q"`, `lang="ja"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}

func TestServeOverHTTP(t *testing.T) {
	h := newHandler(t, Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Post(srv.URL+"/api/ask", "application/json", strings.NewReader(`{"query":"パスワードを変更したい"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var got response
	if err := json.Unmarshal(b, &got); err != nil || res.StatusCode != 200 || got.Entry != "change-password" {
		t.Errorf("over HTTP: %d %v %s", res.StatusCode, err, b)
	}
	// A body larger than the limit, announced or not, is refused.
	big := `{"query":"` + strings.Repeat("x", defaultMaxBody) + `"}`
	res2, err := http.Post(srv.URL+"/api/ask", "application/json", io.MultiReader(strings.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: %d, want 413", res2.StatusCode)
	}
}

// A question longer than the bot reads is answered with the content's TooLong message, in the
// question's language, and nothing of it comes back.
func TestTooLongQuestion(t *testing.T) {
	h := newHandler(t, Config{})
	for _, tc := range []struct {
		query string
		lang  faq.Lang
	}{
		{strings.Repeat("電話は090-1234-5678です。", 200), faq.Japanese},
		{strings.Repeat("my phone is 090-1234-5678. ", 100), faq.English},
	} {
		body, _ := json.Marshal(map[string]string{"query": tc.query})
		req := httptest.NewRequest("POST", "/api/ask", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%d characters: %d %s", len([]rune(tc.query)), rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "090") {
			t.Errorf("the answer echoes the question: %s", rec.Body)
		}
		var res struct {
			Query, Answer, Reason, Lang string
		}
		json.Unmarshal(rec.Body.Bytes(), &res)
		c, _ := faq.LoadEmbedded()
		want := strings.ReplaceAll(c.Messages.TooLong.In(tc.lang), "{max}", "2,000")
		if res.Answer != want || res.Reason != "too_long" || res.Query != "" || res.Lang != string(tc.lang) {
			t.Errorf("answer %+v, want %q (too_long, %s) and no query", res, want, tc.lang)
		}
	}
}
