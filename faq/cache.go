// The cache beside an on-disk index: what building the index and the matcher over it computes
// (the analyses of the documents here, the matcher's trained models in nlu), read back by a
// later build of the same content by the same binary instead of being computed again.

package faq

import (
	"context"
	"errors"
	"path/filepath"
	"slices"

	text "github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/cachefile"
)

// CacheRead is what CacheReport says of a part read from the cache.
const CacheRead = "read"

// ReadCache returns the payload that WriteCache kept for part under the settings extra beside
// the on-disk index (nil for an index in memory, or when the cache is missing, was written by
// another binary or for other content or settings, or is damaged: the caller then computes
// the part and writes it). It records the outcome for CacheReport.
func (ix *Index) ReadCache(part, extra string) []byte {
	if ix.dir == "" {
		return nil
	}
	p, err := cachefile.Read(ix.cachePath(part), ix.cacheKey(part, extra))
	if err != nil {
		ix.noteCache(part, "built: "+err.Error())
		return nil
	}
	ix.noteCache(part, CacheRead)
	return p
}

// WriteCache keeps payload for part under the settings extra beside the on-disk index, for
// ReadCache (nothing for an index in memory). A cache that cannot be written is recorded for
// CacheReport; the index serves all the same.
func (ix *Index) WriteCache(part, extra string, payload []byte) {
	if ix.dir == "" {
		return
	}
	if err := cachefile.Write(ix.cachePath(part), ix.cacheKey(part, extra), payload); err != nil {
		ix.noteCache(part, "built; not cached: "+err.Error())
	}
}

// UnusableCache records that the payload ReadCache returned for part could not be decoded
// (ReadCache's caller then builds the part), for CacheReport.
func (ix *Index) UnusableCache(part string, err error) {
	ix.noteCache(part, "built: cache unusable: "+err.Error())
}

// CacheReport says, for each part kept in the cache beside an on-disk index ("analyses", and
// what the matcher keeps there), CacheRead or why it was built instead. It is empty for an
// index in memory.
func (ix *Index) CacheReport() map[string]string {
	ix.cacheMu.Lock()
	defer ix.cacheMu.Unlock()
	out := make(map[string]string, len(ix.cache))
	for k, v := range ix.cache {
		out[k] = v
	}
	return out
}

func (ix *Index) noteCache(part, what string) {
	ix.cacheMu.Lock()
	defer ix.cacheMu.Unlock()
	if ix.cache == nil {
		ix.cache = map[string]string{}
	}
	if what == CacheRead || ix.cache[part] == "" || ix.cache[part] == CacheRead {
		ix.cache[part] = what
	}
}

func (ix *Index) cachePath(part string) string { return filepath.Join(ix.dir, "cache-"+part+".bin") }

func (ix *Index) cacheKey(part, extra string) [32]byte {
	return cachefile.Key(ix.hash, part, extra)
}

// analysesPart is the cache of the analyses of the documents.
const analysesPart = "analyses"

// analyses returns the analysis of every text: read from the cache of a reused index when it
// holds them, otherwise analysed (and kept in the cache of an index on disk).
func (ix *Index) analyses(ctx context.Context, texts []string, reuse bool) []text.Analysis {
	if reuse {
		if p := ix.ReadCache(analysesPart, ""); p != nil {
			all, err := decodeAnalyses(p, len(texts))
			if err == nil {
				return all
			}
			ix.UnusableCache(analysesPart, err)
		}
	}
	if ix.dir != "" && !reuse {
		ix.noteCache(analysesPart, "built: a new index")
	}
	all := analyzeAll(ctx, ix.an, texts)
	ix.WriteCache(analysesPart, "", encodeAnalyses(all))
	return all
}

// encodeAnalyses is the payload of the analyses: their number, then each one's Norm, JA, EN,
// Yomi, whether it read as romaji, Tokens, Readings and Terms (its fields, in order, each with its list). Lists keep
// nil apart from empty.
func encodeAnalyses(all []text.Analysis) []byte {
	var e cachefile.Encoder
	e.Uint(uint64(len(all)))
	var fields []text.Field
	for _, a := range all {
		e.Str(a.Norm)
		e.Str(a.JA)
		e.Str(a.EN)
		e.Str(a.Yomi)
		e.Uint(boolUint(a.Romaji))
		e.Strings(a.Tokens)
		e.Strings(a.Readings)
		fields = fields[:0]
		for f := range a.Terms {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		if a.Terms == nil {
			e.Uint(0)
		} else {
			e.Uint(uint64(len(fields)) + 1)
		}
		for _, f := range fields {
			e.Str(string(f))
			e.Strings(a.Terms[f])
		}
	}
	return e.Bytes()
}

// decodeAnalyses reads the payload of encodeAnalyses, which must hold n analyses.
func decodeAnalyses(p []byte, n int) ([]text.Analysis, error) {
	d := cachefile.NewDecoder(p)
	if got := d.Uint(); got != uint64(n) {
		return nil, errors.New("another number of documents")
	}
	all := make([]text.Analysis, n)
	for i := range all {
		a := &all[i]
		a.Norm, a.JA, a.EN, a.Yomi = d.Str(), d.Str(), d.Str(), d.Str()
		a.Romaji = d.Uint() == 1
		a.Tokens, a.Readings = d.Strings(), d.Strings()
		if k, isNil := d.NilLen(2); !isNil {
			a.Terms = make(text.Terms, k)
			for range k {
				f := text.Field(d.Str())
				a.Terms[f] = d.Strings()
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return all, nil
}

func boolUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
