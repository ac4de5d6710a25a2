// Package metrics exports what faqbot does as Prometheus metrics: messages answered and refused
// per platform and outcome, how long answers take, hand-offs, unanswered questions, reindexes,
// and the adapters' queue depths; and the internals the server wires in: the health of the
// state shared in Redis and the recorder of the events editors read. It implements bot.Observer.
//
// Labels carry only platforms, outcomes and reasons — never message text, user ids or entry
// ids typed by a user — so that no personal data can reach the metrics.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faqbot/faqbot/bot"
)

// Metrics is a Prometheus registry with faqbot's metrics. It is safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	handoffs   *prometheus.CounterVec
	unanswered *prometheus.CounterVec
	reindex    *prometheus.CounterVec
	content    *prometheus.GaugeVec
}

// New returns Metrics registered in a new registry, with the Go runtime and process
// collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faqbot_requests_total",
			Help: "Messages handled, by platform and outcome (answer, ask_back, handoff, dont_know, rate_limited, busy, shutting_down).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "faqbot_decision_seconds",
			Help:    "Time the bot took to answer a message, by platform.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"platform"}),
		handoffs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faqbot_handoffs_total",
			Help: "Messages answered by sending the user to the customer desk, by platform.",
		}, []string{"platform"}),
		unanswered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faqbot_unanswered_total",
			Help: "Messages no entry answered (fallback or suggestions only), by platform.",
		}, []string{"platform"}),
		reindex: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faqbot_reindex_total",
			Help: "Reindexes, by result (ok, unchanged, failed).",
		}, []string{"result"}),
		content: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "faqbot_content_info",
			Help: "The content served: 1 for its version, with its number of entries.",
		}, []string{"version", "entries"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.handoffs, m.unanswered, m.reindex, m.content,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	for _, r := range []string{"ok", "unchanged", "failed"} {
		m.reindex.WithLabelValues(r) // present at 0 from the start
	}
	return m
}

// Replied counts one answer sent on platform.
func (m *Metrics) Replied(platform string, r bot.Reply, took time.Duration) {
	outcome := string(r.Decision.Action)
	m.requests.WithLabelValues(platform, outcome).Inc()
	m.latency.WithLabelValues(platform).Observe(took.Seconds())
	if r.Handoff {
		m.handoffs.WithLabelValues(platform).Inc()
	}
	if r.Decision.Action == "dont_know" && !r.Decision.Greeting {
		m.unanswered.WithLabelValues(platform).Inc()
	}
}

// Refused counts one message not answered on platform, for reason.
func (m *Metrics) Refused(platform, reason string) {
	m.requests.WithLabelValues(platform, reason).Inc()
}

// Reindexed counts one reindex and, when it succeeded, records the content now served.
func (m *Metrics) Reindexed(res bot.ReloadResult, err error) {
	switch {
	case err != nil:
		m.reindex.WithLabelValues("failed").Inc()
		return
	case res.Changed:
		m.reindex.WithLabelValues("ok").Inc()
	default:
		m.reindex.WithLabelValues("unchanged").Inc()
	}
	m.Serving(res.Version, res.Entries)
}

// Serving records the content version served.
func (m *Metrics) Serving(version string, entries int) {
	m.content.Reset()
	m.content.WithLabelValues(version, strconv.Itoa(entries)).Set(1)
}

// QueueDepth exports f, read at every scrape, as the queue depth of platform's adapter.
func (m *Metrics) QueueDepth(platform string, f func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "faqbot_queue_depth",
		Help:        "Messages waiting for a worker, by platform.",
		ConstLabels: prometheus.Labels{"platform": platform},
	}, func() float64 { return float64(f()) }))
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics are in, for tests and further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

var _ bot.Observer = (*Metrics)(nil)
