package nlu

import (
	"strings"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// owners are the word lists of someone in particular who can own a personal-data field, and
// the fields, as sequences of tokens: "私の住所", "母の電話番号", "her phone", "my mom's e-mail".
type owners struct {
	ja, fieldsJA map[string]bool // tokens joined, as analysis folds them
	en, fieldsEN map[string]bool // English words (an owner is a possessive: my, their, mom's)
}

// determiners are the English possessive determiners: of the first- and third-person words,
// those that own what follows ("my address", not "I address").
var determiners = map[string]bool{"my": true, "your": true, "his": true, "her": true, "its": true, "our": true, "their": true}

// particles end the words that can stand between an owner and their field: in "僕のパスワード
// は口座開設の…" the 口座 is not the owner's (Japanese case particles, as analysis folds them).
var particles = map[string]bool{}

func init() {
	for _, p := range strings.Fields("は が を に で も と へ から や まで より") {
		particles[analysis.Fold(p)] = true
	}
}

// maxSpan is the longest term, in tokens, of owners.
const maxSpan = 3

// compileOwners makes the owner and field lists of the content's signals.
func (m *Matcher) compileOwners(s faq.Signals) owners {
	o := owners{ja: map[string]bool{}, fieldsJA: map[string]bool{}, en: map[string]bool{}, fieldsEN: map[string]bool{}}
	add := func(ja, en map[string]bool, lists map[faq.Lang][]string, possessive, field bool) {
		for _, terms := range lists {
			for _, t := range terms {
				if n := analysis.Normalize(t); analysis.IsASCII(n) {
					w := m.an.CanonicalEN(n)
					switch {
					case possessive:
						en[w+"'s"] = true
					case field || determiners[w]:
						en[w] = true
					}
				} else {
					ja[strings.Join(m.an.Tokens(t), "")] = true
					if y := m.an.Analyze(t).Yomi; y != "" {
						ja[y] = true // ハハ, ジュウショ: as a question in kana or romaji writes them
					}
				}
			}
		}
	}
	add(o.ja, o.en, s.FirstPerson, false, false) // in English only its possessives: my, not I

	add(o.ja, o.en, s.ThirdPerson, false, false)
	add(o.ja, o.en, s.Proxy, true, false)
	add(o.ja, o.en, s.Relay, true, false)
	add(o.fieldsJA, o.fieldsEN, s.PersonalFields, false, true)
	return o
}

// ownedField reports whether an analysed text names a personal-data field of someone in
// particular: an owner, then の (in Japanese) or directly (a possessive in English), then a
// field within a few words ("私の登録住所", "ご本人のメールアドレス", "their own address").
// A field alone ("どんな情報が漏れた?") or an owner alone is not.
func (m *Matcher) ownedField(a analysis.Analysis) bool {
	o := m.owners
	if span(a.Tokens, analysis.Fold("の"), "", o.ja, o.fieldsJA) {
		return true
	}
	words := strings.FieldsFunc(a.EN, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'' || r == '-')
	})
	return span(words, "", " ", o.en, o.fieldsEN)
}

// span reports whether toks hold an owner term ending right before a link token (or at any
// token when link is empty; sep joins the tokens of a term), followed by a field term starting within maxSpan tokens.
func span(toks []string, link, sep string, owner, field map[string]bool) bool {
	for i := range toks {
		end := i // the owner ends before toks[end]
		if link != "" {
			if toks[i] != link {
				continue
			}
		} else {
			end = i + 1
		}
		if !endsTerm(toks[:end], sep, owner) {
			continue
		}
		rest := toks[min(len(toks), i+1):]
		for k := 0; k < maxSpan && k < len(rest) && !particles[rest[k]]; k++ {
			if startsTerm(rest[k:], sep, field) {
				return true
			}
		}
	}
	return false
}

func endsTerm(toks []string, sep string, terms map[string]bool) bool {
	for n := 1; n <= maxSpan && n <= len(toks); n++ {
		if terms[strings.Join(toks[len(toks)-n:], sep)] {
			return true
		}
	}
	return false
}

func startsTerm(toks []string, sep string, terms map[string]bool) bool {
	for n := 1; n <= maxSpan && n <= len(toks); n++ {
		if terms[strings.Join(toks[:n], sep)] {
			return true
		}
	}
	return false
}
