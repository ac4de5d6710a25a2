// Package faq owns faqbot's content: the entry model, loading and validating content files, and
// the bleve index over them. Bleve types never leave this package.
//
// faq must not import nlu, bot, adapters or any chat SDK; text analysis lives in faq/analysis,
// which the matcher (nlu) also uses, so that index and query are analysed alike.
package faq

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"

	"github.com/faqbot/faqbot/faq/analysis"
)

// Lang is a content language: "ja" or "en".
type Lang string

// The languages faqbot answers in.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// Langs lists the supported languages, Japanese (the default) first.
var Langs = []Lang{Japanese, English}

// Text is one entry's content in one language.
type Text struct {
	Title     string   // the official question
	Label     string   // a short button label (≤ 20 characters)
	Answer    string   // the official answer, as shown to the user
	Questions []string // alternate ways of asking
	Keywords  []string // words that name this entry when it is offered as a choice
}

// Entry is one FAQ entry.
type Entry struct {
	ID      string
	Section string // where the official text comes from
	// Handoff entries are answered by sending the user to the customer desk.
	Handoff bool
	// HoldsForEveryone entries are answered even when the question is about the asker's own
	// data, because the official answer is the same for every customer.
	HoldsForEveryone bool
	Followups        []string // child entry ids offered as choices
	Parent           string   // set on children by Load
	// OutOfScope marks the index's pseudo-entry of questions the FAQ does not answer; it is
	// never in Content.Entries and never answered.
	OutOfScope bool
	Text       map[Lang]*Text
	File       string `json:"-"` // the content file it was loaded from (not part of Version)
}

// In returns the entry's text in lang, or in the first language it has.
func (e *Entry) In(lang Lang) (*Text, Lang) {
	if t := e.Text[lang]; t != nil {
		return t, lang
	}
	for _, l := range Langs {
		if t := e.Text[l]; t != nil {
			return t, l
		}
	}
	return &Text{}, lang
}

// Localized is a text in several languages.
type Localized map[Lang]string

// In returns the text in lang, falling back to Japanese, then to any language.
func (l Localized) In(lang Lang) string {
	if s, ok := l[lang]; ok && s != "" {
		return s
	}
	if s := l[Japanese]; s != "" {
		return s
	}
	for _, s := range l {
		return s
	}
	return ""
}

// Desk is the customer desk that identity-specific questions are sent to.
type Desk struct {
	Name  Localized
	Phone string
	Hours Localized // as printed, e.g. "9:00~17:00 土日祝除く"
	Open  string    // opening time, "09:00", Japan time
	Close string    // closing time, "17:00"
}

// Messages are the bot's own texts, per language.
type Messages struct {
	Handoff      Localized // identity-specific question: call the desk
	DeskOpen     Localized // appended when the desk is open now
	DeskClosed   Localized // appended when the desk is closed now
	Fallback     Localized // no answer found
	Suggestions  Localized // introduces suggested entries
	AskBack      Localized // introduces the choices of a parent entry
	PIIAdvice    Localized // the user sent personal data
	Greeting     Localized // a user added the bot or said hello
	NonText      Localized // stickers, images, locations
	Busy         Localized // too many requests in flight
	SlowDown     Localized // one user sends faster than the rate limit
	TooLong      Localized // a message longer than the bot reads; {max} is the limit
	HelpfulAsk   Localized // "was this helpful?"
	HelpfulThank Localized // after feedback
	Yes, No      Localized // button labels of the answers to HelpfulAsk
	CallDesk     Localized // button label that calls the desk; {desk} is its name
}

// Signals are the word lists of the hand-off classifier, per language.
type Signals struct {
	FirstPerson    map[Lang][]string // 私, 自分, my, …
	PersonalFields map[Lang][]string // 住所, 電話番号, address, …
	Which          map[Lang][]string // どの, 具体的に, which, …
	Human          map[Lang][]string // オペレーター, a person, …
	Greeting       map[Lang][]string // こんにちは, hello, …
	Leak           map[Lang][]string // 漏洩, 大丈夫, leak, affected, … (a question whether data leaked)
	HowTo          map[Lang][]string // 方法, どうすれば, how do i, … (a question how to do something)
}

// Matcher holds the thresholds and weights of the matcher, chosen on the development set.
type Matcher struct {
	// MinConfidence is the confidence below which no entry is answered.
	MinConfidence float64
	// SuggestConfidence is the confidence an entry needs to be suggested.
	SuggestConfidence float64
	// HandoffThreshold is the identity score at or above which a question is handed off.
	HandoffThreshold float64
	// EveryoneConfidence is the confidence at which an entry that holds for everyone is
	// answered despite identity signals.
	EveryoneConfidence float64
	// PhraseWeight is the weight g of phrase coverage in the similarity of a question and a
	// phrasing: query coverage^(1-g) × phrase coverage^g.
	PhraseWeight float64
	// HandoffPhraseWeight is PhraseWeight for hand-off entries.
	HandoffPhraseWeight float64
	// UnanchoredFactor multiplies the confidence of an entry when the question shares none of
	// the entry's anchor words (the words most of its phrasings use).
	UnanchoredFactor float64
	// TypeMismatch multiplies the confidence of an entry whose question type (how-to or not)
	// differs from the question's, when the question has a type.
	TypeMismatch float64
	// Weights of the identity score, by signal name.
	Weights map[string]float64
	// Boosts of the index fields, by field name.
	Boosts map[string]float64
}

// Content is a loaded, validated content tree. It is immutable once loaded and safe for
// concurrent use.
type Content struct {
	Languages []Lang // languages every entry must have
	Desk      Desk
	Messages  Messages
	Matcher   Matcher
	Signals   Signals
	Synonyms  analysis.Synonyms
	Entries   []*Entry // in file name order
	// OutOfScope are questions this FAQ does not answer, per language: a question closer to
	// one of them than to any entry is not answered.
	OutOfScope map[Lang][]string
	byID       map[string]*Entry
	// Source describes where the content came from ("embedded" or a directory).
	Source string
}

// Entry returns the entry with the given id, or nil.
func (c *Content) Entry(id string) *Entry { return c.byID[id] }

// Analyzer returns the text analyzer configured with the content's synonyms.
func (c *Content) Analyzer() *analysis.Analyzer { return analysis.New(c.Synonyms) }

//go:embed content/*.yaml content/entries/*.yaml
var embedded embed.FS

// Embedded returns the content shipped inside the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "content")
	if err != nil {
		panic(err) // the embedded tree always has the directory
	}
	return sub
}

// Version identifies c: a short hash of everything that shapes the bot's replies (entries,
// messages, desk, matcher settings, word lists, synonyms), not of where it was loaded from.
// Replicas serving the same content report the same Version.
func (c *Content) Version() string {
	b, err := json.Marshal(struct {
		L  []Lang
		D  Desk
		M  Messages
		X  Matcher
		S  Signals
		Y  analysis.Synonyms
		E  []*Entry
		OS map[Lang][]string
	}{c.Languages, c.Desk, c.Messages, c.Matcher, c.Signals, c.Synonyms, c.Entries, c.OutOfScope})
	if err != nil {
		panic("faq: content version: " + err.Error()) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
