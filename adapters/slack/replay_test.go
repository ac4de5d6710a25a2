package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// TestReplayedRequestsAnsweredOnce: a /faq command, "/faq reindex" and a button click, each
// sent again byte for byte with its signature (a replay within the five minutes the signature
// is valid, or a proxy's retry), are acknowledged each time and answered once.
func TestReplayedRequestsAnsweredOnce(t *testing.T) {
	var reindexes atomic.Int64
	h := newHarness(t, func(c *Config) {
		c.Editors = []string{"U0EDITOR01"}
		c.Reindex = func(context.Context) (string, error) { reindexes.Add(1); return "done", nil }
	})
	twice := func(path string, body []byte) {
		t.Helper()
		ts := time.Now().Unix()
		for range 2 {
			w := httptest.NewRecorder()
			h.mux.ServeHTTP(w, platformtest.SlackRequest(path, body, testSecret, ts))
			if w.Code != http.StatusOK {
				t.Fatalf("%s answered %d, want 200", path, w.Code)
			}
		}
	}
	h.event(t, mention("Ev0REPLAY001", "U0ASKER001", "C0SUPPORT1", "1717462800.000900", "パスワードを変更したい"))
	platformtest.WaitFor(t, "the ask-back", func() bool { return len(h.api.Accepted(pathPost)) == 1 })
	askBack := h.api.Accepted(pathPost)[0]

	twice(CommandsPath, commandForm("U0ASKER002", "How many records were leaked?", h.api.ResponseURL(101)))
	twice(CommandsPath, commandForm("U0EDITOR01", "reindex", h.api.ResponseURL(102)))
	twice(InteractionsPath, interactionForm("U0ASKER001", askBack, askBack.Button(t, "entry|change-password-app|"), h.api.ResponseURL(103)))
	h.drain(t)

	if n := len(h.api.Accepted(pathRespond)); n != 2 {
		t.Errorf("%d posts to response URLs, want 2 (the command's answer, the reindex's result)", n)
	}
	if n := reindexes.Load(); n != 1 {
		t.Errorf("%d reindexes, want 1", n)
	}
	if n := len(h.api.Accepted(pathPost)); n != 2 {
		t.Errorf("%d channel posts, want 2 (the ask-back, the follow-up clicked)", n)
	}
	if s := h.a.Stats(); s.Duplicates != 3 {
		t.Errorf("stats %+v, want 3 duplicates", s)
	}
}
