package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAsk sends arbitrary bodies to /api/ask: whatever comes in, the answer is JSON and never a
// server error.
func FuzzAsk(f *testing.F) {
	for _, s := range []string{
		`{"query":"パスワードを変更したい"}`,
		`{"query":"PC","conversation":"AAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"choice":"change-password-pc","lang":"en"}`,
		`{"query":"マイナンバー 123456789018","lang":"ja"}`,
		`{"query":"\u0000\ud800"}`,
		`{"query":"` + strings.Repeat("漏", 600) + `"}`,
		`{"query":null,"choice":null}`,
		`[]`, `"x"`, `{`, ``,
	} {
		f.Add(s)
	}
	h := newHandler(f, Config{MaxBody: 4 << 10})
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("answer to %q is not a JSON object: %v", body, err)
		}
		if w.Code != http.StatusOK && v["error"] == nil {
			t.Fatalf("status %d without an error", w.Code)
		}
	})
}
