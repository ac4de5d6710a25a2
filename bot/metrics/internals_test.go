package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faqbot/faqbot/bot/record"
)

// fakeHealth is a SharedState whose answers the test sets.
type fakeHealth struct {
	degraded  bool
	outages   int64
	fallbacks map[string]int64
}

func (h *fakeHealth) Degraded() bool              { return h.degraded }
func (h *fakeHealth) Outages() int64              { return h.outages }
func (h *fakeHealth) Fallbacks() map[string]int64 { return h.fallbacks }

type fakeRecorder struct{ stats record.RecorderStats }

func (r *fakeRecorder) Stats() record.RecorderStats { return r.stats }

// scrape returns what /metrics serves.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	return string(body)
}

// The shared state's health and the recorder's counters are read at every scrape; every
// fallback component shows from the start.
func TestInternals(t *testing.T) {
	m := New()
	h := &fakeHealth{fallbacks: map[string]int64{}}
	r := &fakeRecorder{}
	m.SharedState(h)
	m.Recorder(r)
	body := scrape(t, m)
	for _, want := range []string{
		"faqbot_shared_state_degraded 0", "faqbot_shared_state_outages_total 0",
		`faqbot_shared_state_fallbacks_total{component="admit"} 0`, `faqbot_shared_state_fallbacks_total{component="replicas"} 0`,
		"faqbot_events_recorded_total 0", "faqbot_events_dropped_total 0", "faqbot_events_write_failures_total 0",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	h.degraded, h.outages, h.fallbacks["dedupe"] = true, 2, 5
	r.stats = record.RecorderStats{Recorded: 7, Dropped: 1, Failures: 3}
	body = scrape(t, m)
	for _, want := range []string{
		"faqbot_shared_state_degraded 1", "faqbot_shared_state_outages_total 2",
		`faqbot_shared_state_fallbacks_total{component="dedupe"} 5`,
		"faqbot_events_recorded_total 7", "faqbot_events_dropped_total 1", "faqbot_events_write_failures_total 3",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q after a change:\n%s", want, body)
		}
	}
}
