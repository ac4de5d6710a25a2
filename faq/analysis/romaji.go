package analysis

import (
	"strings"
	"unicode/utf8"

	"github.com/gojp/kana"
	"github.com/kljensen/snowball/english"
)

// Romaji reads normalised (lower-case) ASCII text as Japanese written in Latin letters and
// returns it in hiragana: "pasuwaado kaetai" → "ぱすわあど かえたい", "mainanba-" → "まいなんばー".
// Long vowels come out as written (aa → ああ, ou → おう, - → ー); what is between words (spaces,
// digits, punctuation) is kept. It is safe for concurrent use.
//
// The syllables are github.com/gojp/kana's (Hepburn, keyboard "-" for ー, doubled consonants
// for っ, "nn" for ん). Romaji adds what that library lacks: Kunrei and keyboard spellings
// (si, ti, tu, zi, di, sya, tya, zya, jya, …), "n'" and "nn" before a vowel ("konnichiwa",
// "onna": ん and a syllable of n), "tch" for っち, and she, je, fa, fi, fe, fo.
//
// ok is true when the text reads as romaji: it has at least three letters, and the words that
// convert to kana with no Latin letter left hold at least three quarters of its letters. An
// English stop word ("i", "do", "me", …) never counts as converted, unless it is also a
// Japanese particle or word ("no", "to", "he", "are"). So "watashi no jouhou mo moretano" and
// "pasuwaado wo reset shitai" are romaji, "how do i change my password" is not, and nor are
// "pw", "ok" or "no" (too short to tell). English words that happen to be kana syllables
// ("change", "name") convert; a text made of nothing else is taken for romaji.
//
// Text with any non-ASCII character is not romaji: kana is s (made valid UTF-8), ok false.
func Romaji(s string) (kana string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToValidUTF8(s, "\uFFFD"), false
		}
	}
	s = strings.ToLower(s)
	var b strings.Builder
	letters, converted := 0, 0
	for i := 0; i < len(s); {
		if !isRomajiLetter(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (isRomajiLetter(s[j]) || s[j] == '-' || s[j] == '\'') {
			j++
		}
		w := s[i:j]
		k := romajiWord(w)
		b.WriteString(k)
		n := strings.Count(w, "") - 1 - strings.Count(w, "-") - strings.Count(w, "'")
		letters += n
		if !hasLatin(k) && !(english.IsStopWord(w) && !japaneseToo[w]) {
			converted += n
		}
		i = j
	}
	return b.String(), letters >= 3 && 4*converted >= 3*letters
}

// japaneseToo are English stop words that are also common Japanese particles or words.
var japaneseToo = map[string]bool{"no": true, "to": true, "he": true, "are": true}

func isRomajiLetter(c byte) bool { return c >= 'a' && c <= 'z' }

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if isRomajiLetter(s[i]) || s[i] == '\'' {
			return true
		}
	}
	return false
}

// hepburn rewrites the spellings github.com/gojp/kana does not know into ones it knows, or
// straight into kana (which it passes through). At each position the first match wins.
var hepburn = strings.NewReplacer(
	"n'", "ん",
	"sya", "sha", "syu", "shu", "sye", "しぇ", "syo", "sho",
	"tya", "cha", "tyu", "chu", "tye", "che", "tyo", "cho",
	"zya", "ja", "zyu", "ju", "zye", "じぇ", "zyo", "jo",
	"jya", "ja", "jyu", "ju", "jye", "じぇ", "jyo", "jo",
	"she", "しぇ", "je", "じぇ",
	"si", "shi", "ti", "chi", "tu", "tsu", "zi", "ji", "di", "ji",
	"fa", "ふぁ", "fi", "ふぃ", "fe", "ふぇ", "fo", "ふぉ",
	"tch", "っch",
)

// romajiWord converts one word of letters (with - and ').
func romajiWord(w string) string {
	w = hepburn.Replace(w)
	// "nn" is ん; before a vowel or y the second n also begins the next syllable (Hepburn
	// "konnichiwa", "onna"), which the library would read as ん and a vowel.
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] == 'n' && i+1 < len(w) && w[i+1] == 'n' {
			b.WriteString("ん")
			if i+2 < len(w) && strings.IndexByte("aiueoy", w[i+2]) >= 0 {
				continue // the second n is read again, with its vowel
			}
			i++
			continue
		}
		b.WriteByte(w[i])
	}
	return kana.RomajiToHiragana(b.String())
}
