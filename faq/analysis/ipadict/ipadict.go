// Package ipadict is the IPA dictionary of Japanese morphology (MeCab's IPAdic, as the module
// github.com/ikawaha/kagome-dict/ipa ships it) laid out flat in the binary and used in place,
// and the tokeniser over it: kagome's lattice and Viterbi search, which give the same words and
// features as kagome with that module's dictionary.
//
// kagome-dict/ipa decodes its zip into some 590,000 heap objects (≈ 90 MB that every garbage
// collection marks) at every start. Here the big tables are embedded as generated little-endian
// files and kagome reads them as views onto the binary's read-only data, paged in as they are
// touched; only a map of the words with homographs (47,000 pairs) and a few hundred small
// values are built, in a few milliseconds. The files (data/, written by internal/genipa from
// the pinned module: `go generate ./faq/analysis/ipadict`):
//
//	da.bin       the double array of surface forms (kagome's trie): int32 base, check per cell
//	dup.bin      int32 pairs: first entry of a surface form with homographs, their number
//	morphs.bin   per entry: int16 left and right context ids and cost
//	conn.bin     the connection costs, int16, kagome's (transposed) order
//	chars.bin    the character category of each rune below U+10000
//	entries.bin  per entry, 14 bytes: uint16 kind, then uint32 offsets into strings.bin of
//	             its base form, reading and pronunciation
//	kinds.bin    per kind of word, the uint32 offsets into strings.bin of the four levels of
//	             its part of speech, its inflection type and inflection form
//	strings.bin  the distinct strings, each a uvarint length and its bytes
//	meta.json    the rest: dimensions, character classes, the unknown-word dictionary
//
// It imports nothing of faqbot. Everything here is safe for concurrent use.
package ipadict

//go:generate go run ./internal/genipa -out data

import (
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"github.com/ikawaha/kagome/v2/tokenizer/lattice"
)

var (
	//go:embed data/da.bin
	daBin string
	//go:embed data/dup.bin
	dupBin string
	//go:embed data/morphs.bin
	morphsBin string
	//go:embed data/conn.bin
	connBin string
	//go:embed data/chars.bin
	charsBin string
	//go:embed data/entries.bin
	entriesBin string
	//go:embed data/kinds.bin
	kindsBin string
	//go:embed data/strings.bin
	stringsBin string
	//go:embed data/meta.json
	metaJSON []byte
)

// The sizes of an entry of entries.bin and of kinds.bin.
const (
	recordSize = 14
	kindSize   = 6 * 4
)

// meta is meta.json (internal/genipa writes it).
type meta struct {
	Source      string     `json:"source"`
	Entries     int        `json:"entries"`
	Cells       int        `json:"cells"`
	Dups        int        `json:"dups"`
	ConnRows    int64      `json:"conn_rows"`
	ConnCols    int64      `json:"conn_cols"`
	CharClass   []string   `json:"char_class"`
	InvokeList  []bool     `json:"invoke"`
	GroupList   []bool     `json:"group"`
	Kinds       int        `json:"kinds"`
	UnkIndex    [][2]int32 `json:"unk_index"`
	UnkIndexDup [][2]int32 `json:"unk_index_dup"`
	UnkMorphs   [][3]int16 `json:"unk_morphs"`
	UnkFeatures [][]string `json:"unk_features"`
}

// dictionary is the loaded dictionary.
type dictionary struct {
	tok     *tokenizer.Tokenizer
	kd      *dict.Dict // what tok reads
	kinds   [][]string // part of speech (4 levels), inflection type, inflection form
	unk     [][]string // the features of the unknown-word entries
	entries int
	inPlace bool // every table is a view onto the binary (false: copied, on a big-endian machine)
}

var load = sync.OnceValue(func() *dictionary {
	d, err := open()
	if err != nil {
		panic("ipadict: " + err.Error()) // the embedded files are generated and tested
	}
	return d
})

// Warm loads the dictionary now rather than on the first Tokenize.
func Warm() { load() }

func open() (*dictionary, error) {
	var m meta
	if err := json.Unmarshal(metaJSON, &m); err != nil {
		return nil, fmt.Errorf("meta.json: %w", err)
	}
	da, daOK := view[struct{ Base, Check int32 }](daBin)
	morphs, morphsOK := view[dict.Morph](morphsBin)
	conn, connOK := view[int16](connBin)
	chars, _ := view[byte](charsBin)
	inPlace := daOK && morphsOK && connOK
	switch {
	case len(da) != m.Cells, len(morphs) != m.Entries, len(entriesBin) != m.Entries*recordSize,
		int64(len(conn)) != m.ConnRows*m.ConnCols, len(dupBin) != 8*m.Dups:
		return nil, fmt.Errorf("tables do not match meta.json (%s)", m.Source)
	}
	dup := make(map[int32]int32, m.Dups)
	for i := 0; i < len(dupBin); i += 8 {
		dup[int32(le32(dupBin, i))] = int32(le32(dupBin, i+4))
	}
	unk := dict.UnkDict{
		Index:        pairs(m.UnkIndex),
		IndexDup:     pairs(m.UnkIndexDup),
		ContentsMeta: dict.ContentsMeta{dict.POSStartIndex: 0, dict.POSHierarchy: 4},
		Contents:     m.UnkFeatures,
	}
	for _, u := range m.UnkMorphs {
		unk.Morphs = append(unk.Morphs, dict.Morph{LeftID: u[0], RightID: u[1], Weight: u[2]})
	}
	// The lattice reads the index, the morphs, the connection costs, the character categories
	// and the unknown-word dictionary; the features (POSTable, Contents) are read from
	// entries.bin instead, by Token.
	kd := &dict.Dict{
		Morphs:       morphs,
		Connection:   dict.ConnectionTable{Row: m.ConnRows, Col: m.ConnCols, Vec: conn},
		Index:        dict.IndexTable{Da: da, Dup: dup},
		CharClass:    m.CharClass,
		CharCategory: chars,
		InvokeList:   m.InvokeList,
		GroupList:    m.GroupList,
		UnkDict:      unk,
	}
	tok, err := tokenizer.New(kd, tokenizer.OmitBosEos())
	if err != nil {
		return nil, err
	}
	if len(kindsBin) != m.Kinds*kindSize {
		return nil, fmt.Errorf("kinds do not match meta.json (%s)", m.Source)
	}
	kinds := make([][]string, m.Kinds)
	flat := make([]string, m.Kinds*kindSize/4)
	for i := range flat {
		flat[i] = str(le32(kindsBin, 4*i))
	}
	for i := range kinds {
		kinds[i] = flat[6*i : 6*i+6 : 6*i+6]
	}
	for _, f := range m.UnkFeatures {
		if len(f) < 4 {
			return nil, fmt.Errorf("unknown-word features %q: want at least 4", f)
		}
	}
	return &dictionary{tok: tok, kd: kd, kinds: kinds, unk: m.UnkFeatures, entries: m.Entries, inPlace: inPlace}, nil
}

// littleEndian reports whether this machine stores integers as the files do.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// view returns s as a slice of T without copying when the machine is little-endian and s is
// aligned for T (ok), and otherwise a decoded copy. The slice must not be written to: it is
// the binary's read-only data.
func view[T any](s string) (v []T, ok bool) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	n := len(s) / size
	if n == 0 {
		return nil, true
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	if littleEndian && uintptr(p)%unsafe.Alignof(zero) == 0 {
		return unsafe.Slice((*T)(p), n), true
	}
	v = make([]T, n)
	if err := binary.Read(strings.NewReader(s[:n*size]), binary.LittleEndian, v); err != nil {
		panic("ipadict: " + err.Error()) // a fixed-size type over enough bytes
	}
	return v, false
}

func pairs(ps [][2]int32) map[int32]int32 {
	m := make(map[int32]int32, len(ps))
	for _, p := range ps {
		m[p[0]] = p[1]
	}
	return m
}

func le16(s string, i int) uint16 { return uint16(s[i]) | uint16(s[i+1])<<8 }

func le32(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

// str returns the string at offset off of strings.bin: a substring of the binary's data.
func str(off uint32) string {
	var n, shift uint
	i := int(off)
	for {
		b := stringsBin[i]
		i++
		n |= uint(b&0x7f) << shift
		if b < 0x80 {
			break
		}
		shift += 7
	}
	return stringsBin[i : i+int(n)]
}

// Token is one word of a text. It is a value; its methods are safe for concurrent use.
type Token struct {
	Surface  string // the word as written in the text
	Position int    // byte offset of Surface in the text
	Unknown  bool   // not in the dictionary: its features are those of its character class
	id       int    // entry of the dictionary (or of the unknown-word dictionary)
}

// Tokenize splits s into words as kagome does in its normal mode (BOS and EOS left out).
//
// It runs kagome's lattice as tokenizer.Tokenizer.Analyze does, reading the best path into
// Tokens without kagome's own tokens in between.
func Tokenize(s string) []Token {
	la := lattice.New(load().kd, nil)
	defer la.Free()
	la.Build(s)
	la.Forward(lattice.Normal)
	la.Backward(lattice.Normal)
	out := make([]Token, 0, len(la.Output))
	for i := len(la.Output) - 1; i >= 0; i-- { // the path is read back from the end
		n := la.Output[i]
		if n.ID == lattice.BosEosID {
			continue
		}
		out = append(out, Token{Surface: n.Surface, Position: n.Position, Unknown: n.Class == lattice.UNKNOWN, id: n.ID})
	}
	return out
}

// Memo tokenises texts as Tokenize does and remembers the words of the last one, so that two
// readers of the same text (the personal-data scan and the analysis of a question) run the
// lattice once. The words it returns are shared and must not be modified. A nil *Memo
// remembers nothing. It is not safe for concurrent use.
type Memo struct {
	text  string
	words []Token
	set   bool
}

// Tokenize returns the words of s, those remembered when s is the last text tokenised.
func (m *Memo) Tokenize(s string) []Token {
	if m == nil {
		return Tokenize(s)
	}
	if !m.set || m.text != s {
		m.text, m.words, m.set = s, Tokenize(s), true
	}
	return m.words
}

// kind returns the part of speech and inflection of a known word.
func (t Token) kind() []string {
	return load().kinds[le16(entriesBin, t.id*recordSize)]
}

// feature returns the i-th string feature of a known word (0: base form, 1: reading,
// 2: pronunciation).
func (t Token) feature(i int) string {
	return str(le32(entriesBin, t.id*recordSize+2+4*i))
}

// POS returns the four levels of the word's part of speech (名詞, 固有名詞, 人名, 姓). The
// slice is shared: it must not be modified.
func (t Token) POS() []string {
	if t.Unknown {
		return load().unk[t.id][:4:4]
	}
	return t.kind()[:4:4]
}

// Features returns every feature of the word, as kagome's Token.Features: for a known word
// the part of speech, inflection type and form, base form, reading and pronunciation; for an
// unknown word those of its character class (part of speech and "*").
func (t Token) Features() []string {
	if t.Unknown {
		return append([]string(nil), load().unk[t.id]...)
	}
	return append(append(make([]string, 0, 9), t.kind()...), t.feature(0), t.feature(1), t.feature(2))
}

// InflectionalType returns the word's inflection type (五段・カ行促音便), false for an unknown
// word.
func (t Token) InflectionalType() (string, bool) { return t.kindAt(4) }

// InflectionalForm returns the word's inflection form (連用タ接続), false for an unknown word.
func (t Token) InflectionalForm() (string, bool) { return t.kindAt(5) }

func (t Token) kindAt(i int) (string, bool) {
	if t.Unknown {
		return "", false
	}
	return t.kind()[i], true
}

// BaseForm returns the word's dictionary form (行っ → 行く), false for an unknown word.
func (t Token) BaseForm() (string, bool) { return t.featureOK(0) }

// Reading returns the word's reading in katakana, false for an unknown word.
func (t Token) Reading() (string, bool) { return t.featureOK(1) }

// Pronunciation returns the word's pronunciation in katakana, false for an unknown word.
func (t Token) Pronunciation() (string, bool) { return t.featureOK(2) }

func (t Token) featureOK(i int) (string, bool) {
	if t.Unknown {
		return "", false
	}
	return t.feature(i), true
}
