package embed

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// corpus is a synthetic corpus: groups of words that share their contexts, and function words
// that come in every sentence.
type corpus struct {
	groups    [][]string
	function  []string
	sentences [][]string
}

// newCorpus generates sentences of the words of one group each, mixed with function words.
// Words are 2 to 4 random CJK ideographs out of 3,000, so that words of different groups share
// few n-grams.
func newCorpus(seed uint64, groups, perGroup, sentences int) corpus {
	rng := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	word := func() string {
		for {
			rs := make([]rune, 2+rng.IntN(3))
			for i := range rs {
				rs[i] = 0x4E00 + rune(rng.IntN(3000))
			}
			if w := string(rs); !seen[w] {
				seen[w] = true
				return w
			}
		}
	}
	var c corpus
	for range groups {
		g := make([]string, perGroup)
		for i := range g {
			g[i] = word()
		}
		c.groups = append(c.groups, g)
	}
	for range 8 {
		c.function = append(c.function, word())
	}
	for range sentences {
		g := c.groups[rng.IntN(groups)]
		s := make([]string, 8+rng.IntN(8))
		for i := range s {
			if rng.Float64() < 0.7 {
				s[i] = g[rng.IntN(len(g))]
			} else {
				s[i] = c.function[rng.IntN(len(c.function))]
			}
		}
		c.sentences = append(c.sentences, s)
	}
	return c
}

// trainCorpus trains on a corpus of 20 groups of 10 words, 2,000 sentences (about 24,000
// tokens), once per test binary and seed.
var trained = map[uint64]*Model{}

func trainCorpus(t testing.TB, seed uint64) (*Model, corpus) {
	t.Helper()
	c := newCorpus(seed, 20, 10, 2000)
	if m := trained[seed]; m != nil {
		return m, c
	}
	m, err := Train(context.Background(), c.sentences, Config{Dim: 32, Epochs: 5, Seed: int64(seed)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained[seed] = m
	return m, c
}

func TestLearnsGroups(t *testing.T) {
	m, c := trainCorpus(t, 7)
	ms, mo := groupCosines(m, c)
	t.Logf("mean cosine: same group %.3f, different groups %.3f", ms, mo)
	if ms-mo < 0.3 {
		t.Errorf("same group %.3f, different groups %.3f: margin %.3f, want >= 0.3", ms, mo, ms-mo)
	}
	// The margin is learnt: with a learning rate too small to move the vectors there is none.
	still, err := Train(context.Background(), c.sentences, Config{Dim: 32, Epochs: 1, LR: 1e-9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ms, mo := groupCosines(still, c); ms-mo > 0.1 {
		t.Errorf("untrained model: same group %.3f, different groups %.3f", ms, mo)
	}
	// Nearly every word's nearest neighbour among the group words is of its own group.
	var words []string
	group := map[string]int{}
	for gi, g := range c.groups {
		for _, w := range g {
			words = append(words, w)
			group[w] = gi
		}
	}
	right := 0
	for _, a := range words {
		va := m.Vector(a)
		best, bestCos := "", float32(-2)
		for _, b := range words {
			if b == a {
				continue
			}
			if cs := Cosine(va, m.Vector(b)); cs > bestCos {
				best, bestCos = b, cs
			}
		}
		if group[best] == group[a] {
			right++
		}
	}
	if float64(right) < 0.95*float64(len(words)) {
		t.Errorf("nearest neighbour in the same group for %d of %d words, want >= 95%%", right, len(words))
	}
}

// groupCosines returns the mean cosine of pairs of words of the same group and of different
// groups.
func groupCosines(m *Model, c corpus) (same, other float64) {
	var s, o []float32
	for gi, g := range c.groups {
		for i, a := range g {
			va := m.Vector(a)
			for _, b := range g[i+1:] {
				s = append(s, Cosine(va, m.Vector(b)))
			}
			for _, h := range c.groups[gi+1:] {
				for _, b := range h {
					o = append(o, Cosine(va, m.Vector(b)))
				}
			}
		}
	}
	return mean(s), mean(o)
}

func TestUnseenWordBySubwords(t *testing.T) {
	m, c := trainCorpus(t, 7)
	// Long trained words, so that a changed last rune leaves most n-grams shared.
	tested := 0
	for gi, g := range c.groups {
		for _, w := range g {
			if len([]rune(w)) != 4 {
				continue
			}
			tested++
			rs := []rune(w)
			rs[3] = 'ア' // katakana: no trained word has it
			unseen := string(rs)
			if _, ok := m.index[unseen]; ok {
				t.Fatalf("%s is in the vocabulary", unseen)
			}
			vu := m.Vector(unseen)
			own := Cosine(vu, m.Vector(w))
			// Closer to its word than to any word of another group (the words of its own group
			// share its contexts and can be as close).
			for hi, h := range c.groups {
				for _, o := range h {
					if hi != gi {
						if cs := Cosine(vu, m.Vector(o)); cs >= own {
							t.Errorf("unseen %s: cosine %.3f with %s, %.3f with unrelated %s", unseen, own, w, cs, o)
						}
					}
				}
			}
		}
	}
	if tested < 20 {
		t.Fatalf("only %d words of 4 runes", tested)
	}
	// A word with no known n-gram has no vector.
	if v := m.Vector("zzz"); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Errorf("Vector(zzz) = %v, want zeros", v[:4])
	}
}

func TestEmbedSharedWords(t *testing.T) {
	m, c := trainCorpus(t, 7)
	rng := rand.New(rand.NewPCG(3, 3))
	sentence := func(g []string) []string {
		s := make([]string, 6)
		for i := range s {
			s[i] = g[rng.IntN(len(g))]
		}
		return s
	}
	var related, unrelated []float32
	wins := 0
	for i := range 200 {
		gi := i % len(c.groups)
		g, h := c.groups[gi], c.groups[(gi+1+rng.IntN(len(c.groups)-1))%len(c.groups)]
		a, b := sentence(g), sentence(g)
		b[0] = a[0] // b shares at least a word with a
		u := sentence(h)
		ra, rb := Cosine(m.Embed(a), m.Embed(b)), Cosine(m.Embed(a), m.Embed(u))
		related = append(related, ra)
		unrelated = append(unrelated, rb)
		if ra > rb {
			wins++
		}
	}
	t.Logf("mean cosine: sharing words %.3f, unrelated %.3f", mean(related), mean(unrelated))
	if wins < 195 {
		t.Errorf("a sentence sharing words is closer than an unrelated one in %d of 200 cases, want >= 195", wins)
	}
	if v := m.Embed(nil); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) || len(v) != m.Dim() {
		t.Errorf("Embed(nil) = %v…, want %d zeros", v[:4], m.Dim())
	}
}

func TestRemovePC(t *testing.T) {
	m, c := trainCorpus(t, 11)
	m.pc = nil
	defer func() { m.pc = nil }()
	raw := make([][]float32, 0, 200)
	docs := make([][]float32, 0, 200)
	for _, s := range c.sentences[:200] {
		raw = append(raw, m.Embed(s))
		docs = append(docs, m.Embed(s))
	}
	m.RemovePC(docs)
	pc := m.PC()
	if pc == nil {
		t.Fatal("no component stored")
	}
	// The component is the top singular vector: no other direction tried carries more of the
	// documents' energy, neither random ones nor the documents' own.
	energy := func(u []float32) float64 {
		var e float64
		n := Cosine(u, u) // 1, or 0 for a zero u
		for _, v := range raw {
			p := float64(Cosine(v, u)) * norm(v) * float64(n)
			e += p * p
		}
		return e
	}
	top := energy(pc)
	rng := rand.New(rand.NewPCG(9, 9))
	tries := slices.Clone(raw)
	for range 100 {
		u := make([]float32, m.Dim())
		for i := range u {
			u[i] = float32(rng.NormFloat64())
		}
		tries = append(tries, u)
	}
	for i, u := range tries {
		if e := energy(u); e > top*(1+1e-4) {
			t.Fatalf("direction %d carries energy %g, more than the component's %g", i, e, top)
		}
	}
	for i, d := range docs {
		if cs := Cosine(d, pc); cs > 1e-4 || cs < -1e-4 {
			t.Fatalf("document %d: cosine %g with the component after removal", i, cs)
		}
	}
	// A query gets the same projection as the documents.
	q := m.Embed(c.sentences[5])
	if cs := Cosine(q, docs[5]); cs < 1-1e-5 {
		t.Errorf("query embedding has cosine %g with the same document's after removal", cs)
	}
	if cs := Cosine(q, pc); cs > 1e-4 || cs < -1e-4 {
		t.Errorf("query embedding: cosine %g with the component", cs)
	}
	// Zero vectors have no component.
	m.RemovePC([][]float32{make([]float32, m.Dim()), {1, 2}})
	if m.PC() != nil {
		t.Errorf("component of zero vectors: %v", m.PC()[:4])
	}
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestDeterministic(t *testing.T) {
	c := newCorpus(5, 10, 8, 800)
	cfg := Config{Dim: 32, Epochs: 3, Seed: 42}
	encode := func(cfg Config) []byte {
		m, err := Train(context.Background(), c.sentences, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := encode(cfg), encode(cfg)
	if !bytes.Equal(a, b) {
		t.Error("two trainings with the same seed differ")
	}
	cfg.Seed = 43
	if bytes.Equal(a, encode(cfg)) {
		t.Error("two trainings with different seeds are identical")
	}
}

func TestTrainCancelAndProgress(t *testing.T) {
	c := newCorpus(5, 10, 8, 1500)
	var calls [][2]int
	_, err := Train(context.Background(), c.sentences, Config{Dim: 8, Epochs: 2}, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 {
		t.Fatalf("progress called %d times", len(calls))
	}
	total := calls[0][1]
	for i, c := range calls {
		if c[1] != total || c[0] > total || i > 0 && c[0] <= calls[i-1][0] {
			t.Fatalf("progress calls not increasing to a fixed total: %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != total {
		t.Errorf("last progress %v, want done = total", last)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = Train(ctx, c.sentences, Config{Dim: 8, Epochs: 50}, func(done, total int) {
		if n++; n == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled training: err = %v, want context.Canceled", err)
	}
	if n != 2 {
		t.Errorf("progress called %d times, want training to stop after the cancel", n)
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(context.Background(), [][]string{{"", ""}}, Config{}, nil); !errors.Is(err, ErrNoWords) {
		t.Errorf("no words: err = %v, want ErrNoWords", err)
	}
	if _, err := Train(context.Background(), [][]string{{"a", "a"}}, Config{MinCount: 3}, nil); !errors.Is(err, ErrNoWords) {
		t.Errorf("all below min count: err = %v, want ErrNoWords", err)
	}
	for _, cfg := range []Config{{Dim: -1}, {MinN: 4, MaxN: 2}, {Buckets: -5}, {LR: -1}, {Window: maxWindow + 1}} {
		if _, err := Train(context.Background(), [][]string{{"a", "b"}}, cfg, nil); err == nil {
			t.Errorf("Train with %+v: no error", cfg)
		}
	}
	// One word, no subwords: it trains and has a vector.
	m, err := Train(context.Background(), [][]string{{"a", "a", "a"}}, Config{MaxN: -1, Dim: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Words() != 1 || len(m.Vector("a")) != 4 || Cosine(m.Vector("a"), m.Vector("a")) < 0.999 {
		t.Errorf("one-word model: %d words, vector %v", m.Words(), m.Vector("a"))
	}
}

func TestSubwords(t *testing.T) {
	var got []uint32
	subwords("株式", 1, 3, 1<<30, func(b uint32) { got = append(got, b) })
	h := func(s string) uint32 {
		x := uint32(fnvOffset)
		for _, r := range s {
			x = fnvRune(x, r)
		}
		return x % (1 << 30)
	}
	var want []uint32
	for _, g := range []string{"<株", "<株式", "株", "株式", "株式>", "式", "式>"} {
		want = append(want, h(g))
	}
	if !slices.Equal(got, want) {
		t.Errorf("subwords(株式) = %v, want %v", got, want)
	}
	got = got[:0]
	subwords("株式", 2, 2, 1<<30, func(b uint32) { got = append(got, b) })
	if want := []uint32{h("<株"), h("株式"), h("式>")}; !slices.Equal(got, want) {
		t.Errorf("subwords(株式, 2..2) = %v, want %v", got, want)
	}
	// FNV-1a of "a" is the published value.
	if got := fnvRune(fnvOffset, 'a'); got != 0xe40c292c {
		t.Errorf("fnv1a(a) = %#x", got)
	}
}

func TestCosine(t *testing.T) {
	for _, tc := range []struct {
		a, b []float32
		want float32
	}{
		{[]float32{1, 0}, []float32{1, 0}, 1},
		{[]float32{1, 0}, []float32{0, 2}, 0},
		{[]float32{1, 1}, []float32{-2, -2}, -1},
		{[]float32{0, 0}, []float32{1, 1}, 0},
		{[]float32{1}, []float32{1, 1}, 0},
	} {
		if got := Cosine(tc.a, tc.b); got < tc.want-1e-6 || got > tc.want+1e-6 {
			t.Errorf("Cosine(%v, %v) = %g, want %g", tc.a, tc.b, got, tc.want)
		}
	}
}

func mean(xs []float32) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}
