package faq

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// BM25 over bleve's postings, with the statistics of each kind of document.
//
// bleve's own BM25 counts every document of the index in each field's IDF and takes a field's
// average length to be its number of distinct terms over all documents, rounded up: with
// phrasings and answers in one index, a short phrasing and a long answer are normalised by the
// same wrong length, and an answer term's rarity is measured against the phrasings too. faqbot
// reads the postings (term frequency and field length of each document) through bleve's index
// reader and scores them itself: the phrasings' fields against the phrasings (their number and
// average length), the answers' fields against the answers.

// fieldStats are the BM25 statistics of one bleve field: the number of documents of its kind
// and their average length in terms, and for each of them k1 times its length normalisation
// (1 − b + b × length / avgLen, the length as bleve counts it: the tokens of the field), the
// part of BM25 that is the same for every term of the document, indexed by document number
// less first, the number of the first document of its kind. A search reads it here rather than
// decoding the norm bleve stores beside every posting.
type fieldStats struct {
	docs, avgLen float64
	first        int
	kn           []float64
}

// clause is one term of a query searched in one bleve field.
type clause struct {
	field, term string
	boost       float64
}

// lengthStats computes the statistics of every bleve field from the documents' terms (ix.raw).
func (ix *Index) lengthStats() {
	ix.stats = map[string]fieldStats{}
	r := ix.content.Matcher.Retrieval
	add := func(field string, docs []text.Terms, first int, f text.Field, b float64) {
		total := 0
		st := fieldStats{docs: float64(len(docs)), first: first, kn: make([]float64, len(docs))}
		lens := make([]int, len(docs))
		for i, terms := range docs {
			total += len(terms[f])
			lens[i] = tokens(terms[f])
		}
		if len(docs) > 0 {
			st.avgLen = float64(total) / float64(len(docs))
		}
		for i, n := range lens {
			norm := 1.0
			if st.avgLen > 0 {
				norm = 1 - b + b*float64(n)/st.avgLen
			}
			st.kn[i] = r.K1 * norm
		}
		ix.stats[field] = st
	}
	phrases, answers := ix.raw[:len(ix.phrases)], ix.raw[len(ix.phrases):]
	for _, f := range text.Fields {
		add(string(f), phrases, 0, f, r.B)
	}
	for _, f := range answerFields {
		add(answerField(f), answers, len(ix.phrases), f, r.AnswerB)
	}
}

// tokens is the number of tokens bleve makes of a document's terms: the fields of the terms
// joined by spaces, as termsTokenizer splits them (strings.Fields), counted without
// allocating.
func tokens(terms []string) int {
	n := 0
	for _, t := range terms {
		in := false
		for _, r := range t {
			if unicode.IsSpace(r) {
				in = false
			} else if !in {
				in, n = true, n+1
			}
		}
	}
	return n
}

// tfrCache is the number of term field readers the index snapshot keeps per field for reuse
// (bleve's fieldTFRCacheThreshold, off by default): a search opens one reader per clause and
// closes it before the next, so as many as there are concurrent searches are reused.
const tfrCache = 64

// kvConfig is the scorch configuration of every index faqbot opens.
func kvConfig() map[string]interface{} {
	return map[string]interface{}{"fieldTFRCacheThreshold": tfrCache}
}

// openReader takes the snapshot of the bleve index that every search reads, and numbers its
// documents the way faqbot does (phrases, then answers), so that scores are gathered in a slice
// and ties are broken by that stable number rather than by bleve's internal one.
func (ix *Index) openReader() error {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return fmt.Errorf("faq: index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("faq: index reader: %w", err)
	}
	all, err := r.DocIDReaderAll()
	if err != nil {
		r.Close()
		return fmt.Errorf("faq: index reader: %w", err)
	}
	defer all.Close()
	docs := len(ix.phrases) + len(ix.answers)
	var nums []int32
	for seen := 0; ; seen++ {
		id, err := all.Next()
		if err != nil {
			r.Close()
			return fmt.Errorf("faq: index reader: %w", err)
		}
		if id == nil {
			if seen != docs {
				r.Close()
				return fmt.Errorf("faq: index holds %d documents, its content %d", seen, docs)
			}
			break
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			r.Close()
			return fmt.Errorf("faq: index reader: %w", err)
		}
		doc, ok := ix.docNumber(ext)
		if !ok {
			r.Close()
			return fmt.Errorf("faq: index does not match its content (document %q)", ext)
		}
		n := id.Value()
		if n >= uint64(4*docs+1024) {
			r.Close()
			return fmt.Errorf("faq: index reader: document number %d out of range", n)
		}
		for uint64(len(nums)) <= n {
			nums = append(nums, -1)
		}
		nums[n] = int32(doc)
	}
	ix.reader, ix.docOf = r, nums
	return nil
}

// docNumber is faqbot's number of a bleve document id: a phrase's index, or the number of
// phrases plus an answer's index.
func (ix *Index) docNumber(id string) (int, bool) {
	e, answer := ix.docEntry(id)
	if e == nil {
		return 0, false
	}
	if answer {
		i, _ := strconv.Atoi(id[1:])
		return len(ix.phrases) + i, true
	}
	i, _ := strconv.Atoi(id)
	return i, true
}

// scores are the BM25 scores a search gathers, indexed by document number, from a pool, with
// the buffer of the term it reads.
type scores struct {
	sum     []float64
	touched []int32
	top     []int32
	term    []byte
}

// bm25 scores every document that has a clause's term and returns the numbers of the best
// size documents, best first, ties by document number, with the scores; release it when done.
// It reads each posting's term frequency alone (no norm, no term vectors): a document's length
// normalisation is in ix.stats, and the postings of a term, once read, in ix.posts.
func (ix *Index) bm25(ctx context.Context, clauses []clause, size int) (*scores, error) {
	s, _ := ix.scorePool.Get().(*scores)
	if s == nil {
		s = &scores{sum: make([]float64, len(ix.phrases)+len(ix.answers))}
	}
	k1 := ix.content.Matcher.Retrieval.K1
	for _, c := range clauses {
		st := ix.stats[c.field]
		pl, err := ix.postingsOf(ctx, c, st, s)
		if err != nil {
			ix.releaseScores(s)
			return nil, err
		}
		df := float64(pl.count)
		idf := math.Log(1 + (st.docs-df+0.5)/(df+0.5))
		for i, doc := range pl.docs {
			tf := float64(pl.tfs[i])
			if s.sum[doc] == 0 {
				s.touched = append(s.touched, doc)
			}
			s.sum[doc] += c.boost * idf * tf * (k1 + 1) / (tf + pl.kn[i])
		}
		if err := ctx.Err(); err != nil {
			ix.releaseScores(s)
			return nil, err
		}
	}
	s.top = best(s.top[:0], s.touched, s.sum, size)
	return s, nil
}

// postingList is what a search reads of a term's postings in one field: the number bleve
// counts, and of each posting faqbot's document number, the term frequency and the document's
// k1 × length normalisation (fieldStats.kn).
type postingList struct {
	count uint64
	docs  []int32
	tfs   []uint32
	kn    []float64
}

// postingCache holds the postings a search has read, per bleve field and term id (the ids of
// ix.termID: every term of a phrase or an answer has one), so that a term's postings are
// decoded from bleve once. It is safe for concurrent use: two searches that read the same
// term at once store the same list.
type postingCache map[string][]atomic.Pointer[postingList]

// newPostingCache makes the empty cache of ix's fields.
func (ix *Index) newPostingCache() postingCache {
	pc := postingCache{}
	for _, f := range text.Fields {
		pc[string(f)] = make([]atomic.Pointer[postingList], len(ix.termID[f]))
	}
	for _, f := range answerFields {
		pc[answerField(f)] = make([]atomic.Pointer[postingList], len(ix.termID[f]))
	}
	return pc
}

// postingsOf returns the postings of c's term in c's field: from the cache, or read from bleve
// (and cached when the term has an id). st are the field's statistics, s the search's scratch.
func (ix *Index) postingsOf(ctx context.Context, c clause, st fieldStats, s *scores) (*postingList, error) {
	base := text.Field(strings.TrimPrefix(c.field, "answer_"))
	var slot *atomic.Pointer[postingList]
	if id, ok := ix.termID[base][c.term]; ok && int(id) < len(ix.posts[c.field]) {
		slot = &ix.posts[c.field][id]
		if pl := slot.Load(); pl != nil {
			return pl, nil
		}
	}
	s.term = append(s.term[:0], c.term...)
	tfr, err := ix.reader.TermFieldReader(ctx, s.term, c.field, true, false, false)
	if err != nil {
		return nil, fmt.Errorf("faq: search: %w", err)
	}
	defer tfr.Close()
	pl := &postingList{count: tfr.Count()}
	var d index.TermFieldDoc
	for {
		td, err := tfr.Next(&d)
		if err != nil {
			return nil, fmt.Errorf("faq: search: %w", err)
		}
		if td == nil {
			break
		}
		n := td.ID.Value()
		var doc int32 = -1
		if n < uint64(len(ix.docOf)) {
			doc = ix.docOf[n]
		}
		i := int(doc) - st.first
		if doc < 0 || i < 0 || i >= len(st.kn) || td.Freq > math.MaxUint32 {
			return nil, fmt.Errorf("faq: search: index does not match its content")
		}
		pl.docs, pl.tfs, pl.kn = append(pl.docs, doc), append(pl.tfs, uint32(td.Freq)), append(pl.kn, st.kn[i])
	}
	if slot != nil {
		slot.Store(pl)
	}
	return pl, nil
}

// best appends to top the size documents of docs of highest score, best first, ties by
// document number: what sorting docs and keeping the first size gives, found with a heap of
// size documents rather than by sorting them all.
func best(top, docs []int32, score []float64, size int) []int32 {
	better := func(a, b int32) bool { return score[a] > score[b] || score[a] == score[b] && a < b }
	byRank := func(a, b int32) int { return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a, b)) }
	if len(docs) <= size {
		top = append(top, docs...)
		slices.SortFunc(top, byRank)
		return top
	}
	if size <= 0 {
		return top
	}
	h := append(top, docs[:size]...) // a heap whose root is the worst of the best so far
	down := func(i int) {
		for {
			w, l, r := i, 2*i+1, 2*i+2
			if l < len(h) && better(h[w], h[l]) {
				w = l
			}
			if r < len(h) && better(h[w], h[r]) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, d := range docs[size:] {
		if better(d, h[0]) {
			h[0] = d
			down(0)
		}
	}
	slices.SortFunc(h, byRank)
	return h
}

// releaseScores clears what s touched and returns it to ix's pool.
func (ix *Index) releaseScores(s *scores) {
	for _, d := range s.touched {
		s.sum[d] = 0
	}
	s.touched, s.top = s.touched[:0], s.top[:0]
	ix.scorePool.Put(s)
}
