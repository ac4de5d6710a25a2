package faq

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// TestBM25MatchesDefinition scores queries of the small FAQ through the index and by the
// textbook formula over the documents' terms, with each kind of document (phrasings, answers)
// counted and averaged on its own.
func TestBM25MatchesDefinition(t *testing.T) {
	ctx := context.Background()
	c := smallFAQ(t)
	ix, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	// The documents' terms, analysed again as the index analysed them.
	var docs []text.Terms
	for _, p := range ix.phrases {
		docs = append(docs, ix.an.Analyze(p.Text).Terms)
	}
	for _, a := range ix.answers {
		docs = append(docs, ix.an.Analyze(a.entry.Text[a.lang].Answer).Terms)
	}
	kind := func(field string) (f text.Field, from, to int) {
		for _, af := range answerFields {
			if field == answerField(af) {
				return af, len(ix.phrases), len(docs)
			}
		}
		return text.Field(field), 0, len(ix.phrases)
	}
	r := c.Matcher.Retrieval
	want := func(cl []clause, doc int) float64 {
		var sum float64
		for _, cc := range cl {
			f, from, to := kind(cc.field)
			if doc < from || doc >= to {
				continue
			}
			n, df, total := float64(to-from), 0.0, 0
			for _, d := range docs[from:to] {
				total += len(d[f])
				for _, term := range d[f] {
					if term == cc.term {
						df++
						break
					}
				}
			}
			tf := 0.0
			for _, term := range docs[doc][f] {
				if term == cc.term {
					tf++
				}
			}
			if tf == 0 {
				continue
			}
			b := r.B
			if from > 0 {
				b = r.AnswerB
			}
			avg := float64(total) / n
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			sum += cc.boost * idf * tf * (r.K1 + 1) / (tf + r.K1*(1-b+b*float64(len(docs[doc][f]))/avg))
		}
		return sum
	}

	if a, p := ix.stats[answerField(text.JA)].avgLen, ix.stats[string(text.JA)].avgLen; a <= p {
		t.Fatalf("answers average %v terms, phrasings %v: the small FAQ does not tell the two statistics apart", a, p)
	}
	for _, q := range []string{"粗大ごみを出したい", "住民票の申請に必要な本人確認書類", "引っ越しの転入届はいつまで", "市役所の窓口"} {
		cl := ix.clauses(ix.an.Terms(q))
		if len(cl) == 0 {
			t.Fatalf("%s: no clauses", q)
		}
		s, err := ix.bm25(ctx, cl, len(docs))
		if err != nil {
			t.Fatal(err)
		}
		found := map[int]bool{}
		for i, doc := range s.top {
			found[int(doc)] = true
			if got, w := s.sum[doc], want(cl, int(doc)); math.Abs(got-w) > 1e-9*max(1, w) {
				t.Errorf("%s: document %d scored %v, want %v", q, doc, got, w)
			}
			if i > 0 && s.sum[s.top[i-1]] < s.sum[doc] {
				t.Errorf("%s: documents not best first", q)
			}
		}
		for doc := range docs {
			if !found[doc] && want(cl, doc) > 0 {
				t.Errorf("%s: document %d (score %v) not found", q, doc, want(cl, doc))
			}
		}
		if len(s.top) == 0 {
			t.Errorf("%s: nothing found", q)
		}
		ix.releaseScores(s)
	}
}

// TestBM25TiesByDocument: documents of equal score come in the index's own order (content
// order), whatever numbers bleve gave them, on every build.
func TestBM25TiesByDocument(t *testing.T) {
	ctx := context.Background()
	manifest, err := fs.ReadFile(Embedded(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	tree := fstest.MapFS{
		ManifestFile: {Data: []byte(strings.Replace(string(manifest), "languages: [ja, en]", "languages: [ja]", 1))},
	}
	const n = 12 // entries with the same title and answer: they tie
	for i := range n {
		id := fmt.Sprintf("a%02d", i)
		tree[EntriesDir+"/"+id+".yaml"] = &fstest.MapFile{Data: []byte("id: " + id + "\nja:\n  title: 粗大ごみの出し方\n  answer: 事前に申し込みが必要です。\n")}
	}
	for i := range 3 * n { // and others, so that the tied terms are rare enough to search
		id := fmt.Sprintf("z%02d", i)
		tree[EntriesDir+"/"+id+".yaml"] = &fstest.MapFile{Data: []byte(fmt.Sprintf("id: %s\nja:\n  title: 窓口%d番の場所\n  answer: 本庁舎%d階です。\n", id, i, i))}
	}
	c, err := Load(tree, "ties")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // bleve numbers documents in map order: a new order each build
		ix, err := NewIndex(ctx, c, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := ix.bm25(ctx, ix.clauses(ix.an.Terms("粗大ごみの申し込み")), 2*n)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.top) != 2*n {
			t.Fatalf("found %d documents, want %d", len(s.top), 2*n)
		}
		ties := 0
		for i := 1; i < len(s.top); i++ {
			a, b := s.top[i-1], s.top[i]
			if s.sum[a] == s.sum[b] {
				ties++
				if a > b {
					t.Errorf("documents %d and %d score the same but come out of order", a, b)
				}
			}
		}
		if ties < 2*(n-1) {
			t.Errorf("%d ties, want %d: the test does not test ties", ties, 2*(n-1))
		}
		ix.releaseScores(s)
		ix.Close()
	}
}
