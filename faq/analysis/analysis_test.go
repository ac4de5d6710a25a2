package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ﾏｲﾅﾝﾊﾞｰ", "マイナンバー"},
		{"ﾊﾟｽﾜｰﾄﾞ", "パスワード"},
		{"ＰＡＳＳＷＯＲＤ", "password"},
		{"０１２０－４５５－５１２", "0120-455-512"},
		{"パスワ-ド", "パスワード"},            // hyphen typed for the long-vowel mark
		{"ぱすわ〜ど", "ぱすわーど"},            // wave dash after kana
		{"9:00~17:00", "9:00~17:00"},  // but not after digits
		{"  何件\t\n 漏れた？ ", "何件 漏れた?"}, // white space collapsed, full-width ? folded
		{"Ǆ", "dž"},            // NFKC and lower case reach a fixed point
		{"\xff漏れ", "\uFFFD漏れ"}, // invalid UTF-8 replaced
		{"㍻", "平成"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVariantsMeet(t *testing.T) {
	a := New(Synonyms{})
	groups := [][]string{
		{"ﾏｲﾅﾝﾊﾞｰ", "まいなんばー", "マイナンバー", "マイナンバ"},
		{"ﾊﾟｽﾜｰﾄﾞ", "ぱすわーど", "パスワード", "パスワド"},
	}
	for _, g := range groups {
		want := a.Canonical(g[0])
		for _, v := range g[1:] {
			if got := a.Canonical(v); got != want {
				t.Errorf("Canonical(%q) = %q, Canonical(%q) = %q: they should meet", g[0], want, v, got)
			}
		}
	}
}

func TestSynonyms(t *testing.T) {
	a := New(Synonyms{
		JA: [][]string{{"漏洩", "漏えい", "流出", "漏れ"}, {"パスワード", "pw", "pass", "パス"}, {"マイナンバー", "個人番号"}},
		EN: [][]string{{"password", "pw", "pass"}, {"mynumber", "my number"}},
	})
	tests := []struct {
		field Field
		in    string
		want  []string
	}{
		{JA, "情報が流出しましたか", []string{"情報", "漏洩"}},
		{JA, "漏えいした件数", []string{"漏洩", "件数"}},
		{JA, "PWを変更したい", []string{"パスワド", "変更"}},
		{JA, "パスワードを変更", []string{"パスワド", "変更"}}, // the canonical form is not rewritten again
		{JA, "ﾊﾟｽの変更", []string{"パスワド", "変更"}},
		{JA, "個人番号は漏れた?", []string{"マイ", "ナンバ", "漏洩"}},
		{EN, "How do I change my PW?", []string{"chang", "password"}},
		{EN, "Was my number leaked?", []string{"mynumb", "leak"}},
		{EN, "passport", []string{"passport"}}, // whole words only
	}
	for _, tt := range tests {
		got := a.Field(tt.field, tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Field(%s, %q) (-want +got):\n%s", tt.field, tt.in, diff)
		}
	}
}

func TestTermsFields(t *testing.T) {
	a := New(Synonyms{})
	terms := a.Terms("まいなんばーはもれた?")
	if !terms.KanaOnly() {
		t.Error("kana-only text reported as having kanji")
	}
	// The reading of 漏れた (モレタ) and the kana spelling meet in the reading field.
	kanji := a.Terms("マイナンバーは漏れた?")
	if kanji.KanaOnly() {
		t.Error("text with kanji reported as kana only")
	}
	overlap := 0
	set := map[string]bool{}
	for _, y := range kanji[Yomi] {
		set[y] = true
	}
	for _, y := range terms[Yomi] {
		if set[y] {
			overlap++
		}
	}
	if overlap < len(terms[Yomi])-1 {
		t.Errorf("readings %v and %v should nearly coincide", terms[Yomi], kanji[Yomi])
	}
	if g := a.Terms("漏洩")[Gram]; !cmp.Equal(g, []string{"漏", "漏洩", "洩"}) {
		t.Errorf("grams of 漏洩 = %v", g)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"ﾏｲﾅﾝﾊﾞｰ", "まいなんばー", "Ǆ", "ß", "İ", "ﾞ", "ｰｰ", "a\u0301", "\xff", "パスワ-ド 9:00~17:00", "ＡＢＣ　ｄｅｆ"} {
		f.Add(s)
	}
	a := New(Synonyms{JA: [][]string{{"漏洩", "流出", "漏れ"}, {"パスワード", "pw", "パス"}}})
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if nn := Normalize(n); nn != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, n, nn)
		}
		if strings.TrimSpace(n) != n {
			t.Fatalf("Normalize(%q) = %q is not trimmed", s, n)
		}
		if f := Fold(n); Fold(f) != f {
			t.Fatalf("Fold is not idempotent on %q", n)
		}
		_ = a.Terms(s) // never panics
	})
}

// FuzzClean checks that clean returns its text uncopied exactly when a copy would be the same
// text.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "a  b", " a", "a ", "a\tb", "カ-", "カ -", "a-b", "パス\u0000ワ", "ｶ~", "x\u00a0y", "ア\u3000〜", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isClean(s), cleanCopy(s) == s; got != want {
			t.Fatalf("isClean(%q) = %v, but clean makes %q of it", s, got, cleanCopy(s))
		}
	})
}

func TestAnalysisRomaji(t *testing.T) {
	a := New(Synonyms{})
	for s, want := range map[string]bool{"pasuwaado kaetai": true, "Watashi no jouhou mo moretano": true,
		"how do i change my password": false, "パスワード": false, "pw": false} {
		if got := a.Analyze(s); got.Romaji != want {
			t.Errorf("Analyze(%q).Romaji = %v, want %v (Norm %q)", s, got.Romaji, want, got.Norm)
		}
	}
}
