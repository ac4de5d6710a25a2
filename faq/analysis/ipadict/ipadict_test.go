package ipadict

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/faqbot/faqbot/faq/analysis/internal/corpus"
	"github.com/google/go-cmp/cmp"
	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// reference is the dictionary as kagome-dict/ipa decodes it. Decoding it takes a second (half
// a minute with the race detector): -short skips the tests that compare with it.
func reference(t testing.TB) *dict.Dict {
	if testing.Short() {
		t.Skip("-short: not decoding kagome-dict/ipa to compare")
	}
	return ipa.Dict()
}

// kagomeTokenizer is kagome with the reference dictionary.
func kagomeTokenizer(t testing.TB) *tokenizer.Tokenizer {
	k, err := tokenizer.New(reference(t), tokenizer.OmitBosEos())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEntries compares the features of every entry with kagome-dict/ipa's, and those Token
// gives for an entry in every thousand (TestSameAsKagome compares Token's methods with
// kagome's on the words of real texts).
func TestEntries(t *testing.T) {
	d := reference(t)
	if got, want := load().entries, len(d.Contents); got != want || want != 392127 {
		t.Fatalf("%d entries, kagome-dict/ipa has %d (392,127 in IPAdic)", got, want)
	}
	kinds, bad := load().kinds, 0
	for id, c := range d.Contents {
		kind, pos := kinds[le16(entriesBin, id*recordSize)], d.POSTable.POSs[id]
		ok := len(pos) == 4 && len(c) == 5 && kind[4] == c[0] && kind[5] == c[1]
		for i := 0; ok && i < 4; i++ {
			ok = kind[i] == d.POSTable.NameList[pos[i]]
		}
		for i := 0; ok && i < 3; i++ {
			ok = Token{id: id}.feature(i) == c[2+i]
		}
		if !ok {
			if bad++; bad <= 10 {
				t.Errorf("entry %d: features %q; kagome-dict/ipa: %v %q", id, Token{id: id}.Features(), pos, c)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d entries differ", bad, len(d.Contents))
	}
	for id := 0; id < len(d.Contents); id += 1000 {
		tok := Token{id: id}
		var want []string
		for _, p := range d.POSTable.POSs[id] {
			want = append(want, d.POSTable.NameList[p])
		}
		want = append(want, d.Contents[id]...)
		var named []string
		for _, f := range []func() (string, bool){tok.InflectionalType, tok.InflectionalForm, tok.BaseForm, tok.Reading, tok.Pronunciation} {
			s, ok := f()
			if !ok {
				s = "<none>"
			}
			named = append(named, s)
		}
		if got := tok.Features(); !slices.Equal(got, want) || !slices.Equal(tok.POS(), want[:4]) || !slices.Equal(named, want[4:]) {
			t.Errorf("entry %d: features %q, POS %q, named %q; kagome-dict/ipa: %q", id, got, tok.POS(), named, want)
		}
	}
	for id, want := range d.UnkDict.Contents {
		tok := Token{id: id, Unknown: true}
		if got := tok.Features(); !slices.Equal(got, want) || !slices.Equal(tok.POS(), want[:4]) {
			t.Errorf("unknown-word entry %d: %q, POS %q; kagome-dict/ipa: %q", id, got, tok.POS(), want)
		}
		if _, ok := tok.BaseForm(); ok {
			t.Errorf("unknown-word entry %d has a base form", id)
		}
	}
}

// TestTables compares the tables kagome's lattice reads with kagome-dict/ipa's.
func TestTables(t *testing.T) {
	want, got := reference(t), load().kd
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"morphs", slices.Equal(got.Morphs, want.Morphs)},
		{"double array", slices.Equal(got.Index.Da, want.Index.Da)},
		{"homographs", maps.Equal(got.Index.Dup, want.Index.Dup)},
		{"connection", got.Connection.Row == want.Connection.Row && got.Connection.Col == want.Connection.Col &&
			slices.Equal(got.Connection.Vec, want.Connection.Vec)},
		{"character classes", slices.Equal(got.CharClass, want.CharClass)},
		{"character categories", slices.Equal(got.CharCategory, want.CharCategory)},
		{"invoke", slices.Equal(got.InvokeList, want.InvokeList)},
		{"group", slices.Equal(got.GroupList, want.GroupList)},
		{"unknown-word morphs", slices.Equal(got.UnkDict.Morphs, want.UnkDict.Morphs)},
		{"unknown-word index", maps.Equal(got.UnkDict.Index, want.UnkDict.Index) && maps.Equal(got.UnkDict.IndexDup, want.UnkDict.IndexDup)},
		{"unknown-word meta", maps.Equal(got.UnkDict.ContentsMeta, want.UnkDict.ContentsMeta)},
	} {
		if !c.ok {
			t.Errorf("%s differ from kagome-dict/ipa's", c.name)
		}
	}
}

// TestInPlace checks that the tables are views onto the binary, not copies.
func TestInPlace(t *testing.T) {
	if !littleEndian {
		t.Skip("big-endian machine: the tables are decoded copies")
	}
	if !load().inPlace {
		t.Fatal("a table is misaligned in the binary and was copied")
	}
	v, ok := view[int16](connBin)
	if !ok || unsafe.Pointer(&v[0]) != unsafe.Pointer(unsafe.StringData(connBin)) {
		t.Fatal("the connection costs are not a view onto the embedded file")
	}
}

// TestViewCopy checks the copy view makes where a table cannot be used in place (here: one
// misaligned on purpose).
func TestViewCopy(t *testing.T) {
	s := connBin[1 : 1+2*1000]
	v, ok := view[int16](s)
	if ok || len(v) != 1000 {
		t.Fatalf("view of a misaligned table: in place %v, %d values", ok, len(v))
	}
	for i, got := range v {
		if want := int16(le16(s, 2*i)); got != want {
			t.Fatalf("value %d: %d, want %d", i, got, want)
		}
	}
}

// token is everything a Token says, for comparison with kagome's.
type token struct {
	Surface                      string
	Position                     int
	Unknown                      bool
	ID                           int
	POS, Features                []string
	Type, Form, Base, Read, Pron string
	TypeOK, FormOK, BaseOK       bool
	ReadOK, PronOK               bool
}

// features is what ipadict's Token and kagome's have in common.
type features interface {
	POS() []string
	Features() []string
	InflectionalType() (string, bool)
	InflectionalForm() (string, bool)
	BaseForm() (string, bool)
	Reading() (string, bool)
	Pronunciation() (string, bool)
}

func describe(tt token, f features) token {
	tt.POS, tt.Features = f.POS(), f.Features()
	tt.Type, tt.TypeOK = f.InflectionalType()
	tt.Form, tt.FormOK = f.InflectionalForm()
	tt.Base, tt.BaseOK = f.BaseForm()
	tt.Read, tt.ReadOK = f.Reading()
	tt.Pron, tt.PronOK = f.Pronunciation()
	return tt
}

func ours(s string) []token {
	var out []token
	for _, t := range Tokenize(s) {
		out = append(out, describe(token{Surface: t.Surface, Position: t.Position, Unknown: t.Unknown, ID: t.id}, t))
	}
	return out
}

func theirs(k *tokenizer.Tokenizer, s string) []token {
	var out []token
	for _, t := range k.Tokenize(s) {
		out = append(out, describe(token{Surface: t.Surface, Position: t.Position, Unknown: t.Class == tokenizer.UNKNOWN, ID: t.ID}, t))
	}
	return out
}

// TestSameAsKagome tokenises every text of the shipped content and of the development sets
// both ways: the words, their offsets, entries and every feature are kagome's.
func TestSameAsKagome(t *testing.T) {
	k := kagomeTokenizer(t)
	texts := corpus.Texts(t)
	tokens := 0
	for _, s := range texts {
		want := theirs(k, s)
		tokens += len(want)
		if got := ours(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Tokenize(%q) differs from kagome (-kagome +ipadict):\n%s", s, cmp.Diff(want, got))
		}
	}
	t.Logf("%d texts, %d tokens", len(texts), tokens)
}

// FuzzTokenize checks that any text is split as kagome splits it.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "公園に行った", "ﾏｲﾅﾝﾊﾞｰ漏れとる?", "abc 123 ＡＢＣ", "\xff\x00あ", "〇九〇の一二三四", "𠮷野家"} {
		f.Add(s)
	}
	k := kagomeTokenizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		if diff := cmp.Diff(theirs(k, s), ours(s)); diff != "" {
			t.Errorf("Tokenize(%q) differs from kagome (-kagome +ipadict):\n%s", s, diff)
		}
	})
}

// TestMemo: a Memo gives Tokenize's words, runs the lattice again only for another text, and a
// nil Memo tokenises every time.
func TestMemo(t *testing.T) {
	var m Memo
	for _, s := range []string{"山田と申します", "山田と申します", "", "パスワードを忘れた", "山田と申します"} {
		want := Tokenize(s)
		first := m.Tokenize(s)
		again := m.Tokenize(s)
		if !reflect.DeepEqual(first, want) || !reflect.DeepEqual(again, want) {
			t.Errorf("Memo.Tokenize(%q) = %v, then %v; Tokenize: %v", s, first, again, want)
		}
		if len(first) > 0 && &first[0] != &again[0] {
			t.Errorf("Memo.Tokenize(%q) tokenised the same text twice", s)
		}
	}
	m.Tokenize("公園に行った")
	if got := m.Tokenize("山田"); !reflect.DeepEqual(got, Tokenize("山田")) {
		t.Errorf("Memo.Tokenize after another text = %v, want %v", got, Tokenize("山田"))
	}
	var none *Memo
	if a, b := none.Tokenize("山田"), none.Tokenize("山田"); !reflect.DeepEqual(a, b) || &a[0] == &b[0] {
		t.Errorf("nil Memo: %v and %v, want equal words from two runs", a, b)
	}
}
