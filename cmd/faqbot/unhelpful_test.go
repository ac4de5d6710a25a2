package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// TestUnhelpfulAnswersInConsole: users of the web chat rate an answer "not helpful", by the
// button and by typing "no"; the editors' report (GET /admin/api/report) and its page list
// the masked question the answer was given to, with the entry and the count — with the
// journal and with Redis. The phone number typed is stored nowhere in the report.
func TestUnhelpfulAnswersInConsole(t *testing.T) {
	const token = "unhelpful-admin-token-0123456789"
	for _, store := range []string{"journal", "redis"} {
		t.Run(store, func(t *testing.T) {
			env := map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_ADMIN_TOKEN": token}
			if store == "redis" {
				srv := redistest.Start(t)
				env["FAQBOT_REDIS_URL"], env["FAQBOT_REDIS_PREFIX"] = srv.URL, "unhelpful-test:"
			} else {
				env["FAQBOT_DATA_DIR"] = t.TempDir()
			}
			base, _ := startServe(t, env)
			const phone = "090-1234-5678"
			const question = "How do I change my password from the app? My phone is " + phone
			post := func(path string, body any, v any) {
				t.Helper()
				b, _ := json.Marshal(body)
				res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("POST %s: %d", path, res.StatusCode)
				}
				json.NewDecoder(res.Body).Decode(v)
			}
			type reply struct {
				Conversation, Entry string
			}
			var a, b, thanks reply
			post("/api/ask", map[string]string{"query": question}, &a)
			if a.Entry == "" || a.Conversation == "" {
				t.Fatalf("answer %+v, want an entry and a conversation", a)
			}
			no := false
			post("/api/feedback", map[string]any{"conversation": a.Conversation, "entry": a.Entry, "helpful": &no, "lang": "en"}, &thanks)
			post("/api/ask", map[string]string{"query": question}, &b)
			post("/api/ask", map[string]string{"query": "no", "conversation": b.Conversation}, &thanks)

			var rep record.Report
			deadline := time.Now().Add(10 * time.Second)
			for {
				req, _ := http.NewRequest("GET", base+"/admin/api/report?range=24h", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				rep = record.Report{}
				json.NewDecoder(res.Body).Decode(&rep)
				res.Body.Close()
				if rep.UnhelpfulTotal >= 2 || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if rep.UnhelpfulTotal != 2 || len(rep.Unhelpful) != 1 {
				t.Fatalf("report: %d unhelpful, %+v; want the two ratings in one row", rep.UnhelpfulTotal, rep.Unhelpful)
			}
			u := rep.Unhelpful[0]
			if u.Entry != a.Entry || u.Count != 2 || !strings.Contains(u.Question, "<phone>") || strings.Contains(u.Question, "1234") ||
				!strings.Contains(u.Question, "change my password") || u.FirstSeen.IsZero() {
				t.Errorf("unhelpful row %+v, want %s rated twice for the masked question", u, a.Entry)
			}

			c := signInConsole(t, base, token)
			code, page := c.send("GET", "/admin/?range=24h", nil)
			_, section, _ := strings.Cut(page, `id="h-unhelpful"`)
			if code != http.StatusOK || !strings.Contains(section, "&lt;phone&gt;") || !strings.Contains(section, ">"+a.Entry+"<") ||
				!strings.Contains(section, `aria-label="Inspect unhelpful:`) {
				t.Errorf("dashboard: %d, unhelpful section:\n%s", code, section)
			}
			if strings.Contains(page, phone) {
				t.Error("the dashboard shows the phone number typed")
			}
		})
	}
}
