// Package ireval measures a ranked retrieval against graded relevance judgments: the standard
// figures of FAQ retrieval (success rate at k, MRR, MAP, precision, recall, nDCG), readers for
// tab-separated query and judgment files, and a writer of TREC run files, so that any standard
// evaluator can check the figures.
//
// It imports no other faqbot package: it compares lists of document ids.
package ireval

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Qrels are graded judgments: query id → document id → grade. A grade of 1 or more is
// relevant; the grade is also the gain of nDCG. Once read they are only read, by any number of
// goroutines.
type Qrels map[string]map[string]int

// Relevant returns the number of relevant documents of a query.
func (q Qrels) Relevant(qid string) int {
	n := 0
	for _, g := range q[qid] {
		if g >= 1 {
			n++
		}
	}
	return n
}

// Metrics are the figures of one query, or their mean over queries. Every figure is computed
// over the ranking as given (its depth is the caller's cut-off, 10 in faqbot): MRR and MAP
// count only relevant documents ranked within it.
type Metrics struct {
	SR1, SR5 float64 // 1 when a relevant document is ranked first (in the top 5), else 0
	MRR      float64 // 1 / rank of the first relevant document, 0 when none is ranked
	AP       float64 // average precision: Σ precision at each relevant rank / relevant documents
	P5       float64 // relevant documents in the top 5 / 5
	R10      float64 // relevant documents in the top 10 / relevant documents
	NDCG10   float64 // DCG@10 / ideal DCG@10, gain = grade, discount = log2(rank + 1)
}

// Score computes the metrics of one query's ranking (document ids, best first) against its
// judgments. A query without relevant documents scores zero everywhere.
func Score(ranking []string, judged map[string]int) Metrics {
	var m Metrics
	relevant := 0
	var grades []int
	for _, g := range judged {
		if g >= 1 {
			relevant++
			grades = append(grades, g)
		}
	}
	if relevant == 0 {
		return m
	}
	var dcg, precisions float64
	found := 0
	for i, id := range ranking {
		g := judged[id]
		if g < 1 {
			continue
		}
		rank := i + 1
		found++
		precisions += float64(found) / float64(rank)
		if m.MRR == 0 {
			m.MRR = 1 / float64(rank)
		}
		if rank == 1 {
			m.SR1 = 1
		}
		if rank <= 5 {
			m.SR5 = 1
			m.P5 += 1.0 / 5
		}
		if rank <= 10 {
			m.R10 += 1 / float64(relevant)
			dcg += float64(g) / math.Log2(float64(rank)+1)
		}
	}
	m.AP = precisions / float64(relevant)
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	var ideal float64
	for i, g := range grades {
		if i == 10 {
			break
		}
		ideal += float64(g) / math.Log2(float64(i)+2)
	}
	m.NDCG10 = dcg / ideal
	return m
}

// Mean returns the mean of the metrics (MAP for AP); zero for no queries.
func Mean(ms []Metrics) Metrics {
	var s Metrics
	if len(ms) == 0 {
		return s
	}
	for _, m := range ms {
		s.SR1 += m.SR1
		s.SR5 += m.SR5
		s.MRR += m.MRR
		s.AP += m.AP
		s.P5 += m.P5
		s.R10 += m.R10
		s.NDCG10 += m.NDCG10
	}
	n := float64(len(ms))
	return Metrics{SR1: s.SR1 / n, SR5: s.SR5 / n, MRR: s.MRR / n, AP: s.AP / n, P5: s.P5 / n,
		R10: s.R10 / n, NDCG10: s.NDCG10 / n}
}

// Query is one query of a query file.
type Query struct {
	ID   string
	Text string
}

// readTSV calls row with the fields of every line after the header; name is used in errors.
func readTSV(r io.Reader, name string, fields int, row func(line int, f []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 || strings.TrimSpace(line) == "" {
			continue // the header
		}
		f := strings.Split(line, "\t")
		if len(f) != fields {
			return fmt.Errorf("%s:%d: want %d tab-separated fields, got %d", name, n, fields, len(f))
		}
		if err := row(n, f); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// ReadQueries reads a query file: a header line, then "qid<TAB>query" lines.
func ReadQueries(r io.Reader, name string) ([]Query, error) {
	var qs []Query
	err := readTSV(r, name, 2, func(n int, f []string) error {
		id := strings.TrimSpace(f[0])
		if id == "" {
			return fmt.Errorf("%s:%d: empty query id", name, n)
		}
		qs = append(qs, Query{ID: id, Text: f[1]})
		return nil
	})
	return qs, err
}

// ReadQrels reads a judgment file: a header line, then "qid<TAB>docid<TAB>grade" lines with
// integer grades.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	q := Qrels{}
	err := readTSV(r, name, 3, func(n int, f []string) error {
		g, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			return fmt.Errorf("%s:%d: grade %q is not an integer", name, n, f[2])
		}
		qid, doc := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if q[qid] == nil {
			q[qid] = map[string]int{}
		}
		q[qid][doc] = g
		return nil
	})
	return q, err
}

// Ranked is one document of a ranking with its score.
type Ranked struct {
	ID    string
	Score float64
}

// WriteRun writes one query's ranking in TREC run format: "qid Q0 docid rank score tag" lines,
// ranks from 1, scores with six decimals. Evaluators re-sort by score (trec_eval breaks ties by
// document id), so a score that is not below the previous one, as written, is written 0.000001
// below it: the file keeps the ranking's order.
func WriteRun(w io.Writer, qid string, ranking []Ranked, tag string) error {
	var prev int64 // the previous score in millionths
	for i, r := range ranking {
		s := int64(math.Round(r.Score * 1e6))
		if i > 0 && s >= prev {
			s = prev - 1
		}
		prev = s
		if _, err := fmt.Fprintf(w, "%s Q0 %s %d %.6f %s\n", qid, r.ID, i+1, float64(s)/1e6, tag); err != nil {
			return err
		}
	}
	return nil
}
