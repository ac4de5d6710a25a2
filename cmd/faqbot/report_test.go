package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// reportJSON is the part of "faqbot report --json" the tests read.
type reportJSON struct {
	From       string `json:"from"`
	Unanswered []struct {
		Question string `json:"question"`
		Count    int    `json:"count"`
	} `json:"unanswered"`
	UnansweredTotal int `json:"unanswered_total"`
	WorstFeedback   []struct {
		Entry      string `json:"entry"`
		NotHelpful int    `json:"not_helpful"`
	} `json:"worst_feedback"`
	Handoffs []struct {
		Entry  string `json:"entry"`
		Reason string `json:"reason"`
		Count  int    `json:"count"`
	} `json:"handoffs"`
	HandoffTotal int `json:"handoff_total"`
}

func runReport(t *testing.T, args ...string) (reportJSON, error) {
	t.Helper()
	out, errOut, err := runCmd(t, "", append([]string{"report", "--json"}, args...)...)
	var r reportJSON
	if err == nil {
		if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
			t.Fatalf("report --json printed %q: %v", out, jerr)
		}
	} else {
		err = errors.Join(err, errors.New(errOut))
	}
	return r, err
}

func postJSON(t *testing.T, url string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	res, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", url, res.StatusCode)
	}
}

// Without Redis, serve keeps feedback, unanswered questions and hand-offs in the journal of its
// data directory, and "faqbot report" reads it while serve runs.
func TestReportFromServeJournal(t *testing.T) {
	data := t.TempDir()
	base, _ := startServe(t, map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": data})
	for _, q := range []string{"宇宙人は存在しますか", "宇宙人は存在しますか？", "宇宙人って存在するの", "好きな食べ物は何ですか",
		"担当者と話したい", "私の電話番号は090-1234-5678です。この番号も漏れましたか"} {
		postJSON(t, base+"/api/ask", map[string]string{"query": q, "conversation": "report-test-conversation"})
	}
	postJSON(t, base+"/api/feedback", map[string]any{"conversation": "report-test-conversation", "entry": "my-number", "helpful": false})
	postJSON(t, base+"/api/feedback", map[string]any{"conversation": "report-test-conversation", "entry": "my-number", "helpful": true})

	var r reportJSON
	waitUntil(t, "the report shows the events", func() bool {
		var err error
		r, err = runReport(t, "--data", data, "--since", "1h")
		if err != nil {
			t.Fatal(err)
		}
		return r.UnansweredTotal >= 4 && len(r.WorstFeedback) == 1 && r.HandoffTotal >= 2
	})

	if len(r.Unanswered) == 0 || r.Unanswered[0].Count < 3 || !strings.Contains(r.Unanswered[0].Question, "宇宙人") {
		t.Errorf("the variants of one question were not counted together: %+v", r.Unanswered)
	}
	if b, err := os.ReadFile(filepath.Join(data, "journal.db")); err != nil || bytes.Contains(b, []byte("090-1234-5678")) {
		t.Errorf("the journal holds personal data (or is unreadable: %v)", err)
	}
	if r.WorstFeedback[0].Entry != "my-number" || r.WorstFeedback[0].NotHelpful != 1 {
		t.Errorf("worst feedback = %+v", r.WorstFeedback)
	}
	if !strings.HasSuffix(r.From, "journal.db") {
		t.Errorf("from %q", r.From)
	}
}

func TestReportFromRedis(t *testing.T) {
	srv := redistest.Start(t)
	rs, err := redisstore.Open(srv.URL, redisstore.Options{Prefix: "rep:"})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	now := time.Now()
	evs := []record.Event{
		{Kind: record.Unanswered, At: now.Add(-time.Hour), Platform: "line", Text: "ポイントはいつ付与されますか"},
		{Kind: record.Unanswered, At: now.Add(-time.Minute), Platform: "slack", Text: "ポイントはいつ付与されるの"},
		{Kind: record.Unanswered, At: now.Add(-time.Minute), Platform: "web", Text: "FXの取引時間を教えて"},
		{Kind: record.Unanswered, At: now.Add(-30 * 24 * time.Hour), Platform: "web", Text: "too old"},
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "leak-count", Helpful: false},
		{Kind: record.Handoff, At: now.Add(-time.Minute), Platform: "line", Entry: "identity-check"},
		{Kind: record.Handoff, At: now.Add(-time.Minute), Platform: "line", Reason: "identity-specific question"},
		{Kind: record.Handoff, At: now.Add(-time.Minute), Platform: "web", Entry: "identity-check"},
	}
	if err := rs.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	r, err := runReport(t, "--redis", srv.URL, "--redis-prefix", "rep:", "--top", "1")
	if err != nil {
		t.Fatal(err)
	}
	if r.UnansweredTotal != 3 || len(r.Unanswered) != 1 || r.Unanswered[0].Count != 2 {
		t.Errorf("unanswered: %d in all, top %+v; want 3, and the two wordings of one question first", r.UnansweredTotal, r.Unanswered)
	}
	if r.HandoffTotal != 3 || len(r.Handoffs) != 1 || r.Handoffs[0].Entry != "identity-check" || r.Handoffs[0].Count != 2 {
		t.Errorf("hand-offs: %d, %+v", r.HandoffTotal, r.Handoffs)
	}

	out, _, err := runCmd(t, "", "report", "--redis", srv.URL, "--redis-prefix", "rep:", "--since", "24h")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Unanswered questions: 3", "ポイントはいつ付与されますか", "ポイントはいつ付与されるの",
		"Worst feedback: 1", "leak-count", "Hand-offs to the desk: 3", "(no entry: identity-specific question)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

func TestReportErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--data", t.TempDir()}, "no journal in"},
		{[]string{"report"}, "give --redis URL or --data DIR"},
		{[]string{"report", "--since", "-1h", "--data", "x"}, "Usage: faqbot report"},
		{[]string{"report", "--redis", "redis://:pw@bad:port:x"}, "invalid URL"},
	} {
		_, errOut, err := runCmd(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error()+errOut, tc.want) {
			t.Errorf("%v: err = %v, stderr %q; want %q", tc.args, err, errOut, tc.want)
		}
		if strings.Contains(err.Error()+errOut, ":pw@") {
			t.Errorf("%v: the password is printed", tc.args)
		}
	}
}
