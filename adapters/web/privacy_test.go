package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/memstore"
)

// TestLogsHoldNoPersonalData sends personal data in every field of every endpoint, in valid and
// refused requests, and checks that none of it, nor the conversation ids or client addresses,
// reaches the logs.
func TestLogsHoldNoPersonalData(t *testing.T) {
	secrets := []string{
		"090-1234-5678", "09012345678", "03-5555-0199",
		"taro.yamada@example.co.jp", "hanako+fx@example.com",
		"123456789018", "1234 5678 9018",
		"口座番号 7654321", "7654321", "会員ID AB123456", "AB123456",
		"4111 1111 1111 1111", "4111111111111111",
		"山田太郎",
	}
	questions := []string{
		"私の電話番号 090-1234-5678 は漏れましたか",
		"09012345678 に不審な電話がありました",
		"連絡先は 03-5555-0199 です",
		"メールアドレス taro.yamada@example.co.jp に迷惑メールが来ます",
		"my email is hanako+fx@example.com, was it leaked?",
		"マイナンバー 123456789018 も漏れましたか",
		"マイナンバーは 1234 5678 9018 です",
		"口座番号 7654321 のパスワードを変更したい",
		"会員ID AB123456 でログインできません",
		"card 4111 1111 1111 1111 and 4111111111111111",
		"山田太郎です。住所は漏れましたか",
	}
	logger, logs := captureLogs()
	clock := time.Now
	h := newHandler(t, Config{
		Logger:      logger,
		Limiter:     memstore.NewLimiter(time.Hour, 8, clock),
		AddrLimiter: memstore.NewLimiter(time.Hour, 1000, clock),
	})
	const addr = "198.51.100.23"
	send := func(method, path, ctype, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.RemoteAddr = addr + ":51234"
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Errorf("%s %s: status %d", method, path, w.Code)
		}
		return w
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	var convs []string
	var answered int
	for _, q := range questions {
		w := send("POST", "/api/ask", "application/json", js(map[string]string{"query": q}))
		var res response
		json.Unmarshal(w.Body.Bytes(), &res)
		if w.Code == http.StatusOK {
			answered++
			convs = append(convs, res.Conversation)
			for _, s := range secrets[:len(secrets)-1] { // names are not masked, only kept out of logs
				if strings.Contains(res.Query, s) {
					t.Errorf("the answer's query %q holds %q unmasked", res.Query, s)
				}
			}
		}
		// Then the same conversation goes on until it is rate-limited.
		for range 9 {
			send("POST", "/api/ask", "application/json", js(map[string]string{"query": q, "conversation": res.Conversation}))
		}
		send("POST", "/api/ask", "application/json", js(map[string]string{"choice": q}))
		send("POST", "/api/ask", "application/json", js(map[string]string{"query": "x", "lang": q}))
		send("POST", "/api/ask", "application/json", js(map[string]string{"query": "x", "conversation": q}))
		send("POST", "/api/ask", "application/json", `{"query":"`+q)
		send("POST", "/api/ask", "text/plain", q)
		send("POST", "/api/ask", "application/json", js(map[string]string{"query": strings.Repeat(q, 20)}))
		send("PUT", "/api/ask?q="+strings.ReplaceAll(q, " ", "+"), "", q)
		send("POST", "/api/feedback", "application/json", js(map[string]any{"entry": q, "helpful": true}))
		send("POST", "/api/feedback", "application/json", js(map[string]any{"entry": "leak-count", "helpful": q}))
		send("GET", "/api/welcome?lang="+strings.ReplaceAll(q, " ", "+"), "", "")
	}
	if answered != len(questions) {
		t.Fatalf("%d of %d questions answered", answered, len(questions))
	}
	// The logs without their time stamps, whose digits would be mistaken for personal data.
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		delete(rec, "time")
		l, _ := json.Marshal(rec)
		b.Write(append(l, '\n'))
	}
	out := b.String()
	if !strings.Contains(out, `"msg":"answered"`) || !strings.Contains(out, `"msg":"rate limited"`) ||
		!strings.Contains(out, `"msg":"rejected request"`) {
		t.Fatalf("the logs lack answers, refusals or limits:\n%s", out)
	}
	for _, s := range append(secrets, addr) {
		if strings.Contains(out, s) {
			t.Errorf("the logs hold %q", s)
		}
	}
	for _, c := range convs {
		if strings.Contains(out, c) {
			t.Errorf("the logs hold conversation id %q", c)
		}
	}
	// No run of 7 or more digits at all: no phone, account, card or My Number, however spaced.
	if m := regexp.MustCompile(`\d[\d\s-]{5,}\d`).FindString(out); m != "" {
		t.Errorf("the logs hold the digits %q", m)
	}
	// What the logs do say about personal data: its kinds.
	var kinds []string
	for line := range strings.SplitSeq(out, "\n") {
		var rec struct {
			Msg string   `json:"msg"`
			PII []string `json:"pii"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "answered" {
			for _, k := range rec.PII {
				if !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
	}
	slices.Sort(kinds)
	for _, want := range []string{"email", "mynumber", "phone"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("the logs name the kinds %v, want %s among them", kinds, want)
		}
	}
}
