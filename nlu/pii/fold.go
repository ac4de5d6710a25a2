package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// folded is the text the rules read, with the stretch of the original text each of its bytes
// comes from: NFKC (full-width digits, letters and "@", half-width katakana), invisible
// characters dropped (zero-width spaces and joiners, bidi controls, soft hyphens: everything
// of category Cf), kanji digits written among digits read as digits ("〇九〇", "一二三四"), and
// e-mail addresses written out ("taro at example dot com", "taro(at)example.jp",
// "taro アットマーク example.jp", "taro @@ example.jp") written as addresses.
//
// Byte i of t comes from orig[start[i]:end[i]]; both lie on rune boundaries of orig.
type folded struct {
	t          string
	start, end []int
}

// span returns the stretch of the original text that t[a:b] comes from.
func (f *folded) span(a, b int) (int, int) { return f.start[a], f.end[b-1] }

// frune is one rune of the folded text and where it comes from.
type frune struct {
	r          rune
	start, end int
}

func fold(s string) *folded {
	rs := nfkcRunes(s)
	rs = kanjiDigits(rs)
	rs = writtenEmails(rs)
	f := &folded{start: make([]int, 0, len(s)), end: make([]int, 0, len(s))}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range rs {
		n := b.Len()
		b.WriteRune(r.r)
		for i := n; i < b.Len(); i++ {
			f.start = append(f.start, r.start)
			f.end = append(f.end, r.end)
		}
	}
	f.t = b.String()
	return f
}

// nfkcRunes returns the NFKC form of s, rune by rune, without the invisible characters. A
// segment that NFKC leaves alone keeps the offsets of its own runes; the runes of a segment it
// changes all come from the whole segment. Invalid bytes read as U+FFFD.
func nfkcRunes(s string) []frune {
	out := make([]frune, 0, len(s))
	for st := 0; st < len(s); {
		if s[st] < utf8.RuneSelf && (st+1 == len(s) || s[st+1] < utf8.RuneSelf) {
			// ASCII before ASCII: its own segment, which NFKC leaves alone.
			if r := rune(s[st]); !invisible(r) {
				out = append(out, frune{r, st, st + 1})
			}
			st++
			continue
		}
		n := norm.NFKC.NextBoundaryInString(s[st:], true)
		if n <= 0 {
			n = len(s) - st
		}
		en := st + n
		in := s[st:en]
		seg := norm.NFKC.String(in)
		same := seg == in
		for i := 0; i < len(seg); {
			r, w := utf8.DecodeRuneInString(seg[i:])
			if !invisible(r) {
				if same {
					out = append(out, frune{r, st + i, st + i + w})
				} else {
					out = append(out, frune{r, st, en})
				}
			}
			i += w
		}
		st = en
	}
	return out
}

// invisible reports characters that show nothing and may be slipped between the digits of a
// number: format characters (zero-width space and joiners, bidi marks and isolates, soft
// hyphen, word joiner, BOM) and variation selectors.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || 0xFE00 <= r && r <= 0xFE0F || r == 0x034F || 0xE0100 <= r && r <= 0xE01EF
}

// kanjiDigit returns the value of a kanji (or circle) digit.
func kanjiDigit(r rune) (rune, bool) {
	switch r {
	case '〇', '零', '○', '◯':
		return '0', true
	case '一':
		return '1', true
	case '二':
		return '2', true
	case '三':
		return '3', true
	case '四':
		return '4', true
	case '五':
		return '5', true
	case '六':
		return '6', true
	case '七':
		return '7', true
	case '八':
		return '8', true
	case '九':
		return '9', true
	}
	return 0, false
}

// kanjiDigits reads kanji digits as digits where they are written like figures: a kanji digit
// next to another digit (kanji or not), directly or across one separator ("〇九〇-一二三四").
// A lone kanji digit in a word ("一部", "第三者") is left alone.
func kanjiDigits(rs []frune) []frune {
	isD := func(i int) bool {
		if i < 0 || i >= len(rs) {
			return false
		}
		if _, ok := kanjiDigit(rs[i].r); ok {
			return true
		}
		return '0' <= rs[i].r && rs[i].r <= '9'
	}
	near := func(i, dir int) bool {
		j := i + dir
		if isD(j) {
			return true
		}
		return j >= 0 && j < len(rs) && runSep(rs[j].r) && isD(j+dir)
	}
	fromKanji := make([]bool, len(rs))
	for i := range rs {
		v, ok := kanjiDigit(rs[i].r)
		if !ok || !(near(i, -1) || near(i, 1)) {
			continue
		}
		if rs[i].r == '○' || rs[i].r == '◯' || rs[i].r == '零' {
			// A circle is a zero only among kanji digits, not among ASCII ones ("1○2").
			if !kanjiNeighbour(rs, i) {
				continue
			}
		}
		rs[i].r = v
		fromKanji[i] = true
	}
	// "〇九〇の一二三四の五六七八": の between digits written in kanji is a dash.
	for i := 1; i+1 < len(rs); i++ {
		if rs[i].r == 'の' && fromKanji[i-1] && fromKanji[i+1] {
			rs[i].r = '-'
		}
	}
	return rs
}

func kanjiNeighbour(rs []frune, i int) bool {
	for _, j := range []int{i - 2, i - 1, i + 1, i + 2} {
		if j >= 0 && j < len(rs) {
			if _, ok := kanjiDigit(rs[j].r); ok && rs[j].r != '○' && rs[j].r != '◯' {
				return true
			}
		}
	}
	return false
}

// The ways of writing "@" and "." out in an address. ASCII words are matched in any case and
// must stand alone (spaces or brackets around them).
var (
	atWords  = []string{"(at)", "[at]", "{at}", "<at>", "(@)", "[@]", "アットマーク", "あっとまーく", "アット", "あっと", "@@", "@"}
	dotWords = []string{"(dot)", "[dot]", "{dot}", "<dot>", "(.)", "[.]", "ドット", "どっと", "。"}
)

// writtenEmails rewrites e-mail addresses written out into their ordinary form: "at" and "dot"
// words (bare, or in brackets), アットマーク and ドット, doubled "@", with spaces around them.
// "." words are rewritten only in a text that has an "@" word, and each rewrite only where
// both neighbours are characters of an address, so ordinary text is not changed.
func writtenEmails(rs []frune) []frune {
	hasAt := false
	for i := range rs {
		if rs[i].r == '@' || rs[i].r == 'ア' || rs[i].r == 'あ' || rs[i].r == '(' || rs[i].r == '[' || rs[i].r == '{' || rs[i].r == '<' ||
			(rs[i].r == 'a' || rs[i].r == 'A') && i+1 < len(rs) && (rs[i+1].r == 't' || rs[i+1].r == 'T') {
			hasAt = true
			break
		}
	}
	if !hasAt {
		return rs
	}
	out := make([]frune, 0, len(rs))
	at := false
	for i := 0; i < len(rs); {
		if n, ok := addressWord(rs, i, atWords, "at"); ok {
			out = trimSpaces(out)
			j := skipRuneSpaces(rs, i+n)
			out = append(out, frune{'@', rs[i].start, rs[i+n-1].end})
			at = true
			i = j
			continue
		}
		if at {
			if n, ok := addressWord(rs, i, dotWords, "dot"); ok {
				out = trimSpaces(out)
				j := skipRuneSpaces(rs, i+n)
				out = append(out, frune{'.', rs[i].start, rs[i+n-1].end})
				i = j
				continue
			}
		}
		out = append(out, rs[i])
		i++
	}
	return out
}

// addressWord reports whether one of words (or the bare word, between spaces) starts at i and
// stands between two characters of an address (spaces around it allowed); n is its length in
// runes.
func addressWord(rs []frune, i int, words []string, bare string) (n int, ok bool) {
	for _, w := range words {
		if m := matchRunes(rs, i, w); m > 0 {
			n = m
			break
		}
	}
	if n == 0 {
		// The bare word needs a space on each side: "taro at example dot com".
		if i == 0 || !isSpace(rs[i-1].r) {
			return 0, false
		}
		m := matchRunes(rs, i, bare)
		if m == 0 || i+m >= len(rs) || !isSpace(rs[i+m].r) {
			return 0, false
		}
		n = m
	}
	// The characters before (across spaces) and after (across spaces) must belong to an address.
	b := i - 1
	for b >= 0 && isSpace(rs[b].r) && i-b <= 2 {
		b--
	}
	a := skipRuneSpaces(rs, i+n)
	if b < 0 || a >= len(rs) || !addressRune(rs[b].r) || !addressRune(rs[a].r) || a-(i+n) > 2 {
		return 0, false
	}
	if rs[i].r >= utf8.RuneSelf && (rs[b].r >= utf8.RuneSelf || rs[a].r >= utf8.RuneSelf) {
		return 0, false // アットマーク, ドット: between the ASCII parts of an address only
	}
	if n == 1 && (rs[i].r == '@' || rs[i].r == '。') && i-b == 1 && a == i+1 {
		return 0, false // an ordinary "@" or "。" needs no rewriting
	}
	if rs[i].r == '。' && !(isASCIILetter(rs[a].r)) {
		return 0, false // "。" ends Japanese sentences: only before a domain label
	}
	return n, true
}

// matchRunes returns the length in runes of w when it is written at i (ASCII in any case).
func matchRunes(rs []frune, i int, w string) int {
	n := 0
	for _, wr := range w {
		if i+n >= len(rs) {
			return 0
		}
		r := rs[i+n].r
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r != wr {
			return 0
		}
		n++
	}
	return n
}

func addressRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isLocalByte(byte(r)) && r != '.'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func skipRuneSpaces(rs []frune, i int) int {
	for i < len(rs) && isSpace(rs[i].r) {
		i++
	}
	return i
}

func trimSpaces(out []frune) []frune {
	for len(out) > 0 && isSpace(out[len(out)-1].r) {
		out = out[:len(out)-1]
	}
	return out
}
