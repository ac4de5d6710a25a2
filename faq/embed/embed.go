// Package embed learns word vectors from an FAQ's own text when the index is built, and turns
// a token list into a sentence vector, for a ranker that fuses the cosine of a query and an
// entry with a lexical score. It owns two models with the same Embed interface:
//
//   - Model: a subword skip-gram with negative sampling (fastText's unsupervised model): a
//     word's vector is the mean of its own vector and the vectors of its character n-grams,
//     hashed into buckets, so that a word never seen in training still gets a vector from the
//     n-grams it shares with words that were. Sentences are embedded with SIF weights and the
//     first principal component of the FAQ's documents removed.
//   - LSA: latent semantic analysis, a truncated SVD of the TF-IDF term-document matrix: cheaper,
//     no subwords, for comparison.
//
// Both are trained deterministically: the same sentences and seed give bit-identical vectors on
// every run (single-threaded, seeded math/rand/v2 PCG, no map order in any sum, and no fused
// multiply-adds). No pretrained model is used.
//
// The package imports only the standard library; it must not import faq, bleve or any other
// faqbot package: it sees tokens, not entries.
package embed

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// Config sets the training of a Model. The zero value of a field means its default.
type Config struct {
	Dim      int     // vector size; default 100
	Window   int     // largest distance of a context word; each centre word draws 1..Window; default 5
	Negative int     // negative samples per context word; default 5
	Epochs   int     // passes over the sentences; default 5
	MinCount int     // words seen fewer times are left out of the vocabulary; default 1
	MinN     int     // shortest character n-gram, in runes, boundary marks included; default 1
	MaxN     int     // longest character n-gram; default 3; -1 turns subwords off
	LR       float64 // starting learning rate, decayed linearly to 0; default 0.05
	Sample   float64 // subsampling threshold of frequent words; default 1e-3 (word2vec's); -1 turns it off
	Seed     int64   // seed of the random generator; 0 is a seed like any other
	Buckets  int     // hash buckets of the n-grams; default 2,000,000 (only the used ones are stored)
	SIF      float64 // a of the SIF weight a/(a+p(w)); default 1e-3
}

// Defaults of Config.
const (
	DefaultDim      = 100
	DefaultWindow   = 5
	DefaultNegative = 5
	DefaultEpochs   = 5
	DefaultMinCount = 1
	DefaultMinN     = 1
	DefaultMaxN     = 3
	DefaultLR       = 0.05
	DefaultSample   = 1e-3
	DefaultBuckets  = 2_000_000
	DefaultSIF      = 1e-3
)

// Limits of Config, which Read enforces too.
const (
	maxDim     = 4096
	maxWindow  = 1000
	maxNeg     = 1000
	maxEpochs  = 10000
	maxNgram   = 100
	maxBuckets = 1 << 30
)

// withDefaults returns c with its zero fields set to their defaults, and an error for a value out
// of range.
func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, DefaultDim)
	def(&c.Window, DefaultWindow)
	def(&c.Negative, DefaultNegative)
	def(&c.Epochs, DefaultEpochs)
	def(&c.MinCount, DefaultMinCount)
	def(&c.Buckets, DefaultBuckets)
	if c.MinN == 0 && c.MaxN == 0 {
		c.MinN, c.MaxN = DefaultMinN, DefaultMaxN
	}
	if c.MaxN < 0 {
		c.MinN, c.MaxN = 0, 0
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.Sample == 0 {
		c.Sample = DefaultSample
	}
	if c.Sample < 0 {
		c.Sample = -1
	}
	if c.SIF == 0 {
		c.SIF = DefaultSIF
	}
	return c, c.check()
}

// check reports a Config whose defaults are set but whose values are out of range.
func (c Config) check() error {
	switch {
	case c.Dim < 1 || c.Dim > maxDim:
		return fmt.Errorf("dim %d out of 1..%d", c.Dim, maxDim)
	case c.Window < 1 || c.Window > maxWindow:
		return fmt.Errorf("window %d out of 1..%d", c.Window, maxWindow)
	case c.Negative < 1 || c.Negative > maxNeg:
		return fmt.Errorf("negative %d out of 1..%d", c.Negative, maxNeg)
	case c.Epochs < 1 || c.Epochs > maxEpochs:
		return fmt.Errorf("epochs %d out of 1..%d", c.Epochs, maxEpochs)
	case c.MinCount < 1:
		return fmt.Errorf("min count %d below 1", c.MinCount)
	case c.MaxN != 0 && (c.MinN < 1 || c.MinN > c.MaxN || c.MaxN > maxNgram):
		return fmt.Errorf("n-gram lengths %d..%d out of 1..%d", c.MinN, c.MaxN, maxNgram)
	case c.MaxN == 0 && c.MinN != 0:
		return fmt.Errorf("min n %d without subwords", c.MinN)
	case c.Buckets < 1 || c.Buckets > maxBuckets:
		return fmt.Errorf("buckets %d out of 1..%d", c.Buckets, maxBuckets)
	case !(c.LR > 0 && c.LR <= 10):
		return fmt.Errorf("learning rate %g out of (0, 10]", c.LR)
	case !(c.Sample == -1 || c.Sample > 0 && c.Sample <= 1):
		return fmt.Errorf("sample %g out of (0, 1]", c.Sample)
	case !(c.SIF > 0 && c.SIF <= 1e6):
		return fmt.Errorf("sif weight %g out of (0, 1e6]", c.SIF)
	}
	return nil
}

// ErrNoWords is returned by Train and TrainLSA when no word of the sentences makes the
// vocabulary.
var ErrNoWords = errors.New("no words to learn from")

// Model is a trained subword skip-gram. Vector, Embed, Dim, Config and WriteTo are safe for
// concurrent use; RemovePC changes the model and must not run concurrently with them.
type Model struct {
	cfg    Config
	total  int64    // tokens of the training sentences, the denominator of p(w)
	words  []string // vocabulary, by count descending, then bytes ascending
	counts []int64  // count of each word
	index  map[string]int32
	wrows  []float32 // each word's own input vector, len(words)*dim
	// The n-gram buckets that some vocabulary word uses, ascending, and their vectors.
	buckets []uint32
	brows   []float32
	bindex  map[uint32]int32
	vecs    []float32 // each word's vector (the mean of its rows), derived
	pc      []float32 // unit first principal component removed by Embed, or nil
}

// Dim returns the size of the vectors.
func (m *Model) Dim() int { return m.cfg.Dim }

// Config returns the configuration the model was trained with, defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// Words returns the number of words in the vocabulary.
func (m *Model) Words() int { return len(m.words) }

// Vector returns a new slice holding the vector of a word: for a word of the vocabulary, the
// mean of its own vector and its distinct n-grams' vectors; for any other word, the mean of the
// vectors of those of its distinct n-grams that some vocabulary word has (all zeros when it has
// none).
func (m *Model) Vector(word string) []float32 {
	v := make([]float32, m.cfg.Dim)
	m.vector(word, v)
	return v
}

// vector writes the vector of word into v (len Dim) and reports whether it is not all zeros.
func (m *Model) vector(word string, v []float32) bool {
	d := m.cfg.Dim
	if i, ok := m.index[word]; ok {
		copy(v, m.vecs[int(i)*d:int(i+1)*d])
		return true
	}
	clear(v)
	var buf [32]int32
	seen := buf[:0]
	subwords(word, m.cfg.MinN, m.cfg.MaxN, m.cfg.Buckets, func(b uint32) {
		if r, ok := m.bindex[b]; ok && !slices.Contains(seen, r) {
			seen = append(seen, r)
			add(v, m.brows[int(r)*d:int(r+1)*d])
		}
	})
	if len(seen) == 0 {
		return false
	}
	scale(v, 1/float32(len(seen)))
	return true
}

// subwords calls f with the bucket of every character n-gram of word, in runes, of minN to maxN
// runes, with '<' and '>' marking its start and end; the marks alone are not n-grams. The
// buckets come in order of the n-gram's start, then length, and may repeat.
func subwords(word string, minN, maxN, buckets int, f func(uint32)) {
	if maxN == 0 {
		return
	}
	var buf [64]rune
	rs := buf[:0]
	rs = append(rs, '<')
	for _, r := range word {
		rs = append(rs, r)
	}
	rs = append(rs, '>')
	for i := range rs {
		h := uint32(fnvOffset)
		for j := i; j < len(rs) && j < i+maxN; j++ {
			h = fnvRune(h, rs[j])
			n := j - i + 1
			if n < minN || n == 1 && (i == 0 || j == len(rs)-1) {
				continue
			}
			f(h % uint32(buckets))
		}
	}
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// fnvRune feeds the UTF-8 bytes of r into a 32-bit FNV-1a hash.
func fnvRune(h uint32, r rune) uint32 {
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	for _, c := range b[:n] {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

// Cosine returns the cosine of the angle between a and b, 0 when either is all zeros or their
// lengths differ. It sums in float64.
func Cosine(a, b []float32) float32 {
	if len(a) != len(b) {
		return 0
	}
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab += float64(x * y) // the conversions keep the products from being fused
		aa += float64(x * x)
		bb += float64(y * y)
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	c := ab / math.Sqrt(aa*bb)
	return float32(max(-1, min(1, c)))
}
