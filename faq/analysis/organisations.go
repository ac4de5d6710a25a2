package analysis

import (
	"strings"

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
)

// Organisation is a word of a Japanese text that the IPA dictionary tags as the name of an
// organisation (名詞,固有名詞,組織: ヤフー, ドコモ, ツイッター), or an unknown word of its
// character class that kagome reads as one (gmail, ウェブメール).
type Organisation struct {
	Word    string // the word as written, folded (Fold)
	Unknown bool   // not in the dictionary
	// Negated is set when the clause that names the organisation sets it aside
	// ("銀行の暗証番号じゃなくて…", "ドコモではなく…"): the question is about something else.
	Negated bool
}

// Organisations returns the names of organisations in the normalised Japanese text s, in
// order. It reads the text with kagome on its own, apart from Analyze, so that it costs
// nothing where it is not asked for.
func Organisations(s string) []Organisation {
	toks := ipadict.Tokenize(s)
	var out []Organisation
	for i, tok := range toks {
		pos := tok.POS()
		if len(pos) < 3 || pos[0] != "名詞" || pos[1] != "固有名詞" || pos[2] != "組織" {
			continue
		}
		out = append(out, Organisation{Word: Fold(tok.Surface), Unknown: tok.Unknown, Negated: setAside(toks[i+1:])})
	}
	return out
}

// setAside reports whether the rest of a clause, from the word after a name to the next
// punctuation, sets what it names aside: じゃなく, ではなく, でなく (not X but …).
func setAside(rest []ipadict.Token) bool {
	var clause strings.Builder
	for _, tok := range rest {
		if isPunct(tok.Surface) {
			break
		}
		clause.WriteString(tok.Surface)
	}
	c := clause.String()
	return strings.Contains(c, "じゃなく") || strings.Contains(c, "ではなく") || strings.Contains(c, "でなく")
}
