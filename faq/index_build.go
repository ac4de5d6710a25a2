// Building the index: the tokenizer of its fields, the documents of the phrasings and answers,
// their analysed terms and weights, the content's hash, the bleve mapping, and filling it.

package faq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
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

// list lists every phrase of every entry and every answer, and returns their texts in that
// order (the documents of the index).
func (ix *Index) list() []string {
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
	return texts
}

// collect takes the analyses of the documents (in the order of list) as their terms, and counts
// the document frequencies.
func (ix *Index) collect(all []text.Analysis) {
	ix.df = map[text.Field]map[string]int{}
	ix.adf = map[text.Field]map[string]int{}
	for _, f := range text.Fields {
		ix.df[f] = map[string]int{}
		ix.adf[f] = map[string]int{}
	}
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
			ts = slices.Clone(ts) // the terms in order stay for the bleve document
			slices.Sort(ts)       // coverage looks terms up by binary search
			terms[f] = slices.Compact(ts)
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
	// Each entry's vocabulary is made in one scratch buffer, an entry at a time: the terms of
	// a large FAQ's long answers, repeats included, never all wait in memory at once.
	docs := make(map[*Entry][]int, len(ix.byEntry))
	for i := range ix.raw {
		var e *Entry
		if i < len(ix.phrases) {
			e = ix.phrases[i].Entry
		} else {
			e = ix.answers[i-len(ix.phrases)].entry
		}
		docs[e] = append(docs[e], i)
	}
	ix.vocab = make(map[*Entry]map[text.Field][]string, len(docs))
	var buf []string
	for e, ds := range docs {
		v := make(map[text.Field][]string, len(text.Fields))
		for _, f := range text.Fields {
			buf = buf[:0]
			for _, d := range ds {
				buf = append(buf, ix.raw[d][f]...)
			}
			if len(buf) == 0 {
				v[f] = nil
				continue
			}
			slices.Sort(buf)
			v[f] = append([]string(nil), slices.Compact(buf)...)
		}
		ix.vocab[e] = v
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
		ix.termID[f] = make(map[string]int32, len(ix.df[f]))
	}
	// The phrases' term ids, and below the postings, are slices of one array per field.
	var flat [numFields][]int32
	for fi, f := range text.Fields {
		n := 0
		for i := range ix.phrases {
			n += len(ix.phrases[i].Terms[f])
		}
		flat[fi] = make([]int32, 0, n)
	}
	for i := range ix.phrases {
		p := &ix.phrases[i]
		for fi, f := range text.Fields {
			ids := flat[fi][len(flat[fi]) : len(flat[fi]) : len(flat[fi])+len(p.Terms[f])]
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
			flat[fi] = flat[fi][:len(flat[fi])+len(ids)]
		}
	}
	for fi := range text.Fields {
		lists := make([][]int32, len(ix.termID[text.Fields[fi]]))
		count := make([]int, len(lists))
		for i := range ix.phrases {
			for _, id := range ix.phrases[i].ids[fi] {
				count[id]++
			}
		}
		all, start := make([]int32, len(flat[fi])), 0
		for id, n := range count {
			lists[id] = all[start : start : start+n]
			start += n
		}
		for i := range ix.phrases {
			for _, id := range ix.phrases[i].ids[fi] {
				lists[id] = append(lists[id], int32(i))
			}
		}
		ix.postings[fi] = lists
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
