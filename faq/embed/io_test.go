package embed

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"testing"
)

// small trains a small model, with a component, for the serialisation tests.
func small(t testing.TB) *Model {
	t.Helper()
	c := newCorpus(2, 4, 5, 100)
	m, err := Train(context.Background(), c.sentences, Config{Dim: 6, Epochs: 1, Buckets: 5000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]float32
	for _, s := range c.sentences[:20] {
		docs = append(docs, m.Embed(s))
	}
	m.RemovePC(docs)
	return m
}

func encodeModel(t testing.TB, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	n, err := m.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, b.Len())
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	m := small(t)
	data := encodeModel(t, m)
	// Read stops at the model's end.
	r := bytes.NewReader(append(slices.Clone(data), "after"...))
	got, err := Read(r)
	if err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "after" {
		t.Errorf("Read left %q, want %q", rest, "after")
	}
	if got.Config() != m.Config() || got.Words() != m.Words() || got.Dim() != m.Dim() {
		t.Errorf("read config %+v, %d words; want %+v, %d", got.Config(), got.Words(), m.Config(), m.Words())
	}
	if !slices.Equal(got.PC(), m.PC()) || got.PC() == nil {
		t.Error("component differs")
	}
	for _, w := range append(slices.Clone(m.words), "unseen"+m.words[0], "zz") {
		if !slices.Equal(got.Vector(w), m.Vector(w)) {
			t.Errorf("Vector(%q) differs after the round trip", w)
		}
	}
	s := []string{m.words[0], m.words[3], "unseen" + m.words[2]}
	if !slices.Equal(got.Embed(s), m.Embed(s)) {
		t.Error("Embed differs after the round trip")
	}
	if again := encodeModel(t, got); !bytes.Equal(again, data) {
		t.Error("writing the read model gives other bytes")
	}
}

func TestReadCorrupt(t *testing.T) {
	data := encodeModel(t, small(t))
	// Every truncation and a flipped bit in every byte is an ErrFormat error.
	for n := range len(data) {
		if _, err := Read(bytes.NewReader(data[:n])); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrFormat", n, err)
		}
	}
	for i := range data {
		b := slices.Clone(data)
		b[i] ^= 1 << (i % 8)
		if _, err := Read(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Fatalf("bit %d of byte %d flipped: err = %v, want ErrFormat", i%8, i, err)
		}
	}
	// A checksummed payload that is inconsistent is refused too.
	payload := data[headerSize : len(data)-4]
	for _, tc := range []struct {
		name string
		edit func(p []byte) []byte
	}{
		{"trailing byte", func(p []byte) []byte { return append(p, 0) }},
		{"dim 0", func(p []byte) []byte { binary.LittleEndian.PutUint64(p, 0); return p }},
		{"huge word count", func(p []byte) []byte { binary.LittleEndian.PutUint32(p[12*8+8:], 1<<31); return p }},
		{"bad component flag", func(p []byte) []byte { p[len(p)-1-4*6] = 7; return p }},
		{"NaN in the component", func(p []byte) []byte {
			binary.LittleEndian.PutUint32(p[len(p)-4:], 0x7fc00000)
			return p
		}},
	} {
		p := tc.edit(slices.Clone(payload))
		if _, err := Read(bytes.NewReader(frame(p))); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", tc.name, err)
		}
	}
	// An error of the reader is returned, not taken for bad input.
	boom := errors.New("boom")
	if _, err := Read(io.MultiReader(bytes.NewReader(data[:30]), errReader{boom})); !errors.Is(err, boom) {
		t.Errorf("reader error: err = %v, want boom", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// frame wraps a payload in a valid header and checksum.
func frame(p []byte) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(p)))
	b = append(b, p...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// FuzzRead checks that Read never panics, on raw input and on payloads given a valid frame, and
// that a model it accepts is written back as the same bytes and answers queries.
func FuzzRead(f *testing.F) {
	data := encodeModel(f, small(f))
	f.Add(data)
	f.Add(data[headerSize : len(data)-4])
	f.Add([]byte{})
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, frame(b)} {
			m, err := Read(bytes.NewReader(in))
			if err != nil {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("error not ErrFormat: %v", err)
				}
				continue
			}
			if out := encodeModel(t, m); !bytes.Equal(out, in) {
				t.Fatal("accepted model written back as other bytes")
			}
			v := m.Embed([]string{m.words[0], "未知語"})
			if len(v) != m.Dim() {
				t.Fatalf("Embed gives %d values, want %d", len(v), m.Dim())
			}
		}
	})
}
