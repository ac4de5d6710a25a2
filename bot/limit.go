package bot

import (
	"strconv"
	"strings"

	"github.com/faqbot/faqbot/nlu"
)

// MaxText is the most characters (runes) of a message that the bot reads. A longer message is
// answered with the content's TooLong message and nothing of it is decided on: the analysis,
// the personal-data scan and the search all stay bounded, whatever a platform delivers (a LINE
// text can hold 5,000 characters, a Slack message 40,000, a web request 64 KiB).
const MaxText = 2000

// TooLong reports whether text is longer than MaxText characters and, if so, returns the
// polite reply to it, in the language of its first MaxText characters. The reply's decision
// is DontKnow with reason "too_long" and carries no text of the message (Masked is empty), so
// that nothing of it is recorded. It reads at most MaxText+1 characters of text.
func (b *Bot) TooLong(text string) (Reply, bool) { return b.tooLong(b.engine.Load(), text) }

// tooLong is TooLong on e.
func (b *Bot) tooLong(e *Engine, text string) (Reply, bool) {
	if len(text) <= MaxText { // bytes: never fewer than characters
		return Reply{}, false
	}
	n, cut := 0, len(text)
	for i := range text {
		if n == MaxText {
			cut = i
			break
		}
		n++
	}
	if cut == len(text) {
		return Reply{}, false
	}
	lang := nlu.DetectLang(text[:cut])
	msg := e.Content.Messages.TooLong.In(lang)
	msg = strings.ReplaceAll(msg, "{max}", formatCount(MaxText))
	r := Reply{
		Text: msg, Body: msg, Lang: lang,
		Decision: nlu.Decision{Action: nlu.DontKnow, Lang: lang, Reason: "too_long"},
	}
	b.finish(e, &r)
	return r, true
}

// formatCount writes n with thousands separators.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
