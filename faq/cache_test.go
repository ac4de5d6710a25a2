package faq

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// The analyses of every document of the shipped FAQ (and of odd ones) come back from their
// cache exactly as they were: every field, nil lists told from empty ones. A field added to
// text.Analysis that the cache does not keep fails here.
func TestAnalysesRoundTrip(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ix := &Index{content: c, an: c.Analyzer()}
	all := analyzeAll(context.Background(), ix.an, ix.list())
	all = append(all, text.Analysis{}, text.Analysis{Norm: "x", Tokens: []string{}, Readings: []string{""},
		Terms: text.Terms{text.JA: nil, text.EN: {}, text.Gram: {"a", "a"}}}, text.Analysis{Terms: text.Terms{}})
	p := encodeAnalyses(all)
	got, err := decodeAnalyses(p, len(all))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, all) {
		for i := range all {
			if !reflect.DeepEqual(got[i], all[i]) {
				t.Fatalf("analysis %d:\n got %#v\nwant %#v", i, got[i], all[i])
			}
		}
	}
	if _, err := decodeAnalyses(p, len(all)-1); err == nil {
		t.Error("the analyses of another number of documents were taken")
	}
	for n := 0; n < len(p); n += 1 + n/8 { // a payload cut short is refused, never a panic
		if _, err := decodeAnalyses(p[:n], len(all)); err == nil {
			t.Fatalf("a payload cut to %d of %d bytes was taken", n, len(p))
		}
	}
}

// An index built from its cache on disk holds what one built in memory holds: the phrases with
// their analyses and terms, the weights, the term ids, the postings and the lengths.
func TestIndexFromCacheAsFresh(t *testing.T) {
	ctx := context.Background()
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	dir := t.TempDir()
	first, err := NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	ix, err := NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := ix.CacheReport()["analyses"]; got != CacheRead {
		t.Fatalf("analyses: %q, want them read from the cache", got)
	}
	for name, pair := range map[string][2]any{
		"phrases":  {fresh.phrases, ix.phrases},
		"df":       {fresh.df, ix.df},
		"adf":      {fresh.adf, ix.adf},
		"idf":      {fresh.idf, ix.idf},
		"termID":   {phraseTermIDs(fresh), phraseTermIDs(ix)},
		"postings": {fresh.postings, ix.postings},
		"stats":    {fresh.stats, ix.stats},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ between the index built in memory and the one from the cache", name)
		}
	}
}

// phraseTermIDs are the ids of the phrases' terms (those of terms of answers alone are given in
// no fixed order, and bleve numbers its documents as it likes: neither is compared).
func phraseTermIDs(ix *Index) map[text.Field]map[string]int32 {
	out := map[text.Field]map[string]int32{}
	for fi, f := range text.Fields {
		out[f] = map[string]int32{}
		for term, id := range ix.termID[f] {
			if int(id) < len(ix.postings[fi]) {
				out[f][term] = id
			}
		}
	}
	return out
}

// An index on disk built from the same content by another binary is built again, with its
// analyses: the new binary may analyse otherwise.
func TestIndexOfAnotherBuildIsRebuilt(t *testing.T) {
	ctx := context.Background()
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ix, err := NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	bi, err := bleve.OpenUsing(ix.Dir(), kvConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := bi.SetInternal([]byte(hashKey), []byte(ix.hash+" go:another/build")); err != nil {
		t.Fatal(err)
	}
	bi.Close()
	ix, err = NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := ix.CacheReport()["analyses"]; got != "built: a new index" {
		t.Errorf("the index of another build was reused (analyses: %q)", got)
	}
	if hits, err := ix.Search(ctx, ix.Analyzer().Terms("マイナンバーは漏れましたか"), 1); err != nil || len(hits) == 0 || hits[0].Entry.ID != "my-number" {
		t.Errorf("the rebuilt index: %v, %v", hits, err)
	}
}
