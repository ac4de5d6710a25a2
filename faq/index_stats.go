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
// the fields the query has terms in, weighted by the field boosts. qw are the query's weights
// by term id (searchBuf.spread): every term of a phrase has a weight of its own (an IDF), so
// those of the query's terms a phrase has are added up, in the order of their ids, by reading
// the phrase's sorted ids.
func coverage(q weightedQuery, qw *[numFields][]float64, p *Phrase) (query, phrase float64) {
	var wsum float64
	for _, wf := range q.fields {
		g := sumOf(qw[wf.fi], p.ids[wf.fi])
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

// sumOf adds up the weights w of the sorted ids, in their order: the weights of the query's
// terms among them, each added in the order of its id, plus zeros, which change no sum.
func sumOf(w []float64, ids []int32) float64 {
	var got float64
	for _, id := range ids {
		got += w[id]
	}
	return got
}

// sumShared adds up, in the order of ids (ascending), the weights of the ids that have (also
// ascending, and much longer) holds, each found by binary search.
func sumShared(ids []int32, weights []float64, have []int32) float64 {
	var got float64
	for i, id := range ids {
		j, ok := slices.BinarySearch(have, id)
		if ok {
			got += weights[i]
		}
		have = have[j:]
	}
	return got
}

// entryCoverage is the share of the query's information (as in coverage) that the entry's
// phrases and answer hold between them.
func entryCoverage(q weightedQuery, qw *[numFields][]float64, es *entryStats) float64 {
	vocab := es.vocab
	if vocab == nil {
		return 0
	}
	var cov, wsum float64
	for _, wf := range q.fields {
		var got float64
		if d := vocab[wf.fi]; len(d) > 4*len(wf.vids) {
			got = sumShared(wf.vids, wf.vweights, d) // a long vocabulary: searched for the query's terms
		} else {
			got = sumOf(qw[wf.fi], d)
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

// anchored reports whether the query has an anchor word of the entry. Anchors are words
// (Japanese content words, English stems), never n-grams, which also match across word
// boundaries. Every anchor is a phrase's term, so it has a term id, and the query's terms that
// have one are its vids.
func anchored(q weightedQuery, es *entryStats) bool {
	for _, wf := range q.fields {
		if wf.field != text.JA && wf.field != text.EN {
			continue
		}
		if intersect(wf.vids, es.anchors[wf.fi]) {
			return true
		}
	}
	return false
}

// intersect reports whether the sorted lists a and b have an element in common.
func intersect(a, b []int32) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			return true
		}
	}
	return false
}

// entryStats is what a search reads of one entry, by its number: Content.Entries in order,
// then the out-of-scope pseudo-entry (the slots of the entry vectors too).
type entryStats struct {
	entry   *Entry
	order   int                 // Order(entry)
	phrases []int               // its phrases, by index
	vocab   *[numFields][]int32 // its vocabulary's term ids (nil without a phrase or answer)
	anchors [numFields][]int32  // the term ids of its anchor words, sorted, per field
}

// numberEntries numbers the entries and lays out what a search reads of each (entryStats), so
// that the entries found by their documents are read by number rather than looked up in maps:
// ix.ents by entry number, ix.docEnt the entry number of each document; and makes the empty
// cache of the postings searches read.
func (ix *Index) numberEntries() {
	ix.posts = ix.newPostingCache()
	entries := ix.content.Entries
	if ix.outside != nil {
		entries = append(entries[:len(entries):len(entries)], ix.outside)
	}
	ix.ents = make([]entryStats, len(entries))
	ix.entNum = make(map[*Entry]int32, len(entries))
	for i, e := range entries {
		es := &ix.ents[i]
		es.entry, es.order, es.phrases, es.vocab = e, ix.Order(e), ix.byEntry[e], ix.vocabIDs[e]
		for f, words := range ix.anchors[e] {
			fi := fieldIndex(f)
			for t := range words {
				if id, ok := ix.termID[f][t]; ok { // always: an anchor is a phrase's term
					es.anchors[fi] = append(es.anchors[fi], id)
				}
			}
			slices.Sort(es.anchors[fi])
		}
		ix.entNum[e] = int32(i)
	}
	ix.docEnt = make([]int32, len(ix.phrases)+len(ix.answers))
	for i := range ix.phrases {
		ix.docEnt[i] = ix.entNum[ix.phrases[i].Entry]
	}
	for i, a := range ix.answers {
		ix.docEnt[len(ix.phrases)+i] = ix.entNum[a.entry]
	}
}
