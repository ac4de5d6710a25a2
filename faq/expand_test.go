package faq

import (
	"context"
	"testing"
	"testing/fstest"
)

// TestExpansions: a word the FAQ does not use (転居) finds the entry that uses its expansion
// (引っ越し) when the index has vectors and the pair's cosine is admitted, below the word the
// entry uses; with the weight 0, a cosine above every pair's or no vectors, it finds nothing
// there. A pair is mined only towards a word the FAQ uses, and a word Sudachi only expands to
// (移転) expands nothing.
func TestExpansions(t *testing.T) {
	ctx := context.Background()
	c := smallFAQ(t)
	c.Expansions = []ExpansionGroup{{Words: []string{"転居", "引っ越し"}, To: []string{"移転"}}, {Words: []string{"移転"}, To: []string{"窓口", "住民票"}}}
	hikkoshi := func(ix *Index, q string) *Hit {
		t.Helper()
		hits, err := ix.Search(ctx, ix.Analyzer().Terms(q), 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range hits {
			if hits[i].Entry.ID == "hikkoshi" {
				return &hits[i]
			}
		}
		return nil
	}

	small, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if mined, _ := small.ExpansionPairs(); mined != 0 || hikkoshi(small, "転居の届け") != nil {
		t.Errorf("without vectors: %d pairs mined, 転居 finds hikkoshi: %v", mined, hikkoshi(small, "転居の届け") != nil)
	}

	c.Matcher.Vectors.MinEntries = len(c.Entries)
	c.Matcher.Retrieval.ExpansionWeight, c.Matcher.Retrieval.ExpansionCosine = 0.5, -1
	ix, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// 転居 → 引っ越し and 移転 → 窓口 (住民票, two words, is left out); not 引っ越し → 転居 (the FAQ has no 転居), nor 引っ越し → 移転
	// (nor has it 移転), nor anything from 移転 in the first group (only expanded to).
	if mined, used := ix.ExpansionPairs(); mined != 2 || used != 2 {
		t.Errorf("%d pairs mined, %d used; want 2 and 2", mined, used)
	}
	exp := hikkoshi(ix, "転居の届け")
	own := hikkoshi(ix, "引っ越しの届け")
	switch {
	case exp == nil || own == nil:
		t.Fatalf("転居 finds hikkoshi: %v, 引っ越し: %v", exp != nil, own != nil)
	case !(exp.Score > 0 && exp.Score < own.Score && exp.Coverage > 0 && exp.Coverage < own.Coverage):
		t.Errorf("by the expansion: score %v, coverage %v; by the word: %v, %v (want the expansion's above 0, below the word's)",
			exp.Score, exp.Coverage, own.Score, own.Coverage)
	}

	for name, r := range map[string]func(*Retrieval){
		"weight 0":           func(r *Retrieval) { r.ExpansionWeight = 0 },
		"cosine above any":   func(r *Retrieval) { r.ExpansionCosine = 1.01 },
		"word the query has": func(r *Retrieval) {},
	} {
		saved := c.Matcher.Retrieval
		r(&c.Matcher.Retrieval)
		q := "転居の届け"
		if name == "word the query has" {
			q = "引っ越しの届け"
		}
		h := hikkoshi(ix, q)
		switch {
		case name == "word the query has" && (h == nil || h.Score != own.Score || h.Coverage != own.Coverage):
			t.Errorf("%s: %+v, want %+v (the expansion of 転居 is not searched)", name, h, own)
		case name != "word the query has" && h != nil:
			t.Errorf("%s: 転居 finds hikkoshi (score %v)", name, h.Score)
		}
		c.Matcher.Retrieval = saved
	}
}

// TestLoadExpansions: the expansions file is optional, read into Content.Expansions, and a group
// without a word that expands, or of one term, is a problem of the file.
func TestLoadExpansions(t *testing.T) {
	tree := func(exp string) fstest.MapFS {
		fs := fstest.MapFS{EntriesDir + "/a.yaml": {Data: []byte("id: a\nja:\n  title: 引っ越しの手続き\n  answer: 窓口へ。\nen:\n  title: Moving\n  answer: At the desk.\n")}}
		if exp != "" {
			fs[ExpansionsFile] = &fstest.MapFile{Data: []byte(exp)}
		}
		return fs
	}
	c, err := Load(tree(""), "t")
	if err != nil || c.Expansions != nil {
		t.Fatalf("without the file: %v, %v", c.Expansions, err)
	}
	c, err = Load(tree("ja:\n  - {words: [転居, 引っ越し], to: [移転]}\n"), "t")
	if err != nil || len(c.Expansions) != 1 || len(c.Expansions[0].Words) != 2 || c.Expansions[0].To[0] != "移転" {
		t.Fatalf("read %+v, %v", c.Expansions, err)
	}
	for _, bad := range []string{"ja:\n  - {to: [移転, 転居]}\n", "ja:\n  - {words: [転居]}\n", "ja:\n  - {words: [転居, 移転], from: [x]}\n"} {
		if _, err := Load(tree(bad), "t"); err == nil {
			t.Errorf("%q loaded without a problem", bad)
		}
	}
}
