package record_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/nlu"
)

// memSink is a Sink in memory that fails while fail is set, and blocks while hold is set.
type memSink struct {
	mu     sync.Mutex
	events []record.Event
	writes int
	fail   bool
	hold   chan struct{}
}

func (m *memSink) Append(ctx context.Context, evs []record.Event) error {
	m.mu.Lock()
	hold := m.hold
	m.mu.Unlock()
	if hold != nil {
		<-hold
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("store away")
	}
	m.events = append(m.events, evs...)
	m.writes++
	return nil
}

func (m *memSink) set(f func(m *memSink)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m)
}

func (m *memSink) got() []record.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]record.Event(nil), m.events...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

var at = time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)

func TestRecorder(t *testing.T) {
	sink := &memSink{}
	r := record.NewRecorder(record.RecorderConfig{Sink: sink, Now: func() time.Time { return at }})
	entry := &faq.Entry{ID: "identity"}
	r.Replied("line", bot.Reply{Decision: nlu.Decision{Action: nlu.Answer, Entry: entry}}, time.Millisecond)
	r.Replied("line", bot.Reply{Decision: nlu.Decision{Action: nlu.DontKnow, Greeting: true, Masked: "こんにちは"}}, 0)
	r.Replied("line", bot.Reply{Lang: "ja", Decision: nlu.Decision{Action: nlu.DontKnow, Masked: "電話番号は<phone>"}}, 0)
	r.Replied("web", bot.Reply{Handoff: true, Lang: "en", Decision: nlu.Decision{Action: nlu.Handoff, Entry: entry, Reason: "asked for a person"}}, 0)
	r.Replied("slack", bot.Reply{Handoff: true, Decision: nlu.Decision{Action: nlu.Handoff, Reason: "identity-specific question"}}, 0)
	r.Refused("line", "busy")
	r.Record(context.Background(), bot.Feedback{EntryID: "my-number", Helpful: false, Question: "番号は<phone>で 合ってる"})
	r.Record(context.Background(), bot.Feedback{EntryID: "my-number", Question: strings.Repeat("長", bot.MaxQuestion+50)})
	r.Replied("web", bot.Reply{Lang: "ja", Decision: nlu.Decision{Action: nlu.AskBack, Entry: &faq.Entry{ID: "change-password"}}}, 0)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []record.Event{
		{Kind: record.Answered, At: at, Platform: "line", Entry: "identity"},
		{Kind: record.Unanswered, At: at, Platform: "line", Lang: "ja", Text: "電話番号は<phone>"},
		{Kind: record.Handoff, At: at, Platform: "web", Lang: "en", Entry: "identity", Reason: "asked for a person"},
		{Kind: record.Handoff, At: at, Platform: "slack", Reason: "identity-specific question"},
		{Kind: record.Feedback, At: at, Entry: "my-number", Text: "番号は<phone>で 合ってる"},
		{Kind: record.Feedback, At: at, Entry: "my-number", Text: strings.Repeat("長", bot.MaxQuestion)}, // cut
		{Kind: record.AskedBack, At: at, Platform: "web", Lang: "ja", Entry: "change-password"},
	}
	if d := cmp.Diff(want, sink.got()); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if s := r.Stats(); s.Recorded != 7 || s.Dropped != 0 {
		t.Errorf("stats = %+v", s)
	}
	r.Record(context.Background(), bot.Feedback{EntryID: "x", Helpful: true}) // after Close: dropped, no panic
	if s := r.Stats(); s.Dropped != 1 {
		t.Errorf("after close: stats = %+v", s)
	}
}

// A full buffer drops events rather than blocking the answers.
func TestRecorderNeverBlocks(t *testing.T) {
	hold := make(chan struct{})
	sink := &memSink{hold: hold}
	r := record.NewRecorder(record.RecorderConfig{Sink: sink, Buffer: 4})
	start := time.Now()
	for range 1000 {
		r.Record(context.Background(), bot.Feedback{EntryID: "e", Helpful: true})
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("1000 records took %v", took)
	}
	if s := r.Stats(); s.Dropped == 0 {
		t.Errorf("nothing dropped with a blocked store: %+v", s)
	}
	sink.set(func(m *memSink) { m.hold = nil })
	close(hold)
	r.Close(context.Background())
	s := r.Stats()
	if s.Recorded+s.Dropped != 1000 {
		t.Errorf("recorded %d + dropped %d, want 1000", s.Recorded, s.Dropped)
	}
}

// While the store fails, events wait in memory; they are written once it works again, and the
// failure and the recovery are logged once each.
func TestRecorderRetries(t *testing.T) {
	sink := &memSink{fail: true}
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	r := record.NewRecorder(record.RecorderConfig{Sink: sink, Logger: log, Pending: 100})
	for range 150 {
		r.Record(context.Background(), bot.Feedback{EntryID: "e", Helpful: true})
		time.Sleep(100 * time.Microsecond)
	}
	waitFor(t, "a failure", func() bool { return r.Stats().Failing })
	sink.set(func(m *memSink) { m.fail = false })
	waitFor(t, "the retry", func() bool { return !r.Stats().Failing && r.Stats().Recorded > 0 })
	r.Close(context.Background())
	s := r.Stats()
	if s.Recorded+s.Dropped != 150 || s.Recorded < 100 {
		t.Errorf("stats = %+v; want at least 100 (the pending cap) written, and every event counted", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "recording events failed"); n != 1 {
		t.Errorf("failure logged %d times:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "recording events works again"); n != 1 {
		t.Errorf("recovery logged %d times:\n%s", n, logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func testAnalyzer(t *testing.T) *analysis.Analyzer {
	t.Helper()
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return c.Analyzer()
}

func TestGroup(t *testing.T) {
	an := testAnalyzer(t)
	qs := []string{
		"ポイントはいつ付与されますか", "ポイントはいつ付与されますか", "ポイントはいつ付与されますか？", "ポイントは いつ 付与 されますか",
		"ポイントはいつ付与されるの", "ﾎﾟｲﾝﾄはいつ付与されますか",
		"FXの取引時間を教えて", "FX の取引時間を教えてください",
		"When will I get the points?", "when will i get the points",
		"電話番号は<phone>です",
	}
	got := record.Group(qs, an)
	var counts []int
	for _, c := range got {
		counts = append(counts, c.Count)
	}
	if d := cmp.Diff([]int{6, 2, 2, 1}, counts); d != "" {
		for _, c := range got {
			t.Logf("%d %q %v", c.Count, c.Question, c.Variants)
		}
		t.Errorf("cluster sizes (-want +got):\n%s", d)
	}
	if got[0].Question != "ポイントはいつ付与されますか" {
		t.Errorf("top cluster shown as %q, want its most frequent wording", got[0].Question)
	}
}

func TestSummarize(t *testing.T) {
	an := testAnalyzer(t)
	ev := func(k record.Kind, entry string, helpful bool, text, reason string) record.Event {
		return record.Event{Kind: k, At: at, Entry: entry, Helpful: helpful, Text: text, Reason: reason}
	}
	var evs []record.Event
	for range 3 {
		evs = append(evs, ev(record.Feedback, "bad", false, "", ""))
	}
	evs = append(evs, ev(record.Feedback, "bad", true, "", ""),
		ev(record.Feedback, "once", false, "", ""),
		ev(record.Feedback, "good", true, "", ""), ev(record.Feedback, "good", true, "", ""),
		ev(record.Feedback, "mixed", false, "", ""), ev(record.Feedback, "mixed", true, "", ""), ev(record.Feedback, "mixed", true, "", ""),
		ev(record.Handoff, "identity", false, "", "asked for a person"),
		ev(record.Handoff, "identity", false, "", "asked for a person"),
		ev(record.Handoff, "", false, "", "identity-specific question"),
		ev(record.Unanswered, "", false, "ポイントはいつ付与されますか", ""),
		ev(record.Unanswered, "", false, "ポイントはいつ付与されますか？", ""),
		ev(record.Unanswered, "", false, "FXの取引時間を教えて", ""),
	)
	s := record.Summarize(evs, an, at.Add(-time.Hour), at, 2)
	var worst []string
	for _, f := range s.WorstFeedback {
		worst = append(worst, f.Entry)
	}
	if d := cmp.Diff([]string{"once", "bad"}, worst); d != "" {
		t.Errorf("worst feedback, top 2 (-want +got):\n%s", d)
	}
	if s.FeedbackTotal != 10 || s.HandoffTotal != 3 || s.UnansweredTotal != 3 {
		t.Errorf("totals = %d feedback, %d hand-offs, %d unanswered", s.FeedbackTotal, s.HandoffTotal, s.UnansweredTotal)
	}
	want := []record.HandoffCount{{Entry: "identity", Count: 2}, {Reason: "identity-specific question", Count: 1}}
	if d := cmp.Diff(want, s.Handoffs); d != "" {
		t.Errorf("hand-offs (-want +got):\n%s", d)
	}
	if len(s.Unanswered) != 2 || s.Unanswered[0].Count != 2 {
		t.Errorf("unanswered = %+v", s.Unanswered)
	}
}

func TestRecorderLingers(t *testing.T) {
	sink := &memSink{}
	r := record.NewRecorder(record.RecorderConfig{Sink: sink, Linger: time.Hour})
	for i := range 10 {
		r.Record(context.Background(), bot.Feedback{EntryID: fmt.Sprint("entry-", i), Helpful: i%2 == 0})
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(sink.got()); n != 0 {
		t.Errorf("%d events written before the linger ended", n)
	}
	if err := r.Close(context.Background()); err != nil { // Close writes what lingers
		t.Fatal(err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.events) != 10 || sink.writes != 1 {
		t.Errorf("%d events in %d writes, want 10 in 1", len(sink.events), sink.writes)
	}
}
