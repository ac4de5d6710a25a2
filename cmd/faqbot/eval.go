package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// Labels of an eval file besides entry ids.
const (
	labelHelpline = "helpline" // any hand-off
	labelFallback = "fallback" // no entry
)

// evalCase is one labelled query of an eval file.
type evalCase struct {
	line     int
	expected string
	query    string
}

func readEvalFile(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exp, q, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(exp) == "" || strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("%s:%d: want expected<TAB>query", path, n)
		}
		cases = append(cases, evalCase{line: n, expected: strings.TrimSpace(exp), query: q})
	}
	return cases, sc.Err()
}

// predictedLabel is the eval label of a decision.
func predictedLabel(d nlu.Decision) string {
	switch {
	case d.Action == nlu.Handoff:
		return labelHelpline
	case d.Action == nlu.DontKnow || d.Entry == nil:
		return labelFallback
	}
	return d.Entry.ID
}

// correct reports whether got satisfies expected: equal, or got is a child of expected.
func correct(c *faq.Content, expected, got string) bool {
	if expected == got {
		return true
	}
	e := c.Entry(got)
	return e != nil && e.Parent == expected
}

// evalResult is the outcome of one run over a file.
type evalResult struct {
	total, right int
	perLabel     map[string][2]int // label → {right, total}
	misses       []evalMiss
}

type evalMiss struct {
	c    evalCase
	got  string
	conf float64
	q    string // masked
}

func (r evalResult) accuracy() float64 {
	if r.total == 0 {
		return 0
	}
	return float64(r.right) / float64(r.total)
}

func evaluate(ctx context.Context, m *nlu.Matcher, c *faq.Content, cases []evalCase) (evalResult, error) {
	res := evalResult{perLabel: map[string][2]int{}}
	for _, ec := range cases {
		d, err := m.Decide(ctx, ec.query)
		if err != nil {
			return res, err
		}
		got := predictedLabel(d)
		pl := res.perLabel[ec.expected]
		pl[1]++
		res.total++
		if correct(c, ec.expected, got) {
			pl[0]++
			res.right++
		} else {
			res.misses = append(res.misses, evalMiss{c: ec, got: got, conf: d.Confidence, q: d.Masked})
		}
		res.perLabel[ec.expected] = pl
	}
	return res, nil
}

func cmdEval(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("eval", "eval [--min ACC] [--sweep] [--content DIR] FILE.tsv")
	minAcc := fs.Float64("min", 0, "exit 1 when the overall accuracy is below `ACC`")
	sweep := fs.Bool("sweep", false, "also print the accuracy over a grid of thresholds (to choose them on a development set)")
	var cf contentFlags
	cf.register(fs, env, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError(2)
	}
	cases, err := readEvalFile(fs.Arg(0))
	if err != nil {
		return err
	}
	eng, err := cf.engine(ctx, env.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	for _, ec := range cases {
		if ec.expected != labelHelpline && ec.expected != labelFallback && eng.Content.Entry(ec.expected) == nil {
			return fmt.Errorf("%s:%d: unknown label %q (an entry id, %s or %s)", fs.Arg(0), ec.line, ec.expected, labelHelpline, labelFallback)
		}
	}
	res, err := evaluate(ctx, eng.Matcher, eng.Content, cases)
	if err != nil {
		return err
	}
	printEval(env.stdout, res)
	if *sweep {
		if err := printSweep(ctx, env.stdout, eng, cases); err != nil {
			return err
		}
	}
	if res.accuracy() < *minAcc {
		fmt.Fprintf(env.stdout, "FAIL: accuracy %.3f is below %.3f\n", res.accuracy(), *minAcc)
		return exitError(1)
	}
	return nil
}

func printEval(w io.Writer, res evalResult) {
	labels := make([]string, 0, len(res.perLabel))
	for l := range res.perLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "label\tqueries\tcorrect\taccuracy")
	for _, l := range labels {
		pl := res.perLabel[l]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\n", l, pl[1], pl[0], float64(pl[0])/float64(pl[1]))
	}
	tw.Flush()
	if len(res.misses) > 0 {
		fmt.Fprintf(w, "\nmisses (expected -> got, confidence, line: query with personal data masked):\n")
		for _, m := range res.misses {
			fmt.Fprintf(w, "  %s -> %s\t%.2f\t%d: %s\n", m.c.expected, m.got, m.conf, m.c.line, m.q)
		}
	}
	fmt.Fprintf(w, "\naccuracy: %.3f (%d/%d)\n", res.accuracy(), res.right, res.total)
}

// printSweep prints the accuracy over a grid of the matcher's thresholds, best first, so that
// they can be chosen on a development set and written into matcher.yaml.
func printSweep(ctx context.Context, w io.Writer, eng *bot.Engine, cases []evalCase) error {
	type row struct {
		cfg faq.Matcher
		acc float64
	}
	base := eng.Content.Matcher
	var rows []row
	for minC := 0.30; minC <= 0.701; minC += 0.05 {
		for hand := 0.7; hand <= 1.301; hand += 0.1 {
			for every := 0.3; every <= 0.801; every += 0.1 {
				cfg := base
				cfg.MinConfidence, cfg.HandoffThreshold, cfg.EveryoneConfidence = minC, hand, every
				res, err := evaluate(ctx, eng.Matcher.WithConfig(cfg), eng.Content, cases)
				if err != nil {
					return err
				}
				rows = append(rows, row{cfg, res.accuracy()})
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].acc > rows[j].acc })
	fmt.Fprintf(w, "\nsweep (current: min_confidence %.2f, handoff %.2f, everyone_confidence %.2f):\n",
		base.MinConfidence, base.HandoffThreshold, base.EveryoneConfidence)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "min_confidence\thandoff\teveryone_confidence\taccuracy")
	for i, r := range rows {
		if i == 15 {
			break
		}
		fmt.Fprintf(tw, "%.2f\t%.2f\t%.2f\t%.3f\n", r.cfg.MinConfidence, r.cfg.HandoffThreshold, r.cfg.EveryoneConfidence, r.acc)
	}
	return tw.Flush()
}
