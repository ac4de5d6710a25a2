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
		MinCount: vc.MinCount, Sample: vc.Sample}
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
	if cached {
		for _, v := range docs {
			unit(v)
		}
	} else {
		m.RemovePC(docs) // the component common to every document says nothing of any
		for _, v := range docs {
			unit(v)
		}
		if err := ix.cacheVectors(m); err != nil {
			return err
		}
	}
	ix.vec, ix.docVec = m, docs
	ix.answerDocs = map[*Entry][]int{}
	for i, a := range ix.answers {
		ix.answerDocs[a.entry] = append(ix.answerDocs[a.entry], len(ix.phrases)+i)
	}
	ix.vecInfo = VectorInfo{Trained: true, Sentences: len(sentences), Tokens: tokens, Words: m.Words(), Took: time.Since(start), Cached: cached}
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
		got.MinCount != cfg.MinCount || got.Sample != cfg.Sample {
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

// cosines returns the cosine of the query and an entry (its closest phrasing or answer); ok is
// false when the index has no vectors or the query none of their words.
func (ix *Index) cosines(q text.Terms) (cos func(*Entry) float64, ok bool) {
	if ix.vec == nil {
		return nil, false
	}
	qv := ix.vec.Embed(sentence(q))
	if !unit(qv) {
		return nil, false
	}
	return func(e *Entry) float64 {
		best := -1.0
		for _, d := range ix.byEntry[e] {
			best = max(best, dot(qv, ix.docVec[d]))
		}
		for _, d := range ix.answerDocs[e] {
			best = max(best, dot(qv, ix.docVec[d]))
		}
		return best
	}, true
}

// nearest sets the cosine of the query and each hit's entry, and adds to hits the Candidates
// entries nearest the query that are not among them.
func (ix *Index) nearest(q text.Terms, hits []Hit) []Hit {
	cos, ok := ix.cosines(q)
	if !ok {
		return hits
	}
	found := make(map[*Entry]bool, len(hits))
	for i := range hits {
		found[hits[i].Entry] = true
		hits[i].Vector = cos(hits[i].Entry)
	}
	if n := ix.content.Matcher.Vectors.Candidates; n > 0 {
		hits = append(hits, ix.rankByVector(cos, found, n)...)
	}
	return hits
}

// Nearest returns the k entries nearest the analysed query by their vectors alone, nearest
// first (ties in content order): retrieval by meaning, without words in common. It returns
// nothing when the index has no vectors.
func (ix *Index) Nearest(q text.Terms, k int) []Hit {
	cos, ok := ix.cosines(q)
	if !ok {
		return nil
	}
	return ix.rankByVector(cos, nil, k)
}

// rankByVector returns the n entries of highest cosine, leaving out those in skip.
func (ix *Index) rankByVector(cos func(*Entry) float64, skip map[*Entry]bool, n int) []Hit {
	var all []Hit
	for _, e := range ix.content.Entries {
		if !skip[e] {
			all = append(all, Hit{Entry: e, Vector: cos(e)})
		}
	}
	slices.SortFunc(all, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Vector, a.Vector), ix.Compare(a.Entry, b.Entry))
	})
	return all[:min(n, len(all))]
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

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}
