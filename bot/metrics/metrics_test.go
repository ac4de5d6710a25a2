package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/nlu"
)

func TestMetrics(t *testing.T) {
	m := New()
	m.Replied("line", bot.Reply{Decision: nlu.Decision{Action: nlu.Answer}}, 2*time.Millisecond)
	m.Replied("line", bot.Reply{Handoff: true, Decision: nlu.Decision{Action: nlu.Handoff}}, time.Millisecond)
	m.Replied("slack", bot.Reply{Decision: nlu.Decision{Action: nlu.DontKnow}}, time.Millisecond)
	m.Replied("web", bot.Reply{Decision: nlu.Decision{Action: nlu.DontKnow, Greeting: true}}, time.Millisecond)
	m.Refused("web", "rate_limited")
	m.Reindexed(bot.ReloadResult{Version: "abc", Entries: 12, Changed: true}, nil)
	m.Reindexed(bot.ReloadResult{}, errors.New("entries/x.yaml:3: bad"))
	depth := 7
	m.QueueDepth("line", func() int { return depth })

	for _, c := range []struct {
		got  float64
		want float64
		what string
	}{
		{testutil.ToFloat64(m.requests.WithLabelValues("line", "answer")), 1, "line answers"},
		{testutil.ToFloat64(m.requests.WithLabelValues("web", "rate_limited")), 1, "web rate limited"},
		{testutil.ToFloat64(m.handoffs.WithLabelValues("line")), 1, "line hand-offs"},
		{testutil.ToFloat64(m.unanswered.WithLabelValues("slack")), 1, "slack unanswered"},
		{testutil.ToFloat64(m.unanswered.WithLabelValues("web")), 0, "web unanswered (a greeting is not unanswered)"},
		{testutil.ToFloat64(m.reindex.WithLabelValues("ok")), 1, "reindexes ok"},
		{testutil.ToFloat64(m.reindex.WithLabelValues("failed")), 1, "reindexes failed"},
		{testutil.ToFloat64(m.content.WithLabelValues("abc", "12")), 1, "content served"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{
		`faqbot_queue_depth{platform="line"} 7`,
		`faqbot_decision_seconds_count{platform="line"} 2`,
		`faqbot_reindex_total{result="unchanged"} 0`,
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
