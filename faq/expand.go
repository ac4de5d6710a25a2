// Query expansion: the words of Content.Expansions (Sudachi's synonyms) that the FAQ's own text
// supports, searched beside a query's word at a weight below it.

package faq

import (
	"cmp"
	"slices"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/embed"
)

// expansion is a word of the FAQ that a query's word may be expanded to, with the cosine of
// their learnt vectors (the support the FAQ's text gives the pair).
type expansion struct {
	term   string
	cosine float64
}

// mineExpansions keeps, of every group of Content.Expansions, the pairs of a word and another
// word of the group that the FAQ's phrasings or answers use, with the cosine of their vectors;
// which of them a search uses is Retrieval.ExpansionCosine's to say. Words are taken as the
// index analyses them; a word that analyses to more than one term is left out (a compound is
// found by its parts already). Nothing is mined without vectors: the FAQ's text is then too
// small to support any pair.
func (ix *Index) mineExpansions() {
	if ix.vec == nil || len(ix.content.Expansions) == 0 {
		return
	}
	single := func(words []string, into []string) []string {
		for _, w := range words {
			if ts := ix.an.Field(text.JA, w); len(ts) == 1 && !slices.Contains(into, ts[0]) {
				into = append(into, ts[0])
			}
		}
		return into
	}
	used := func(t string) bool { return ix.df[text.JA][t] > 0 || ix.adf[text.JA][t] > 0 }
	vectors := map[string][]float32{}
	vector := func(t string) []float32 {
		v, ok := vectors[t]
		if !ok {
			v = ix.vec.Vector(t)
			vectors[t] = v
		}
		return v
	}
	ix.expansions = map[string][]expansion{}
	for _, g := range ix.content.Expansions {
		from := single(g.Words, nil)
		to := single(g.To, slices.Clone(from))
		for _, a := range from {
			for _, b := range to {
				if b == a || !used(b) {
					continue
				}
				c := float64(embed.Cosine(vector(a), vector(b)))
				list := ix.expansions[a]
				if i := slices.IndexFunc(list, func(e expansion) bool { return e.term == b }); i >= 0 {
					list[i].cosine = max(list[i].cosine, c) // in two groups: one pair
					continue
				}
				ix.expansions[a] = append(list, expansion{b, c})
			}
		}
	}
	for _, list := range ix.expansions {
		slices.SortFunc(list, func(x, y expansion) int { return cmp.Compare(x.term, y.term) })
	}
}

// expanded is a word a query is expanded to, and the query's word it stands for.
type expanded struct {
	term, from string
}

// expand returns the expansions of q's Japanese words that Retrieval.ExpansionCosine admits and
// q does not already have, each once (for the first of q's words that gives it); none when
// Retrieval.ExpansionWeight is 0, or q is read by its English words or its sound alone.
func (ix *Index) expand(q text.Terms) []expanded {
	r := ix.content.Matcher.Retrieval
	if r.ExpansionWeight == 0 || len(ix.expansions) == 0 || q.English() || q.KanaOnly() || ix.boosts[text.JA] == 0 {
		return nil
	}
	var out []expanded
	for _, a := range q[text.JA] {
		for _, e := range ix.expansions[a] {
			if e.cosine < r.ExpansionCosine || slices.Contains(q[text.JA], e.term) ||
				slices.ContainsFunc(out, func(x expanded) bool { return x.term == e.term }) {
				continue
			}
			out = append(out, expanded{e.term, a})
		}
	}
	return out
}

// appendExpansionClauses appends the clauses of the expansions: each searched in the phrases' and
// the answers' Japanese fields as the query's own words are (the same document-frequency limit),
// at Retrieval.ExpansionWeight of their boost.
func (ix *Index) appendExpansionClauses(clauses []clause, ext []expanded) []clause {
	if len(ext) == 0 {
		return clauses
	}
	r := ix.content.Matcher.Retrieval
	boost := r.ExpansionWeight * ix.boosts[text.JA]
	limit := int(r.MaxDF*float64(len(ix.phrases))) + 1
	answerLimit := int(r.MaxDF*float64(len(ix.answers))) + 1
	for _, x := range ext {
		if n := ix.df[text.JA][x.term]; n > 0 && n <= limit {
			clauses = append(clauses, clause{field: string(text.JA), term: x.term, boost: boost})
		}
		if n := ix.adf[text.JA][x.term]; r.AnswerBoost > 0 && n > 0 && n <= answerLimit {
			clauses = append(clauses, clause{field: answerField(text.JA), term: x.term, boost: r.AnswerBoost * boost})
		}
	}
	return clauses
}

// weighExpansions adds the expansions to the Japanese field of a weighed query: a phrase or an
// entry that has an expansion is credited Retrieval.ExpansionWeight of the weight of the query's
// word it stands for. The query's total weight is unchanged: an expansion is no more of the
// question's information, only another place to find it. (A phrase that has both the word and
// its expansion is credited both, as one with two words of the question.)
func (ix *Index) weighExpansions(wq weightedQuery, ext []expanded) weightedQuery {
	if len(ext) == 0 {
		return wq
	}
	k := slices.IndexFunc(wq.fields, func(wf weightedField) bool { return wf.field == text.JA })
	if k < 0 {
		return wq
	}
	w := ix.content.Matcher.Retrieval.ExpansionWeight
	unseen := idf(float64(len(ix.phrases)), 0)
	var known, vocab []idw
	for _, x := range ext {
		id, inVocab := ix.termID[text.JA][x.term]
		if !inVocab {
			continue
		}
		wa, ok := ix.idf[text.JA][x.from]
		if !ok {
			wa = unseen
		}
		if _, ok := ix.idf[text.JA][x.term]; ok {
			known = append(known, idw{id, w * wa})
		}
		vocab = append(vocab, idw{id, w * wa})
	}
	wf := &wq.fields[k]
	wf.ids, wf.weights = mergeWeights(wf.ids, wf.weights, known)
	wf.vids, wf.vweights = mergeWeights(wf.vids, wf.vweights, vocab)
	return wq
}

// mergeWeights returns new slices of the sorted ids and their weights with those of add, sorted
// by id (the order gather and entryCoverage read them in).
func mergeWeights(ids []int32, weights []float64, add []idw) ([]int32, []float64) {
	if len(add) == 0 {
		return ids, weights
	}
	all := make([]idw, 0, len(ids)+len(add))
	for i, id := range ids {
		all = append(all, idw{id, weights[i]})
	}
	all = append(all, add...)
	slices.SortStableFunc(all, func(a, b idw) int { return cmp.Compare(a.id, b.id) })
	outIDs, outW := make([]int32, len(all)), make([]float64, len(all))
	for i, x := range all {
		outIDs[i], outW[i] = x.id, x.w
	}
	return outIDs, outW
}

// Tune replaces the matcher's settings in the index's content. A search reads the new ones
// (Retrieval's but AnchorShare, Vectors.Candidates); those read when the index is built (the
// vectors' training, AnchorShare) keep their effect. It is not safe for use while searches run:
// it is for measuring settings on one index (a sweep).
func (ix *Index) Tune(m Matcher) { ix.content.Matcher = m }

// ExpansionPairs returns the number of pairs of a word and its expansion that the index mined,
// and how many of them Retrieval.ExpansionCosine admits.
func (ix *Index) ExpansionPairs() (mined, used int) {
	for _, list := range ix.expansions {
		for _, e := range list {
			mined++
			if e.cosine >= ix.content.Matcher.Retrieval.ExpansionCosine {
				used++
			}
		}
	}
	return mined, used
}
