package nlu

import (
	"github.com/faqbot/faqbot/faq/analysis"
)

// ownWords returns the words of the content's own phrasings (out-of-scope examples left out),
// as analysis folds tokens: the names of its own services (ポケトラ) are among them.
func (m *Matcher) ownWords() map[string]bool {
	own := map[string]bool{}
	for _, p := range m.ix.PhraseList() {
		if p.Entry.OutOfScope {
			continue
		}
		for _, t := range p.Analysis.Tokens {
			own[t] = true
		}
	}
	return own
}

// elsewhere reports whether an analysed question is about another organisation or service
// than the content's: it names an organisation (by its part of speech) that no phrasing of an
// entry names and does not set it aside ("…じゃなくて御社の…"), or another company in so many
// words (signals.elsewhere).
func (m *Matcher) elsewhere(a analysis.Analysis) bool {
	if m.lexicon["elsewhere"].has(a) {
		return true
	}
	foreign := false
	for _, t := range a.Tokens {
		if !m.own[t] {
			foreign = true
			break
		}
	}
	if !foreign {
		return false // every word is the content's own
	}
	for _, o := range analysis.Organisations(a.JA) {
		// An unknown word in Latin letters is an organisation to kagome's character classes
		// whatever it is ("pw", "cx", any English word): only Japanese names count.
		if !m.own[o.Word] && !o.Negated && !analysis.IsASCII(o.Word) {
			return true
		}
	}
	return false
}

// elsewhereFactor is the confidence factor of every entry for a question read as a:
// ElsewhereFactor when it is about another organisation, else 1.
func (m *Matcher) elsewhereFactor(a analysis.Analysis) float64 {
	if m.elsewhere(a) {
		return m.cfg.ElsewhereFactor
	}
	return 1
}
