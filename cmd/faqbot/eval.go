package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func cmdEval(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("eval", "eval [--min ACC] [--sweep] [--content DIR] FILE.tsv [FILE.tsv …]")
	minAcc := fs.Float64("min", 0, "exit 1 when the overall accuracy is below `ACC`")
	sweep := fs.Bool("sweep", false, "also print the accuracy over a grid of every tunable (to choose them on development sets)")
	cf := contentFlags{progress: true}
	cf.register(fs, env, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return exitError(2)
	}
	var cases []nlu.Case
	for _, name := range fs.Args() { // several files are evaluated as one set
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		cs, err := nlu.ReadCases(f, name)
		f.Close()
		if err != nil {
			return err
		}
		cases = append(cases, cs...)
	}
	eng, err := cf.engine(ctx, env.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	rep, err := nlu.Evaluate(ctx, eng.Matcher, cases)
	if err != nil {
		return fmt.Errorf("%s: %w", strings.Join(fs.Args(), ", "), err)
	}
	printReport(env.stdout, rep)
	if *sweep {
		if err := printSweep(ctx, env.stdout, eng, cases); err != nil {
			return err
		}
	}
	if rep.Accuracy() < *minAcc {
		fmt.Fprintf(env.stdout, "FAIL: accuracy %.3f is below %.3f\n", rep.Accuracy(), *minAcc)
		return exitError(1)
	}
	return nil
}

func printReport(w io.Writer, rep nlu.Report) {
	printCounts(w, "label", rep.PerLabel)
	if len(rep.PerStyle) > 0 {
		fmt.Fprintln(w)
		printCounts(w, "style", rep.PerStyle)
	}
	if len(rep.Misses) > 0 {
		fmt.Fprintf(w, "\nmisses (expected -> got, confidence, why, line: query with personal data masked):\n")
		for _, m := range rep.Misses {
			fmt.Fprintf(w, "  %s -> %s\t%.2f\t%s\t%d: %s\n", m.Case.Expected, m.Got, m.Confidence, m.Reason, m.Case.Line, m.Masked)
		}
	}
	fmt.Fprintf(w, "\naccuracy: %.3f (%d/%d)\n", rep.Accuracy(), rep.Right, rep.Total)
}

// printCounts prints a table of counts by key (label or style), keys sorted.
func printCounts(w io.Writer, what string, counts map[string]nlu.LabelCount) {
	keys := slices.Sorted(maps.Keys(counts))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tqueries\tcorrect\taccuracy\n", what)
	for _, k := range keys {
		lc := counts[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\n", k, lc.Total, lc.Right, float64(lc.Right)/float64(lc.Total))
	}
	tw.Flush()
}

// A tunable of matcher.yaml that the sweep varies: its grid, how to set it, and whether the
// matcher's models must be trained again for it.
type tunable struct {
	name    string
	grid    []float64
	set     func(*faq.Matcher, float64)
	get     func(faq.Matcher) float64
	retrain bool
}

func steps(from, to, step float64) []float64 {
	var g []float64
	for v := from; v <= to+step/2; v += step {
		g = append(g, math.Round(v*1000)/1000)
	}
	return g
}

var tunables = []tunable{
	{"thresholds.min_confidence", steps(0.15, 0.6, 0.05), func(m *faq.Matcher, v float64) { m.MinConfidence = v }, func(m faq.Matcher) float64 { return m.MinConfidence }, false},
	{"thresholds.suggest_confidence", steps(0.05, 0.35, 0.05), func(m *faq.Matcher, v float64) { m.SuggestConfidence = v }, func(m faq.Matcher) float64 { return m.SuggestConfidence }, false},
	{"thresholds.vague_confidence", steps(0.5, 1, 0.05), func(m *faq.Matcher, v float64) { m.VagueConfidence = v }, func(m faq.Matcher) float64 { return m.VagueConfidence }, false},
	{"thresholds.handoff", steps(0.2, 0.9, 0.05), func(m *faq.Matcher, v float64) { m.HandoffThreshold = v }, func(m faq.Matcher) float64 { return m.HandoffThreshold }, false},
	{"thresholds.phrase_weight", steps(0, 0.5, 0.1), func(m *faq.Matcher, v float64) { m.PhraseWeight = v }, func(m faq.Matcher) float64 { return m.PhraseWeight }, false},
	{"thresholds.handoff_phrase_weight", steps(0.2, 0.9, 0.1), func(m *faq.Matcher, v float64) { m.HandoffPhraseWeight = v }, func(m faq.Matcher) float64 { return m.HandoffPhraseWeight }, false},
	{"thresholds.outside_phrase_weight", steps(0, 0.9, 0.1), func(m *faq.Matcher, v float64) { m.OutsidePhraseWeight = v }, func(m faq.Matcher) float64 { return m.OutsidePhraseWeight }, false},
	{"thresholds.unanchored_factor", steps(0.5, 1, 0.1), func(m *faq.Matcher, v float64) { m.UnanchoredFactor = v }, func(m faq.Matcher) float64 { return m.UnanchoredFactor }, false},
	{"thresholds.type_mismatch", steps(0.4, 1, 0.1), func(m *faq.Matcher, v float64) { m.TypeMismatch = v }, func(m faq.Matcher) float64 { return m.TypeMismatch }, false},
	{"thresholds.untyped_factor", steps(0.4, 1, 0.1), func(m *faq.Matcher, v float64) { m.UntypedFactor = v }, func(m faq.Matcher) float64 { return m.UntypedFactor }, false},
	{"thresholds.outside_handoff", steps(0.1, 1, 0.1), func(m *faq.Matcher, v float64) { m.OutsideHandoff = v }, func(m faq.Matcher) float64 { return m.OutsideHandoff }, false},
	{"thresholds.untyped_howto_factor", steps(0.2, 1, 0.1), func(m *faq.Matcher, v float64) { m.UntypedHowToFactor = v }, func(m faq.Matcher) float64 { return m.UntypedHowToFactor }, false},
	{"thresholds.elsewhere_factor", steps(0.2, 1, 0.1), func(m *faq.Matcher, v float64) { m.ElsewhereFactor = v }, func(m faq.Matcher) float64 { return m.ElsewhereFactor }, false},
	{"learning.intent_weight", steps(0.1, 0.9, 0.1), func(m *faq.Matcher, v float64) { m.Learning.IntentWeight = v }, func(m faq.Matcher) float64 { return m.Learning.IntentWeight }, false},
	{"learning.epochs", []float64{5, 10, 20, 30, 45, 60}, func(m *faq.Matcher, v float64) { m.Learning.Epochs = int(v) }, func(m faq.Matcher) float64 { return float64(m.Learning.Epochs) }, true},
	{"learning.rate", []float64{0.1, 0.2, 0.5, 1, 2, 4, 8}, func(m *faq.Matcher, v float64) { m.Learning.Rate = v }, func(m faq.Matcher) float64 { return m.Learning.Rate }, true},
	{"learning.l2", []float64{0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}, func(m *faq.Matcher, v float64) { m.Learning.L2 = v }, func(m faq.Matcher) float64 { return m.Learning.L2 }, true},
	{"learning.handoff_rate", []float64{0.1, 0.3, 1, 3, 10}, func(m *faq.Matcher, v float64) { m.Learning.HandoffRate = v }, func(m faq.Matcher) float64 { return m.Learning.HandoffRate }, true},
	{"learning.handoff_l2", []float64{0, 1e-4, 1e-3, 1e-2, 1e-1}, func(m *faq.Matcher, v float64) { m.Learning.HandoffL2 = v }, func(m faq.Matcher) float64 { return m.Learning.HandoffL2 }, true},
}

// printSweep varies each tunable of matcher.yaml over its grid, the others as in the content,
// and prints the accuracy of every value: the current value is marked "*", the best ones "+",
// and a tunable whose best accuracy is reached only on an edge of its grid is flagged (widen the
// grid). Factors (unanchored_factor, type_mismatch) end at 1, which means "no penalty". Learning settings train
// the models again for each value.
func printSweep(ctx context.Context, w io.Writer, eng *bot.Engine, cases []nlu.Case) error {
	base := eng.Content.Matcher
	fmt.Fprintf(w, "\nsweep (one tunable at a time, the others as in matcher.yaml):\n")
	for _, t := range tunables {
		accs := make([]float64, len(t.grid))
		best := 0.0
		for i, v := range t.grid {
			cfg := base
			t.set(&cfg, v)
			var m *nlu.Matcher
			if t.retrain {
				m = nlu.NewWithConfig(eng.Index, cfg)
			} else {
				m = eng.Matcher.WithConfig(cfg)
			}
			rep, err := nlu.Evaluate(ctx, m, cases)
			if err != nil {
				return err
			}
			accs[i] = rep.Accuracy()
			best = max(best, accs[i])
		}
		var cells []string
		var bestAt []int
		for i, v := range t.grid {
			mark := ""
			if v == t.get(base) {
				mark += "*"
			}
			if accs[i] == best {
				mark += "+"
				bestAt = append(bestAt, i)
			}
			cells = append(cells, fmt.Sprintf("%g:%.3f%s", v, accs[i], mark))
		}
		note := ""
		if !slices.ContainsFunc(bestAt, func(i int) bool { return i > 0 && i < len(t.grid)-1 }) {
			note = "  (best only on an edge of the grid: widen it)"
		}
		fmt.Fprintf(w, "  %-34s %s%s\n", t.name, strings.Join(cells, "  "), note)
	}
	return nil
}
