package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"text/tabwriter"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func cmdEval(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("eval", "eval [--min ACC] [--sweep] [--content DIR] FILE.tsv")
	minAcc := fs.Float64("min", 0, "exit 1 when the overall accuracy is below `ACC`")
	sweep := fs.Bool("sweep", false, "also print the accuracy over a grid of thresholds (to choose them on a development set)")
	cf := contentFlags{progress: true}
	cf.register(fs, env, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError(2)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	cases, err := nlu.ReadCases(f, fs.Arg(0))
	f.Close()
	if err != nil {
		return err
	}
	eng, err := cf.engine(ctx, env.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	rep, err := nlu.Evaluate(ctx, eng.Matcher, cases)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
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

// printSweep prints the accuracy over a grid of the matcher's thresholds, best first, so that
// they can be chosen on a development set and written into matcher.yaml.
func printSweep(ctx context.Context, w io.Writer, eng *bot.Engine, cases []nlu.Case) error {
	type row struct {
		cfg faq.Matcher
		acc float64
	}
	base := eng.Content.Matcher
	var rows []row
	for minC := 0.25; minC <= 0.551; minC += 0.05 {
		for _, hand := range []float64{0.7, 0.8, 0.9, 1.0} {
			for _, every := range []float64{0.4, 0.6} {
				for _, unanchored := range []float64{0.4, 0.6, 0.8} {
					for _, hw := range []float64{0.6, 0.8, 1.0} {
						cfg := base
						cfg.Weights = maps.Clone(base.Weights)
						cfg.MinConfidence, cfg.HandoffThreshold, cfg.EveryoneConfidence = minC, hand, every
						cfg.UnanchoredFactor, cfg.Weights["handoff_entry"] = unanchored, hw
						rep, err := nlu.Evaluate(ctx, eng.Matcher.WithConfig(cfg), cases)
						if err != nil {
							return err
						}
						rows = append(rows, row{cfg, rep.Accuracy()})
					}
				}
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].acc > rows[j].acc })
	fmt.Fprintf(w, "\nsweep (current: min_confidence %.2f, handoff %.2f, everyone_confidence %.2f, unanchored_factor %.2f, handoff_entry %.2f):\n",
		base.MinConfidence, base.HandoffThreshold, base.EveryoneConfidence, base.UnanchoredFactor, base.Weights["handoff_entry"])
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "min_confidence\thandoff\teveryone_confidence\tunanchored_factor\thandoff_entry\taccuracy")
	for i, r := range rows {
		if i == 15 {
			break
		}
		fmt.Fprintf(tw, "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\n", r.cfg.MinConfidence, r.cfg.HandoffThreshold,
			r.cfg.EveryoneConfidence, r.cfg.UnanchoredFactor, r.cfg.Weights["handoff_entry"], r.acc)
	}
	return tw.Flush()
}
