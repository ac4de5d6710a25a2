package nlu

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// Scored is a hit of the index as the matcher weighs it.
type Scored struct {
	faq.Hit
	// Similarity combines both coverages of the best phrase: Coverage^(1-g) × Reverse^g, with g
	// the content's PhraseWeight (HandoffPhraseWeight for hand-off entries, OutsidePhraseWeight
	// for out-of-scope examples, which match only questions as specific as their phrasings). It
	// is in [0, 1].
	Similarity float64
	// Rank orders the hits: Similarity, plus the entry coverage and the BM25 scores of the
	// phrases and of the answer relative to the best hit, with the weights of matcher.yaml's
	// rank section. The confidence reads Similarity alone: an entry found by its answer only
	// never looks like a match.
	Rank float64
}

// scored is a Scored with the similarity factor of its anchors.
type scored struct {
	Scored
	factor float64
}

// rank weighs the hits of a search and orders them by Rank, ties by content order.
func (m *Matcher) rank(hits []faq.Hit) []scored {
	out := make([]scored, len(hits))
	rw := m.cfg.Rank
	for i, h := range hits {
		g := m.cfg.PhraseWeight
		switch {
		case h.Entry.OutOfScope:
			g = m.cfg.OutsidePhraseWeight
		case h.Entry.Handoff:
			g = m.cfg.HandoffPhraseWeight
		}
		s := scored{Scored: Scored{Hit: h}, factor: m.factor(&h)}
		s.Similarity = math.Pow(h.Coverage, 1-g) * math.Pow(h.Reverse, g)
		s.Rank = s.Similarity + rw.Entry*h.EntryCoverage
		if h.TopScore > 0 {
			s.Rank += rw.BM25 * h.Score / h.TopScore
		}
		if h.TopAnswerScore > 0 {
			s.Rank += rw.Answer * h.AnswerScore / h.TopAnswerScore
		}
		s.Rank += rw.Vector * h.Vector
		out[i] = s
	}
	// A stable sort by Rank, then the index's stable key (content order, entry id): the order of
	// a permutation by (Rank, Order, ID, position), which moves small keys instead of the hits.
	type key struct {
		rank  float64
		order int
		id    string
		pos   int
	}
	keys := make([]key, len(out))
	for i := range out {
		keys[i] = key{out[i].Rank, m.ix.Order(out[i].Entry), out[i].Entry.ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(b.rank, a.rank), cmp.Compare(a.order, b.order), strings.Compare(a.id, b.id), cmp.Compare(a.pos, b.pos))
	})
	// out[i] = out[keys[i].pos], in place, one cycle of the permutation at a time.
	for i := range keys {
		if keys[i].pos < 0 || keys[i].pos == i {
			continue
		}
		first, j := out[i], i
		for {
			k := keys[j].pos
			keys[j].pos = -1
			if k == i {
				out[j] = first
				break
			}
			out[j], j = out[k], k
		}
	}
	return out
}

// factor is the similarity factor of a hit: the content's UnanchoredFactor when the question
// shares none of the entry's anchor words.
func (m *Matcher) factor(h *faq.Hit) float64 {
	if !h.Anchored {
		return m.cfg.UnanchoredFactor
	}
	return 1
}

// typeFactor is the confidence factor of an entry family for the question's type: TypeMismatch
// when the question asks how to do something and the entry does not, or asks whether something
// leaked and the entry is a how-to; UntypedFactor when the question asks neither and the entry
// asks whether something leaked ("マイナンバーカードを失くした" is not "was My Number leaked?");
// UntypedHowToFactor when the question asks neither, nor to do something, and the entry is a
// how-to ("アプリが落ちる" is not "how do I change my password in the app?"), unless the
// question is a topic word alone (bare: "PW" asks nothing else).
//
// The out-of-scope examples ask every type of question: their confidence takes no factor.
func (m *Matcher) typeFactor(e *faq.Entry, sig Signals, oneTerm bool) float64 {
	howto := m.howto[e]
	switch {
	case e.OutOfScope:
		return 1
	case sig.HowTo && !howto, !sig.HowTo && sig.LeakQuestion && howto:
		return m.cfg.TypeMismatch
	case !sig.HowTo && !sig.LeakQuestion && m.leaky[e]:
		return m.cfg.UntypedFactor
	case !sig.HowTo && !sig.LeakQuestion && !sig.Request && !oneTerm && howto:
		return m.cfg.UntypedHowToFactor
	}
	return 1
}

// Rank returns up to k entries for an utterance, best first, as the matcher's retrieval sees
// them: the same analysis (personal data blanked out), the same index search and the same
// ranking as Decide, one hit per entry. The out-of-scope examples are not entries and are left
// out. It is how retrieval is measured on its own.
func (m *Matcher) Rank(ctx context.Context, utterance string, k int) ([]Scored, error) {
	norm := analysis.Normalize(strip(utterance))
	clean := blank(norm, m.pii.Find(norm))
	hits, err := m.ix.Search(ctx, m.an.Terms(clean), k+1)
	if err != nil {
		return nil, fmt.Errorf("nlu: rank: %w", err)
	}
	var out []Scored
	for _, h := range m.rank(hits) {
		if !h.Entry.OutOfScope && len(out) < k {
			out = append(out, h.Scored)
		}
	}
	return out, nil
}

// RankByVector returns up to k entries for an utterance by the cosine of its vector and theirs
// alone (no words in common needed), with the analysis of Rank; nothing when the index has no
// vectors. Retrieval by meaning is measured with it against Rank.
func (m *Matcher) RankByVector(utterance string, k int) []Scored {
	norm := analysis.Normalize(strip(utterance))
	clean := blank(norm, m.pii.Find(norm))
	var out []Scored
	for _, h := range m.ix.Nearest(m.an.Terms(clean), k) {
		out = append(out, Scored{Hit: h, Rank: h.Vector})
	}
	return out
}
