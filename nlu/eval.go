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
	Line     int
	Expected string // an entry id, LabelHelpline or LabelFallback
	Query    string
}

// ReadCases reads an evaluation file: lines "expected<TAB>query"; blank lines and lines
// starting with "#" are skipped. name is used in errors ("name:line: …").
func ReadCases(r io.Reader, name string) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exp, q, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(exp) == "" || strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("%s:%d: want expected<TAB>query", name, n)
		}
		cases = append(cases, Case{Line: n, Expected: strings.TrimSpace(exp), Query: q})
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
// expected.
func Correct(c *faq.Content, expected, got string) bool {
	if expected == got {
		return true
	}
	e := c.Entry(got)
	return e != nil && e.Parent == expected
}

// Report is the outcome of evaluating a matcher on labelled cases.
type Report struct {
	Total, Right int
	PerLabel     map[string]LabelCount
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
	rep := Report{PerLabel: map[string]LabelCount{}}
	for _, tc := range cases {
		if tc.Expected != LabelHelpline && tc.Expected != LabelFallback && c.Entry(tc.Expected) == nil {
			return rep, fmt.Errorf("line %d: unknown label %q (an entry id, %s or %s)", tc.Line, tc.Expected, LabelHelpline, LabelFallback)
		}
		d, err := m.Decide(ctx, tc.Query)
		if err != nil {
			return rep, err
		}
		got := Label(d)
		lc := rep.PerLabel[tc.Expected]
		lc.Total++
		rep.Total++
		if Correct(c, tc.Expected, got) {
			lc.Right++
			rep.Right++
		} else {
			rep.Misses = append(rep.Misses, Miss{Case: tc, Got: got, Confidence: d.Confidence, Masked: d.Masked, Reason: d.Reason})
		}
		rep.PerLabel[tc.Expected] = lc
	}
	return rep, nil
}
