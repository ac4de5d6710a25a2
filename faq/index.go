package faq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// tokenizerType is the bleve tokenizer type that runs faqbot's analysis for one field.
const tokenizerType = "faqbot"

func init() {
	registry.RegisterTokenizer(tokenizerType, newTokenizer)
}

// tokenizer adapts faq/analysis to bleve. Its config names the field and carries the synonyms,
// so that an index on disk is reopened with the analysis it was built with.
type tokenizer struct {
	field text.Field
	an    *text.Analyzer
}

func newTokenizer(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
	field, _ := config["field"].(string)
	var syn text.Synonyms
	if raw, ok := config["synonyms"]; ok {
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, fmt.Errorf("faq: tokenizer synonyms: %w", err)
		}
		if err := json.Unmarshal(b, &syn); err != nil {
			return nil, fmt.Errorf("faq: tokenizer synonyms: %w", err)
		}
	}
	return &tokenizer{field: text.Field(field), an: text.New(syn)}, nil
}

func (t *tokenizer) Tokenize(input []byte) analysis.TokenStream {
	terms := t.an.Field(t.field, string(input))
	return tokenStream(terms)
}

func tokenStream(terms []string) analysis.TokenStream {
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
	// ids are the phrase's terms as sorted term ids, and weight the sum of their coverage
	// weights, per field (in the order of text.Fields).
	ids    [numFields][]int32
	weight [numFields]float64
}

// Index is the searchable FAQ: one bleve document per phrase, BM25-scored, plus the analysed
// terms of every phrase for the matcher's coverage measures. It is safe for concurrent use and
// immutable; a reindex builds a new Index.
type Index struct {
	content *Content
	an      *text.Analyzer
	bi      bleve.Index
	phrases []Phrase
	df      map[text.Field]map[string]int     // document frequency of each term
	idf     map[text.Field]map[string]float64 // coverage weight of each indexed term
	termID  map[text.Field]map[string]int32   // a number for each indexed term
	boosts  map[text.Field]float64
	anchors map[*Entry]map[text.Field]map[string]bool
	dir     string
}

const hashKey = "faqbot-content-hash"

// NewIndex builds the index of c. With dir == "" the index lives in memory; otherwise it is a
// scorch index in dir: an index there built from the same content is reused, one built from
// other content is replaced, and a directory that holds something else is refused.
func NewIndex(ctx context.Context, c *Content, dir string) (*Index, error) {
	ix := &Index{content: c, an: c.Analyzer(), dir: dir, boosts: map[text.Field]float64{}}
	for _, f := range text.Fields {
		ix.boosts[f] = 1
		if b, ok := c.Matcher.Boosts[string(f)]; ok {
			ix.boosts[f] = b
		}
	}
	ix.collect()
	ix.weigh()
	ix.findAnchors()
	hash := contentHash(ix.phrases, c.Synonyms)
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
			return ix, nil
		}
	}
	if err := ix.fill(ctx); err != nil {
		ix.bi.Close()
		return nil, err
	}
	if err := ix.bi.SetInternal([]byte(hashKey), []byte(hash)); err != nil {
		ix.bi.Close()
		return nil, fmt.Errorf("faq: index: %w", err)
	}
	return ix, nil
}

// openDir opens or creates the on-disk index; reuse reports an index already built from the
// same content.
func (ix *Index) openDir(dir, hash string, m mapping.IndexMapping) (reuse bool, err error) {
	if existing, err := bleve.Open(dir); err == nil {
		old, _ := existing.GetInternal([]byte(hashKey))
		if string(old) == hash {
			ix.bi = existing
			return true, nil
		}
		existing.Close()
		if old == nil {
			return false, fmt.Errorf("faq: index %s: not a faqbot index; choose an empty directory", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return false, fmt.Errorf("faq: index %s: remove old index: %w", dir, err)
		}
	} else if entries, rerr := os.ReadDir(dir); rerr == nil && len(entries) > 0 {
		return false, fmt.Errorf("faq: index %s: directory is not empty and holds no index", dir)
	}
	ix.bi, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return false, fmt.Errorf("faq: new index %s: %w", dir, err)
	}
	return false, nil
}

// collect lists every phrase of every entry with its terms, and the document frequencies.
func (ix *Index) collect() {
	ix.df = map[text.Field]map[string]int{}
	for _, f := range text.Fields {
		ix.df[f] = map[string]int{}
	}
	entries := ix.content.Entries
	if len(ix.content.OutOfScope) > 0 {
		oos := &Entry{ID: "out-of-scope", OutOfScope: true, Text: map[Lang]*Text{}}
		for lang, qs := range ix.content.OutOfScope {
			oos.Text[lang] = &Text{Questions: qs}
		}
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
				terms := ix.an.Terms(q)
				for _, f := range text.Fields {
					ts := unique(terms[f])
					sort.Strings(ts) // coverage looks terms up by binary search
					terms[f] = ts
					for _, term := range ts {
						ix.df[f][term]++
					}
				}
				ix.phrases = append(ix.phrases, Phrase{Entry: e, Lang: lang, Text: q, Terms: terms})
			}
		}
	}
}

// maxDF is the share of phrases above which a term is too common to select anything: it is
// left out of queries (it still counts in coverage).
const maxDF = 0.25

// rankBM25 is the weight of relative BM25 in Hit.Rank.
var rankBM25 = 0.2

// maxClauses is the number of terms per field a query searches for (the rarest).
const maxClauses = 4

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

func contentHash(phrases []Phrase, syn text.Synonyms) string {
	h := sha256.New()
	b, _ := json.Marshal(syn)
	h.Write(b)
	for _, p := range phrases {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", p.Entry.ID, p.Lang, p.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (ix *Index) mapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	doc := bleve.NewDocumentStaticMapping()
	syn := map[string]interface{}{}
	b, _ := json.Marshal(ix.content.Synonyms)
	_ = json.Unmarshal(b, &syn)
	for _, f := range text.Fields {
		name := "faqbot-" + string(f)
		_ = m.AddCustomTokenizer(name, map[string]interface{}{"type": tokenizerType, "field": string(f), "synonyms": syn})
		_ = m.AddCustomAnalyzer(name, map[string]interface{}{"type": custom.Name, "tokenizer": name})
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = name
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(string(f), fm)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "faqbot-" + string(text.Gram)
	return m
}

// batchSize is the number of phrases per index batch. Each batch becomes a segment that every
// query visits until scorch merges them, so batches are large: a FAQ of 10,000 entries (30,000
// phrases) is two segments.
const batchSize = 20000

// fill indexes every phrase in batches.
func (ix *Index) fill(ctx context.Context) error {
	batch := ix.bi.NewBatch()
	for i, p := range ix.phrases {
		if err := ctx.Err(); err != nil {
			return err
		}
		doc := map[string]interface{}{}
		for _, f := range text.Fields {
			doc[string(f)] = p.Text
		}
		if err := batch.Index(strconv.Itoa(i), doc); err != nil {
			return fmt.Errorf("faq: index %s: %w", p.Entry.ID, err)
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
	return nil
}

// Close releases the index.
func (ix *Index) Close() error { return ix.bi.Close() }

// Content returns the content the index was built from.
func (ix *Index) Content() *Content { return ix.content }

// Analyzer returns the analyzer the index was built with; queries must use it.
func (ix *Index) Analyzer() *text.Analyzer { return ix.an }

// Phrases returns the number of indexed phrases.
func (ix *Index) Phrases() int { return len(ix.phrases) }

// Hit is one entry found for a query, with its best-matching phrase.
type Hit struct {
	Entry *Entry
	// Score is the BM25 score of the best phrase of the entry.
	Score float64
	// Coverage is the share of the query's information (IDF-weighted terms, per field,
	// combined) that the best phrase contains, in [0, 1].
	Coverage float64
	// Anchored reports whether the query contains one of the entry's anchor words: words that
	// most of its phrasings in a language use and few other entries do.
	Anchored bool
	// Reverse is the share of the best phrase's information that the query contains.
	Reverse float64
	// Phrase is the best phrase.
	Phrase *Phrase
	// Similarity combines both coverages: Coverage^(1-g) × Reverse^g, with g the content's
	// Matcher.PhraseWeight. It is in [0, 1].
	Similarity float64
	// Rank orders the hits: similarity, with BM25 relative to the best hit as a small bonus.
	Rank float64
}

// inWord reports whether an n-gram lies inside one of the query's Japanese words that the index
// knows: searching for it too costs time and adds nothing.
func (ix *Index) inWord(q text.Terms, gram string) bool {
	for _, w := range q[text.JA] {
		if ix.df[text.JA][w] > 0 && strings.Contains(w, gram) {
			return true
		}
	}
	return false
}

// Search returns up to k entries for the analysed query q, best first. No hit is not an error.
func (ix *Index) Search(ctx context.Context, q text.Terms, k int) ([]Hit, error) {
	uq := make(text.Terms, len(q))
	for f, ts := range q {
		uq[f] = unique(ts)
	}
	q = uq
	kanaOnly, english := q.KanaOnly(), q.English()
	jaHits := 0 // query words the index knows: when there are several, n-grams add little
	for _, w := range q[text.JA] {
		if ix.df[text.JA][w] > 0 {
			jaHits++
		}
	}
	var clauses []query.Query
	for _, f := range text.Fields {
		boost := ix.boosts[f]
		if english && f != text.EN {
			continue // an English question is read by its English words alone
		}
		if boost == 0 || (f == text.Yomi) != kanaOnly && f != text.EN {
			continue // a question without kanji is best read by its sound, others by their words
		}
		limit := int(maxDF*float64(len(ix.phrases))) + 1
		var terms []string
		for _, term := range q[f] {
			if df := ix.df[f][term]; df > 0 && df <= limit && !(f == text.Gram && (ix.inWord(q, term) || jaHits > 1)) {
				terms = append(terms, term) // else no phrase has it, or too many do
			}
		}
		if len(terms) > maxClauses {
			// The rarest terms decide the ranking; the rest only cost time.
			sort.SliceStable(terms, func(i, j int) bool { return ix.df[f][terms[i]] < ix.df[f][terms[j]] })
			terms = terms[:maxClauses]
		}
		for _, term := range terms {
			tq := bleve.NewTermQuery(term)
			tq.SetField(string(f))
			tq.SetBoost(boost)
			clauses = append(clauses, tq)
		}
	}
	if len(clauses) == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), 2*k+4, 0, false)
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("faq: search: %w", err)
	}
	wq := ix.weighQuery(q)
	best := map[*Entry]int{}
	var hits []Hit
	for _, dm := range res.Hits {
		i, err := strconv.Atoi(dm.ID)
		if err != nil || i < 0 || i >= len(ix.phrases) {
			return nil, errors.New("faq: search: index does not match its content")
		}
		p := &ix.phrases[i]
		cov, rev := ix.coverage(wq, p)
		if j, ok := best[p.Entry]; ok {
			if cov > hits[j].Coverage || cov == hits[j].Coverage && rev > hits[j].Reverse {
				hits[j].Coverage, hits[j].Reverse, hits[j].Phrase = cov, rev, p
			}
			continue
		}
		best[p.Entry] = len(hits)
		hits = append(hits, Hit{Entry: p.Entry, Score: dm.Score, Coverage: cov, Reverse: rev, Phrase: p,
			Anchored: ix.anchored(wq, p.Entry)})
	}
	// Rank by similarity, BM25 breaking near-ties: BM25 alone favours entries with many
	// phrasings that repeat a common word.
	if len(hits) > 0 {
		top := hits[0].Score
		for i := range hits {
			h := &hits[i]
			g := ix.content.Matcher.PhraseWeight
			if h.Entry.Handoff || h.Entry.OutOfScope {
				// A hand-off or out-of-scope phrasing matches only a question as specific.
				g = ix.content.Matcher.HandoffPhraseWeight
			}
			h.Similarity = math.Pow(h.Coverage, 1-g) * math.Pow(h.Reverse, g)
			h.Rank = h.Similarity + rankBM25*h.Score/top
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Rank > hits[j].Rank })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
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
	ids     []int32   // ids of the terms the index knows, sorted
	weights []float64 // weight of each id
	total   float64   // weight of all terms, known or not
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
		for _, t := range qt {
			w, ok := ix.idf[f][t]
			if !ok {
				wf.total += unseen
				continue
			}
			wf.total += w
			known = append(known, idw{ix.termID[f][t], w})
		}
		slices.SortFunc(known, func(a, b idw) int { return int(a.id - b.id) })
		for _, k := range known {
			wf.ids = append(wf.ids, k.id)
			wf.weights = append(wf.weights, k.w)
		}
		wq.fields = append(wq.fields, wf)
	}
	return wq
}

// coverage returns the IDF-weighted share of the query's terms found in a phrase (query
// coverage) and of the phrase's terms found in the query (phrase coverage), each averaged over
// the fields the query has terms in, weighted by the field boosts.
func (ix *Index) coverage(q weightedQuery, p *Phrase) (query, phrase float64) {
	var wsum float64
	for _, wf := range q.fields {
		d := p.ids[wf.fi]
		var got float64
		for i, j := 0, 0; i < len(wf.ids) && j < len(d); { // both sorted: merge
			switch {
			case wf.ids[i] < d[j]:
				i++
			case wf.ids[i] > d[j]:
				j++
			default:
				got += wf.weights[i]
				i++
				j++
			}
		}
		query += wf.boost * got / wf.total
		if pw := p.weight[wf.fi]; pw > 0 {
			phrase += wf.boost * got / pw
		}
		wsum += wf.boost
	}
	if wsum == 0 {
		return 0, 0
	}
	return query / wsum, min(1, phrase/wsum)
}

// fieldIndex returns the index of f in text.Fields.
func fieldIndex(f text.Field) int {
	return slices.Index(text.Fields, f)
}

// Anchor words: a term is an anchor of an entry when at least anchorShare of the entry's
// phrasings in one language use it, and no other entry uses it in more than 1/anchorShare
// times as large a share of its phrasings: the entry's own vocabulary.
const anchorShare = 0.25

func (ix *Index) findAnchors() {
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
