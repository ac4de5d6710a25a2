package faq

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestVectors: a FAQ too small to learn from gets no vectors; one large enough learns them when
// its index is built, caches them beside an on-disk index, reads them back on the next build of
// the same content (the same answers), trains again when the cache is damaged or was trained
// with other settings (subsampling, minimum count, SIF weight).
func TestVectors(t *testing.T) {
	ctx := context.Background()
	c := smallFAQ(t)
	ix, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	if ix.Vectors().Trained || ix.Nearest(ix.Analyzer().Terms("粗大ごみ"), 3) != nil {
		t.Errorf("a FAQ of %d entries (vectors from %d) has vectors", len(c.Entries), c.Matcher.Vectors.MinEntries)
	}
	ix.Close()

	c.Matcher.Vectors.MinEntries = len(c.Entries)
	dir := t.TempDir()
	build := func() (*Index, []Hit) {
		t.Helper()
		ix, err := NewIndex(ctx, c, dir)
		if err != nil {
			t.Fatal(err)
		}
		hits := ix.Nearest(ix.Analyzer().Terms("粗大ごみの申し込み"), 3)
		if len(hits) != 3 {
			t.Fatalf("Nearest found %d entries, want 3", len(hits))
		}
		return ix, hits
	}
	first, want := build()
	vi := first.Vectors()
	if !vi.Trained || vi.Cached || vi.Sentences != 6 || vi.Tokens == 0 || vi.Words == 0 {
		t.Errorf("first build: %+v, want trained from 6 sentences", vi)
	}
	if want[0].Vector < want[1].Vector || want[1].Vector < want[2].Vector {
		t.Errorf("Nearest not nearest first: %v %v %v", want[0].Vector, want[1].Vector, want[2].Vector)
	}
	first.Close()

	again, got := build()
	if vi := again.Vectors(); !vi.Cached {
		t.Errorf("second build of the same content: %+v, want the cached vectors", vi)
	}
	for i := range want {
		if got[i].Entry.ID != want[i].Entry.ID || got[i].Vector != want[i].Vector {
			t.Errorf("cached vectors rank %s (%v) at %d, trained ones %s (%v)", got[i].Entry.ID, got[i].Vector, i, want[i].Entry.ID, want[i].Vector)
		}
	}
	file := filepath.Join(again.Dir(), vectorsFile)
	again.Close()

	if err := os.WriteFile(file, []byte("not vectors"), 0o644); err != nil {
		t.Fatal(err)
	}
	damaged, got := build()
	if vi := damaged.Vectors(); !vi.Trained || vi.Cached {
		t.Errorf("after the cache was damaged: %+v, want vectors trained again", vi)
	}
	for i := range want {
		if got[i].Entry.ID != want[i].Entry.ID || got[i].Vector != want[i].Vector {
			t.Errorf("retrained vectors differ from the first: %s (%v) at %d, want %s (%v)", got[i].Entry.ID, got[i].Vector, i, want[i].Entry.ID, want[i].Vector)
		}
	}
	damaged.Close()

	for _, change := range []struct {
		name string
		set  func(*Vectors)
	}{
		{"sample", func(v *Vectors) { v.Sample *= 10 }},
		{"min_count", func(v *Vectors) { v.MinCount++ }},
		{"sif", func(v *Vectors) { v.SIF *= 10 }},
	} {
		change.set(&c.Matcher.Vectors)
		other, _ := build()
		if vi := other.Vectors(); !vi.Trained || vi.Cached {
			t.Errorf("after %s changed: %+v, want vectors trained again", change.name, vi)
		}
		other.Close()
	}
}

// TestEntryCosine: the cosine of a query and an entry read from the entry matrix, four rows at a
// time, is bit for bit the greatest dot product with its rows one by one (-1 without any), for
// entries of 0 to 9 documents and a dimension that is not a multiple of four.
func TestEntryCosine(t *testing.T) {
	const dim = 7
	r := rand.New(rand.NewPCG(3, 4))
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		unit(v)
		return v
	}
	ev := &entryVectors{dim: dim, start: []int32{0}}
	var docs [][][]float32
	for k := range 10 {
		var rows [][]float32
		for range k {
			v := vec()
			rows = append(rows, v)
			ev.rows = append(ev.rows, v...)
		}
		docs = append(docs, rows)
		ev.start = append(ev.start, int32(len(ev.rows)/dim))
	}
	for range 50 {
		q := vec()
		for k, rows := range docs {
			want := -1.0
			for _, v := range rows {
				want = max(want, dot(q, v))
			}
			if got := ev.cosine(q, int32(k)); got != want {
				t.Fatalf("entry of %d documents: cosine %v, one row at a time %v", len(rows), got, want)
			}
		}
	}
}
