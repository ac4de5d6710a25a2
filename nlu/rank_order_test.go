package nlu

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/faqbot/faqbot/faq"
)

// TestRankOrder: the hits come out by Rank, best first, ties in content order, exactly as a
// stable sort of them would put them, for hits in any order with many tied ranks.
func TestRankOrder(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	m := New(ix)
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		var hits []faq.Hit
		for _, e := range c.Entries {
			for range r.IntN(3) { // an entry twice: equal ranks and equal order
				// AnswerScore, without a TopAnswerScore, tells the hits apart without counting.
				hits = append(hits, faq.Hit{Entry: e, Score: float64(r.IntN(3)), TopScore: 2, AnswerScore: float64(len(hits))})
			}
		}
		r.Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })
		got := m.rank(hits)
		idx := make([]int, len(hits))
		for i := range idx {
			idx[i] = i
		}
		rank := func(h faq.Hit) float64 { return m.cfg.Rank.BM25 * h.Score / h.TopScore }
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Or(cmp.Compare(rank(hits[b]), rank(hits[a])), cmp.Compare(ix.Order(hits[a].Entry), ix.Order(hits[b].Entry)))
		})
		if len(got) != len(hits) {
			t.Fatalf("rank returned %d hits of %d", len(got), len(hits))
		}
		for i, j := range idx {
			if got[i].AnswerScore != hits[j].AnswerScore {
				t.Fatalf("hit %d: %s (score %v), want %s (score %v)", i, got[i].Entry.ID, got[i].Score, hits[j].Entry.ID, hits[j].Score)
			}
		}
	}
}
