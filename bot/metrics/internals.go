package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/faqbot/faqbot/bot/record"
)

// SharedState is what the metrics read of the health of the state shared in Redis
// (failover.Health).
type SharedState interface {
	Degraded() bool
	Outages() int64
	Fallbacks() map[string]int64
}

// sharedStateComponents are the components whose calls SharedState counts when they are
// answered without Redis; each is exported from the start, at 0.
var sharedStateComponents = []string{"admit", "dedupe", "state", "announce", "heartbeat", "replicas"}

// SharedState exports h, read at every scrape: faqbot_shared_state_degraded,
// faqbot_shared_state_outages_total and faqbot_shared_state_fallbacks_total{component}. Call it
// once per Metrics.
func (m *Metrics) SharedState(h SharedState) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "faqbot_shared_state_degraded",
		Help: "1 while Redis is out of reach and this replica answers with per-process state, else 0.",
	}, func() float64 {
		if h.Degraded() {
			return 1
		}
		return 0
	}))
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "faqbot_shared_state_outages_total",
		Help: "Times Redis went out of reach.",
	}, func() float64 { return float64(h.Outages()) }))
	for _, c := range sharedStateComponents {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "faqbot_shared_state_fallbacks_total",
			Help:        "Calls answered without Redis (per-process state, or skipped), by component.",
			ConstLabels: prometheus.Labels{"component": c},
		}, func() float64 { return float64(h.Fallbacks()[c]) }))
	}
}

// Recorder is what the metrics read of the recorder of the events editors read
// (record.Recorder).
type Recorder interface {
	Stats() record.RecorderStats
}

// Recorder exports r's counters, read at every scrape: faqbot_events_recorded_total,
// faqbot_events_dropped_total and faqbot_events_write_failures_total. Call it once per Metrics.
func (m *Metrics) Recorder(r Recorder) {
	for _, c := range []struct {
		name, help string
		f          func(record.RecorderStats) int64
	}{
		{"faqbot_events_recorded_total", "Events for editors (feedback, unanswered, hand-offs) written.", func(s record.RecorderStats) int64 { return s.Recorded }},
		{"faqbot_events_dropped_total", "Events for editors lost: buffer full, or too many waiting for the store.", func(s record.RecorderStats) int64 { return s.Dropped }},
		{"faqbot_events_write_failures_total", "Failed writes of events for editors (retried).", func(s record.RecorderStats) int64 { return s.Failures }},
	} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help},
			func() float64 { return float64(c.f(r.Stats())) }))
	}
}
