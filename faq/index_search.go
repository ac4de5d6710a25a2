// Querying the index: the clauses of a query, the search over phrasings and answers, and the
// hits it returns.

package faq

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// Hit is one entry found for a query, with its best-matching phrase.
type Hit struct {
	Entry *Entry
	// Score is the BM25 score of the best phrase of the entry.
	Score float64
	// AnswerScore is the BM25 score of the entry's answer (0 when the query's words are not
	// among the answer's, or the answer ranks too low to be found).
	AnswerScore float64
	// Coverage is the share of the query's information (IDF-weighted terms, per field,
	// combined) that the best phrase contains, in [0, 1].
	Coverage float64
	// Anchored reports whether the query contains one of the entry's anchor words: words that
	// most of its phrasings in a language use and few other entries do.
	Anchored bool
	// Reverse is the share of the best phrase's information that the query contains.
	Reverse float64
	// EntryCoverage is the share of the query's information found anywhere in the entry: in
	// any of its phrases or in its answer, in [0, 1].
	EntryCoverage float64
	// Phrase is the best phrase: the entry's phrase of highest Coverage (then Reverse).
	Phrase *Phrase
	// Vector is the cosine of the query's vector and the entry's nearest phrasing or answer
	// (0 when the index has no vectors); an entry found by its vector alone has no Score.
	Vector float64
	// TopScore and TopAnswerScore are the best Score and AnswerScore among all the hits of the
	// search, so that a ranker can read each hit's BM25 relative to the best.
	TopScore, TopAnswerScore float64
}

// inWord reports whether an n-gram lies inside one of the query's Japanese words that the
// index knows (known): searching for it too costs time and adds nothing.
func inWord(known []string, gram string) bool {
	for _, w := range known {
		if strings.Contains(w, gram) {
			return true
		}
	}
	return false
}

// termDF is a query term and the number of documents that have it.
type termDF struct {
	term string
	n    int
}

// selectTerms appends to sel the query's terms of field f that df (the field's document
// frequencies) counts in at most limit documents, the rarest max of them; n-grams inside a
// known word, or of a query with several known words, are left out.
func selectTerms(sel []termDF, q text.Terms, f text.Field, df map[string]int, known []string, limit, max int) []termDF {
	for _, term := range q[f] {
		if f == text.Gram && (len(known) > 1 || inWord(known, term)) {
			continue
		}
		if n := df[term]; n > 0 && n <= limit {
			sel = append(sel, termDF{term, n}) // else no document has it, or too many do
		}
	}
	if len(sel) > max {
		// The rarest terms decide the ranking; the rest only cost time.
		slices.SortStableFunc(sel, func(a, b termDF) int { return cmp.Compare(a.n, b.n) })
		sel = sel[:max]
	}
	return sel
}

// clauses returns the term queries of q: over the phrases' fields, and over the answers'.
func (ix *Index) clauses(q text.Terms) []clause {
	return ix.appendClauses(nil, q, &searchBuf{})
}

// appendClauses appends the term queries of q to clauses, with buf's scratch space.
func (ix *Index) appendClauses(clauses []clause, q text.Terms, buf *searchBuf) []clause {
	kanaOnly, english := q.KanaOnly(), q.English()
	known := func(df map[string]int) []string { // query words the index knows: when there are several, n-grams add little
		buf.knownWords = buf.knownWords[:0]
		for _, w := range q[text.JA] {
			if df[w] > 0 {
				buf.knownWords = append(buf.knownWords, w)
			}
		}
		return buf.knownWords
	}
	add := func(field string, selected []termDF, boost float64) {
		for _, t := range selected {
			clauses = append(clauses, clause{field: field, term: t.term, boost: boost})
		}
		buf.selected = selected[:0]
	}
	r := ix.content.Matcher.Retrieval
	words := known(ix.df[text.JA])
	limit := int(r.MaxDF*float64(len(ix.phrases))) + 1
	for _, f := range text.Fields {
		boost := ix.boosts[f]
		if english && f != text.EN {
			continue // an English question is read by its English words alone
		}
		if boost == 0 || (f == text.Yomi) != kanaOnly && f != text.EN {
			continue // a question without kanji is best read by its sound, others by their words
		}
		add(string(f), selectTerms(buf.selected[:0], q, f, ix.df[f], words, limit, r.MaxClauses), boost)
	}
	if r.AnswerBoost == 0 || len(ix.answers) == 0 {
		return clauses
	}
	words = known(ix.adf[text.JA])
	limit = int(r.MaxDF*float64(len(ix.answers))) + 1
	for _, f := range answerFields {
		boost := ix.boosts[f]
		if english && f != text.EN || boost == 0 {
			continue
		}
		add(answerField(f), selectTerms(buf.selected[:0], q, f, ix.adf[f], words, limit, r.MaxAnswerClauses), r.AnswerBoost*boost)
	}
	return clauses
}

// Search returns the entries found for the analysed query q with their statistics, in content
// order (ranking them is the matcher's job). k is the number of entries the caller will keep:
// a search fetches enough documents for them. No hit is not an error.
func (ix *Index) Search(ctx context.Context, q text.Terms, k int) ([]Hit, error) {
	buf, _ := ix.searchPool.Get().(*searchBuf)
	if buf == nil {
		buf = &searchBuf{terms: text.Terms{}, seen: map[string]bool{}, selected: make([]termDF, 0, 64),
			hitOf: make([]int32, len(ix.ents))}
	}
	defer ix.searchPool.Put(buf)
	q = buf.unique(q)
	ext := ix.expand(q)
	found, err := ix.lexical(ctx, q, ext, k, buf)
	if found == nil || err != nil {
		return nil, err
	}
	// The entries of the documents found, in the order found; hitOf[n] is one more than the
	// position of entry number n among them (0: not found).
	hits, nums := buf.hits[:0], buf.nums[:0]
	for _, doc := range found.top {
		score := found.sum[doc]
		n := ix.docEnt[doc]
		j := int(buf.hitOf[n]) - 1
		if j < 0 {
			j = len(hits)
			buf.hitOf[n] = int32(j + 1)
			hits, nums = append(hits, Hit{Entry: ix.ents[n].entry}), append(nums, n)
		}
		if int(doc) >= len(ix.phrases) {
			hits[j].AnswerScore = max(hits[j].AnswerScore, score)
		} else {
			hits[j].Score = max(hits[j].Score, score)
		}
	}
	for _, n := range nums {
		buf.hitOf[n] = 0
	}
	ix.releaseScores(found)
	if ix.vec != nil {
		hits, nums = ix.nearest(q, hits, nums)
	}
	buf.hits, buf.nums = hits[:0], nums[:0]
	if len(hits) == 0 {
		return nil, nil
	}
	wq := ix.weighExpansions(ix.weighQuery(q, buf), ext)
	qw := buf.spread(ix, wq)
	defer buf.unspread(wq)
	var topQ, topA float64
	for _, h := range hits {
		topQ, topA = max(topQ, h.Score), max(topA, h.AnswerScore)
	}
	// Content order, whatever order bleve found them in: the positions sorted by the entries'
	// Order (unique but for the entries without a phrase), then id.
	pos := buf.pos[:0]
	for i := range hits {
		pos = append(pos, int32(i))
	}
	slices.SortFunc(pos, func(a, b int32) int {
		ea, eb := &ix.ents[nums[a]], &ix.ents[nums[b]]
		if ea.order != eb.order {
			return cmp.Compare(ea.order, eb.order)
		}
		return strings.Compare(ea.entry.ID, eb.entry.ID)
	})
	buf.pos = pos[:0]
	out := make([]Hit, len(hits))
	for i, p := range pos {
		h := &out[i]
		*h = hits[p]
		es := &ix.ents[nums[p]]
		h.TopScore, h.TopAnswerScore = topQ, topA
		for _, pi := range es.phrases {
			ph := &ix.phrases[pi]
			cov, rev := coverage(wq, qw, ph)
			if h.Phrase == nil || cov > h.Coverage || cov == h.Coverage && rev > h.Reverse {
				h.Coverage, h.Reverse, h.Phrase = cov, rev, ph
			}
		}
		h.Anchored = anchored(wq, es)
		h.EntryCoverage = entryCoverage(wq, qw, es)
	}
	return out, nil
}

// lexical scores the documents that have the terms of q (unique) by BM25 and returns the best
// of them for a search that keeps k entries (release them when done); nil when q selects no
// term.
func (ix *Index) lexical(ctx context.Context, q text.Terms, ext []expanded, k int, buf *searchBuf) (*scores, error) {
	buf.clauses = ix.appendClauses(buf.clauses[:0], q, buf)
	buf.clauses = ix.appendExpansionClauses(buf.clauses, ext)
	if len(buf.clauses) == 0 {
		return nil, nil
	}
	// A small FAQ is ranked from a few documents; a large one from up to minCandidates.
	size := max(2*k+4, min(ix.content.Matcher.Retrieval.MinCandidates, len(ix.byEntry)))
	return ix.bm25(ctx, buf.clauses, size)
}

// Compare orders entries by Order, then by id: the key that breaks ties between entries the
// same way on every build and run (entries without a phrase share an Order; their ids tell
// them apart).
func (ix *Index) Compare(a, b *Entry) int {
	return cmp.Or(cmp.Compare(ix.Order(a), ix.Order(b)), strings.Compare(a.ID, b.ID))
}

// Order is the position of e's first phrase in the index: a stable key that breaks ties
// between entries the same way on every build and run.
func (ix *Index) Order(e *Entry) int {
	if ps := ix.byEntry[e]; len(ps) > 0 {
		return ps[0]
	}
	return len(ix.phrases)
}

// docEntry returns the entry of a bleve document and whether the document is its answer; nil
// for an id the index does not have.
func (ix *Index) docEntry(id string) (e *Entry, answer bool) {
	if rest, ok := strings.CutPrefix(id, "a"); ok {
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 || i >= len(ix.answers) {
			return nil, false
		}
		return ix.answers[i].entry, true
	}
	i, err := strconv.Atoi(id)
	if err != nil || i < 0 || i >= len(ix.phrases) {
		return nil, false
	}
	return ix.phrases[i].Entry, false
}

// weightedQuery is a query's unique terms with their coverage weights, per field.
type weightedQuery struct {
	fields []weightedField
}

type weightedField struct {
	field   text.Field
	fi      int // index of field in text.Fields
	boost   float64
	terms   []string
	ids     []int32   // ids of the terms the phrases have, sorted
	weights []float64 // weight of each id
	total   float64   // weight of all terms, known or not
	// vids are the ids of the terms that phrases or answers have, sorted, and vweights their
	// weights (the weight of a term no phrase has is that of an unseen term).
	vids     []int32
	vweights []float64
}

// numFields is len(text.Fields).
const numFields = 4

// weighQuery weighs the query's terms; what it returns lives in buf, until the next query.
func (ix *Index) weighQuery(q text.Terms, buf *searchBuf) weightedQuery {
	unseen := idf(float64(len(ix.phrases)), 0)
	kanaOnly := q.KanaOnly()
	english := q.English()
	wq := weightedQuery{fields: buf.fields[:0]}
	ids, weights := buf.ids[:0], buf.weights[:0]
	for _, f := range text.Fields {
		qt := q[f]
		boost := ix.boosts[f]
		if english && f != text.EN {
			continue // an English question is read by its English words alone
		}
		if len(qt) == 0 || boost == 0 || (f == text.Yomi) != kanaOnly && f != text.EN {
			continue // a question without kanji is best read by its sound, others by their words
		}
		wf := weightedField{field: f, fi: fieldIndex(f), boost: boost, terms: qt}
		known, vocab := buf.known[:0], buf.vocab[:0]
		for _, t := range qt {
			id, inVocab := ix.termID[f][t]
			w, ok := ix.idf[f][t]
			if !ok {
				wf.total += unseen
				if inVocab {
					vocab = append(vocab, idw{id, unseen})
				}
				continue
			}
			wf.total += w
			known = append(known, idw{id, w})
			vocab = append(vocab, idw{id, w})
		}
		byID := func(a, b idw) int { return cmp.Compare(a.id, b.id) }
		slices.SortFunc(known, byID)
		slices.SortFunc(vocab, byID)
		// Each field's ids and weights are a stretch of buf's: a stretch left behind when the
		// slice grows keeps its values.
		from := len(ids)
		for _, k := range known {
			ids, weights = append(ids, k.id), append(weights, k.w)
		}
		wf.ids, wf.weights = ids[from:len(ids):len(ids)], weights[from:len(ids):len(ids)]
		from = len(ids)
		for _, k := range vocab {
			ids, weights = append(ids, k.id), append(weights, k.w)
		}
		wf.vids, wf.vweights = ids[from:len(ids):len(ids)], weights[from:len(ids):len(ids)]
		buf.known, buf.vocab = known, vocab
		wq.fields = append(wq.fields, wf)
	}
	buf.fields, buf.ids, buf.weights = wq.fields, ids, weights
	return wq
}

// idw is a term id and its weight.
type idw struct {
	id int32
	w  float64
}

// searchBuf is the scratch space of one search, from a pool: nothing of it outlives Search.
type searchBuf struct {
	terms      text.Terms // the query's terms, unique
	words      []string   // what terms' slices hold
	clauses    []clause
	selected   []termDF
	knownWords []string // the query's words the index knows
	seen       map[string]bool
	hitOf      []int32 // by entry number, zero between searches
	hits       []Hit   // the hits before they are put in content order
	nums       []int32 // the entry numbers of hits
	pos        []int32
	// qw holds the weight of each of the query's terms that phrases or answers have, per field
	// and by term id, zero for the others (see spread).
	qw      [numFields][]float64
	fields  []weightedField
	ids     []int32
	weights []float64
	known   []idw
	vocab   []idw
}

// unique returns q with each field's terms unique, in their first order, held in b.
func (b *searchBuf) unique(q text.Terms) text.Terms {
	clear(b.terms)
	n := 0
	for _, ts := range q {
		n += len(ts)
	}
	if cap(b.words) < n {
		b.words = make([]string, 0, n) // so that no field's terms move when another's are added
	}
	words := b.words[:0]
	for f, ts := range q {
		from := len(words)
		if len(ts) > 32 { // a long text: look terms up rather than compare them all
			clear(b.seen)
			for _, t := range ts {
				if !b.seen[t] {
					b.seen[t] = true
					words = append(words, t)
				}
			}
		} else {
			for _, t := range ts {
				if !slices.Contains(words[from:], t) {
					words = append(words, t)
				}
			}
		}
		b.terms[f] = words[from:len(words):len(words)]
	}
	b.words = words
	return b.terms
}

// spread sets b.qw to the weights of the terms of q that phrases or answers have (their vids)
// and returns it; unspread zeroes them again.
func (b *searchBuf) spread(ix *Index, q weightedQuery) *[numFields][]float64 {
	for _, wf := range q.fields {
		if len(b.qw[wf.fi]) != len(ix.termID[wf.field]) {
			b.qw[wf.fi] = make([]float64, len(ix.termID[wf.field]))
		}
		for i, id := range wf.vids {
			b.qw[wf.fi][id] = wf.vweights[i]
		}
	}
	return &b.qw
}

func (b *searchBuf) unspread(q weightedQuery) {
	for _, wf := range q.fields {
		for _, id := range wf.vids {
			b.qw[wf.fi][id] = 0
		}
	}
}
