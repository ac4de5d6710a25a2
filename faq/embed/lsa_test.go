package embed

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestJacobi(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 12
	s := make([][]float64, n)
	for i := range s {
		s[i] = make([]float64, n)
	}
	for i := range n {
		for j := range i + 1 {
			s[i][j] = rng.NormFloat64()
			s[j][i] = s[i][j]
		}
	}
	orig := make([][]float64, n)
	for i := range s {
		orig[i] = slices.Clone(s[i])
	}
	vals, vecs := jacobi(s)
	for r := 1; r < n; r++ {
		if vals[r] > vals[r-1] {
			t.Fatalf("eigenvalues not descending: %v", vals)
		}
	}
	// S v = λ v for every column, and the columns are orthonormal.
	for r := range n {
		for i := range n {
			var sv float64
			for k := range n {
				sv += orig[i][k] * vecs[k][r]
			}
			if d := sv - vals[r]*vecs[i][r]; math.Abs(d) > 1e-9 {
				t.Fatalf("eigenpair %d: residual %g at row %d", r, d, i)
			}
		}
		for q := range n {
			var d float64
			for k := range n {
				d += vecs[k][r] * vecs[k][q]
			}
			if want := float64(boolInt(r == q)); math.Abs(d-want) > 1e-9 {
				t.Fatalf("columns %d and %d: dot %g", r, q, d)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// denseTFIDF returns the term-document matrix of an LSA's documents as rows per term.
func denseTFIDF(l *LSA, docs [][]string) [][]float64 {
	a := make([][]float64, len(l.idf))
	for t := range a {
		a[t] = make([]float64, len(docs))
	}
	for j, d := range docs {
		for _, e := range l.tfidf(d, nil) {
			a[e.t][j] = e.w
		}
	}
	return a
}

func TestLSASingularVectors(t *testing.T) {
	c := newCorpus(3, 8, 8, 40)
	// With as many dimensions as documents the subspace is the whole range: exact.
	l, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: 40})
	if err != nil {
		t.Fatal(err)
	}
	a := denseTFIDF(l, c.sentences)
	m, n := len(a), len(c.sentences)
	if l.Dim() != 40 || m < 40 {
		t.Fatalf("dim %d, %d terms", l.Dim(), m)
	}
	u := func(t, c int) float64 { return float64(l.basis[t*l.dim+c]) }
	// U is orthonormal and the singular values descend.
	for p := range l.dim {
		for q := range l.dim {
			var d float64
			for t := range m {
				d += u(t, p) * u(t, q)
			}
			if want := float64(boolInt(p == q)); math.Abs(d-want) > 1e-4 {
				t.Fatalf("U columns %d, %d: dot %g", p, q, d)
			}
		}
		if p > 0 && l.sigma[p] > l.sigma[p-1]*(1+1e-9) {
			t.Fatalf("singular values not descending: %v", l.sigma)
		}
	}
	// A = U Uᵀ A: nothing of A is outside the subspace.
	var res, tot float64
	for j := range n {
		proj := make([]float64, l.dim)
		for c := range l.dim {
			for t := range m {
				proj[c] += u(t, c) * a[t][j]
			}
		}
		for t := range m {
			r := a[t][j]
			for c := range l.dim {
				r -= u(t, c) * proj[c]
			}
			res += r * r
			tot += a[t][j] * a[t][j]
		}
	}
	if res > 1e-8*tot {
		t.Errorf("residual %g of %g outside the subspace", res, tot)
	}
	// A truncated LSA finds the same top singular values, from the eigenvalues of AᵀA.
	ata := make([][]float64, n)
	for i := range ata {
		ata[i] = make([]float64, n)
		for j := range n {
			for t := range m {
				ata[i][j] += a[t][i] * a[t][j]
			}
		}
	}
	vals, _ := jacobi(ata)
	small, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: 5, Oversample: 10, Iterations: 6})
	if err != nil {
		t.Fatal(err)
	}
	for r := range 5 {
		want := math.Sqrt(vals[r])
		if math.Abs(small.sigma[r]-want) > 1e-3*want {
			t.Errorf("singular value %d: %g, want %g", r, small.sigma[r], want)
		}
	}
}

func TestLSALearnsGroups(t *testing.T) {
	c := newCorpus(7, 20, 10, 2000)
	l, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: 30})
	if err != nil {
		t.Fatal(err)
	}
	var same, other []float32
	for gi, g := range c.groups {
		for i, a := range g {
			va := l.Vector(a)
			for _, b := range g[i+1:] {
				same = append(same, Cosine(va, l.Vector(b)))
			}
			for _, h := range c.groups[gi+1:] {
				for _, b := range h {
					other = append(other, Cosine(va, l.Vector(b)))
				}
			}
		}
	}
	ms, mo := mean(same), mean(other)
	t.Logf("mean cosine: same group %.3f, different groups %.3f", ms, mo)
	if ms-mo < 0.3 {
		t.Errorf("same group %.3f, different groups %.3f: margin %.3f, want >= 0.3", ms, mo, ms-mo)
	}
	// Sentences of one group sharing a word are closer than sentences of another.
	rng := rand.New(rand.NewPCG(3, 3))
	sentence := func(g []string) []string {
		s := make([]string, 6)
		for i := range s {
			s[i] = g[rng.IntN(len(g))]
		}
		return s
	}
	wins := 0
	for i := range 200 {
		gi := i % len(c.groups)
		g, h := c.groups[gi], c.groups[(gi+1+rng.IntN(len(c.groups)-1))%len(c.groups)]
		a, b, x := sentence(g), sentence(g), sentence(h)
		b[0] = a[0]
		if Cosine(l.Embed(a), l.Embed(b)) > Cosine(l.Embed(a), l.Embed(x)) {
			wins++
		}
	}
	if wins < 195 {
		t.Errorf("closer in %d of 200 cases, want >= 195", wins)
	}
	if v := l.Embed([]string{"未知", ""}); slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Error("Embed of unknown tokens not zero")
	}
}

func TestLSADeterministic(t *testing.T) {
	c := newCorpus(5, 10, 8, 300)
	a, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.basis, b.basis) || !slices.Equal(a.sigma, b.sigma) {
		t.Error("two LSAs of the same documents and seed differ")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TrainLSA(ctx, c.sentences, LSAConfig{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if _, err := TrainLSA(context.Background(), [][]string{{""}}, LSAConfig{}); !errors.Is(err, ErrNoWords) {
		t.Errorf("no words: err = %v", err)
	}
	if _, err := TrainLSA(context.Background(), c.sentences, LSAConfig{Dim: -3}); err == nil {
		t.Error("negative dim: no error")
	}
}
