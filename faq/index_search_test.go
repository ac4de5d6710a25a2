package faq

import (
	"context"
	"slices"
	"strings"
	"testing"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// plainSearch is Search as it was first written: entries looked up in maps, the weights of
// every phrase gathered through the query terms' postings, anchors looked up by word, each
// entry's vocabulary merged with the query's, the hits sorted with Compare. Search must return
// exactly what it does.
func (ix *Index) plainSearch(ctx context.Context, q text.Terms, k int) ([]Hit, error) {
	buf := &searchBuf{terms: text.Terms{}, seen: map[string]bool{}}
	q = buf.unique(q)
	ext := ix.expand(q)
	found, err := ix.lexical(ctx, q, ext, k, buf) // BM25 as Search's (TestBM25Lean checks it)
	if found == nil || err != nil {
		return nil, err
	}
	best := map[*Entry]int{}
	var hits []Hit
	for _, doc := range found.top {
		score := found.sum[doc]
		var e *Entry
		answer := int(doc) >= len(ix.phrases)
		if answer {
			e = ix.answers[int(doc)-len(ix.phrases)].entry
		} else {
			e = ix.phrases[doc].Entry
		}
		j, ok := best[e]
		if !ok {
			j = len(hits)
			best[e] = j
			hits = append(hits, Hit{Entry: e})
		}
		if answer {
			hits[j].AnswerScore = max(hits[j].AnswerScore, score)
		} else {
			hits[j].Score = max(hits[j].Score, score)
		}
	}
	ix.releaseScores(found)
	if qv, ok := ix.queryVector(q); ok {
		for i := range hits {
			hits[i].Vector = ix.entryVec.cosine(qv, ix.entNum[hits[i].Entry])
		}
		if n := ix.content.Matcher.Vectors.Candidates; n > 0 {
			skip := map[*Entry]bool{}
			for _, h := range hits {
				skip[h.Entry] = true
			}
			hits = append(hits, ix.rankByVector(qv, skip, n)...)
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	wq := ix.weighExpansions(ix.weighQuery(q, buf), ext)
	var topQ, topA float64
	for _, h := range hits {
		topQ, topA = max(topQ, h.Score), max(topA, h.AnswerScore)
	}
	sums := make([][numFields]float64, len(ix.phrases)) // gathered through the postings
	for _, wf := range wq.fields {
		for i, id := range wf.ids {
			for _, p := range ix.postings[wf.fi][id] {
				sums[p][wf.fi] += wf.weights[i]
			}
		}
	}
	for i := range hits {
		h := &hits[i]
		h.TopScore, h.TopAnswerScore = topQ, topA
		for _, pi := range ix.byEntry[h.Entry] {
			p := &ix.phrases[pi]
			var cov, rev, wsum float64
			for _, wf := range wq.fields {
				g := sums[pi][wf.fi]
				cov += wf.boost * g / wf.total
				if pw := p.weight[wf.fi]; pw > 0 {
					rev += wf.boost * g / pw
				}
				wsum += wf.boost
			}
			if wsum > 0 {
				cov, rev = cov/wsum, min(1, rev/wsum)
			} else {
				cov, rev = 0, 0
			}
			if h.Phrase == nil || cov > h.Coverage || cov == h.Coverage && rev > h.Reverse {
				h.Coverage, h.Reverse, h.Phrase = cov, rev, p
			}
		}
		for _, wf := range wq.fields {
			if wf.field != text.JA && wf.field != text.EN {
				continue
			}
			for _, t := range wf.terms {
				if ix.anchors[h.Entry][wf.field][t] {
					h.Anchored = true
				}
			}
		}
		if vocab := ix.vocabIDs[h.Entry]; vocab != nil {
			var cov, wsum float64
			for _, wf := range wq.fields {
				var got float64
				for _, id := range wf.vids {
					if _, ok := slices.BinarySearch(vocab[wf.fi], id); ok {
						got += wf.vweights[slices.Index(wf.vids, id)]
					}
				}
				if wf.total > 0 {
					cov += wf.boost * got / wf.total
				}
				wsum += wf.boost
			}
			if wsum > 0 {
				h.EntryCoverage = cov / wsum
			}
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int { return ix.Compare(a.Entry, b.Entry) })
	return hits, nil
}

// TestSearchPlain: Search, which reads entries by number, each phrase's weights by its term ids
// and the postings decoded once, returns exactly (bit for bit, in the same order) the hits of
// plainSearch, on the shipped FAQ, a synthetic FAQ and LocalgovFAQ when ../shared holds it.
// Each query is searched twice, the second time with its postings read from the cache.
func TestSearchPlain(t *testing.T) {
	ctx := context.Background()
	phrasings := func(ix *Index, n int) []string {
		var qs []string
		for _, p := range ix.phrases {
			qs = append(qs, p.Text, p.Text+"について教えてください。 あと"+p.Text[:len(p.Text)/2])
		}
		for i, a := range ix.answers {
			if i%3 == 0 {
				qs = append(qs, strings.SplitN(a.entry.Text[a.lang].Answer, "。", 2)[0])
			}
		}
		return qs[:min(len(qs), n)]
	}
	fixtures := []struct {
		name    string
		content func(t *testing.T) *Content
		queries func(ix *Index) []string
	}{
		{"shipped", func(t *testing.T) *Content {
			c, err := LoadEmbedded()
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, func(ix *Index) []string { return append(phrasings(ix, 1000), "password reset", "パスワード", "") }},
		{"synthetic", func(t *testing.T) *Content { return syntheticContent(t, 1500) }, func(ix *Index) []string { return phrasings(ix, 400) }},
		{"localgovfaq", localgovContent, func(ix *Index) []string {
			return append(localgovQueries(), phrasings(ix, 200)...)
		}},
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			ix, err := NewIndex(ctx, fx.content(t), "")
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			compared := 0
			for _, q := range fx.queries(ix) {
				terms := ix.an.Terms(q)
				want, err := ix.plainSearch(ctx, terms, 8)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					got, err := ix.Search(ctx, terms, 8)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%q: Search differs from plainSearch:\n got %+v\nwant %+v", q, got, want)
					}
				}
				compared += len(want)
			}
			if compared == 0 {
				t.Fatal("no hits compared")
			}
			t.Logf("%d hits compared", compared)
		})
	}
}
