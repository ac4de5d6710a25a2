// Statistics for the matcher to weigh: how much of a query a phrase and an entry cover (and of
// the phrase the query covers), each entry's anchor words (its own vocabulary) and whether a
// query has one.

package faq

import (
	"slices"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// coverage returns the IDF-weighted share of the query's terms found in a phrase (query
// coverage) and of the phrase's terms found in the query (phrase coverage), each averaged over
// the fields the query has terms in, weighted by the field boosts. got is what gather found for
// the phrase.
func (ix *Index) coverage(q weightedQuery, p *Phrase, got *[numFields]float64) (query, phrase float64) {
	var wsum float64
	for _, wf := range q.fields {
		g := got[wf.fi]
		query += wf.boost * g / wf.total
		if pw := p.weight[wf.fi]; pw > 0 {
			phrase += wf.boost * g / pw
		}
		wsum += wf.boost
	}
	if wsum == 0 {
		return 0, 0
	}
	return query / wsum, min(1, phrase/wsum)
}

// entryCoverage is the share of the query's information (as in coverage) that the entry's
// phrases and answer hold between them.
func (ix *Index) entryCoverage(q weightedQuery, e *Entry) float64 {
	vocab := ix.vocabIDs[e]
	if vocab == nil {
		return 0
	}
	var cov, wsum float64
	for _, wf := range q.fields {
		d := vocab[wf.fi]
		var got float64
		for i, j := 0, 0; i < len(wf.vids) && j < len(d); { // both sorted: merge
			switch {
			case wf.vids[i] < d[j]:
				i++
			case wf.vids[i] > d[j]:
				j++
			default:
				got += wf.vweights[i]
				i++
				j++
			}
		}
		if wf.total > 0 {
			cov += wf.boost * got / wf.total
		}
		wsum += wf.boost
	}
	if wsum == 0 {
		return 0
	}
	return cov / wsum
}

// fieldIndex returns the index of f in text.Fields.
func fieldIndex(f text.Field) int {
	return slices.Index(text.Fields, f)
}

// findAnchors finds the anchor words: a term is an anchor of an entry when at least the share
// Retrieval.AnchorShare of the entry's phrasings in one language use it, and no other entry
// uses it in more than 1/AnchorShare times as large a share of its phrasings: the entry's own
// vocabulary.
func (ix *Index) findAnchors() {
	anchorShare := ix.content.Matcher.Retrieval.AnchorShare
	type key struct {
		e    *Entry
		lang Lang
	}
	count := map[key]int{}
	tf := map[key]map[text.Field]map[string]int{}
	for i := range ix.phrases {
		p := &ix.phrases[i]
		k := key{p.Entry, p.Lang}
		count[k]++
		if tf[k] == nil {
			tf[k] = map[text.Field]map[string]int{}
		}
		for _, f := range []text.Field{text.JA, text.EN} {
			if tf[k][f] == nil {
				tf[k][f] = map[string]int{}
			}
			for _, t := range p.Terms[f] {
				tf[k][f][t]++
			}
		}
	}
	// The largest share of phrasings any entry gives each term.
	top := map[text.Field]map[string]float64{text.JA: {}, text.EN: {}}
	for k, fields := range tf {
		for f, terms := range fields {
			for t, n := range terms {
				top[f][t] = max(top[f][t], float64(n)/float64(count[k]))
			}
		}
	}
	ix.anchors = map[*Entry]map[text.Field]map[string]bool{}
	for k, fields := range tf {
		if ix.anchors[k.e] == nil {
			ix.anchors[k.e] = map[text.Field]map[string]bool{}
		}
		for f, terms := range fields {
			for t, n := range terms {
				share := float64(n) / float64(count[k])
				if share < anchorShare || share < anchorShare*top[f][t] {
					continue
				}
				if ix.anchors[k.e][f] == nil {
					ix.anchors[k.e][f] = map[string]bool{}
				}
				ix.anchors[k.e][f][t] = true
			}
		}
	}
}

// anchored reports whether the query has an anchor word of e. Anchors are words (Japanese
// content words, English stems), never n-grams, which also match across word boundaries.
func (ix *Index) anchored(q weightedQuery, e *Entry) bool {
	for _, wf := range q.fields {
		if wf.field != text.JA && wf.field != text.EN {
			continue
		}
		a := ix.anchors[e][wf.field]
		for _, t := range wf.terms {
			if a[t] {
				return true
			}
		}
	}
	return false
}
