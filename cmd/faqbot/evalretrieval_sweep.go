package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
	"github.com/faqbot/faqbot/nlu/ireval"
)

// measure ranks every judged query with rank and returns the mean of their metrics.
func measure(queries []ireval.Query, qrels ireval.Qrels, rank func(q string) ([]nlu.Scored, error)) (ireval.Metrics, error) {
	var ms []ireval.Metrics
	for _, q := range queries {
		if qrels.Relevant(q.ID) == 0 {
			continue
		}
		hits, err := rank(q.Text)
		if err != nil {
			return ireval.Metrics{}, err
		}
		ranking := make([]string, len(hits))
		for i, h := range hits {
			ranking[i] = h.Entry.ID
		}
		ms = append(ms, ireval.Score(ranking, qrels[q.ID]))
	}
	return ireval.Mean(ms), nil
}

// retrievalSetting is one setting of a retrieval sweep: its name and how it changes the
// matcher's settings (those of the search and of the ranking).
type retrievalSetting struct {
	name string
	set  func(m *faq.Matcher)
}

// retrievalGrid is what eval-retrieval --sweep measures, one tunable at a time around
// matcher.yaml's values (and the expansions' weight and cosine together): only the settings a
// search or the ranking reads, so that one index measures them all.
func retrievalGrid() []retrievalSetting {
	var grid []retrievalSetting
	add := func(name string, values []float64, set func(m *faq.Matcher, v float64)) {
		for _, v := range values {
			grid = append(grid, retrievalSetting{fmt.Sprintf("%s=%g", name, v), func(m *faq.Matcher) { set(m, v) }})
		}
	}
	add("rank.vector", []float64{1, 1.5, 2, 2.5, 3}, func(m *faq.Matcher, v float64) { m.Rank.Vector = v })
	add("rank.bm25", []float64{0, 0.1, 0.2, 0.3, 0.4}, func(m *faq.Matcher, v float64) { m.Rank.BM25 = v })
	add("rank.answer", []float64{0.4, 0.5, 0.6, 0.7, 0.8}, func(m *faq.Matcher, v float64) { m.Rank.Answer = v })
	add("rank.entry", []float64{0.4, 0.5, 0.6, 0.7, 0.8}, func(m *faq.Matcher, v float64) { m.Rank.Entry = v })
	add("retrieval.k1", []float64{0.6, 0.9, 1.2, 1.5, 2}, func(m *faq.Matcher, v float64) { m.Retrieval.K1 = v })
	add("retrieval.b", []float64{0.3, 0.5, 0.75, 0.9, 1}, func(m *faq.Matcher, v float64) { m.Retrieval.B = v })
	add("retrieval.answer_b", []float64{0.3, 0.5, 0.75, 0.9, 1}, func(m *faq.Matcher, v float64) { m.Retrieval.AnswerB = v })
	add("retrieval.answer_boost", []float64{0.1, 0.2, 0.3, 0.4, 0.5}, func(m *faq.Matcher, v float64) { m.Retrieval.AnswerBoost = v })
	add("vectors.candidates", []float64{0, 10, 30}, func(m *faq.Matcher, v float64) { m.Vectors.Candidates = int(v) })
	add("retrieval.expansion_weight", []float64{0}, func(m *faq.Matcher, v float64) { m.Retrieval.ExpansionWeight = v })
	for _, c := range []float64{0, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8} {
		for _, w := range []float64{0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 1} {
			grid = append(grid, retrievalSetting{fmt.Sprintf("retrieval.expansion_cosine=%g expansion_weight=%g", c, w), func(m *faq.Matcher) {
				m.Retrieval.ExpansionCosine, m.Retrieval.ExpansionWeight = c, w
			}})
		}
	}
	return grid
}

// sweepRetrieval measures every setting of retrievalGrid on one index, each from the content's
// own settings, and leaves the index with them again.
func sweepRetrieval(ctx context.Context, w io.Writer, ix *faq.Index, queries []ireval.Query, qrels ireval.Qrels) error {
	base := ix.Content().Matcher
	defer ix.Tune(base)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nsweep (one tunable at a time, the others as in matcher.yaml)\tSR@1\tSR@5\tMRR\tMAP\tP@5\tRecall@10\tnDCG@10")
	for _, s := range append([]retrievalSetting{{"matcher.yaml", func(*faq.Matcher) {}}}, retrievalGrid()...) {
		cfg := base
		s.set(&cfg)
		ix.Tune(cfg)
		m := nlu.NewWithConfig(ix, cfg)
		r, err := measure(queries, qrels, func(q string) ([]nlu.Scored, error) { return m.Rank(ctx, q, runDepth) })
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", s.name, r.SR1, r.SR5, r.MRR, r.AP, r.P5, r.R10, r.NDCG10)
	}
	return tw.Flush()
}
