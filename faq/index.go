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
	bolt "go.etcd.io/bbolt"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/cachefile"
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
	hash   string // of the content, as contentHash
	// cache says, per part kept in the cache beside an on-disk index, whether it was read
	// from there (CacheReport).
	cacheMu sync.Mutex
	cache   map[string]string
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
	// expansions are the words each Japanese word may be expanded to (see mineExpansions).
	expansions map[string][]expansion
}

const hashKey = "faqbot-content-hash"

// NewIndex builds the index of c. With dir == "" the index lives in memory; otherwise it is a
// scorch index in a subdirectory of dir named after the content's hash: an index there built
// from the same content by the same binary (cachefile.BuildID) is reused, with the analyses of
// its documents read from the cache beside it (CacheReport), and one built from other content
// is left to the caller to remove (Dir, once the Index that uses it is closed) — a reindex
// builds the new index beside the one still serving. A directory that holds anything but such
// subdirectories is refused. An index on disk is opened read-only once built, so that several
// processes can serve the same one.
func NewIndex(ctx context.Context, c *Content, dir string) (*Index, error) {
	ix := &Index{content: c, an: c.Analyzer(), boosts: map[text.Field]float64{}}
	for _, f := range text.Fields {
		ix.boosts[f] = 1
		if b, ok := c.Matcher.Boosts[string(f)]; ok {
			ix.boosts[f] = b
		}
	}
	texts := ix.list()
	ix.hash = contentHash(ix.phrases, c.Synonyms, c.Version())
	m := ix.mapping()
	var err error
	reuse := false
	if dir == "" {
		ix.bi, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, kvConfig())
		if err != nil {
			return nil, fmt.Errorf("faq: new index: %w", err)
		}
	} else if reuse, err = ix.openDir(dir, m); err != nil {
		return nil, err
	}
	ix.collect(ix.analyses(ctx, texts, reuse))
	ix.lengthStats()
	ix.weigh()
	ix.findAnchors()
	ix.numberEntries()
	if err := ix.build(ctx, reuse); err != nil {
		if ix.bi != nil {
			ix.bi.Close()
		}
		return nil, err
	}
	return ix, nil
}

// build learns the vectors and, unless the index was reused, fills it and, on disk, opens it
// again read-only; then it takes the snapshot searches read.
func (ix *Index) build(ctx context.Context, reuse bool) error {
	if err := ix.buildVectors(ctx); err != nil {
		return err
	}
	if reuse {
		ix.raw = nil
		return ix.openReader()
	}
	if err := ix.fill(ctx); err != nil {
		return err
	}
	if err := ix.bi.SetInternal([]byte(hashKey), []byte(ix.stamp())); err != nil {
		return fmt.Errorf("faq: index: %w", err)
	}
	if ix.dir != "" {
		// Every batch is persisted when it returns: the index on disk is whole.
		err := ix.bi.Close()
		ix.bi = nil
		if err == nil {
			ix.bi, err = bleve.OpenUsing(ix.dir, readOnly())
		}
		if err != nil {
			ix.bi = nil
			return fmt.Errorf("faq: index %s: %w", ix.dir, err)
		}
	}
	return ix.openReader()
}

// stamp is what an index on disk records of what built it: the content's hash and the binary
// (a new binary may analyse the same content differently).
func (ix *Index) stamp() string { return ix.hash + " " + cachefile.BuildID() }

// readOnly is the scorch configuration of an index on disk opened to be searched: without the
// writer's lock (other processes may open it too), persister or merger, and waiting no longer
// than boltTimeout for a process that is writing it.
func readOnly() map[string]interface{} {
	kv := kvConfig()
	kv["read_only"] = true
	kv["bolt_timeout"] = boltTimeout
	return kv
}

// boltTimeout bounds the wait for the lock of an index on disk that another process holds.
const boltTimeout = "10s"

// openDir opens or creates the on-disk index of the content in a subdirectory of dir; reuse
// reports an index already built from the same content by the same binary.
func (ix *Index) openDir(dir string, m mapping.IndexMapping) (reuse bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("faq: index %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() || !isHashDir(e.Name()) {
			return false, fmt.Errorf("faq: index %s: directory is not empty and holds no index (%s); choose an empty directory", dir, e.Name())
		}
	}
	ix.dir = filepath.Join(dir, ix.hash[:hashDirLen])
	if _, err := os.Stat(filepath.Join(ix.dir, "index_meta.json")); err == nil { // an index, whole or not
		existing, err := bleve.OpenUsing(ix.dir, readOnly())
		if errors.Is(err, bolt.ErrTimeout) { // being built by another process: never remove it
			return false, fmt.Errorf("faq: index %s: another process holds it: %w", ix.dir, err)
		}
		if err == nil {
			old, _ := existing.GetInternal([]byte(hashKey))
			if string(old) == ix.stamp() {
				ix.bi = existing
				return true, nil
			}
			existing.Close() // half-built, or built by another binary: build it again
		}
	}
	if err := os.RemoveAll(ix.dir); err != nil {
		return false, fmt.Errorf("faq: index %s: remove old index: %w", ix.dir, err)
	}
	kv := kvConfig()
	kv["bolt_timeout"] = boltTimeout
	ix.bi, err = bleve.NewUsing(ix.dir, m, scorch.Name, scorch.Name, kv)
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
