package nlu

import "strings"

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
