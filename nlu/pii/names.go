package pii

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
)

// Japanese text is split into words by kagome's lattice over the IPA dictionary (ipadict,
// shared with the rest of the process). Its proper-noun tags (人名, 地域) find names and places.

// morph is one token of the text: its byte offsets and its part of speech.
type morph struct {
	start, end int
	pos        [4]string // part of speech and its three subdivisions
}

func (m morph) person() bool {
	return m.pos[0] == "名詞" && m.pos[1] == "固有名詞" && m.pos[2] == "人名"
}
func (m morph) place() bool {
	return m.pos[0] == "名詞" && m.pos[1] == "固有名詞" && m.pos[2] == "地域"
}
func (m morph) placeSuffix() bool {
	return m.pos[0] == "名詞" && m.pos[1] == "接尾" && m.pos[2] == "地域"
}

// nameNoun reports a token that can be part of a name: a proper noun, a general noun or an
// unknown word (katakana names), not a number, a pronoun or a verbal noun.
func (m morph) nameNoun() bool {
	if m.pos[0] != "名詞" {
		return false
	}
	switch m.pos[1] {
	case "固有名詞", "一般":
		return true
	}
	return false
}

// morphs tokenises t, once, when a rule needs it (through memo, which may hold its words).
type morphs struct {
	t    string
	memo *ipadict.Memo
	done bool
	ms   []morph
}

func (m *morphs) get() []morph {
	if !m.done {
		m.done = true
		for _, tk := range m.memo.Tokenize(m.t) {
			if tk.Surface == "" {
				continue
			}
			var mm morph
			mm.start, mm.end = tk.Position, tk.Position+len(tk.Surface)
			copy(mm.pos[:], tk.POS())
			if tk.Unknown && mm.pos[1] == "" {
				mm.pos[1] = "一般"
			}
			m.ms = append(m.ms, mm)
		}
	}
	return m.ms
}

// afterTriggers calls f with the offset just after every occurrence in lower (t lower-cased,
// offsets alike) of a trigger of triggers that does not follow a letter of a word.
func afterTriggers(t, lower string, triggers []string, f func(p int)) {
	for _, tr := range triggers {
		for from := 0; ; {
			i := strings.Index(lower[from:], tr)
			if i < 0 {
				break
			}
			p := from + i + len(tr)
			from = p
			if r, _ := runeBefore(t, p-len(tr)); isWord(r) {
				continue
			}
			f(p)
		}
	}
}

// endingAt returns the index of the token ending at offset p, or -1.
func endingAt(ms []morph, p int) int {
	i, ok := slices.BinarySearchFunc(ms, p, func(m morph, p int) int { return cmp.Compare(m.end, p) })
	if !ok {
		return -1
	}
	return i
}

// startingAt returns the index of the token starting at offset p, or -1.
func startingAt(ms []morph, p int) int {
	i, ok := slices.BinarySearchFunc(ms, p, func(m morph, p int) int { return cmp.Compare(m.start, p) })
	if !ok {
		return -1
	}
	return i
}

// hasJapanese reports whether s holds kana or kanji.
func hasJapanese(s string) bool {
	for _, r := range s {
		if r >= 0x3040 && (unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)) {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Self-introductions: the name stands before these.
var introAfter = []string{"と申します", "と申しま", "と申す", "といいます", "と言います", "といいま", "と言いま", "でございます", "と名乗"}

// Introductions of a name that follows.
var introBefore = []string{"名前は", "名前が", "名前を", "名前:", "名前：", "氏名は", "氏名:", "氏名：", "名義は", "名義人は", "名義:", "名前 ", "氏名 "}

// Latin introductions (lower case) and sign-offs.
var (
	introLatin   = []string{"my name is", "my name's", "name is", "name:", "i am called", "i'm called", "names are", "full name is", "signed,"}
	signOffLatin = []string{"regards,", "best regards,", "kind regards,", "thanks,", "thank you,", "sincerely,", "cheers,", "best,", "br,"}
)

// appendNames adds personal names: introduced as names ("山田太郎と申します", "名前は山田です",
// "my name is Taro Yamada", "Regards, Taro"), and any run of words kagome tags as person names
// (人名: "中村です。", "山田様").
func appendNames(cs []cand, t string, mo *morphs) []cand {
	if hasJapanese(t) {
		var ms []morph
		if hasHan(t) { // names in kana alone are only found when introduced (below)
			ms = mo.get()
		}
		// Runs of person-name tokens.
		for i := 0; i < len(ms); i++ {
			if !ms[i].person() {
				continue
			}
			j := i
			for j+1 < len(ms) && ms[j+1].person() && ms[j+1].start == ms[j].end {
				j++
			}
			// Not part of a longer word ("マイ" of マイナンバー), and written in kanji: a katakana
			// or kana word that kagome also knows as a given name is too often something else.
			glued := i > 0 && ms[i-1].end == ms[i].start && ms[i-1].nameNoun() && !ms[i-1].person() ||
				j+1 < len(ms) && ms[j+1].start == ms[j].end && (ms[j+1].nameNoun() && !ms[j+1].person() || ms[j+1].pos[1] == "接尾" && ms[j+1].pos[2] != "人名")
			if !glued && hasHan(t[ms[i].start:ms[j].end]) {
				cs = append(cs, cand{ms[i].start, ms[j].end, rankName})
			}
			i = j
		}
		for _, tr := range introAfter {
			for from := 0; ; {
				i := strings.Index(t[from:], tr)
				if i < 0 {
					break
				}
				p := from + i
				from = p + len(tr)
				if s := nameBefore(t, ms, p); s < p {
					cs = append(cs, cand{s, p, rankName})
				}
			}
		}
		for _, tr := range introBefore {
			for from := 0; ; {
				i := strings.Index(t[from:], tr)
				if i < 0 {
					break
				}
				p := from + i + len(tr)
				from = p
				p = skipSpaces(t, p)
				if e := nameAfter(t, ms, p); e > p {
					cs = append(cs, cand{p, e, rankName})
				}
			}
		}
	}
	lower := asciiLower(t)
	afterTriggers(t, lower, introLatin, func(p int) {
		if e := latinWords(lower, skipSpaces(t, p), 3, false); e > p {
			cs = append(cs, cand{skipSpaces(t, p), e, rankName})
		}
	})
	afterTriggers(t, lower, signOffLatin, func(p int) {
		q := skipSpaces(t, p)
		if e := latinWords(lower, q, 3, true); e > q && strings.TrimRight(t[e:], " .!") == "" {
			cs = append(cs, cand{q, e, rankName})
		}
	})
	return cs
}

// nameBefore returns where the name ending at p starts (p when there is none): the nouns
// before it (at most four tokens), or, when kagome splits a name written in kana oddly, the
// letters back to a space, punctuation, "の", "私は" or the start, at most twelve of them.
func nameBefore(t string, ms []morph, p int) int {
	start := p
	if k := endingAt(ms, p); k >= 0 {
		for n := 0; k >= 0 && n < 4 && (ms[k].nameNoun() || ms[k].person()); n++ {
			start = ms[k].start
			if k == 0 || ms[k-1].end != ms[k].start {
				break
			}
			k--
		}
	}
	q := p
	for n := 0; n < 12 && q > 0; n++ {
		r, w := runeBefore(t, q)
		if !unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) || r == 'の' || r == 'ー' && n == 0 {
			break
		}
		if strings.HasSuffix(t[:q], "私は") || strings.HasSuffix(t[:q], "わたしは") || strings.HasSuffix(t[:q], "こちらは") || strings.HasSuffix(t[:q], "僕は") {
			break
		}
		q -= w
	}
	return min(start, q)
}

// nameAfter returns where the name starting at p ends (p when there is none): up to three
// Latin words, or nouns (at most four tokens) that are names, proper or unknown nouns.
func nameAfter(t string, ms []morph, p int) int {
	if r, _ := runeAt(t, p); r < utf8.RuneSelf {
		return latinWords(asciiLower(t), p, 3, false)
	}
	end := p
	k := startingAt(ms, p)
	for n := 0; k >= 0 && k < len(ms) && n < 4 && ms[k].start == end && (ms[k].nameNoun() || ms[k].person()); n++ {
		end = ms[k].end
		k++
	}
	return end
}

// notNames are the words after "my name is" that end a name.
var notNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`and but i my is was in on at of the a an to from for with please and, here there
		not leaked exposed safe included also ok okay correct wrong still this that it what which how why when where
		has have had been be will would can could should and/or or so if thank thanks`) {
		notNames[w] = true
	}
}

// latinWords returns the end of up to n words of letters (with "-", "'" and "." inside) from p
// in lower, stopping at an ordinary word; atEnd accepts only letters and dots.
func latinWords(lower string, p, n int, atEnd bool) int {
	end := p
	q := p
	for w := 0; w < n; w++ {
		ws := q
		for q < len(lower) && (isASCIILetter(rune(lower[q])) || q > ws && strings.IndexByte("-'.", lower[q]) >= 0) {
			q++
		}
		word := strings.TrimRight(lower[ws:q], "-'.")
		q = ws + len(word)
		if word == "" || notNames[word] {
			break
		}
		end = q
		if q < len(lower) && lower[q] == ' ' {
			q++
			continue
		}
		break
	}
	return end
}

func skipSpaces(t string, p int) int {
	for p < len(t) {
		r, w := runeAt(t, p)
		if !isSpace(r) {
			break
		}
		p += w
	}
	return p
}
