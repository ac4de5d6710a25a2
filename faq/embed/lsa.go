package embed

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// LSAConfig sets the training of an LSA. The zero value of a field means its default.
type LSAConfig struct {
	Dim        int   // dimensions kept; default 100, at most the number of terms or documents
	MinDF      int   // terms in fewer documents are left out; default 1
	Oversample int   // extra dimensions of the random subspace; default 10
	Iterations int   // subspace iterations; default 4
	Seed       int64 // seed of the random start; 0 is a seed like any other
}

// LSA is latent semantic analysis: the top singular vectors of the TF-IDF term-document
// matrix, found by randomized subspace iteration (Halko, Martinsson and Tropp, 2011). A token
// list is embedded by projecting its TF-IDF vector on them. It has no subwords: a term outside
// the documents has no vector. It is safe for concurrent use.
type LSA struct {
	dim   int
	terms map[string]int32
	idf   []float64
	basis []float32 // terms × dim: the left singular vectors, a row per term
	sigma []float64 // the singular values, descending
}

// Dim returns the size of the vectors.
func (l *LSA) Dim() int { return l.dim }

// Vector returns a new slice holding the vector of a term, its row of UΣ; all zeros for a term
// outside the vocabulary.
func (l *LSA) Vector(word string) []float32 {
	v := make([]float32, l.dim)
	if t, ok := l.terms[word]; ok {
		for c := range v {
			v[c] = float32(float64(l.basis[int(t)*l.dim+c]) * l.sigma[c])
		}
	}
	return v
}

// Embed returns a new slice holding the projection of the token list's TF-IDF vector (each
// term weighted (1 + ln tf) idf, the whole of unit length) on the singular vectors; all zeros
// when no token is a term of the vocabulary. The documents' vectors made this way are their
// rows of VΣ, so that queries and documents compare by Cosine.
func (l *LSA) Embed(tokens []string) []float32 {
	v := make([]float32, l.dim)
	x := l.tfidf(tokens, nil)
	acc := make([]float64, l.dim)
	for _, e := range x {
		row := l.basis[int(e.t)*l.dim : int(e.t+1)*l.dim]
		for c, u := range row {
			acc[c] += float64(e.w * float64(u))
		}
	}
	for c := range v {
		v[c] = float32(acc[c])
	}
	return v
}

// entry is a weighted term of a sparse vector.
type entry struct {
	t int32
	w float64
}

// tfidf appends to x the unit TF-IDF vector of tokens over the vocabulary, by term.
func (l *LSA) tfidf(tokens []string, x []entry) []entry {
	x = x[:0]
	for _, tok := range tokens {
		if t, ok := l.terms[tok]; ok {
			x = append(x, entry{t, 1})
		}
	}
	slices.SortFunc(x, func(a, b entry) int { return cmp.Compare(a.t, b.t) })
	// Merge repeats into term frequencies.
	out := x[:0]
	for _, e := range x {
		if n := len(out); n > 0 && out[n-1].t == e.t {
			out[n-1].w++
		} else {
			out = append(out, e)
		}
	}
	var s float64
	for i := range out {
		out[i].w = (1 + math.Log(out[i].w)) * l.idf[out[i].t]
		s += float64(out[i].w * out[i].w)
	}
	if s > 0 {
		n := math.Sqrt(s)
		for i := range out {
			out[i].w /= n
		}
	}
	return out
}

// TrainLSA builds an LSA of documents of tokens. It is deterministic and single-threaded, and
// returns ctx's error when ctx is done between iterations, and ErrNoWords when no term makes
// the vocabulary.
func TrainLSA(ctx context.Context, docs [][]string, cfg LSAConfig) (*LSA, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Dim, DefaultDim)
	def(&cfg.MinDF, 1)
	def(&cfg.Oversample, 10)
	def(&cfg.Iterations, 4)
	switch {
	case cfg.Dim < 1 || cfg.Dim > maxDim:
		return nil, fmt.Errorf("embed: train lsa: dim %d out of 1..%d", cfg.Dim, maxDim)
	case cfg.MinDF < 1 || cfg.Oversample < 0 || cfg.Oversample > maxDim || cfg.Iterations < 0 || cfg.Iterations > 100:
		return nil, fmt.Errorf("embed: train lsa: config %+v out of range", cfg)
	}
	// The vocabulary, in byte order, and the document frequencies.
	df := map[string]int{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, w := range d {
			if w != "" && !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	var vocab []string
	for w, n := range df {
		if n >= cfg.MinDF {
			vocab = append(vocab, w)
		}
	}
	if len(vocab) == 0 {
		return nil, fmt.Errorf("embed: train lsa: %w", ErrNoWords)
	}
	slices.Sort(vocab)
	l := &LSA{terms: make(map[string]int32, len(vocab)), idf: make([]float64, len(vocab))}
	n := float64(len(docs))
	for i, w := range vocab {
		l.terms[w] = int32(i)
		l.idf[i] = math.Log((1+n)/(1+float64(df[w]))) + 1
	}
	a := make([][]entry, 0, len(docs)) // the columns of the term-document matrix
	for _, d := range docs {
		if x := l.tfidf(d, nil); len(x) > 0 {
			a = append(a, slices.Clip(x))
		}
	}
	u, sigma, err := randomizedSVD(ctx, a, len(vocab), cfg)
	if err != nil {
		return nil, fmt.Errorf("embed: train lsa: %w", err)
	}
	l.dim, l.sigma = len(sigma), sigma
	l.basis = make([]float32, len(vocab)*l.dim)
	for c, col := range u {
		for t, x := range col {
			l.basis[t*l.dim+c] = float32(x)
		}
	}
	return l, nil
}

// randomizedSVD returns the top left singular vectors (as columns of length m) and singular
// values of the m-row sparse matrix whose columns are a.
func randomizedSVD(ctx context.Context, a [][]entry, m int, cfg LSAConfig) ([][]float64, []float64, error) {
	nd := len(a)
	k := min(cfg.Dim, m, nd)
	width := min(k+cfg.Oversample, m, nd)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x2545f4914f6cdd1d))
	z := make([][]float64, width) // n × width, column-major: the document side
	for c := range z {
		z[c] = make([]float64, nd)
		for j := range z[c] {
			z[c][j] = rng.NormFloat64()
		}
	}
	q := make([][]float64, width) // m × width: the term side
	for c := range q {
		q[c] = make([]float64, m)
	}
	times := func() { // q = A z, orthonormalised
		for c := range q {
			clear(q[c])
			for j, col := range a {
				f := z[c][j]
				for _, e := range col {
					q[c][e.t] += float64(e.w * f)
				}
			}
		}
		orthonormalize(q)
	}
	timesT := func() { // z = Aᵀ q
		for c := range z {
			for j, col := range a {
				var s float64
				for _, e := range col {
					s += float64(e.w * q[c][e.t])
				}
				z[c][j] = s
			}
		}
	}
	times()
	for range cfg.Iterations {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		timesT()
		orthonormalize(z)
		times()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// B = qᵀA = zᵀ; the eigenvectors of B Bᵀ = zᵀz rotate q onto the singular vectors.
	timesT()
	c := make([][]float64, width)
	for i := range c {
		c[i] = make([]float64, width)
		for j := range i + 1 {
			c[i][j] = dot64(z[i], z[j])
			c[j][i] = c[i][j]
		}
	}
	vals, vecs := jacobi(c)
	u := make([][]float64, k)
	sigma := make([]float64, k)
	for r := range k {
		sigma[r] = math.Sqrt(max(0, vals[r]))
		u[r] = make([]float64, m)
		for i := range width {
			w := vecs[i][r]
			for t, x := range q[i] {
				u[r][t] += float64(w * x)
			}
		}
		// The sign of a singular vector is arbitrary: make its largest coordinate positive.
		big := 0
		for t, x := range u[r] {
			if math.Abs(x) > math.Abs(u[r][big]) {
				big = t
			}
		}
		if u[r][big] < 0 {
			for t := range u[r] {
				u[r][t] = -u[r][t]
			}
		}
	}
	return u, sigma, nil
}

// orthonormalize makes the columns orthonormal by modified Gram–Schmidt, twice for accuracy; a
// column in the span of those before it becomes zero.
func orthonormalize(cols [][]float64) {
	for c := range cols {
		before := math.Sqrt(dot64(cols[c], cols[c]))
		for range 2 {
			for p := range c {
				r := dot64(cols[c], cols[p])
				for i, x := range cols[p] {
					cols[c][i] -= float64(r * x)
				}
			}
		}
		n := math.Sqrt(dot64(cols[c], cols[c]))
		if n <= 1e-10*before || n == 0 {
			clear(cols[c])
			continue
		}
		for i := range cols[c] {
			cols[c][i] /= n
		}
	}
}

func dot64(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, x := range a {
		s += float64(x * b[i])
	}
	return s
}

// jacobi returns the eigenvalues of the symmetric matrix s, descending, and its eigenvectors as
// the columns of the second result, by cyclic Jacobi rotations. s is overwritten.
func jacobi(s [][]float64) ([]float64, [][]float64) {
	n := len(s)
	v := make([][]float64, n)
	for i := range v {
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	var total float64
	for i := range s {
		total += dot64(s[i], s[i])
	}
	for range 100 {
		var off float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				off += float64(s[i][j] * s[i][j])
			}
		}
		if off <= 1e-30*total || off == 0 {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				if s[p][q] == 0 {
					continue
				}
				theta := (s[q][q] - s[p][p]) / (2 * s[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				sn := t * c
				for k := range n { // columns p and q
					skp, skq := s[k][p], s[k][q]
					s[k][p] = float64(c*skp) - float64(sn*skq)
					s[k][q] = float64(sn*skp) + float64(c*skq)
				}
				for k := range n { // rows p and q
					spk, sqk := s[p][k], s[q][k]
					s[p][k] = float64(c*spk) - float64(sn*sqk)
					s[q][k] = float64(sn*spk) + float64(c*sqk)
				}
				for k := range n {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = float64(c*vkp) - float64(sn*vkq)
					v[k][q] = float64(sn*vkp) + float64(c*vkq)
				}
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(s[b][b], s[a][a]) })
	vals := make([]float64, n)
	vecs := make([][]float64, n)
	for i := range vecs {
		vecs[i] = make([]float64, n)
	}
	for r, i := range order {
		vals[r] = s[i][i]
		for k := range n {
			vecs[k][r] = v[k][i]
		}
	}
	return vals, vecs
}
