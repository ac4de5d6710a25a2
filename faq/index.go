package faq

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/embed"
)

// termsTokenizerType is the bleve tokenizer of every field: it splits text that faqbot has
// already analysed (terms separated by spaces), so that long texts are analysed once, in
// parallel, before indexing.
const termsTokenizerType = "faqbot-terms"

func init() {
	registry.RegisterTokenizer(termsTokenizerType, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return termsTokenizer{}, nil
	})
}

// termsTokenizer reads analysed terms joined by spaces (no term contains a space).
type termsTokenizer struct{}

func (termsTokenizer) Tokenize(input []byte) analysis.TokenStream {
	terms := strings.Fields(string(input))
	ts := make(analysis.TokenStream, len(terms))
	for i, term := range terms {
		ts[i] = &analysis.Token{Term: []byte(term), Position: i + 1, Type: analysis.Ideographic}
	}
	return ts
}

// Phrase is one way of asking an entry (its title or an alternate question) in one language,
// as indexed.
type Phrase struct {
	Entry *Entry
	Lang  Lang
	Text  string
	Terms text.Terms // unique and sorted, per field
	// Analysis is the whole analysis of Text (normal forms, words, readings), for the models
	// the matcher learns from the phrases.
	Analysis text.Analysis
	// ids are the phrase's terms as sorted term ids, and weight the sum of their coverage
	// weights, per field (in the order of text.Fields).
	ids    [numFields][]int32
	weight [numFields]float64
}

// Index is the searchable FAQ: one bleve document per phrase and one per answer, BM25-scored,
// plus the analysed terms of every phrase (and each entry's vocabulary) for the matcher's
// coverage measures. It is safe for concurrent use and
// immutable; a reindex builds a new Index.
type Index struct {
	content *Content
	an      *text.Analyzer
	bi      bleve.Index
	phrases []Phrase
	byEntry map[*Entry][]int // the phrases of each entry, by index
	answers []answerDoc
	df      map[text.Field]map[string]int // document frequency of each term
	adf     map[text.Field]map[string]int // number of answers that have each term
	raw     []text.Terms                  // every phrase's and answer's terms, until indexed
	// vocab is every term of each entry's phrases and answers, unique and sorted, per field,
	// until weigh turns it into vocabIDs: the same as sorted term ids (in the order of
	// text.Fields).
	vocab    map[*Entry]map[text.Field][]string
	vocabIDs map[*Entry]*[numFields][]int32
	// postings lists, per field and phrase term id, the phrases that have the term.
	postings   [numFields][][]int32
	gatherPool sync.Pool                         // of *gathered, sized to the phrases
	idf        map[text.Field]map[string]float64 // coverage weight of each indexed term
	termID     map[text.Field]map[string]int32   // a number for each indexed term
	boosts     map[text.Field]float64
	outside    *Entry // the pseudo-entry of the out-of-scope examples; nil without any
	anchors    map[*Entry]map[text.Field]map[string]bool
	dir        string
	// stats are the BM25 statistics of each bleve field; reader is the snapshot every search
	// reads, and docOf numbers its documents as faqbot does (see openReader).
	stats     map[string]fieldStats
	reader    index.IndexReader
	docOf     []int32
	scorePool sync.Pool // of *scores, sized to the documents
	// vec are the word vectors learnt from the FAQ's text (nil for a small FAQ), docVec every
	// document's unit vector by document number, answerDocs the answer documents of each entry.
	vec        *embed.Model
	docVec     [][]float32
	answerDocs map[*Entry][]int
	vecInfo    VectorInfo
}

const hashKey = "faqbot-content-hash"

// NewIndex builds the index of c. With dir == "" the index lives in memory; otherwise it is a
// scorch index in a subdirectory of dir named after the content's hash: an index there built
// from the same content is reused, and one built from other content is left to the caller to
// remove (Dir, once the Index that uses it is closed) — a reindex builds the new index beside
// the one still serving. A directory that holds anything but such subdirectories is refused.
func NewIndex(ctx context.Context, c *Content, dir string) (*Index, error) {
	ix := &Index{content: c, an: c.Analyzer(), boosts: map[text.Field]float64{}}
	for _, f := range text.Fields {
		ix.boosts[f] = 1
		if b, ok := c.Matcher.Boosts[string(f)]; ok {
			ix.boosts[f] = b
		}
	}
	ix.collect(ctx)
	ix.lengthStats()
	ix.weigh()
	ix.findAnchors()
	hash := contentHash(ix.phrases, c.Synonyms, c.Version())
	m := ix.mapping()
	var err error
	if dir == "" {
		ix.bi, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("faq: new index: %w", err)
		}
	} else {
		reuse, err := ix.openDir(dir, hash, m)
		if err != nil {
			return nil, err
		}
		if reuse {
			if err := ix.buildVectors(ctx); err != nil {
				ix.bi.Close()
				return nil, err
			}
			ix.raw = nil
			if err := ix.openReader(); err != nil {
				ix.bi.Close()
				return nil, err
			}
			return ix, nil
		}
	}
	if err := ix.buildVectors(ctx); err != nil {
		ix.bi.Close()
		return nil, err
	}
	if err := ix.fill(ctx); err != nil {
		ix.bi.Close()
		return nil, err
	}
	if err := ix.bi.SetInternal([]byte(hashKey), []byte(hash)); err != nil {
		ix.bi.Close()
		return nil, fmt.Errorf("faq: index: %w", err)
	}
	if err := ix.openReader(); err != nil {
		ix.bi.Close()
		return nil, err
	}
	return ix, nil
}

// openDir opens or creates the on-disk index of the content with hash in a subdirectory of
// dir; reuse reports an index already built from the same content.
func (ix *Index) openDir(dir, hash string, m mapping.IndexMapping) (reuse bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("faq: index %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() || !isHashDir(e.Name()) {
			return false, fmt.Errorf("faq: index %s: directory is not empty and holds no index (%s); choose an empty directory", dir, e.Name())
		}
	}
	ix.dir = filepath.Join(dir, hash[:hashDirLen])
	if existing, err := bleve.Open(ix.dir); err == nil {
		old, _ := existing.GetInternal([]byte(hashKey))
		if string(old) == hash {
			ix.bi = existing
			return true, nil
		}
		existing.Close() // half-built: build it again
	}
	if err := os.RemoveAll(ix.dir); err != nil {
		return false, fmt.Errorf("faq: index %s: remove old index: %w", ix.dir, err)
	}
	ix.bi, err = bleve.NewUsing(ix.dir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return false, fmt.Errorf("faq: new index %s: %w", ix.dir, err)
	}
	return false, nil
}

const hashDirLen = 16

func isHashDir(name string) bool {
	if len(name) != hashDirLen {
		return false
	}
	for _, r := range name {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// Dir is the directory of an on-disk index ("" in memory).
func (ix *Index) Dir() string { return ix.dir }

// answerDoc is the answer of an entry in one language: a document of its own, searched in
// its own fields (answerFields), so that an answer's words neither dilute nor inflate the
// statistics of the phrasings.
type answerDoc struct {
	entry *Entry
	lang  Lang
}

// answerFields are the fields an answer is indexed in: words and English stems. (Its n-grams
// count in the entry's vocabulary, not in bleve: there they made no difference to the ranking
// and cost indexing time.)
var answerFields = []text.Field{text.JA, text.EN}

// answerField is the bleve field of an answer's terms of field f.
func answerField(f text.Field) string { return "answer_" + string(f) }

// collect lists every phrase of every entry and every answer with its terms, and the document
// frequencies. The texts are analysed in parallel.
func (ix *Index) collect(ctx context.Context) {
	ix.df = map[text.Field]map[string]int{}
	ix.adf = map[text.Field]map[string]int{}
	for _, f := range text.Fields {
		ix.df[f] = map[string]int{}
		ix.adf[f] = map[string]int{}
	}
	ix.byEntry = map[*Entry][]int{}
	var texts []string
	entries := ix.content.Entries
	if len(ix.content.OutOfScope) > 0 {
		oos := &Entry{ID: "out-of-scope", OutOfScope: true, Text: map[Lang]*Text{}}
		for lang, qs := range ix.content.OutOfScope {
			oos.Text[lang] = &Text{Questions: qs}
		}
		ix.outside = oos
		entries = append(entries[:len(entries):len(entries)], oos)
	}
	for _, e := range entries {
		for _, lang := range Langs {
			t := e.Text[lang]
			if t == nil {
				continue
			}
			phrases := t.Questions
			if t.Title != "" {
				phrases = append([]string{t.Title}, phrases...)
			}
			for _, q := range phrases {
				if strings.TrimSpace(q) == "" {
					continue
				}
				ix.byEntry[e] = append(ix.byEntry[e], len(ix.phrases))
				ix.phrases = append(ix.phrases, Phrase{Entry: e, Lang: lang, Text: q})
				texts = append(texts, q)
			}
		}
	}
	for _, e := range ix.content.Entries {
		for _, lang := range Langs {
			if t := e.Text[lang]; t != nil && strings.TrimSpace(t.Answer) != "" {
				ix.answers = append(ix.answers, answerDoc{entry: e, lang: lang})
				texts = append(texts, t.Answer)
			}
		}
	}
	all := analyzeAll(ctx, ix.an, texts)
	ix.raw = make([]text.Terms, len(all))
	for i, a := range all {
		ix.raw[i] = a.Terms
		if i < len(ix.phrases) {
			ix.phrases[i].Analysis = a
		}
	}
	for i := range ix.phrases {
		terms := text.Terms{}
		for f, ts := range ix.raw[i] {
			ts = unique(ts)
			sort.Strings(ts) // coverage looks terms up by binary search
			terms[f] = ts
		}
		for _, f := range text.Fields {
			for _, term := range terms[f] {
				ix.df[f][term]++
			}
		}
		ix.phrases[i].Terms = terms
	}
	for _, terms := range ix.raw[len(ix.phrases):] {
		for _, f := range answerFields {
			for _, term := range unique(terms[f]) {
				ix.adf[f][term]++
			}
		}
	}
	ix.vocab = map[*Entry]map[text.Field][]string{}
	for i, terms := range ix.raw {
		var e *Entry
		if i < len(ix.phrases) {
			e = ix.phrases[i].Entry
		} else {
			e = ix.answers[i-len(ix.phrases)].entry
		}
		if ix.vocab[e] == nil {
			ix.vocab[e] = map[text.Field][]string{}
		}
		for _, f := range text.Fields {
			ix.vocab[e][f] = append(ix.vocab[e][f], terms[f]...)
		}
	}
	for _, v := range ix.vocab {
		for f, ts := range v {
			ts = unique(ts)
			sort.Strings(ts)
			v[f] = slices.Clip(ts)
		}
	}
}

// analyzeAll returns the analysis of every text, analysed by all processors.
func analyzeAll(ctx context.Context, an *text.Analyzer, texts []string) []text.Analysis {
	out := make([]text.Analysis, len(texts))
	var next, done atomic.Int64
	var mu sync.Mutex // one progress report at a time
	report := progress(ctx, "analyse", len(texts))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(texts)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(texts); i = int(next.Add(1)) - 1 {
				out[i] = an.Analyze(texts[i])
				if n := done.Add(1); n%64 == 0 || int(n) == len(texts) {
					mu.Lock()
					report(int(n))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return out
}

// weigh computes the coverage weight (IDF) of every indexed term.
func (ix *Index) weigh() {
	n := float64(len(ix.phrases))
	ix.idf = map[text.Field]map[string]float64{}
	for f, dfs := range ix.df {
		w := make(map[string]float64, len(dfs))
		for t, df := range dfs {
			w[t] = idf(n, df)
		}
		ix.idf[f] = w
	}
	ix.termID = map[text.Field]map[string]int32{}
	for _, f := range text.Fields {
		ix.termID[f] = map[string]int32{}
	}
	for i := range ix.phrases {
		p := &ix.phrases[i]
		for fi, f := range text.Fields {
			ids := make([]int32, 0, len(p.Terms[f]))
			for _, t := range p.Terms[f] {
				id, ok := ix.termID[f][t]
				if !ok {
					id = int32(len(ix.termID[f]))
					ix.termID[f][t] = id
				}
				ids = append(ids, id)
				p.weight[fi] += ix.idf[f][t]
			}
			slices.Sort(ids)
			p.ids[fi] = ids
		}
	}
	for fi := range text.Fields {
		ix.postings[fi] = make([][]int32, len(ix.termID[text.Fields[fi]]))
	}
	for i := range ix.phrases {
		for fi, ids := range ix.phrases[i].ids {
			for _, id := range ids {
				ix.postings[fi][id] = append(ix.postings[fi][id], int32(i))
			}
		}
	}
	// Terms of answers only get ids after those of phrases.
	ix.vocabIDs = make(map[*Entry]*[numFields][]int32, len(ix.vocab))
	for e, v := range ix.vocab {
		var vids [numFields][]int32
		for fi, f := range text.Fields {
			ids := make([]int32, 0, len(v[f]))
			for _, t := range v[f] {
				id, ok := ix.termID[f][t]
				if !ok {
					id = int32(len(ix.termID[f]))
					ix.termID[f][t] = id
				}
				ids = append(ids, id)
			}
			slices.Sort(ids)
			vids[fi] = ids
		}
		ix.vocabIDs[e] = &vids
	}
	ix.vocab = nil
}

func idf(n float64, df int) float64 { return math.Log(1 + n/float64(1+df)) }

func unique(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// indexFormat names the layout of the bleve documents; an index on disk in another layout is
// rebuilt.
const indexFormat = "faqbot-index-2: analysed terms; phrases and answers"

func contentHash(phrases []Phrase, syn text.Synonyms, version string) string {
	h := sha256.New()
	h.Write([]byte(indexFormat))
	h.Write([]byte(version))
	b, _ := json.Marshal(syn)
	h.Write(b)
	for _, p := range phrases {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", p.Entry.ID, p.Lang, p.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mapping maps every field, of phrases and of answers, to the terms analyser: documents carry
// their terms already analysed (see collect).
func (ix *Index) mapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	doc := bleve.NewDocumentStaticMapping()
	const name = "faqbot-terms"
	_ = m.AddCustomTokenizer(name, map[string]interface{}{"type": termsTokenizerType})
	_ = m.AddCustomAnalyzer(name, map[string]interface{}{"type": custom.Name, "tokenizer": name})
	fields := make([]string, 0, len(text.Fields)+len(answerFields))
	for _, f := range text.Fields {
		fields = append(fields, string(f))
	}
	for _, f := range answerFields {
		fields = append(fields, answerField(f))
	}
	for _, f := range fields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = name
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = name
	return m
}

// batchSize is the number of phrases per index batch. Each batch becomes a segment that every
// query visits until scorch merges them, so batches are large: a FAQ of 10,000 entries (30,000
// phrases) is two segments.
const batchSize = 20000

// fill indexes every phrase (document id: its index) and every answer (document id: "a" and
// its index) in batches, and drops the terms it indexed.
func (ix *Index) fill(ctx context.Context) error {
	batch := ix.bi.NewBatch()
	report := progress(ctx, "index", len(ix.raw))
	for i, terms := range ix.raw {
		report(i)
		if err := ctx.Err(); err != nil {
			return err
		}
		doc := map[string]interface{}{}
		id, entry := strconv.Itoa(i), (*Entry)(nil)
		if i < len(ix.phrases) {
			entry = ix.phrases[i].Entry
			for _, f := range text.Fields {
				doc[string(f)] = strings.Join(terms[f], " ")
			}
		} else {
			a := i - len(ix.phrases)
			id, entry = "a"+strconv.Itoa(a), ix.answers[a].entry
			for _, f := range answerFields {
				doc[answerField(f)] = strings.Join(terms[f], " ")
			}
		}
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("faq: index %s: %w", entry.ID, err)
		}
		if batch.Size() >= batchSize {
			if err := ix.bi.Batch(batch); err != nil {
				return fmt.Errorf("faq: index: %w", err)
			}
			batch.Reset()
		}
	}
	if err := ix.bi.Batch(batch); err != nil {
		return fmt.Errorf("faq: index: %w", err)
	}
	report(len(ix.raw))
	ix.raw = nil
	return nil
}

// Close releases the index.
func (ix *Index) Close() error {
	var err error
	if ix.reader != nil {
		err = ix.reader.Close()
	}
	return errors.Join(err, ix.bi.Close())
}

// Content returns the content the index was built from.
func (ix *Index) Content() *Content { return ix.content }

// Analyzer returns the analyzer the index was built with; queries must use it.
func (ix *Index) Analyzer() *text.Analyzer { return ix.an }

// OutOfScope returns the pseudo-entry the index's out-of-scope examples belong to (hits of them
// carry it), or nil when the content has none.
func (ix *Index) OutOfScope() *Entry { return ix.outside }

// PhraseList returns the indexed phrases (entries' titles and alternate questions, then the
// out-of-scope examples), in index order. The slice is shared: callers must not modify it.
func (ix *Index) PhraseList() []Phrase { return ix.phrases }

// Phrases returns the number of indexed phrases.
func (ix *Index) Phrases() int { return len(ix.phrases) }

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

// inWord reports whether an n-gram lies inside one of the query's Japanese words that df
// counts: searching for it too costs time and adds nothing.
func inWord(q text.Terms, df map[string]int, gram string) bool {
	for _, w := range q[text.JA] {
		if df[w] > 0 && strings.Contains(w, gram) {
			return true
		}
	}
	return false
}

// selectTerms returns the query's terms of field f that df counts in at most limit documents,
// the rarest max of them; n-grams inside a known word, or of a query with several known words,
// are left out.
func selectTerms(q text.Terms, f text.Field, df map[text.Field]map[string]int, limit, max, jaHits int) []string {
	var terms []string
	for _, term := range q[f] {
		if n := df[f][term]; n > 0 && n <= limit && !(f == text.Gram && (inWord(q, df[text.JA], term) || jaHits > 1)) {
			terms = append(terms, term) // else no document has it, or too many do
		}
	}
	if len(terms) > max {
		// The rarest terms decide the ranking; the rest only cost time.
		sort.SliceStable(terms, func(i, j int) bool { return df[f][terms[i]] < df[f][terms[j]] })
		terms = terms[:max]
	}
	return terms
}

// clauses returns the term queries of q: over the phrases' fields, and over the answers'.
func (ix *Index) clauses(q text.Terms) []clause {
	kanaOnly, english := q.KanaOnly(), q.English()
	known := func(df map[string]int) int { // query words the index knows: when there are several, n-grams add little
		n := 0
		for _, w := range q[text.JA] {
			if df[w] > 0 {
				n++
			}
		}
		return n
	}
	var clauses []clause
	add := func(field string, terms []string, boost float64) {
		for _, term := range terms {
			clauses = append(clauses, clause{field: field, term: term, boost: boost})
		}
	}
	r := ix.content.Matcher.Retrieval
	jaHits := known(ix.df[text.JA])
	limit := int(r.MaxDF*float64(len(ix.phrases))) + 1
	for _, f := range text.Fields {
		boost := ix.boosts[f]
		if english && f != text.EN {
			continue // an English question is read by its English words alone
		}
		if boost == 0 || (f == text.Yomi) != kanaOnly && f != text.EN {
			continue // a question without kanji is best read by its sound, others by their words
		}
		add(string(f), selectTerms(q, f, ix.df, limit, r.MaxClauses, jaHits), boost)
	}
	if r.AnswerBoost == 0 || len(ix.answers) == 0 {
		return clauses
	}
	jaHits = known(ix.adf[text.JA])
	limit = int(r.MaxDF*float64(len(ix.answers))) + 1
	for _, f := range answerFields {
		boost := ix.boosts[f]
		if english && f != text.EN || boost == 0 {
			continue
		}
		add(answerField(f), selectTerms(q, f, ix.adf, limit, r.MaxAnswerClauses, jaHits), r.AnswerBoost*boost)
	}
	return clauses
}

// Search returns the entries found for the analysed query q with their statistics, in content
// order (ranking them is the matcher's job). k is the number of entries the caller will keep:
// a search fetches enough documents for them. No hit is not an error.
func (ix *Index) Search(ctx context.Context, q text.Terms, k int) ([]Hit, error) {
	uq := make(text.Terms, len(q))
	for f, ts := range q {
		uq[f] = unique(ts)
	}
	q = uq
	clauses := ix.clauses(q)
	if len(clauses) == 0 {
		return nil, nil
	}
	// A small FAQ is ranked from a few documents; a large one from up to minCandidates.
	size := max(2*k+4, min(ix.content.Matcher.Retrieval.MinCandidates, len(ix.byEntry)))
	found, err := ix.bm25(ctx, clauses, size)
	if err != nil {
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
	if ix.vec != nil {
		hits = ix.nearest(q, hits)
	}
	if len(hits) == 0 {
		return nil, nil
	}
	wq := ix.weighQuery(q)
	var topQ, topA float64
	for _, h := range hits {
		topQ, topA = max(topQ, h.Score), max(topA, h.AnswerScore)
	}
	got := ix.gather(wq)
	defer ix.release(got)
	for i := range hits {
		h := &hits[i]
		h.TopScore, h.TopAnswerScore = topQ, topA
		for _, pi := range ix.byEntry[h.Entry] {
			p := &ix.phrases[pi]
			cov, rev := ix.coverage(wq, p, &got.sums[pi])
			if h.Phrase == nil || cov > h.Coverage || cov == h.Coverage && rev > h.Reverse {
				h.Coverage, h.Reverse, h.Phrase = cov, rev, p
			}
		}
		h.Anchored = ix.anchored(wq, h.Entry)
		h.EntryCoverage = ix.entryCoverage(wq, h.Entry)
	}
	// Content order, whatever order bleve found them in.
	slices.SortFunc(hits, func(a, b Hit) int { return cmp.Compare(ix.Order(a.Entry), ix.Order(b.Entry)) })
	return hits, nil
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

func (ix *Index) weighQuery(q text.Terms) weightedQuery {
	unseen := idf(float64(len(ix.phrases)), 0)
	kanaOnly := q.KanaOnly()
	english := q.English()
	var wq weightedQuery
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
		type idw struct {
			id int32
			w  float64
		}
		known := make([]idw, 0, len(qt))
		vocab := make([]idw, 0, len(qt))
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
		for _, k := range known {
			wf.ids = append(wf.ids, k.id)
			wf.weights = append(wf.weights, k.w)
		}
		for _, k := range vocab {
			wf.vids = append(wf.vids, k.id)
			wf.vweights = append(wf.vweights, k.w)
		}
		wq.fields = append(wq.fields, wf)
	}
	return wq
}

// gather adds up, for every phrase that has any of the query's terms, the weights of the terms
// it has, per field: what coverage reads, found through the postings of the query's terms
// rather than by comparing the query with every phrase of every hit.
// The result is indexed by phrase and comes from a pool: release it when done.
func (ix *Index) gather(q weightedQuery) *gathered {
	g, _ := ix.gatherPool.Get().(*gathered)
	if g == nil {
		g = &gathered{sums: make([][numFields]float64, len(ix.phrases))}
	}
	for _, wf := range q.fields {
		for i, id := range wf.ids { // ascending ids: each phrase sums its weights in id order
			for _, p := range ix.postings[wf.fi][id] {
				s := &g.sums[p]
				if *s == ([numFields]float64{}) {
					g.touched = append(g.touched, p)
				}
				s[wf.fi] += wf.weights[i]
			}
		}
	}
	return g
}

// gathered is what gather found: the summed weights per phrase, and which phrases it touched.
type gathered struct {
	sums    [][numFields]float64
	touched []int32
}

// release clears what g touched and returns it to ix's pool.
func (ix *Index) release(g *gathered) {
	for _, p := range g.touched {
		g.sums[p] = [numFields]float64{}
	}
	g.touched = g.touched[:0]
	ix.gatherPool.Put(g)
}

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
