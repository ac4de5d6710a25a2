package nlu_test

import (
	"context"
	"testing"

	"github.com/faqbot/faqbot/nlu"
)

func TestRank(t *testing.T) {
	ctx := context.Background()
	m := matcher(t)
	hits, err := m.Rank(ctx, "マイナンバーは漏れましたか", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || len(hits) > 5 || hits[0].Entry.ID != "my-number" {
		t.Fatalf("Rank: %d hits, want my-number first", len(hits))
	}
	seen := map[string]bool{}
	for i, h := range hits {
		if h.Entry.OutOfScope {
			t.Errorf("hit %d is the out-of-scope pseudo-entry", i)
		}
		if seen[h.Entry.ID] {
			t.Errorf("entry %s ranked twice", h.Entry.ID)
		}
		seen[h.Entry.ID] = true
		if i > 0 && h.Rank > hits[i-1].Rank {
			t.Errorf("hit %d ranks above hit %d", i, i-1)
		}
	}
}

// Words found only in an answer rank its entry, but never make the matcher answer it.
func TestAnswerOnlyWordsAreNotAnswered(t *testing.T) {
	ctx := context.Background()
	m := matcher(t)
	for _, q := range []string{"一般財団法人日本データ通信協会って何", "判明した日付は?"} {
		hits, err := m.Rank(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].AnswerScore == 0 {
			t.Errorf("%q: want an entry found by its answer first", q)
		}
		d, err := m.Decide(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if d.Action != nlu.DontKnow {
			t.Errorf("%q: %s %s (%s), want dont_know", q, d.Action, nlu.Label(d), d.Reason)
		}
	}
}
