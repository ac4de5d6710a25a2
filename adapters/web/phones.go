package web

import (
	"regexp"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq"
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

// phoneNumber matches the way Japanese phone numbers are written in the content: 0120-455-512,
// 03-3470-5050, +81-3-3470-5050. Digits around a match (part of a longer number) are checked
// apart: RE2 has no look-behind.
var phoneNumber = regexp.MustCompile(`(?:\+81-|0)\d{1,4}-\d{1,4}-\d{3,4}`)

// faxWords, before a number on its line, make it a fax number.
var faxWords = []string{"fax", "ファクス", "ファックス", "ファクシミリ"}

// officialPhones are the phone numbers written in a content: the desk's and those in the
// answers and in the bot's messages. Only these are shown as numbers to call, so that nothing
// a user typed, were it ever to appear in a reply, becomes a link.
type officialPhones struct {
	content *faq.Content
	numbers map[string]bool
}

func newOfficialPhones(c *faq.Content) *officialPhones {
	p := &officialPhones{content: c, numbers: map[string]bool{}}
	add := func(text string) {
		for _, m := range phoneNumber.FindAllString(text, -1) {
			p.numbers[m] = true
		}
	}
	add(c.Desk.Phone)
	for _, e := range c.Entries {
		for _, t := range e.Text {
			add(t.Answer)
		}
	}
	m := c.Messages
	for _, l := range []faq.Localized{m.Handoff, m.DeskOpen, m.DeskClosed, m.Fallback, m.Clarify, m.AskBack, m.Greeting, m.PIIAdvice} {
		for _, s := range l {
			add(s)
		}
	}
	return p
}

// phoneCache keeps the official numbers of the content being served, found again only when
// the content changes (a reindex swaps it).
type phoneCache struct {
	p atomic.Pointer[officialPhones]
}

func (pc *phoneCache) of(c *faq.Content) *officialPhones {
	if p := pc.p.Load(); p != nil && p.content == c {
		return p
	}
	p := newOfficialPhones(c)
	pc.p.Store(p)
	return p
}

// parts splits a reply of the bot into text and the official phone numbers in it.
func (p *officialPhones) parts(text string) []part {
	var out []part
	last := 0
	for _, loc := range phoneNumber.FindAllStringIndex(text, -1) {
		i, j := loc[0], loc[1]
		num := text[i:j]
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[j:])
		if !p.numbers[num] || continues(before) || continues(after) {
			continue
		}
		if last < i {
			out = append(out, part{Text: text[last:i]})
		}
		ph := part{Text: num, Phone: true}
		if !isFax(text[last:i]) {
			ph.Tel = digits(num)
		}
		out = append(out, ph)
		last = j
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
