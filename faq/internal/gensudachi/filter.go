package main

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// vocabulary is what the content says: the words of every entry's title, questions and answer
// in both languages, and the terms of the hand-written synonyms.
type vocabulary struct {
	an     *analysis.Analyzer // without synonyms: words as written
	ja     map[string]bool    // ja-field terms (folded base forms) and folded hand-written terms
	jaText string             // the normalised Japanese texts, one a line
	enText string             // the normalised English texts as " word word … ", one a line
}

func newVocabulary(c *faq.Content) *vocabulary {
	v := &vocabulary{an: analysis.New(analysis.Synonyms{}), ja: map[string]bool{}}
	var ja, en strings.Builder
	addJA := func(s string) {
		for _, t := range v.an.Field(analysis.JA, s) {
			v.ja[t] = true
		}
		ja.WriteString(analysis.Normalize(s) + "\n")
	}
	addEN := func(s string) {
		en.WriteString(" " + strings.Join(words(analysis.Normalize(s)), " ") + " \n")
	}
	for _, e := range c.Entries {
		for lang, add := range map[faq.Lang]func(string){faq.Japanese: addJA, faq.English: addEN} {
			t := e.Text[lang]
			if t == nil {
				continue
			}
			add(t.Title)
			add(t.Answer)
			for _, q := range t.Questions {
				add(q)
			}
		}
	}
	for _, g := range c.Synonyms.JA {
		for _, t := range g {
			addJA(t)
			v.ja[analysis.Fold(analysis.Normalize(t))] = true
		}
	}
	for _, g := range c.Synonyms.EN {
		for _, t := range g {
			addEN(t)
		}
	}
	v.jaText, v.enText = ja.String(), en.String()
	return v
}

// words returns the ASCII words of normalised text.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '\'')
	})
}

// hasJA reports whether the content uses the Japanese term t: t analyses to one word the content
// has, or t is a compound that occurs in the content's text as written.
func (v *vocabulary) hasJA(t string) bool {
	n := analysis.Normalize(t)
	ts := v.an.Field(analysis.JA, n)
	switch {
	case len(ts) == 1:
		// the term is one word (not the ヒル that kagome finds in ひらそー)
		return v.ja[ts[0]] && (ts[0] == analysis.Fold(n) || ts[0] == okuriganaLess(n))
	case len(ts) > 1:
		// a compound (電話番号): its words are the content's, and so is the compound
		for _, t := range ts {
			if !v.ja[t] {
				return false
			}
		}
		return strings.Contains(v.jaText, n)
	}
	return false
}

// okuriganaLess returns the kanji of a word written in kanji and hiragana (the skeleton that
// faq/analysis indexes 申し込み under), or "" for other words.
func okuriganaLess(n string) string {
	var b strings.Builder
	for _, r := range n {
		switch {
		case unicode.Is(unicode.Han, r):
			b.WriteRune(r)
		case unicode.Is(unicode.Hiragana, r):
		default:
			return ""
		}
	}
	return b.String()
}

// hasEN reports whether the content uses the English word or phrase t, as written (not merely
// its stem: "medias" is not "media").
func (v *vocabulary) hasEN(t string) bool {
	n := analysis.Normalize(t)
	if len(v.an.Field(analysis.EN, n)) == 0 {
		return false // stop words only
	}
	return strings.Contains(v.enText, " "+strings.Join(words(n), " ")+" ")
}

// usable reports whether a member may be used at all: Sudachi allows it to trigger an expansion,
// and it is the lexeme's typical form, a translation or a misspelling (aliases and old names
// are left out: they name other things as often as this one).
//
// Members marked "never a trigger, only expanded to" (1) are left out too: a rewriter makes
// every term of a group match every other, so it cannot honour a one-way expansion.
func usable(m member) bool {
	if m.Expand != expandAlways || strings.TrimSpace(m.Head) == "" {
		return false
	}
	switch m.Form {
	case formTypical, formTranslation, formMisspelling:
		return true
	}
	return false
}

// jaCandidate reports whether a usable member belongs in the Japanese field: a word with kana
// or kanji, or a Latin-letter abbreviation ("pc"), which matches whole words only.
func jaCandidate(m member) bool {
	n := analysis.Normalize(m.Head)
	if !isASCII(n) {
		return strings.IndexFunc(n, func(r rune) bool {
			return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
		}) >= 0
	}
	return m.Abbrev == abbrevAlphabet && isPhrase(n, 1)
}

// enCandidate reports whether a usable member belongs in the English field: a word or a
// phrase of at most three words in Latin letters.
func enCandidate(m member) bool {
	n := analysis.Normalize(m.Head)
	return isASCII(n) && isPhrase(n, 3)
}

// isPhrase reports whether n is 1..max words of letters and digits (with - and ') and has
// at least two letters.
func isPhrase(n string, max int) bool {
	letters := 0
	for _, r := range n {
		switch {
		case r >= 'a' && r <= 'z':
			letters++
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '\'':
		default:
			return false
		}
	}
	f := strings.Fields(n)
	return letters >= 2 && len(f) >= 1 && len(f) <= max
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// tooShort reports whether a Japanese term would match inside too many other words: the
// rewriter replaces non-ASCII terms wherever they occur, so single characters and kana words
// of two characters are left out.
func tooShort(n string) bool {
	if isASCII(n) {
		return false
	}
	runes := utf8.RuneCountInString(n)
	if runes < 2 {
		return true
	}
	if runes < 3 {
		for _, r := range n {
			if unicode.Is(unicode.Han, r) {
				return false
			}
		}
		return true
	}
	return false
}

// out is one generated group: its canonical term first, the Sudachi group and lexeme it came
// from.
type out struct {
	Terms  []string
	From   string
	Lexeme int
}

// result is what generate keeps.
type result struct {
	JA, EN  []out
	Groups  int     // Sudachi groups that share a word with the content
	Extract []group // those groups and every group that shares a term with them
}

// generate filters Sudachi's groups to those the content needs:
//
//  1. A group is kept when one of its usable members (see usable) is a word of the content
//     (see vocabulary.hasJA, hasEN).
//  2. A term (in its normal form) that occurs in more than one Sudachi group, with any flags,
//     is ambiguous and left out everywhere; so are Japanese terms that are too short (see
//     tooShort) and Japanese terms that occur inside another word of the content, of the
//     hand-written synonyms or of another kept group, which rewriting would break.
//  3. Each lexeme of a kept group (its forms: spelling variants, abbreviations, misspellings,
//     translations) gives at most one group per field; different lexemes of a Sudachi group
//     are near-synonyms, not variants, and are not joined. The canonical term is the lexeme's
//     first remaining member, in Sudachi's order, that the content uses; the other remaining
//     members follow, sorted. A lexeme without such a member, or with fewer than two terms,
//     gives no group.
//
// Groups are sorted by their canonical term.
func generate(groups []group, v *vocabulary) result {
	where := map[string]map[string]bool{} // normal form → ids of the groups that have it
	for _, g := range groups {
		for _, m := range g.Members {
			n := analysis.Normalize(m.Head)
			if where[n] == nil {
				where[n] = map[string]bool{}
			}
			where[n][g.ID] = true
		}
	}
	var res result
	var kept []group
	for _, g := range groups {
		if v.shares(g) {
			kept = append(kept, g)
		}
	}
	res.Groups = len(kept)

	// Words a Japanese term must not occur inside.
	hosts := map[string]bool{}
	for w := range v.ja {
		hosts[w] = true
	}
	for _, g := range kept {
		for _, m := range g.Members {
			if usable(m) && jaCandidate(m) {
				hosts[analysis.Fold(analysis.Normalize(m.Head))] = true
			}
		}
	}
	inside := func(n string, own map[string]bool) bool {
		f := analysis.Fold(n)
		for h := range hosts {
			if h != f && !own[h] && strings.Contains(h, f) {
				return true
			}
		}
		return false
	}

	for _, g := range kept {
		own := map[string]bool{}
		for _, m := range g.Members {
			own[analysis.Fold(analysis.Normalize(m.Head))] = true
		}
		okJA := func(n string) bool { return !tooShort(n) && (isASCII(n) || !inside(n, own)) }
		okEN := func(string) bool { return true }
		for _, lex := range lexemes(g) {
			if t := pick(g, lex, where, jaCandidate, v.hasJA, okJA); t != nil {
				res.JA = append(res.JA, out{t, g.ID, lex})
			}
			if t := pick(g, lex, where, enCandidate, v.hasEN, okEN); t != nil {
				res.EN = append(res.EN, out{t, g.ID, lex})
			}
		}
	}
	for _, list := range [][]out{res.JA, res.EN} {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Terms[0] != list[j].Terms[0] {
				return list[i].Terms[0] < list[j].Terms[0]
			}
			return list[i].From < list[j].From || list[i].From == list[j].From && list[i].Lexeme < list[j].Lexeme
		})
	}

	// The extract: the kept groups and their neighbours, enough to regenerate the same output.
	need := map[string]bool{}
	for _, g := range kept {
		for _, m := range g.Members {
			for id := range where[analysis.Normalize(m.Head)] {
				need[id] = true
			}
		}
	}
	for _, g := range groups {
		if need[g.ID] {
			res.Extract = append(res.Extract, g)
		}
	}
	return res
}

// shares reports whether one of a group's usable members is a word of the content.
func (v *vocabulary) shares(g group) bool {
	return slices.ContainsFunc(g.Members, func(m member) bool {
		return usable(m) && (jaCandidate(m) && v.hasJA(m.Head) || enCandidate(m) && v.hasEN(m.Head))
	})
}

// lexemes returns the lexeme numbers of a group in the order they first occur.
func lexemes(g group) []int {
	var out []int
	for _, m := range g.Members {
		if !slices.Contains(out, m.Lexeme) {
			out = append(out, m.Lexeme)
		}
	}
	return out
}

// pick returns the terms of one field for one lexeme of a group: the members that are usable,
// belong in the field (cand), are not ambiguous (in only one Sudachi group) and pass ok; the
// first of them that the content uses (has) first, the others sorted. It returns nil when no
// member is used by the content or fewer than two terms remain.
func pick(g group, lex int, where map[string]map[string]bool, cand func(member) bool, has, ok func(string) bool) []string {
	var canon string
	var rest []string
	seen := map[string]bool{}
	for _, m := range g.Members {
		n := analysis.Normalize(m.Head)
		if m.Lexeme != lex || !usable(m) || !cand(m) || seen[n] || len(where[n]) > 1 || !ok(n) {
			continue
		}
		seen[n] = true
		if canon == "" && has(m.Head) {
			canon = n
		} else {
			rest = append(rest, n)
		}
	}
	if canon == "" || len(rest) == 0 {
		return nil
	}
	sort.Strings(rest)
	return append([]string{canon}, rest...)
}
