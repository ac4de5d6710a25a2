package web

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/bot"
)

// part is a piece of a reply's text as the page shows it: text, or a phone number that never
// breaks across lines and, unless it is a fax number, is a tel: link.
type part struct {
	Text string `json:"text"`
	// Phone is true for a phone or fax number of the official content.
	Phone bool `json:"phone,omitempty"`
	// Tel is the number to dial (digits, and + for an international one); "" for a fax
	// number, which is not called.
	Tel string `json:"tel,omitempty"`
}

// faxWords, before a number on its line, make it a fax number.
var faxWords = []string{"fax", "ファクス", "ファックス", "ファクシミリ"}

// parts splits a reply of the bot into text and the official phone numbers in it (phones:
// bot.Reply.Phones), so that nothing a user typed, were it ever to appear in a reply, becomes
// a link. A number within a longer one is left as text.
func parts(text string, phones []string) []part {
	type at struct{ i, j int }
	var found []at
	for _, num := range phones {
		for off := 0; num != ""; {
			k := strings.Index(text[off:], num)
			if k < 0 {
				break
			}
			i := off + k
			found = append(found, at{i, i + len(num)})
			off = i + len(num)
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].i < found[b].i })
	var out []part
	last := 0
	for _, f := range found {
		if f.i < last {
			continue // overlaps the number before
		}
		num := text[f.i:f.j]
		before, _ := utf8.DecodeLastRuneInString(text[:f.i])
		after, _ := utf8.DecodeRuneInString(text[f.j:])
		if continues(before) || continues(after) {
			continue
		}
		if last < f.i {
			out = append(out, part{Text: text[last:f.i]})
		}
		ph := part{Text: num, Phone: true}
		if !isFax(text[last:f.i]) {
			ph.Tel = bot.Dial(num)
		}
		out = append(out, ph)
		last = f.j
	}
	if last < len(text) || len(out) == 0 {
		out = append(out, part{Text: text[last:]})
	}
	return out
}

// continues tells whether r next to a match makes it part of a longer number.
func continues(r rune) bool { return unicode.IsDigit(r) || r == '-' || r == '+' }

// isFax tells whether the text before a number, on its line and since the number before it,
// names it a fax number ("FAX:03-…").
func isFax(before string) bool {
	line := strings.ToLower(before[strings.LastIndexByte(before, '\n')+1:])
	for _, w := range faxWords {
		if strings.Contains(line, w) {
			return true
		}
	}
	return false
}
