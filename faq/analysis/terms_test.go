package analysis

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// englishPattern is what englishTerms scans for, as a regular expression.
var englishPattern = regexp.MustCompile(`[a-z0-9]+(?:'[a-z]+)?`)

// englishTermsByPattern is englishTerms written with the regular expression.
func englishTermsByPattern(n string) []string {
	var out []string
	for _, w := range englishPattern.FindAllString(n, -1) {
		if i := strings.IndexByte(w, '\''); i > 0 {
			w = w[:i]
		}
		if !isEnglishStop(w) {
			out = append(out, englishStem(w))
		}
	}
	return out
}

// TestEnglishTermsScan: the hand-written scan finds the words the regular expression finds, on
// written cases and on random strings of the characters that matter.
func TestEnglishTermsScan(t *testing.T) {
	cases := []string{
		"", "what's the customer's address", "it's 9:00-17:00 o'clock", "rock'n'roll", "a'", "'a",
		"don't''t", "x'9", "パスワードをreset したい", "abc'def'ghi jkl", "2016年のleak", "ｐａｓｓ",
	}
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []rune("ab9' .zA漏れ-")
	for range 3000 {
		var b strings.Builder
		for range r.IntN(16) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if diff := cmp.Diff(englishTermsByPattern(s), englishTerms(s)); diff != "" {
			t.Errorf("%q (-pattern +scan):\n%s", s, diff)
		}
	}
}

// TestGramsAcrossLongVowels: n-grams are the same whether their characters lie side by side in
// the text (taken as substrings) or have a long-vowel mark between them (copied).
func TestGramsAcrossLongVowels(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"サーバー障害", []string{"サバ", "バ障", "障", "障害", "害"}},
		{"障害サーバ", []string{"障", "障害", "害", "害サ", "サバ"}},
		{"ぱすわーど", nil}, // kana bigrams of hiragana alone are left out
		{"漢", []string{"漢"}},
		{"あ", []string{"あ"}},
		{"error発生", []string{"error", "発", "発生", "生"}},
	} {
		if diff := cmp.Diff(c.want, grams(c.in), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("grams(%q) (-want +got):\n%s", c.in, diff)
		}
	}
	for _, c := range []struct {
		in   string
		want []string
	}{{"", nil}, {"あ", []string{"あ"}}, {"あい", []string{"あい"}}, {"アイウ", []string{"アイ", "イウ"}}, {"a漢b", []string{"a漢", "漢b"}}} {
		if diff := cmp.Diff(c.want, bigrams(c.in), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("bigrams(%q) (-want +got):\n%s", c.in, diff)
		}
	}
}
