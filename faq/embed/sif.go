package embed

import "math"

// Embed returns a new slice holding the SIF embedding of a token list (Arora, Liang and Ma,
// "A simple but tough-to-beat baseline for sentence embeddings", 2017): the mean of the words'
// vectors weighted by a/(a+p(w)), where p(w) is the word's frequency in the training sentences
// (0 for a word outside the vocabulary) and a is Config.SIF, less its projection on the
// component RemovePC stored, if any. Empty tokens count as no token; with none, the vector is
// all zeros.
func (m *Model) Embed(tokens []string) []float32 {
	d := m.cfg.Dim
	v := make([]float32, d)
	w := make([]float32, d)
	n := 0
	for _, t := range tokens {
		if t == "" {
			continue
		}
		n++
		if !m.vector(t, w) {
			continue
		}
		p := 0.0
		if i, ok := m.index[t]; ok && m.total > 0 {
			p = float64(m.counts[i]) / float64(m.total)
		}
		axpy(v, float32(m.cfg.SIF/(m.cfg.SIF+p)), w)
	}
	if n == 0 {
		return v
	}
	scale(v, 1/float32(n))
	if m.pc != nil {
		project(v, m.pc)
	}
	return v
}

// RemovePC computes the first principal component of vectors (uncentred, as in SIF: the top
// right singular vector), stores it in the model so that Embed removes it from every later
// vector, and removes it from vectors in place. Call it once, on the Embed vectors of the FAQ's
// documents made before any component was stored; calling it again replaces the component.
// It is deterministic (power iteration from the vectors' sum, in float64). Vectors of a length
// other than Dim are left alone and not counted; when the vectors span nothing, no component
// is stored.
func (m *Model) RemovePC(vectors [][]float32) {
	m.pc = principal(vectors, m.cfg.Dim)
	if m.pc == nil {
		return
	}
	for _, v := range vectors {
		if len(v) == m.cfg.Dim {
			project(v, m.pc)
		}
	}
}

// PC returns a copy of the component Embed removes, or nil.
func (m *Model) PC() []float32 {
	if m.pc == nil {
		return nil
	}
	return append([]float32(nil), m.pc...)
}

// project removes from v its projection on the unit vector u.
func project(v, u []float32) {
	var p float64
	for i := range v {
		p += float64(float64(v[i]) * float64(u[i]))
	}
	for i := range v {
		v[i] -= float32(p * float64(u[i]))
	}
}

// principal returns the unit top right singular vector of the rows of length d among vectors, by
// power iteration on XᵀX, with its largest coordinate positive; nil when XᵀX is zero.
func principal(vectors [][]float32, d int) []float32 {
	u := make([]float64, d)
	for _, v := range vectors {
		if len(v) == d {
			for i, x := range v {
				u[i] += float64(x)
			}
		}
	}
	if normalize(u) == 0 {
		// The sum cancels out; start from the first non-zero vector.
		for _, v := range vectors {
			if len(v) == d {
				for i, x := range v {
					u[i] = float64(x)
				}
				if normalize(u) != 0 {
					break
				}
			}
		}
		if normalize(u) == 0 {
			return nil
		}
	}
	next := make([]float64, d)
	for range 1000 {
		clear(next)
		for _, v := range vectors {
			if len(v) != d {
				continue
			}
			var p float64
			for i, x := range v {
				p += float64(float64(x) * u[i])
			}
			for i, x := range v {
				next[i] += float64(p * float64(x))
			}
		}
		if normalize(next) == 0 {
			return nil
		}
		var diff float64
		for i := range u {
			diff = max(diff, math.Abs(next[i]-u[i]))
		}
		u, next = next, u
		if diff < 1e-10 {
			break
		}
	}
	big := 0
	for i := range u {
		if math.Abs(u[i]) > math.Abs(u[big]) {
			big = i
		}
	}
	pc := make([]float32, d)
	for i := range u {
		if u[big] < 0 {
			u[i] = -u[i]
		}
		pc[i] = float32(u[i])
	}
	return pc
}

// normalize scales v to unit length and returns its former length; a zero or non-finite v is
// left as is.
func normalize(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += float64(x * x)
	}
	n := math.Sqrt(s)
	if n == 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0
	}
	for i := range v {
		v[i] /= n
	}
	return n
}
