package embed

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Train learns a Model from sentences of tokens: fastText's subword skip-gram with negative
// sampling. Each centre word's vector (the mean of its own row and its n-grams' rows) predicts
// the words within a window drawn from 1..Window on either side against Negative words drawn
// from the unigram distribution raised to 0.75; frequent words are subsampled; the learning rate
// decays linearly from LR to 0 over all epochs. The rows of a centre word are updated once per
// window, with the gradient of all its context words.
//
// Training is single-threaded and deterministic: the same sentences and Config give
// bit-identical vectors. progress, when not nil, is called from Train's goroutine with the
// tokens processed so far and the total (Epochs times the vocabulary tokens), about every
// 16,384 tokens and once at the end. Train returns ctx's error soon after ctx is done, and
// ErrNoWords when no word makes the vocabulary. It does not keep sentences.
func Train(ctx context.Context, sentences [][]string, cfg Config, progress func(done, total int)) (*Model, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("embed: train: %w", err)
	}
	m := buildVocab(sentences, cfg)
	if len(m.words) == 0 {
		return nil, fmt.Errorf("embed: train: %w", ErrNoWords)
	}
	t := newTrainer(m)
	if err := t.run(ctx, sentences, progress); err != nil {
		return nil, fmt.Errorf("embed: train: %w", err)
	}
	t.finish()
	return m, nil
}

// buildVocab counts the tokens and returns a model holding the words seen at least MinCount
// times, by count descending and then bytes ascending, and their subword buckets.
func buildVocab(sentences [][]string, cfg Config) *Model {
	counts := map[string]int64{}
	var total int64
	for _, s := range sentences {
		for _, w := range s {
			if w == "" {
				continue
			}
			counts[w]++
			total++
		}
	}
	type wc struct {
		w string
		c int64
	}
	var vocab []wc
	for w, c := range counts {
		if c >= int64(cfg.MinCount) {
			vocab = append(vocab, wc{w, c})
		}
	}
	slices.SortFunc(vocab, func(a, b wc) int {
		if c := cmp.Compare(b.c, a.c); c != 0 {
			return c
		}
		return cmp.Compare(a.w, b.w)
	})
	m := &Model{cfg: cfg, total: total, index: make(map[string]int32, len(vocab))}
	for i, v := range vocab {
		m.words = append(m.words, v.w)
		m.counts = append(m.counts, v.c)
		m.index[v.w] = int32(i)
	}
	used := map[uint32]bool{}
	for _, w := range m.words {
		subwords(w, cfg.MinN, cfg.MaxN, cfg.Buckets, func(b uint32) { used[b] = true })
	}
	for b := range used {
		m.buckets = append(m.buckets, b)
	}
	slices.Sort(m.buckets)
	m.bindex = make(map[uint32]int32, len(m.buckets))
	for i, b := range m.buckets {
		m.bindex[b] = int32(i)
	}
	return m
}

// trainer holds the state of one training run.
type trainer struct {
	m        *Model
	dim      int
	in       []float32 // input rows: the words', then the used buckets'
	out      []float32 // output rows of the words
	rows     [][]int32 // the input rows of each word: its own, then its n-grams', without repeats
	keep     []float32 // probability of keeping each word when subsampling
	negTable []int32
	rng      *rand.Rand
	sigmoid  [sigmoidTableSize + 1]float32
}

const (
	negTableSize     = 1 << 20
	sigmoidTableSize = 1024
	maxSigmoid       = 8
	progressEvery    = 1 << 14
)

func newTrainer(m *Model) *trainer {
	cfg := m.cfg
	d := cfg.Dim
	nw, nb := len(m.words), len(m.buckets)
	t := &trainer{
		m:   m,
		dim: d,
		in:  make([]float32, (nw+nb)*d),
		out: make([]float32, nw*d),
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)),
	}
	// The input rows start uniform in ±1/dim, as in fastText; the output rows at zero.
	for i := range t.in {
		t.in[i] = (t.rng.Float32()*2 - 1) / float32(d)
	}
	t.rows = make([][]int32, nw)
	for i, w := range m.words {
		rows := []int32{int32(i)}
		subwords(w, cfg.MinN, cfg.MaxN, cfg.Buckets, func(b uint32) {
			r := int32(nw) + m.bindex[b]
			if !slices.Contains(rows, r) {
				rows = append(rows, r)
			}
		})
		t.rows[i] = slices.Clip(rows)
	}
	// Subsampling as in word2vec: keep a word of frequency f with probability
	// (sqrt(f/s) + 1) s/f.
	t.keep = make([]float32, nw)
	var vocabTotal int64
	for _, c := range m.counts {
		vocabTotal += c
	}
	for i, c := range m.counts {
		t.keep[i] = 1
		if cfg.Sample > 0 {
			f := float64(c) / float64(vocabTotal)
			t.keep[i] = float32(min(1, (math.Sqrt(f/cfg.Sample)+1)*cfg.Sample/f))
		}
	}
	// Negative samples from the unigram distribution to the power 0.75.
	var z float64
	for _, c := range m.counts {
		z += math.Pow(float64(c), 0.75)
	}
	t.negTable = make([]int32, 0, negTableSize+nw)
	var cum float64
	for i, c := range m.counts {
		cum += math.Pow(float64(c), 0.75)
		for float64(len(t.negTable)) < cum/z*negTableSize {
			t.negTable = append(t.negTable, int32(i))
		}
	}
	for i := range t.sigmoid {
		x := (float64(i)/sigmoidTableSize*2 - 1) * maxSigmoid
		t.sigmoid[i] = float32(1 / (1 + math.Exp(-x)))
	}
	return t
}

// sig returns the logistic function of x from a table, 0 or 1 beyond ±maxSigmoid.
func (t *trainer) sig(x float32) float32 {
	switch {
	case x <= -maxSigmoid:
		return 0
	case x >= maxSigmoid:
		return 1
	}
	return t.sigmoid[int((x+maxSigmoid)*(sigmoidTableSize/maxSigmoid/2))]
}

// run trains over every epoch.
func (t *trainer) run(ctx context.Context, sentences [][]string, progress func(done, total int)) error {
	cfg := t.m.cfg
	var vocabTokens int
	for _, s := range sentences {
		for _, w := range s {
			if _, ok := t.m.index[w]; ok {
				vocabTokens++
			}
		}
	}
	total := vocabTokens * cfg.Epochs
	done, reported := 0, 0
	d := t.dim
	hidden := make([]float32, d)
	grad := make([]float32, d)
	var line []int32
	for range cfg.Epochs {
		for _, s := range sentences {
			if done-reported >= progressEvery {
				if err := ctx.Err(); err != nil {
					return err
				}
				if progress != nil {
					progress(done, total)
				}
				reported = done
			}
			line = line[:0]
			for _, w := range s {
				i, ok := t.m.index[w]
				if !ok {
					continue
				}
				done++
				if t.keep[i] < 1 && t.keep[i] < t.rng.Float32() {
					continue
				}
				line = append(line, i)
			}
			lr := float32(cfg.LR * max(1e-4, 1-float64(done)/float64(total)))
			for c, w := range line {
				t.window(line, c, w, lr, hidden, grad)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if progress != nil {
		progress(total, total)
	}
	return nil
}

// window trains the centre word w at position c of line on a window around it.
func (t *trainer) window(line []int32, c int, w int32, lr float32, hidden, grad []float32) {
	d := t.dim
	b := 1 + t.rng.IntN(t.m.cfg.Window)
	lo, hi := max(0, c-b), min(len(line), c+b+1)
	if hi-lo < 2 {
		return
	}
	rows := t.rows[w]
	clear(hidden)
	for _, r := range rows {
		add(hidden, t.in[int(r)*d:int(r+1)*d])
	}
	scale(hidden, 1/float32(len(rows)))
	clear(grad)
	for p := lo; p < hi; p++ {
		if p == c {
			continue
		}
		target := line[p]
		t.update(target, 1, lr, hidden, grad)
		for range t.m.cfg.Negative {
			neg := t.negTable[t.rng.IntN(len(t.negTable))]
			if neg != target {
				t.update(neg, 0, lr, hidden, grad)
			}
		}
	}
	for _, r := range rows {
		add(t.in[int(r)*d:int(r+1)*d], grad)
	}
}

// update takes one logistic step for the output word o with label 1 or 0: it moves o's output
// row and adds the step of the input to grad.
func (t *trainer) update(o int32, label, lr float32, hidden, grad []float32) {
	d := t.dim
	out := t.out[int(o)*d : int(o+1)*d]
	g := lr * (label - t.sig(dot(out, hidden)))
	step(grad, out, hidden, g)
}

// finish moves the input rows into the model and derives the words' vectors.
func (t *trainer) finish() {
	m, d := t.m, t.dim
	nw := len(m.words)
	m.wrows = t.in[: nw*d : nw*d]
	m.brows = t.in[nw*d:]
	m.deriveVectors()
}

// deriveVectors sets each word's vector to the mean of its own row and its distinct n-grams'
// rows.
func (m *Model) deriveVectors() {
	d := m.cfg.Dim
	m.vecs = make([]float32, len(m.words)*d)
	var seen []int32
	for i, w := range m.words {
		v := m.vecs[i*d : (i+1)*d]
		copy(v, m.wrows[i*d:(i+1)*d])
		seen = seen[:0]
		subwords(w, m.cfg.MinN, m.cfg.MaxN, m.cfg.Buckets, func(b uint32) {
			r := m.bindex[b]
			if !slices.Contains(seen, r) {
				seen = append(seen, r)
				add(v, m.brows[int(r)*d:int(r+1)*d])
			}
		})
		scale(v, 1/float32(1+len(seen)))
	}
}
