package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/faqbot/faqbot/faq/analysis/internal/corpus"
	"github.com/google/go-cmp/cmp"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"go.yaml.in/yaml/v3"
)

// kagomeMorphemes is morphemes through kagome with the dictionary as kagome-dict/ipa decodes
// it: the reference the embedded dictionary (ipadict) must match.
func kagomeMorphemes(k *tokenizer.Tokenizer, n string) []morpheme {
	var out []morpheme
	for _, tok := range k.Tokenize(n) {
		m := morpheme{surface: tok.Surface, unknown: tok.Class == tokenizer.UNKNOWN, pos: tok.POS()}
		m.base, _ = tok.BaseForm()
		m.reading, _ = tok.Reading()
		out = append(out, m)
	}
	return out
}

// shippedAnalyzer is an Analyzer with the shipped content's synonyms and colloquial rows.
func shippedAnalyzer(t *testing.T) *Analyzer {
	dir := filepath.Join("..", "content")
	var syn, sudachi Synonyms
	var norm struct{ Colloquial [][2]string }
	for _, f := range []struct {
		name string
		v    any
	}{{"synonyms.yaml", &syn}, {"synonyms-sudachi.yaml", &sudachi}, {"normalize.yaml", &norm}} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, f.v); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	syn.JA = append(syn.JA, sudachi.JA...)
	if len(syn.JA) == 0 || len(norm.Colloquial) == 0 {
		t.Fatal("no synonyms or colloquial rows in the shipped content")
	}
	var rows []Rewrite
	for _, r := range norm.Colloquial {
		rows = append(rows, Rewrite{r[0], r[1]})
	}
	return New(syn, rows...)
}

// TestSameAsKagome analyses every text of the shipped content and of the development sets,
// as Analyze gives them to the Japanese analysis (normalised, the shipped colloquial rows and
// synonyms applied), with the embedded dictionary and with kagome-dict/ipa through kagome: the
// words, surface forms, readings and reading of the whole are the same.
func TestSameAsKagome(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not decoding kagome-dict/ipa to compare")
	}
	k, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
	if err != nil {
		t.Fatal(err)
	}
	a := shippedAnalyzer(t)
	seen := map[string]bool{}
	words := 0
	for _, s := range corpus.Texts(t) {
		n := a.ja.apply(a.normalize(s)) // what Analyze gives japanese
		if seen[n] || IsASCII(n) {
			continue // Analyze does not run the tokeniser on ASCII text
		}
		seen[n] = true
		want := japaneseOf(kagomeMorphemes(k, n))
		words += len(want.tokens)
		if got := japanese(n); !reflect.DeepEqual(got, want) {
			t.Errorf("japanese(%q) differs from kagome-dict/ipa's (-kagome +ipadict):\n%s", n, cmp.Diff(want, got, cmp.AllowUnexported(japaneseWords{})))
		}
	}
	if words < 5000 {
		t.Fatalf("only %d words analysed", words)
	}
	t.Logf("%d texts, %d words", len(seen), words)
}
