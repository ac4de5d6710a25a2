package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/nlu"
)

// A brief message — a few words that ask nothing ("test message", "テストメッセージ", "good
// morning") — names too little to be answered by an entry it resembles only in part. Unless an
// entry matches it as surely as the matcher asks of a message that names no topic of its own
// (faq.Matcher.VagueConfidence), such a message gets no entry: one holding a greeting word of
// the content is greeted, one the matcher would have answered is asked what the user wants to
// know (Clarify, with the topics). One the matcher found no entry for is asked the same when
// it is bare — it names at most something and says nothing of it (analysis.Bare: "test",
// "message", "メッセージ") — and otherwise keeps its fallback and the desk to call: a brief
// request the FAQ does not cover ("パスワードを忘れた") is neither a greeting nor too little
// to go on. An ask-back, a hand-off, personal data and a second question are left as decided.
func (e *Engine) brief(text string, d nlu.Decision) nlu.Decision {
	switch {
	case d.Action != nlu.Answer && d.Action != nlu.DontKnow, d.Vague, d.Greeting, len(d.PII) > 0, d.Also != nil:
		return d
	case d.Confidence >= e.Content.Matcher.VagueConfidence, !isBrief(text), e.asks(text, d.Masked):
		return d
	}
	out := nlu.Decision{Action: nlu.DontKnow, Vague: true, Lang: d.Lang, Confidence: d.Confidence, Masked: d.Masked,
		Signals: d.Signals, Reason: "a brief message that asks nothing"}
	switch {
	case e.greets(text, d.Masked):
		out.Greeting, out.Reason = true, "a brief greeting"
	case d.Action == nlu.DontKnow && !analysis.Bare(text):
		return d
	}
	return out
}

// greets reports whether a message holds one of the content's greeting words.
func (e *Engine) greets(text, masked string) bool {
	return containsAny([]string{strings.ToLower(text), strings.ToLower(masked)}, e.words().greeting)
}

// signalWord is a signal word in lower case; an ASCII one matches whole words only.
type signalWord struct {
	w     string
	ascii bool
}

// signalWords are the content's signal words that brief messages are read for.
type signalWords struct {
	greeting []signalWord // greetings
	asking   []signalWord // what names a question: leak, how to, which, a person
}

// words returns the engine's signal words, prepared once.
func (e *Engine) words() *signalWords {
	e.wordsOnce.Do(func() {
		sig := e.Content.Signals
		e.signal = &signalWords{greeting: lowerWords(sig.Greeting), asking: lowerWords(sig.Leak, sig.HowTo, sig.Which, sig.Human)}
	})
	return e.signal
}

// lowerWords are the words of the lists, every language, in lower case; empty ones left out.
func lowerWords(lists ...map[Lang][]string) []signalWord {
	var out []signalWord
	for _, byLang := range lists {
		for _, ws := range byLang {
			for _, w := range ws {
				if w = strings.ToLower(w); w != "" {
					out = append(out, signalWord{w: w, ascii: analysis.IsASCII(w)})
				}
			}
		}
	}
	return out
}

// containsAny reports whether one of texts holds one of the words: an English word or phrase
// as whole words ("hi" is not in "this"), a Japanese one anywhere.
func containsAny(texts []string, words []signalWord) bool {
	for _, s := range texts {
		spaced := " " + strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ") + " "
		for _, w := range words {
			switch {
			case w.ascii && strings.Contains(spaced, " "+w.w+" "):
				return true
			case !w.ascii && strings.Contains(s, w.w):
				return true
			}
		}
	}
	return false
}

// briefWords and briefRunes bound a brief message: at most three words, and at most ten
// characters of unspaced (Japanese) text.
const (
	briefWords = 3
	briefRunes = 10
)

// isBrief reports a message of at most briefWords words, none of them a run of more than
// briefRunes characters.
func isBrief(text string) bool {
	f := strings.Fields(text)
	if len(f) == 0 || len(f) > briefWords {
		return false
	}
	for _, w := range f {
		if utf8.RuneCountInString(w) > briefRunes {
			return false
		}
	}
	return true
}

// questionWords open an English question; questionJA ask in Japanese wherever they stand, and
// askingEnds end a Japanese question or request.
var (
	questionWords = map[string]bool{"what": true, "how": true, "why": true, "when": true, "where": true, "which": true,
		"who": true, "whose": true, "is": true, "are": true, "was": true, "were": true, "do": true, "does": true,
		"did": true, "can": true, "could": true, "should": true, "will": true, "would": true, "may": true, "am": true}
	questionJA = []string{"なに", "何", "なん", "いつ", "どこ", "どう", "なぜ", "だれ", "誰", "いくら", "いくつ", "どれ", "どの", "かた", "方"}
	askingEnds = []string{"か", "かな", "の", "て", "たい", "ない", "ください", "ほしい"}
)

// asks reports whether a message is phrased as a question or a request, or names what it asks
// with the content's own signal words (whether something leaked, how to, which, a person): a
// question mark, a question word, a Japanese ending that asks. masked is the message as the
// matcher normalised it.
func (e *Engine) asks(text, masked string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if strings.ContainsAny(t, "?？") {
		return true
	}
	for _, w := range strings.Fields(t) {
		if questionWords[strings.TrimFunc(w, unicode.IsPunct)] {
			return true
		}
	}
	for _, s := range []string{t, strings.ToLower(masked)} {
		for _, w := range questionJA {
			if strings.Contains(s, w) {
				return true
			}
		}
	}
	if containsAny([]string{t, strings.ToLower(masked)}, e.words().asking) {
		return true
	}
	t = strings.TrimRightFunc(t, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	for _, end := range askingEnds {
		if strings.HasSuffix(t, end) {
			return true
		}
	}
	return false
}
