package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/nlu"
	"github.com/faqbot/faqbot/nlu/ireval"
)

// runDepth is the number of entries ranked, measured and written per query.
const runDepth = 10

func cmdEvalRetrieval(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("eval-retrieval", "eval-retrieval --content DIR --queries FILE --qrels FILE [--split dev|test|all] [--run FILE] [--sweep]")
	queriesFile := fs.String("queries", "", "queries `FILE`: a header line, then qid<TAB>query lines")
	qrelsFile := fs.String("qrels", "", "judgments `FILE`: a header line, then qid<TAB>entry id<TAB>grade lines")
	split := fs.String("split", "all", "queries to measure: dev (numeric qid divisible by 5), test (the others) or all")
	runFile := fs.String("run", "", "also write the rankings to `FILE` in TREC run format (top 10 per query)")
	tag := fs.String("tag", "faqbot", "run tag written in the run file")
	sweep := fs.Bool("sweep", false, "also measure a grid of the search's and the ranking's settings on the same index (to choose them on the dev split)")
	var cf contentFlags
	cf.register(fs, env, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *queriesFile == "" || *qrelsFile == "" || !slices.Contains([]string{"dev", "test", "all"}, *split) {
		fs.Usage()
		return exitError(2)
	}
	queries, err := readFile(*queriesFile, ireval.ReadQueries)
	if err != nil {
		return err
	}
	qrels, err := readFile(*qrelsFile, ireval.ReadQrels)
	if err != nil {
		return err
	}
	queries, err = splitQueries(queries, *split)
	if err != nil {
		return err
	}

	c, err := cf.load(env.stderr)
	if err != nil {
		return err
	}
	analysis.Warm() // the dictionary is loaded once per process: not part of indexing
	start := time.Now()
	ix, err := faq.NewIndex(ctx, c, "")
	if err != nil {
		return err
	}
	defer ix.Close()
	built := time.Since(start)
	m := nlu.New(ix)
	runtime.GC() // indexing garbage is not the queries' to collect

	var run *bufio.Writer
	if *runFile != "" {
		f, err := os.Create(*runFile)
		if err != nil {
			return err
		}
		defer f.Close()
		run = bufio.NewWriter(f)
	}
	var scores []ireval.Metrics
	var lat []time.Duration
	unjudged := 0
	for _, q := range queries {
		t0 := time.Now()
		hits, err := m.Rank(ctx, q.Text, runDepth)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
		ranking := make([]string, len(hits))
		ranked := make([]ireval.Ranked, len(hits))
		for i, h := range hits {
			ranking[i] = h.Entry.ID
			ranked[i] = ireval.Ranked{ID: h.Entry.ID, Score: h.Rank}
		}
		if run != nil {
			if err := ireval.WriteRun(run, q.ID, ranked, *tag); err != nil {
				return fmt.Errorf("%s: %w", *runFile, err)
			}
		}
		if qrels.Relevant(q.ID) == 0 {
			unjudged++
			continue
		}
		scores = append(scores, ireval.Score(ranking, qrels[q.ID]))
	}
	if run != nil {
		if err := run.Flush(); err != nil {
			return fmt.Errorf("%s: %w", *runFile, err)
		}
	}
	printRetrieval(env.stdout, ireval.Mean(scores), len(scores), unjudged, *split)
	if vi := ix.Vectors(); vi.Trained {
		lexical := c.Matcher
		lexical.Rank.Vector = 0
		lm := nlu.NewWithConfig(ix, lexical)
		systems := []struct {
			name string
			rank func(q string) ([]nlu.Scored, error)
		}{
			{"lexical (BM25, coverage)", func(q string) ([]nlu.Scored, error) { return lm.Rank(ctx, q, runDepth) }},
			{"vectors only (SIF cosine)", func(q string) ([]nlu.Scored, error) { return m.RankByVector(q, runDepth), nil }},
			{"fused (faqbot)", func(q string) ([]nlu.Scored, error) { return m.Rank(ctx, q, runDepth) }},
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nsystem\tSR@1\tSR@5\tMRR\tMAP\tP@5\tRecall@10\tnDCG@10")
		for _, sys := range systems {
			r, err := measure(queries, qrels, sys.rank)
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", sys.name, r.SR1, r.SR5, r.MRR, r.AP, r.P5, r.R10, r.NDCG10)
		}
		tw.Flush()
		fmt.Fprintf(env.stdout, "vectors: %d words from %d sentences (%d tokens), trained in %v\n", vi.Words, vi.Sentences, vi.Tokens, vi.Took.Round(time.Millisecond))
		if mined, used := ix.ExpansionPairs(); mined > 0 {
			fmt.Fprintf(env.stdout, "expansions: %d pairs of the content's words mined from its %s, %d close enough to use\n", mined, faq.ExpansionsFile, used)
		}
	} else {
		fmt.Fprintf(env.stdout, "\nvectors: none (%d entries; they are learnt from %d)\n", len(c.Entries), c.Matcher.Vectors.MinEntries)
	}
	if *sweep {
		if err := sweepRetrieval(ctx, env.stdout, ix, queries, qrels); err != nil {
			return err
		}
	}
	slices.Sort(lat)
	fmt.Fprintf(env.stdout, "\nindex: %d entries, %d phrases, built in %v\n", len(c.Entries), ix.Phrases(), built.Round(time.Millisecond))
	fmt.Fprintf(env.stdout, "query latency: p50 %v, p99 %v, max %v (%d queries)\n",
		percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 1), len(lat))
	return nil
}

// readFile opens name and reads it with read.
func readFile[T any](name string, read func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(name)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f, name)
}

// splitQueries keeps the queries of a split: dev are those whose numeric id is divisible by 5,
// test the others.
func splitQueries(qs []ireval.Query, split string) ([]ireval.Query, error) {
	if split == "all" {
		return qs, nil
	}
	var out []ireval.Query
	for _, q := range qs {
		n, err := strconv.Atoi(q.ID)
		if err != nil {
			return nil, fmt.Errorf("query id %q is not a number: use --split all", q.ID)
		}
		if (n%5 == 0) == (split == "dev") {
			out = append(out, q)
		}
	}
	return out, nil
}

func printRetrieval(w io.Writer, m ireval.Metrics, n, unjudged int, split string) {
	fmt.Fprintf(w, "%d queries (split %s)", n, split)
	if unjudged > 0 {
		fmt.Fprintf(w, "; %d without relevant judgments left out", unjudged)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SR@1\tSR@5\tMRR\tMAP\tP@5\tRecall@10\tnDCG@10")
	fmt.Fprintf(tw, "%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", m.SR1, m.SR5, m.MRR, m.AP, m.P5, m.R10, m.NDCG10)
	tw.Flush()
}

// percentile returns the p-quantile of sorted durations (nearest rank), rounded for printing.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))].Round(time.Microsecond)
}
