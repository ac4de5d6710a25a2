package nlu

import (
	"context"
	"fmt"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// Rank returns up to k entries for an utterance, best first, as the matcher sees them before it
// decides: the same analysis (personal data blanked out) and the same index search as Decide,
// one hit per entry. The out-of-scope examples are not entries and are left out. It is how
// retrieval is measured on its own.
func (m *Matcher) Rank(ctx context.Context, utterance string, k int) ([]faq.Hit, error) {
	norm := analysis.Normalize(utterance)
	clean := blank(norm, m.pii.Find(norm))
	hits, err := m.ix.Search(ctx, m.an.Terms(clean), k+1)
	if err != nil {
		return nil, fmt.Errorf("nlu: rank: %w", err)
	}
	out := hits[:0]
	for _, h := range hits {
		if !h.Entry.OutOfScope {
			out = append(out, h)
		}
	}
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}
