package nlu

import (
	"strings"

	"github.com/faqbot/faqbot/faq/analysis"
)

// setAsides are the ways Japanese says "not A but B": what comes before them is what the
// question is not about.
var setAsides = []string{"じゃなくて", "ではなくて", "でなくて", "じゃなく", "ではなく"}

// contrasted returns what a message asks about when it first says what it does not ask
// about ("年金機構の話じゃなくて、御社の件で…": 御社の件で…): the text after the last
// set-aside that has words after it; else s.
func contrasted(s string) string {
	cut := -1
	for _, w := range setAsides {
		if i := strings.LastIndex(s, w); i >= 0 && i+len(w) > cut {
			cut = i + len(w)
		}
	}
	if cut < 0 {
		return s
	}
	if rest := strings.TrimLeft(s[cut:], "、,。 "); hasLetter(rest) {
		return rest
	}
	return s
}

// quotePairs open and close what a message quotes: a text the writer received or read out
// (「至急折り返してください」ってSMSが来た), not the writer's own words.
var quotePairs = [][2]string{{"「", "」"}, {"『", "』"}, {"“", "”"}, {"\"", "\""}}

// unquoted returns s without the spans it quotes (an unclosed quote runs to the end).
func unquoted(s string) string {
	for _, q := range quotePairs {
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, q[0])
			if i < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:i])
			rest = rest[i+len(q[0]):]
			j := strings.Index(rest, q[1])
			if j < 0 {
				break
			}
			b.WriteString(" ")
			rest = rest[j+len(q[1]):]
		}
		s = b.String()
	}
	return s
}

// asksForPerson reports whether an utterance, read as whole, asks for a person in its own
// words: a request for a call-back inside a quoted message is what the writer was sent, not
// what they ask. (The text without its quotes is only matched against the word list.)
func (m *Matcher) asksForPerson(utterance string, whole reading) bool {
	if !whole.sig.Human {
		return false
	}
	u := unquoted(utterance)
	return u == utterance || m.lexicon["human"].has(m.an.Analyze(analysis.Normalize(strip(u))))
}
