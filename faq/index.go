package faq

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/embed"
)

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
	postings [numFields][][]int32
	idf      map[text.Field]map[string]float64 // coverage weight of each indexed term
	termID   map[text.Field]map[string]int32   // a number for each indexed term
	boosts   map[text.Field]float64
	outside  *Entry // the pseudo-entry of the out-of-scope examples; nil without any
	anchors  map[*Entry]map[text.Field]map[string]bool
	// ents is what a search reads of each entry, by entry number (see numberEntries); entNum
	// numbers the entries, docEnt gives each document's entry number.
	ents   []entryStats
	entNum map[*Entry]int32
	docEnt []int32
	dir    string
	// stats are the BM25 statistics of each bleve field; reader is the snapshot every search
	// reads, and docOf numbers its documents as faqbot does (see openReader).
	stats      map[string]fieldStats
	reader     index.IndexReader
	docOf      []int32
	posts      postingCache // the postings searches have read
	scorePool  sync.Pool    // of *scores, sized to the documents
	searchPool sync.Pool    // of *searchBuf
	// vec are the word vectors learnt from the FAQ's text (nil for a small FAQ), entryVec the
	// unit vectors of every entry's documents.
	vec      *embed.Model
	entryVec *entryVectors
	vecInfo  VectorInfo
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
	ix.numberEntries()
	hash := contentHash(ix.phrases, c.Synonyms, c.Version())
	m := ix.mapping()
	var err error
	if dir == "" {
		ix.bi, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, kvConfig())
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
	if existing, err := bleve.OpenUsing(ix.dir, kvConfig()); err == nil {
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
	ix.bi, err = bleve.NewUsing(ix.dir, m, scorch.Name, scorch.Name, kvConfig())
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
