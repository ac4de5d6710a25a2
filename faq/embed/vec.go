package embed

// The kernels of training and embedding. Every product is converted to float32 before it is
// added: the Go specification lets a compiler fuse x*y+z into one rounding (it does on arm64,
// ppc64 and s390x), and an explicit conversion forbids it, so that the vectors are the same on
// every platform.

// dot returns the dot product of a and b, which have the same length.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float32(a[i] * b[i])
		s1 += float32(a[i+1] * b[i+1])
		s2 += float32(a[i+2] * b[i+2])
		s3 += float32(a[i+3] * b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float32(a[i] * b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy adds a*x to y, which have the same length.
func axpy(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y[i] += float32(a * x[i])
		y[i+1] += float32(a * x[i+1])
		y[i+2] += float32(a * x[i+2])
		y[i+3] += float32(a * x[i+3])
	}
	for ; i < len(y); i++ {
		y[i] += float32(a * x[i])
	}
}

// add adds x to y.
func add(y, x []float32) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y[i] += x[i]
		y[i+1] += x[i+1]
		y[i+2] += x[i+2]
		y[i+3] += x[i+3]
	}
	for ; i < len(y); i++ {
		y[i] += x[i]
	}
}

// scale multiplies v by a.
func scale(v []float32, a float32) {
	for i := range v {
		v[i] *= a
	}
}

// step adds g*out to grad and g*hidden to out, in one pass: the two updates of a logistic step
// of skip-gram, grad taking out's value before its update.
func step(grad, out, hidden []float32, g float32) {
	out = out[:len(grad)]
	hidden = hidden[:len(grad)]
	i := 0
	for ; i+4 <= len(grad); i += 4 {
		o0, o1, o2, o3 := out[i], out[i+1], out[i+2], out[i+3]
		grad[i] += float32(g * o0)
		grad[i+1] += float32(g * o1)
		grad[i+2] += float32(g * o2)
		grad[i+3] += float32(g * o3)
		out[i] = o0 + float32(g*hidden[i])
		out[i+1] = o1 + float32(g*hidden[i+1])
		out[i+2] = o2 + float32(g*hidden[i+2])
		out[i+3] = o3 + float32(g*hidden[i+3])
	}
	for ; i < len(grad); i++ {
		o := out[i]
		grad[i] += float32(g * o)
		out[i] = o + float32(g*hidden[i])
	}
}
