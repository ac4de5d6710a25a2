package record_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/record"
)

func TestBuildReport(t *testing.T) {
	an := testAnalyzer(t)
	until := time.Date(2024, 6, 4, 12, 0, 0, 0, bot.JST)
	since := until.Add(-7 * 24 * time.Hour)
	day1 := time.Date(2024, 6, 3, 9, 30, 0, 0, bot.JST)
	day2 := time.Date(2024, 6, 4, 8, 0, 0, 0, bot.JST)
	evs := []record.Event{
		{Kind: record.Answered, At: day1, Platform: "line", Entry: "leak-count"},
		{Kind: record.Answered, At: day1, Platform: "line", Entry: "leak-count"},
		{Kind: record.AskedBack, At: day1, Platform: "web", Entry: "change-password"},
		{Kind: record.Handoff, At: day2, Platform: "slack", Entry: "am-i-affected"},
		{Kind: record.Unanswered, At: day1, Platform: "web", Text: "ポイントはいつ付与されますか"},
		{Kind: record.Unanswered, At: day2, Platform: "line", Text: "ポイントはいつ付与されますか？"},
		{Kind: record.Answered, At: since.Add(-time.Hour), Platform: "line", Entry: "old"}, // outside
	}
	for i := range 10 {
		evs = append(evs, record.Event{Kind: record.Feedback, At: day2, Entry: "leak-count", Helpful: i < 8})
	}
	evs = append(evs, record.Event{Kind: record.Feedback, At: day2, Entry: "contact", Helpful: true})
	r := record.BuildReport(evs, an, since, until, 10)
	if r.Step != "day" || len(r.Buckets) != 8 {
		t.Fatalf("step %s, %d buckets; want day, 8 (7 days and the start of an eighth, Japan time)", r.Step, len(r.Buckets))
	}
	if d := cmp.Diff([]string{"line", "slack", "web"}, r.Platforms); d != "" {
		t.Errorf("platforms (-want +got):\n%s", d)
	}
	b := r.Buckets[len(r.Buckets)-2] // June 3
	if !b.Start.Equal(time.Date(2024, 6, 3, 0, 0, 0, 0, bot.JST)) {
		t.Fatalf("bucket start %s", b.Start)
	}
	want := map[string]record.Outcomes{"line": {Answered: 2}, "web": {AskedBack: 1, Unanswered: 1}}
	if d := cmp.Diff(want, b.Platforms); d != "" {
		t.Errorf("June 3 (-want +got):\n%s", d)
	}
	if got := (record.Outcomes{Answered: 2, AskedBack: 1, HandedOff: 1, Unanswered: 2}); r.All != got {
		t.Errorf("all = %+v, want %+v", r.All, got)
	}
	wantHelpful := []record.HelpfulRate{
		{Entry: "contact", Helpful: 1, Rate: 1, Low: 0.207, High: 1},
		{Entry: "leak-count", Helpful: 8, NotHelpful: 2, Rate: 0.8, Low: 0.49, High: 0.943},
	}
	if d := cmp.Diff(wantHelpful, r.Helpful); d != "" {
		t.Errorf("helpful (-want +got):\n%s", d)
	}
	if len(r.Unanswered) != 1 || r.Unanswered[0].Count != 2 || !r.Unanswered[0].FirstSeen.Equal(day1) || !r.Unanswered[0].LastSeen.Equal(day2) {
		t.Errorf("unanswered = %+v, want one cluster of 2 seen first on day 1 and last on day 2", r.Unanswered)
	}
	if h := record.BuildReport(evs, an, until.Add(-24*time.Hour), until, 10); h.Step != "hour" || len(h.Buckets) != 24 {
		t.Errorf("24h: step %s, %d buckets; want hour, 24", h.Step, len(h.Buckets))
	}
}

// TestReportUnhelpful: "not helpful" ratings are listed by the entry rated and the question it
// answered, wordings of one question counted together, with when they were first and last
// rated; a rating whose question is unknown counts in the total only, a helpful one not at all.
func TestReportUnhelpful(t *testing.T) {
	an := testAnalyzer(t)
	until := time.Date(2024, 6, 4, 12, 0, 0, 0, bot.JST)
	since := until.Add(-7 * 24 * time.Hour)
	day1 := time.Date(2024, 6, 3, 9, 30, 0, 0, bot.JST)
	day2 := time.Date(2024, 6, 4, 8, 0, 0, 0, bot.JST)
	fb := func(at time.Time, entry, q string, helpful bool) record.Event {
		return record.Event{Kind: record.Feedback, At: at, Entry: entry, Text: q, Helpful: helpful}
	}
	evs := []record.Event{
		fb(day2, "leak-count", "ポイントはいつ付与されますか？", false),
		fb(day1, "leak-count", "ポイントはいつ付与されますか", false),
		fb(day1, "leak-count", "ポイントはいつ付与されますか", false),
		fb(day1, "contact", "ポイントはいつ付与されますか", false), // another entry: another row
		fb(day2, "contact", "電話番号は<phone>です", false),
		fb(day2, "contact", "", false),                                // question unknown
		fb(day2, "leak-count", "ポイントはいつ付与されますか", true),                // helpful
		fb(since.Add(-time.Hour), "contact", "電話番号は<phone>です", false), // outside
	}
	r := record.BuildReport(evs, an, since, until, 10)
	if r.UnhelpfulTotal != 6 {
		t.Errorf("unhelpful total %d, want 6", r.UnhelpfulTotal)
	}
	want := []record.Unhelpful{
		{Entry: "leak-count", Cluster: record.Cluster{Question: "ポイントはいつ付与されますか", Count: 3, FirstSeen: day1, LastSeen: day2,
			Variants: []record.Variant{{Text: "ポイントはいつ付与されますか", Count: 2}, {Text: "ポイントはいつ付与されますか？", Count: 1}}}},
		{Entry: "contact", Cluster: record.Cluster{Question: "電話番号は<phone>です", Count: 1, FirstSeen: day2, LastSeen: day2,
			Variants: []record.Variant{{Text: "電話番号は<phone>です", Count: 1}}}},
		{Entry: "contact", Cluster: record.Cluster{Question: "ポイントはいつ付与されますか", Count: 1, FirstSeen: day1, LastSeen: day1,
			Variants: []record.Variant{{Text: "ポイントはいつ付与されますか", Count: 1}}}},
	}
	if d := cmp.Diff(want, r.Unhelpful); d != "" {
		t.Errorf("unhelpful (-want +got):\n%s", d)
	}
	if got := record.BuildReport(evs, an, since, until, 1).Unhelpful; len(got) != 1 || got[0].Entry != "leak-count" {
		t.Errorf("top 1 = %+v", got)
	}
	if got := record.BuildReport(nil, an, since, until, 10).Unhelpful; got == nil {
		t.Error("no events: unhelpful is null, want []")
	}
}

func TestParseRange(t *testing.T) {
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "7d": 168 * time.Hour, "30d": 720 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := record.ParseRange(in); err != nil || got != want {
			t.Errorf("ParseRange(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7 days", "-1h"} {
		if _, err := record.ParseRange(in); err == nil {
			t.Errorf("ParseRange(%q) succeeded", in)
		}
	}
}
