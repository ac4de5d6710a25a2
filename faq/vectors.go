package faq

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/embed"
)

// VectorInfo says what the index learnt its word vectors from, and how long it took.
type VectorInfo struct {
	// Trained is false when the FAQ is too small to learn from (Vectors.MinEntries).
	Trained bool
	// Sentences and Tokens are the size of the corpus: every phrasing and answer.
	Sentences, Tokens, Words int
	// Took is the training time, or the time to read the vectors cached with an on-disk index.
	Took   time.Duration
	Cached bool
}

// vectorsFile is the name of the vectors cached in an on-disk index's directory.
const vectorsFile = "vectors.bin"

// sentence is what the vectors learn from in a document: its analysed words, in order.
func sentence(t text.Terms) []string {
	if len(t[text.JA]) > 0 {
		return t[text.JA]
	}
	return t[text.EN]
}

// buildVectors learns the word vectors of the FAQ (or reads those cached beside an on-disk index
// built from the same content and settings) and embeds every document with them. It needs the
// documents' terms (ix.raw).
func (ix *Index) buildVectors(ctx context.Context) error {
	vc := ix.content.Matcher.Vectors
	if len(ix.content.Entries) < vc.MinEntries || len(ix.raw) == 0 {
		return nil
	}
	start := time.Now()
	sentences := make([][]string, len(ix.raw))
	tokens := 0
	for i, t := range ix.raw {
		sentences[i] = sentence(t)
		tokens += len(sentences[i])
	}
	cfg := embed.Config{Dim: vc.Dim, Window: vc.Window, Negative: vc.Negative, Epochs: vc.Epochs, Seed: vc.Seed,
		MinCount: vc.MinCount, Sample: vc.Sample, SIF: vc.SIF}
	m, cached := ix.cachedVectors(cfg)
	if m == nil {
		report := progress(ctx, "vectors", 100)
		var err error
		m, err = embed.Train(ctx, sentences, cfg, func(done, total int) {
			if total > 0 {
				report(done * 100 / total)
			}
		})
		if err != nil {
			if errors.Is(err, embed.ErrNoWords) {
				return nil
			}
			return fmt.Errorf("faq: vectors: %w", err)
		}
	}
	docs := make([][]float32, len(sentences))
	for i, s := range sentences {
		docs[i] = m.Embed(s)
	}
	if !cached {
		m.RemovePC(docs) // the component common to every document says nothing of any
		if err := ix.cacheVectors(m); err != nil {
			return err
		}
	}
	for _, v := range docs {
		unit(v)
	}
	ix.vec = m
	ix.entryVec = ix.entryVectors(docs, m.Dim())
	ix.vecInfo = VectorInfo{Trained: true, Sentences: len(sentences), Tokens: tokens, Words: m.Words(), Took: time.Since(start), Cached: cached}
	ix.mineExpansions()
	return nil
}

// cachedVectors reads the vectors cached in the index's directory, if they were trained with cfg.
func (ix *Index) cachedVectors(cfg embed.Config) (*embed.Model, bool) {
	if ix.dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(ix.dir, vectorsFile))
	if err != nil {
		return nil, false
	}
	m, err := embed.Read(bytes.NewReader(data))
	if err != nil || m.PC() == nil {
		return nil, false // damaged or half-written: train again
	}
	got := m.Config()
	if got.Dim != cfg.Dim || got.Window != cfg.Window || got.Negative != cfg.Negative || got.Epochs != cfg.Epochs || got.Seed != cfg.Seed ||
		got.MinCount != cfg.MinCount || got.Sample != cfg.Sample || got.SIF != cfg.SIF {
		return nil, false
	}
	return m, true
}

// cacheVectors writes m into the index's directory (nothing in memory), atomically.
func (ix *Index) cacheVectors(m *embed.Model) error {
	if ix.dir == "" {
		return nil
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return fmt.Errorf("faq: vectors: %w", err)
	}
	tmp := filepath.Join(ix.dir, vectorsFile+".tmp")
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("faq: vectors: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(ix.dir, vectorsFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("faq: vectors: %w", err)
	}
	return nil
}

// Vectors says whether the index learnt word vectors, from what and in how long.
func (ix *Index) Vectors() VectorInfo { return ix.vecInfo }

// entryVectors lays out the unit vectors of the documents (by document number) entry by entry,
// in the order of the entries' numbers (ix.ents: the entries in content order, then the
// out-of-scope pseudo-entry); each entry's phrasings, then its answers.
func (ix *Index) entryVectors(docs [][]float32, dim int) *entryVectors {
	answers := make([][]int, len(ix.ents))
	for i := range ix.answers {
		d := len(ix.phrases) + i
		answers[ix.docEnt[d]] = append(answers[ix.docEnt[d]], d)
	}
	ev := &entryVectors{dim: dim, rows: make([]float32, 0, len(docs)*dim), start: make([]int32, 1, len(ix.ents)+1)}
	for n := range ix.ents {
		for _, d := range ix.ents[n].phrases {
			ev.rows = append(ev.rows, docs[d]...)
		}
		for _, d := range answers[n] {
			ev.rows = append(ev.rows, docs[d]...)
		}
		ev.start = append(ev.start, int32(len(ev.rows)/dim))
	}
	return ev
}

// entryVectors are the unit vectors of every entry's documents in one matrix, so that the cosine
// of a query and an entry reads one contiguous block of rows.
type entryVectors struct {
	dim  int
	rows []float32 // one row of dim after another
	// The rows of entry number k are start[k] to start[k+1].
	start []int32
}

// cosine returns the greatest dot product of the unit query vector q and the rows of slot k (the
// cosine to the entry's nearest document), -1 when the entry has none.
func (ev *entryVectors) cosine(q []float32, k int32) float64 {
	d := ev.dim
	best := -1.0
	rows := ev.rows[int(ev.start[k])*d : int(ev.start[k+1])*d]
	// Four rows at a time: four independent sums, each added up in the order of dot.
	for ; len(rows) >= 4*d; rows = rows[4*d:] {
		r0, r1, r2, r3 := rows[:len(q)], rows[d:d+len(q)], rows[2*d:2*d+len(q)], rows[3*d:3*d+len(q)]
		var s0, s1, s2, s3 float32
		for i, x := range q {
			s0 += float32(x * r0[i])
			s1 += float32(x * r1[i])
			s2 += float32(x * r2[i])
			s3 += float32(x * r3[i])
		}
		best = max(best, float64(s0), float64(s1), float64(s2), float64(s3))
	}
	for ; len(rows) >= d; rows = rows[d:] {
		best = max(best, dot(q, rows[:d]))
	}
	return best
}

// queryVector returns the unit vector of the query; ok is false when the index has no vectors
// or the query none of their words.
func (ix *Index) queryVector(q text.Terms) (qv []float32, ok bool) {
	if ix.vec == nil {
		return nil, false
	}
	qv = ix.vec.Embed(sentence(q))
	return qv, unit(qv)
}

// nearest sets the cosine of the query and each hit's entry (its closest phrasing or answer),
// and adds to hits the Candidates entries nearest the query that are not among them; nums are
// the hits' entry numbers, and it returns those of the hits it returns.
func (ix *Index) nearest(q text.Terms, hits []Hit, nums []int32) ([]Hit, []int32) {
	qv, ok := ix.queryVector(q)
	if !ok {
		return hits, nums
	}
	ev := ix.entryVec
	for i := range hits {
		hits[i].Vector = ev.cosine(qv, nums[i])
	}
	if n := ix.content.Matcher.Vectors.Candidates; n > 0 {
		found := make(map[*Entry]bool, len(hits))
		for _, h := range hits {
			found[h.Entry] = true
		}
		for _, h := range ix.rankByVector(qv, found, n) {
			hits, nums = append(hits, h), append(nums, ix.entNum[h.Entry])
		}
	}
	return hits, nums
}

// Nearest returns the k entries nearest the analysed query by their vectors alone, nearest
// first (ties in content order): retrieval by meaning, without words in common. It returns
// nothing when the index has no vectors.
func (ix *Index) Nearest(q text.Terms, k int) []Hit {
	qv, ok := ix.queryVector(q)
	if !ok {
		return nil
	}
	return ix.rankByVector(qv, nil, k)
}

// rankByVector returns the n entries of Content.Entries of highest cosine to the unit query
// vector qv, leaving out those in skip.
func (ix *Index) rankByVector(qv []float32, skip map[*Entry]bool, n int) []Hit {
	type ranked struct {
		hit   Hit
		order int
	}
	ev := ix.entryVec
	all := make([]ranked, 0, len(ix.content.Entries))
	for k, e := range ix.content.Entries { // entry number k
		if !skip[e] {
			all = append(all, ranked{Hit{Entry: e, Vector: ev.cosine(qv, int32(k))}, ix.Order(e)})
		}
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.hit.Vector, a.hit.Vector), cmp.Compare(a.order, b.order), strings.Compare(a.hit.Entry.ID, b.hit.Entry.ID))
	})
	out := make([]Hit, min(n, len(all)))
	for i := range out {
		out[i] = all[i].hit
	}
	return out
}

// unit scales v to length 1; it reports false for a zero vector.
func unit(v []float32) bool {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return false
	}
	k := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= k
	}
	return true
}

// dot returns the dot product of a and b (of the same length), summed in float32 in index order;
// the conversion keeps a compiler from fusing the multiply-adds, for the same sums on every
// platform.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		s += float32(x * b[i])
	}
	return float64(s)
}
