package record

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faqbot/faqbot/faq/analysis"
)

// Summary is what editors read about a time window: the questions most often left unanswered,
// the entries with the worst feedback and the hand-offs.
type Summary struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Unanswered are the most frequent clusters of unanswered questions, most frequent first.
	Unanswered      []Cluster `json:"unanswered"`
	UnansweredTotal int       `json:"unanswered_total"`
	// WorstFeedback are the entries found unhelpful at least once, worst first.
	WorstFeedback []EntryFeedback `json:"worst_feedback"`
	FeedbackTotal int             `json:"feedback_total"`
	// Handoffs counts the hand-offs per entry (or per reason, for the classifier's), most first.
	Handoffs     []HandoffCount `json:"handoffs"`
	HandoffTotal int            `json:"handoff_total"`
}

// Cluster is a group of unanswered questions that ask the same thing in different words.
type Cluster struct {
	// Question is the most frequent wording.
	Question string    `json:"question"`
	Count    int       `json:"count"`
	Variants []Variant `json:"variants"` // most frequent first
	// FirstSeen and LastSeen are when a wording of the cluster was asked first and last (zero
	// when the times are not known: Group).
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Variant is one wording of a cluster (the masked, normalised question).
type Variant struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// EntryFeedback is the feedback about one entry.
type EntryFeedback struct {
	Entry      string `json:"entry"`
	Helpful    int    `json:"helpful"`
	NotHelpful int    `json:"not_helpful"`
	// Score is the lower bound of the 95% Wilson interval of the share of "helpful": low when
	// many users found the entry unhelpful, whatever the number of answers.
	Score float64 `json:"score"`
}

// HandoffCount is the number of hand-offs through one entry, or for one reason when no entry
// matched.
type HandoffCount struct {
	Entry  string `json:"entry,omitempty"`
	Reason string `json:"reason,omitempty"`
	Count  int    `json:"count"`
}

// SimilarEnough is the share of content words two wordings must have in common (Jaccard) to
// count as one question.
const SimilarEnough = 0.6

// Summarize summarises events (of any kinds, in any order) with the top n of each list. The
// unanswered questions are grouped with an, the content's analyzer: first by canonical form
// (normalised, synonyms applied, folded), then groups whose content words are similar enough
// are merged, so that variants of one question count together.
func Summarize(events []Event, an *analysis.Analyzer, since, until time.Time, n int) Summary {
	s := Summary{Since: since, Until: until, Unanswered: []Cluster{}, WorstFeedback: []EntryFeedback{}, Handoffs: []HandoffCount{}}
	var questions []Asked
	fb := map[string]*EntryFeedback{}
	type hkey struct{ entry, reason string }
	ho := map[hkey]int{}
	for _, ev := range events {
		switch ev.Kind {
		case Unanswered:
			questions = append(questions, Asked{Text: ev.Text, At: ev.At})
		case Feedback:
			s.FeedbackTotal++
			f := fb[ev.Entry]
			if f == nil {
				f = &EntryFeedback{Entry: ev.Entry}
				fb[ev.Entry] = f
			}
			f.count(ev.Helpful)
		case Handoff:
			s.HandoffTotal++
			k := hkey{entry: ev.Entry}
			if ev.Entry == "" {
				k.reason = ev.Reason
			}
			ho[k]++
		}
	}
	s.UnansweredTotal = len(questions)
	s.Unanswered = top(GroupAsked(questions, an), n)

	for _, f := range fb {
		if f.NotHelpful > 0 {
			f.Score = wilsonLower(f.Helpful, f.Helpful+f.NotHelpful)
			s.WorstFeedback = append(s.WorstFeedback, *f)
		}
	}
	slices.SortFunc(s.WorstFeedback, func(a, b EntryFeedback) int {
		return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(b.NotHelpful, a.NotHelpful), strings.Compare(a.Entry, b.Entry))
	})
	s.WorstFeedback = top(s.WorstFeedback, n)

	for k, c := range ho {
		s.Handoffs = append(s.Handoffs, HandoffCount{Entry: k.entry, Reason: k.reason, Count: c})
	}
	slices.SortFunc(s.Handoffs, func(a, b HandoffCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Entry, b.Entry), strings.Compare(a.Reason, b.Reason))
	})
	s.Handoffs = top(s.Handoffs, n)
	return s
}

func top[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

// wilsonLower is the lower bound of the 95% Wilson score interval of yes/n.
func wilsonLower(yes, n int) float64 {
	lo, _ := Wilson(yes, n)
	return lo
}

// Wilson is the 95% Wilson score interval of the share yes/n, rounded to 3 decimals: an
// interval that stays within [0, 1] and is honest about few answers ([0, 1] for none).
func Wilson(yes, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959964
	p, fn := float64(yes)/float64(n), float64(n)
	d := 1 + z*z/fn
	c := p + z*z/(2*fn)
	r := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn))
	round := func(f float64) float64 { return math.Round(max(0, min(1, f))*1000) / 1000 }
	return round((c - r) / d), round((c + r) / d)
}

// Group groups questions that ask the same thing, most frequent cluster first (ties by
// wording). Questions with the same canonical form under an are one group; groups are then
// merged, the most frequent first, into the first earlier cluster whose seed shares at least
// SimilarEnough of its content words (Japanese base forms and English stems; character bigrams
// for a text that has none).
func Group(questions []string, an *analysis.Analyzer) []Cluster {
	asked := make([]Asked, len(questions))
	for i, q := range questions {
		asked[i] = Asked{Text: q}
	}
	return GroupAsked(asked, an)
}

// Asked is a question asked at a time.
type Asked struct {
	Text string
	At   time.Time
}

// GroupAsked is Group for questions with the times they were asked: each cluster tells when it
// was asked first and last.
func GroupAsked(questions []Asked, an *analysis.Analyzer) []Cluster {
	type group struct {
		key, text   string // canonical form; first wording
		count       int
		variants    map[string]int
		first, last time.Time
	}
	groups := map[string]*group{}
	var order []*group
	for _, q := range questions {
		if strings.TrimSpace(q.Text) == "" {
			continue
		}
		key := an.Canonical(analysis.Normalize(q.Text))
		g := groups[key]
		if g == nil {
			g = &group{key: key, text: q.Text, variants: map[string]int{}}
			groups[key] = g
			order = append(order, g)
		}
		g.count++
		g.variants[q.Text]++
		g.first, g.last = earlier(g.first, q.At), later(g.last, q.At)
	}
	slices.SortFunc(order, func(a, b *group) int { return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.key, b.key)) })

	type cluster struct {
		seed        map[string]bool
		count       int
		variants    map[string]int
		first, last time.Time
	}
	var clusters []*cluster
	byTerm := map[string][]int{} // term → clusters whose seed has it
	for _, g := range order {
		terms := termSet(an, g.text)
		best, bestSim := -1, 0.0
		seen := map[int]bool{}
		for t := range terms {
			for _, ci := range byTerm[t] {
				if seen[ci] {
					continue
				}
				seen[ci] = true
				if sim := jaccard(terms, clusters[ci].seed); sim >= SimilarEnough && (sim > bestSim || (sim == bestSim && ci < best)) {
					best, bestSim = ci, sim
				}
			}
		}
		if best < 0 {
			best = len(clusters)
			clusters = append(clusters, &cluster{seed: terms, variants: map[string]int{}})
			for t := range terms {
				byTerm[t] = append(byTerm[t], best)
			}
		}
		c := clusters[best]
		c.count += g.count
		c.first, c.last = earlier(c.first, g.first), later(c.last, g.last)
		for v, n := range g.variants {
			c.variants[v] += n
		}
	}

	out := make([]Cluster, 0, len(clusters))
	for _, c := range clusters {
		cl := Cluster{Count: c.count, FirstSeen: c.first, LastSeen: c.last}
		for v, n := range c.variants {
			cl.Variants = append(cl.Variants, Variant{Text: v, Count: n})
		}
		slices.SortFunc(cl.Variants, func(a, b Variant) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text)) })
		cl.Question = cl.Variants[0].Text
		out = append(out, cl)
	}
	slices.SortFunc(out, func(a, b Cluster) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Question, b.Question))
	})
	return out
}

// termSet is the set of content words of s, or its character bigrams when it has none.
func termSet(an *analysis.Analyzer, s string) map[string]bool {
	t := an.Terms(s)
	set := map[string]bool{}
	for _, w := range t[analysis.JA] {
		set["ja:"+w] = true
	}
	for _, w := range t[analysis.EN] {
		set["en:"+w] = true
	}
	if len(set) == 0 {
		for _, g := range t[analysis.Gram] {
			if len([]rune(g)) == 2 {
				set["g:"+g] = true
			}
		}
	}
	if len(set) == 0 {
		set["s:"+s] = true
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for t := range a {
		if b[t] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// earlier is the earlier of two times, a zero time counting as none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (f *EntryFeedback) count(helpful bool) {
	if helpful {
		f.Helpful++
	} else {
		f.NotHelpful++
	}
}
