package embed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unicode/utf8"
)

// The binary form of a Model, all little-endian:
//
//	magic "FQEMBED\x00", version uint32, payload length uint64,
//	payload,
//	CRC-32C (Castagnoli) of everything before it, uint32.
//
// The payload of version 1: the Config (Dim, Window, Negative, Epochs, MinCount, MinN, MaxN,
// Buckets, Seed as int64; LR, Sample, SIF as float64), the training token count (int64), the
// words (count uint32; each a length uint32, its UTF-8 bytes and its count int64), the words'
// own rows (words × Dim float32), the used buckets (count uint32, the ids ascending as uint32,
// then their rows), and the principal component (a byte 0 or 1, then Dim float32 when 1).
// The words' vectors are derived again on reading.

const (
	magic      = "FQEMBED\x00"
	version    = 1
	headerSize = len(magic) + 4 + 8
	maxPayload = 1 << 34
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFormat is wrapped by the errors of Read for input that is not a model of this version:
// a wrong header, a bad checksum, a truncated or inconsistent payload.
var ErrFormat = errors.New("not a valid embedding model")

// WriteTo writes the model in its binary form to w. It returns the bytes written and the first
// error of w.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var p bytes.Buffer
	e := encoder{&p}
	c := m.cfg
	for _, v := range []int{c.Dim, c.Window, c.Negative, c.Epochs, c.MinCount, c.MinN, c.MaxN, c.Buckets} {
		e.i64(int64(v))
	}
	e.i64(c.Seed)
	e.f64(c.LR)
	e.f64(c.Sample)
	e.f64(c.SIF)
	e.i64(m.total)
	e.u32(uint32(len(m.words)))
	for i, word := range m.words {
		e.u32(uint32(len(word)))
		p.WriteString(word)
		e.i64(m.counts[i])
	}
	e.f32s(m.wrows)
	e.u32(uint32(len(m.buckets)))
	for _, b := range m.buckets {
		e.u32(b)
	}
	e.f32s(m.brows)
	if m.pc == nil {
		p.WriteByte(0)
	} else {
		p.WriteByte(1)
		e.f32s(m.pc)
	}
	frame := make([]byte, 0, headerSize+p.Len()+4)
	frame = append(frame, magic...)
	frame = binary.LittleEndian.AppendUint32(frame, version)
	frame = binary.LittleEndian.AppendUint64(frame, uint64(p.Len()))
	frame = append(frame, p.Bytes()...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(frame, castagnoli))
	n, err := w.Write(frame)
	if err != nil {
		return int64(n), fmt.Errorf("embed: write model: %w", err)
	}
	return int64(n), nil
}

// Read reads a model written by WriteTo. It reads no further than the model's end. Input that
// is not a model of this version gives an error wrapping ErrFormat (and never a panic); an
// error of r is returned wrapped.
func Read(r io.Reader) (*Model, error) {
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, readErr("header", err)
	}
	if string(head[:len(magic)]) != magic {
		return nil, fmt.Errorf("embed: read model: %w: bad magic", ErrFormat)
	}
	if v := binary.LittleEndian.Uint32(head[len(magic):]); v != version {
		return nil, fmt.Errorf("embed: read model: %w: version %d, want %d", ErrFormat, v, version)
	}
	n := binary.LittleEndian.Uint64(head[len(magic)+4:])
	if n > maxPayload {
		return nil, fmt.Errorf("embed: read model: %w: payload of %d bytes", ErrFormat, n)
	}
	// Read what there is rather than allocate what the header claims.
	rest, err := io.ReadAll(io.LimitReader(r, int64(n)+4))
	if err != nil {
		return nil, readErr("payload", err)
	}
	if uint64(len(rest)) != n+4 {
		return nil, fmt.Errorf("embed: read model: %w: truncated", ErrFormat)
	}
	payload, sum := rest[:n], binary.LittleEndian.Uint32(rest[n:])
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, payload)
	if crc != sum {
		return nil, fmt.Errorf("embed: read model: %w: checksum mismatch", ErrFormat)
	}
	m, err := decode(payload)
	if err != nil {
		return nil, fmt.Errorf("embed: read model: %w: %w", ErrFormat, err)
	}
	return m, nil
}

func readErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("embed: read model: %w: truncated %s", ErrFormat, what)
	}
	return fmt.Errorf("embed: read model: %s: %w", what, err)
}

// decode parses and checks a version 1 payload.
func decode(p []byte) (*Model, error) {
	d := decoder{p: p}
	var c Config
	for _, v := range []*int{&c.Dim, &c.Window, &c.Negative, &c.Epochs, &c.MinCount, &c.MinN, &c.MaxN, &c.Buckets} {
		x := d.i64()
		if x < math.MinInt32 || x > math.MaxInt32 {
			return nil, fmt.Errorf("config value %d out of range", x)
		}
		*v = int(x)
	}
	c.Seed = d.i64()
	c.LR, c.Sample, c.SIF = d.f64(), d.f64(), d.f64()
	if d.err != nil {
		return nil, d.err
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	m := &Model{cfg: c, total: d.i64()}
	nw := d.count(4 + 1 + 8 + 4*c.Dim)
	if nw == 0 && d.err == nil {
		return nil, errors.New("no words")
	}
	m.words = make([]string, 0, nw)
	m.counts = make([]int64, 0, nw)
	m.index = make(map[string]int32, nw)
	var sum int64
	for i := range nw {
		w := string(d.bytes(d.count(1)))
		cnt := d.i64()
		if d.err != nil {
			return nil, d.err
		}
		switch {
		case w == "" || !utf8.ValidString(w):
			return nil, fmt.Errorf("word %d empty or not UTF-8", i)
		case cnt < int64(c.MinCount) || cnt > math.MaxInt64-sum:
			return nil, fmt.Errorf("word %d: count %d", i, cnt)
		case i > 0 && (cnt > m.counts[i-1] || cnt == m.counts[i-1] && w <= m.words[i-1]):
			return nil, fmt.Errorf("word %d out of order", i)
		}
		sum += cnt
		m.words = append(m.words, w)
		m.counts = append(m.counts, cnt)
		m.index[w] = int32(i)
	}
	if m.total < sum {
		return nil, fmt.Errorf("token count %d below the words' %d", m.total, sum)
	}
	m.wrows = d.f32s(nw * c.Dim)
	nb := d.count(4 + 4*c.Dim)
	m.buckets = make([]uint32, nb)
	m.bindex = make(map[uint32]int32, nb)
	for i := range m.buckets {
		b := d.u32()
		if d.err != nil {
			return nil, d.err
		}
		if b >= uint32(c.Buckets) || i > 0 && b <= m.buckets[i-1] {
			return nil, fmt.Errorf("bucket %d: id %d out of order or range", i, b)
		}
		m.buckets[i] = b
		m.bindex[b] = int32(i)
	}
	m.brows = d.f32s(nb * c.Dim)
	switch d.byte() {
	case 0:
	case 1:
		m.pc = d.f32s(c.Dim)
	default:
		if d.err == nil {
			return nil, errors.New("bad component flag")
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.p) != 0 {
		return nil, fmt.Errorf("%d bytes after the model", len(d.p))
	}
	for _, v := range [][]float32{m.wrows, m.brows, m.pc} {
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, errors.New("vector value not finite")
			}
		}
	}
	var missing error
	for i, w := range m.words {
		subwords(w, c.MinN, c.MaxN, c.Buckets, func(b uint32) {
			if _, ok := m.bindex[b]; !ok && missing == nil {
				missing = fmt.Errorf("word %d: bucket %d missing", i, b)
			}
		})
		if missing != nil {
			return nil, missing
		}
	}
	m.deriveVectors()
	return m, nil
}

type encoder struct{ b *bytes.Buffer }

func (e encoder) u32(v uint32) { e.b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func (e encoder) i64(v int64)  { e.b.Write(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
func (e encoder) f64(v float64) {
	e.b.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}
func (e encoder) f32s(v []float32) {
	buf := make([]byte, 0, 4*len(v))
	for _, x := range v {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	e.b.Write(buf)
}

// decoder reads a payload; after its first error every read returns zeros.
type decoder struct {
	p   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.p) {
		d.err = errors.New("truncated payload")
		return nil
	}
	b := d.p[:n]
	d.p = d.p[n:]
	return b
}

func (d *decoder) bytes(n int) []byte { return d.take(n) }

func (d *decoder) byte() byte {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) i64() int64 {
	if b := d.take(8); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

func (d *decoder) f64() float64 {
	if b := d.take(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// count reads a uint32 count of items of at least size bytes each and fails when the rest of
// the payload cannot hold them, so that no allocation is larger than the input.
func (d *decoder) count(size int) int {
	n := d.u32()
	if d.err == nil && uint64(n)*uint64(size) > uint64(len(d.p)) {
		d.err = fmt.Errorf("count %d larger than the payload", n)
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) f32s(n int) []float32 {
	b := d.take(4 * n)
	if b == nil {
		return nil
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
