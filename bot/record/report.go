package record

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq/analysis"
)

// Ranges are the time windows the editors' console offers, by name.
var Ranges = []struct {
	Name string
	Span time.Duration
}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}}

// ParseRange returns the span of a range name ("24h", "7d", "30d"), or of a Go duration.
func ParseRange(s string) (time.Duration, error) {
	for _, r := range Ranges {
		if s == r.Name {
			return r.Span, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("record: range %q: want 24h, 7d, 30d or a duration", s)
}

// Outcomes counts replies by what they did.
type Outcomes struct {
	Answered   int `json:"answered"`
	AskedBack  int `json:"asked_back"`
	HandedOff  int `json:"handed_off"`
	Unanswered int `json:"unanswered"`
}

// Total is the number of replies counted.
func (o Outcomes) Total() int { return o.Answered + o.AskedBack + o.HandedOff + o.Unanswered }

func (o *Outcomes) add(k Kind) bool {
	switch k {
	case Answered:
		o.Answered++
	case AskedBack:
		o.AskedBack++
	case Handoff:
		o.HandedOff++
	case Unanswered:
		o.Unanswered++
	default:
		return false
	}
	return true
}

// Bucket is the replies of one hour or day, per platform.
type Bucket struct {
	Start     time.Time           `json:"start"`
	Platforms map[string]Outcomes `json:"platforms"`
}

// HelpfulRate is the share of "helpful" among the answers to "was this helpful?" about an
// entry, with its 95% Wilson interval [Low, High].
type HelpfulRate struct {
	Entry      string  `json:"entry"`
	Helpful    int     `json:"helpful"`
	NotHelpful int     `json:"not_helpful"`
	Rate       float64 `json:"rate"`
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
}

// Report is what the editors' console shows of a time window: the replies per hour (a window of
// two days or less) or per day (Japan time) by outcome and platform, the hand-offs per entry,
// the helpful rate per entry and the questions most often left unanswered.
type Report struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Step is the width of a bucket: "hour" or "day".
	Step string `json:"step"`
	// Platforms are the platforms seen, line, slack and web first.
	Platforms []string            `json:"platforms"`
	Buckets   []Bucket            `json:"buckets"`
	Totals    map[string]Outcomes `json:"totals"` // per platform
	All       Outcomes            `json:"all"`
	Handoffs  []HandoffCount      `json:"handoffs"`
	// Helpful lists every entry with feedback, the lowest interval first.
	Helpful         []HelpfulRate `json:"helpful"`
	FeedbackTotal   int           `json:"feedback_total"`
	Unanswered      []Cluster     `json:"unanswered"`
	UnansweredTotal int           `json:"unanswered_total"`
	// Unhelpful are the questions whose answers users rated unhelpful, per entry answered, the
	// wordings of one question counted together: the most rated first.
	Unhelpful []Unhelpful `json:"unhelpful"`
	// UnhelpfulTotal counts every "not helpful" in the window, those whose question is not
	// known (an answer tapped, or rated after the conversation moved on) included.
	UnhelpfulTotal int `json:"unhelpful_total"`
}

// Unhelpful is a question whose answer, Entry's, users found unhelpful: its masked wordings,
// how often each was rated so, and when first and last.
type Unhelpful struct {
	Entry string `json:"entry"`
	Cluster
}

// unhelpful groups the "not helpful" ratings that carry their question, per entry, as
// GroupAsked groups unanswered questions.
func unhelpful(byEntry map[string][]Asked, an *analysis.Analyzer) []Unhelpful {
	out := []Unhelpful{}
	for entry, qs := range byEntry {
		for _, c := range GroupAsked(qs, an) {
			out = append(out, Unhelpful{Entry: entry, Cluster: c})
		}
	}
	slices.SortFunc(out, func(a, b Unhelpful) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.LastSeen.Compare(a.LastSeen),
			strings.Compare(a.Entry, b.Entry), strings.Compare(a.Question, b.Question))
	})
	return out
}

// BuildReport builds the report of events (of any kinds, in any order) in [since, until), with
// the top n of the lists (0: all); unanswered questions are grouped with an as Summarize does.
func BuildReport(events []Event, an *analysis.Analyzer, since, until time.Time, n int) Report {
	sum := Summarize(events, an, since, until, n)
	r := Report{Since: since, Until: until, Step: "day", Totals: map[string]Outcomes{}, Handoffs: sum.Handoffs,
		Unanswered: sum.Unanswered, UnansweredTotal: sum.UnansweredTotal, FeedbackTotal: sum.FeedbackTotal,
		Helpful: []HelpfulRate{}}
	step := func(t time.Time) time.Time {
		t = t.In(bot.JST)
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, bot.JST)
	}
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	if until.Sub(since) <= 48*time.Hour {
		r.Step = "hour"
		step = func(t time.Time) time.Time { return t.In(bot.JST).Truncate(time.Hour) }
		next = func(t time.Time) time.Time { return t.Add(time.Hour) }
	}
	index := map[time.Time]int{}
	for t := step(since); t.Before(until); t = next(t) {
		index[t] = len(r.Buckets)
		r.Buckets = append(r.Buckets, Bucket{Start: t, Platforms: map[string]Outcomes{}})
	}
	seen := map[string]bool{}
	fb := map[string]*EntryFeedback{}
	rated := map[string][]Asked{} // entry → the questions its answer was found unhelpful for
	for _, ev := range events {
		if ev.At.Before(since) || !ev.At.Before(until) {
			continue
		}
		if ev.Kind == Feedback {
			if fb[ev.Entry] == nil {
				fb[ev.Entry] = &EntryFeedback{Entry: ev.Entry}
			}
			fb[ev.Entry].count(ev.Helpful)
			if !ev.Helpful {
				r.UnhelpfulTotal++
				if ev.Text != "" {
					rated[ev.Entry] = append(rated[ev.Entry], Asked{Text: ev.Text, At: ev.At})
				}
			}
			continue
		}
		p := cmp.Or(ev.Platform, "other")
		tot := r.Totals[p]
		if !tot.add(ev.Kind) {
			continue
		}
		r.Totals[p] = tot
		r.All.add(ev.Kind)
		seen[p] = true
		if i, ok := index[step(ev.At)]; ok {
			o := r.Buckets[i].Platforms[p]
			o.add(ev.Kind)
			r.Buckets[i].Platforms[p] = o
		}
	}
	for p := range seen {
		r.Platforms = append(r.Platforms, p)
	}
	order := map[string]int{"line": 0, "slack": 1, "web": 2}
	slices.SortFunc(r.Platforms, func(a, b string) int {
		oa, ka := order[a]
		ob, kb := order[b]
		if ka && kb {
			return cmp.Compare(oa, ob)
		}
		if ka != kb {
			if ka {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, f := range fb {
		total := f.Helpful + f.NotHelpful
		h := HelpfulRate{Entry: f.Entry, Helpful: f.Helpful, NotHelpful: f.NotHelpful,
			Rate: float64(int(float64(f.Helpful)/float64(total)*1000+0.5)) / 1000}
		h.Low, h.High = Wilson(f.Helpful, total)
		r.Helpful = append(r.Helpful, h)
	}
	slices.SortFunc(r.Helpful, func(a, b HelpfulRate) int {
		return cmp.Or(cmp.Compare(a.Low, b.Low), cmp.Compare(a.Rate, b.Rate), strings.Compare(a.Entry, b.Entry))
	})
	r.Helpful = top(r.Helpful, n)
	r.Unhelpful = top(unhelpful(rated, an), n)
	if r.Platforms == nil {
		r.Platforms = []string{}
	}
	return r
}

// ReportOf reads the events of the last span from src and builds their report, grouping the
// unanswered questions with the analyzer of the content eng serves.
func ReportOf(ctx context.Context, src Source, eng *bot.Engine, span time.Duration, now time.Time, n int) (Report, error) {
	since := now.Add(-span)
	events, err := Read(ctx, src, since, now)
	if err != nil {
		return Report{}, err
	}
	return BuildReport(events, eng.Content.Analyzer(), since, now, n), nil
}
