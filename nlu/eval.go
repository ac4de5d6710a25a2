package nlu

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/faqbot/faqbot/faq"
)

// Labels of an evaluation file besides entry ids.
const (
	LabelHelpline = "helpline" // any hand-off to the desk
	LabelFallback = "fallback" // no entry answered
)

// Case is one labelled query of an evaluation file.
type Case struct {
	Line int
	// Expected is an entry id, LabelHelpline or LabelFallback; or two of them joined by "+" for
	// a message that asks two questions (see Correct).
	Expected string
	Query    string
	Style    string // how the query is written ("kansai", "romaji", …); "" when not given
}

// ReadCases reads an evaluation file: lines "expected<TAB>query" or
// "expected<TAB>query<TAB>style"; blank lines and lines starting with "#" are skipped. name is
// used in errors ("name:line: …").
func ReadCases(r io.Reader, name string) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 || len(cols) > 3 || strings.TrimSpace(cols[0]) == "" || strings.TrimSpace(cols[1]) == "" {
			return nil, fmt.Errorf("%s:%d: want expected<TAB>query or expected<TAB>query<TAB>style", name, n)
		}
		c := Case{Line: n, Expected: strings.TrimSpace(cols[0]), Query: cols[1]}
		if len(cols) == 3 {
			c.Style = strings.TrimSpace(cols[2])
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cases, nil
}

// Label is the evaluation label of a decision: LabelHelpline for a hand-off, LabelFallback
// when nothing was answered, else the entry id (the parent's for an ask-back).
func Label(d Decision) string {
	switch {
	case d.Action == Handoff:
		return LabelHelpline
	case d.Action == DontKnow || d.Entry == nil:
		return LabelFallback
	}
	return d.Entry.ID
}

// Correct reports whether the label got satisfies expected: equal, or got is a child of
// expected. For a two-question label "a+b" either part satisfies it, except that when one part
// is LabelHelpline the hand-off must come first.
func Correct(c *faq.Content, expected, got string) bool {
	if a, b, two := strings.Cut(expected, "+"); two {
		if a == LabelHelpline || b == LabelHelpline {
			return got == LabelHelpline
		}
		return Correct(c, a, got) || Correct(c, b, got)
	}
	if expected == got {
		return true
	}
	e := c.Entry(got)
	return e != nil && e.Parent == expected
}

// labels returns the labels of an expected value: one, or the two parts of "a+b".
func labels(expected string) []string { return strings.Split(expected, "+") }

// Report is the outcome of evaluating a matcher on labelled cases.
type Report struct {
	Total, Right int
	PerLabel     map[string]LabelCount
	PerStyle     map[string]LabelCount // by Case.Style, for cases that have one
	Misses       []Miss
}

// LabelCount counts the cases of one expected label.
type LabelCount struct{ Right, Total int }

// Miss is a case the matcher got wrong.
type Miss struct {
	Case       Case
	Got        string
	Confidence float64
	Masked     string // the query with personal data masked
	Reason     string // why the matcher decided as it did
}

// Accuracy is the share of cases right.
func (r Report) Accuracy() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Right) / float64(r.Total)
}

// Evaluate runs m on every case. A case whose expected label is neither an entry of the
// content nor a known label is an error.
func Evaluate(ctx context.Context, m *Matcher, cases []Case) (Report, error) {
	c := m.ix.Content()
	rep := Report{PerLabel: map[string]LabelCount{}, PerStyle: map[string]LabelCount{}}
	for _, tc := range cases {
		parts := labels(tc.Expected)
		if len(parts) > 2 {
			return rep, fmt.Errorf("line %d: label %q joins more than two labels", tc.Line, tc.Expected)
		}
		for _, l := range parts {
			if l != LabelHelpline && l != LabelFallback && c.Entry(l) == nil {
				return rep, fmt.Errorf("line %d: unknown label %q (an entry id, %s or %s)", tc.Line, l, LabelHelpline, LabelFallback)
			}
		}
		d, err := m.Decide(ctx, tc.Query)
		if err != nil {
			return rep, err
		}
		got := Label(d)
		right := Correct(c, tc.Expected, got)
		count := func(m map[string]LabelCount, key string) {
			lc := m[key]
			lc.Total++
			if right {
				lc.Right++
			}
			m[key] = lc
		}
		count(rep.PerLabel, tc.Expected)
		if tc.Style != "" {
			count(rep.PerStyle, tc.Style)
		}
		rep.Total++
		if right {
			rep.Right++
		} else {
			rep.Misses = append(rep.Misses, Miss{Case: tc, Got: got, Confidence: d.Confidence, Masked: d.Masked, Reason: d.Reason})
		}
	}
	return rep, nil
}
