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
	// Closures are the days the company closes besides weekends and public holidays.
	Closures []Closure
}

// Closure is a span of days the desk is closed, both ends included: "MM-DD" every year (a span
// may run into the next year: 12-31 to 01-03), or "YYYY-MM-DD" once.
type Closure struct {
	Name     Localized // what the closure is called (年末年始休業), shown with the next opening
	From, To string    // To is From when the closure is one day
}

// Brand is how the company presents the chat to its customers: its name, its colour and a
// notice that the answers are automated and come from the official Q&A. The zero Brand (a
// faqbot.yaml without a brand section) is valid: pages then show neutral defaults.
type Brand struct {
	Name  Localized // the company's name, as customers know it
	Color string    // the brand colour, "#rrggbb" (lower case; "#abc" in the file is expanded)
	// Notice says that the answers are automated and come from the official Q&A.
	Notice Localized
	// NoticeURL is the official notice page, an absolute http(s) address; "" when none.
	NoticeURL string
}

// Messages are the bot's own texts, per language.
type Messages struct {
	Handoff     Localized // identity-specific question: call the desk
	DeskOpen    Localized // appended when the desk is open now
	DeskClosed  Localized // appended when the desk is closed now
	Fallback    Localized // no answer found
	Suggestions Localized // introduces suggested entries
	Clarify     Localized // the question names no topic: what would you like to know?
	AskBack     Localized // introduces the choices of a parent entry
	PIIAdvice   Localized // the user sent personal data
	Greeting    Localized // a user added the bot or said hello
	Join        Localized // the bot was added to a group or a room: how to ask there
	NonText     Localized // a message that is not text; {media} names what it held
	// MediaNames name what a message that is not text held, by kind: image, video, audio,
	// file, location, sticker.
	MediaNames   map[string]Localized
	Busy         Localized // too many requests in flight
	SlowDown     Localized // one user sends faster than the rate limit
	TooLong      Localized // a message longer than the bot reads; {max} is the limit
	HelpfulAsk   Localized // "was this helpful?"
	HelpfulThank Localized // after feedback
	Yes, No      Localized // button labels of the answers to HelpfulAsk
	CallDesk     Localized // button label that calls the desk; {desk} is its name
	// What Slack shows besides the content's answers: the first answer to a question asked
	// with the slash command, the usage, the heading of the topics, the label of an answer's
	// source, and the button that shows a reply in the other language.
	LookingUp, Usage, Topics, Source, SwitchLang Localized
	// What editors see of a reindex asked for in chat.
	ReindexNotEditor, ReindexOff, Reindexing, ReindexBusy, Reindexed, ReindexFailed Localized
	// Web are the texts of the web chat page, by name (WebTexts; "web_<name>" in faqbot.yaml):
	// its title and controls, its notices, and the labels of the decision panel.
	Web map[string]Localized
}

// Signals are the word lists of the matcher's signals, per language: the features the
// hand-off classifier learns from, and the question types.
type Signals struct {
	FirstPerson map[Lang][]string // 私, うち, おら, my, … (the asker themself)
	Proxy       map[Lang][]string // 母, 家族, my mother, this customer, … (someone in particular)
	// Relay names a customer staff speak of (お客様, cx, customer, …); in a message that relays a
	// customer, a third-person word (ThirdPerson: 先方, their, her, …) is that customer: someone
	// in particular.
	Relay, ThirdPerson map[Lang][]string
	PersonalFields     map[Lang][]string // 住所, 電話番号, address, … (a field whose leak depends on the person)
	Which              map[Lang][]string // どの, 具体的に, which, …
	Human              map[Lang][]string // オペレーター, a person, …
	Greeting           map[Lang][]string // こんにちは, hello, …
	Leak               map[Lang][]string // 漏洩, 大丈夫, leak, affected, … (a question whether data leaked)
	HowTo              map[Lang][]string // 方法, どうすれば, how do i, … (a question how to do something)
	Request            map[Lang][]string // たい, want to, menu, … (asking to do something: a how-to entry answers it)
	Vague              map[Lang][]string // 質問, 不安, help, wording, … (words that name no topic)
	Elsewhere          map[Lang][]string // 他社, another company, … (an organisation other than this one)
	Yes                map[Lang][]string // はい, 助かった, yes, … (the whole reply to "was this helpful?")
	No                 map[Lang][]string // いいえ, 役に立たなかった, no, …
}

// Matcher holds every tunable of the matcher and of the index's search (matcher.yaml), chosen
// on the development set.
type Matcher struct {
	// MinConfidence is the confidence below which no entry is answered.
	MinConfidence float64
	// SuggestConfidence is the confidence an entry needs to be suggested: between it and
	// MinConfidence the bot asks which topic is meant.
	SuggestConfidence float64
	// VagueConfidence is the confidence a question that names no topic of its own (only
	// "leaked?", "is it OK?") needs to be answered; below it the bot asks what is meant.
	VagueConfidence float64
	// HandoffThreshold is the probability of the hand-off classifier at or above which a
	// question is handed off.
	HandoffThreshold float64
	// PhraseWeight is the weight g of phrase coverage in the similarity of a question and a
	// phrasing: query coverage^(1-g) × phrase coverage^g.
	PhraseWeight float64
	// HandoffPhraseWeight is PhraseWeight for hand-off entries, OutsidePhraseWeight for the
	// out-of-scope examples.
	HandoffPhraseWeight float64
	OutsidePhraseWeight float64
	// UnanchoredFactor multiplies the similarity of an entry when the question shares none of
	// the entry's anchor words (the words most of its phrasings use).
	UnanchoredFactor float64
	// TypeMismatch multiplies the confidence of an entry whose question type (how-to or not)
	// differs from the question's, when the question has a type.
	TypeMismatch float64
	// UntypedFactor multiplies the confidence of an entry that asks whether something leaked,
	// for a question that asks neither that nor how to do something.
	UntypedFactor float64
	// OutsideHandoff is the confidence of the out-of-scope examples at or above which, when
	// they are closer to a question than every entry, the hand-off classifier's verdict is
	// overruled: a request the FAQ does not cover ("I want compensation", "update my e-mail
	// address") gets the fallback even when it speaks of the asker.
	OutsideHandoff float64
	// UntypedHowToFactor multiplies the confidence of a how-to entry for a question that asks
	// neither how to do something nor whether something leaked.
	UntypedHowToFactor float64
	// ElsewhereFactor multiplies the confidence of every entry for a question about another
	// organisation or service (one the content never names, or "another company").
	ElsewhereFactor float64
	Rank            RankWeights
	Retrieval       Retrieval
	Learning        Learning
	Vectors         Vectors
	// Boosts of the index fields, by field name.
	Boosts map[string]float64
}

// RankWeights order the hits of a search (retrieval on large FAQs): similarity, plus these
// weights times the entry coverage and the BM25 scores of phrases and answer relative to the
// best hit.
type RankWeights struct {
	BM25, Answer, Entry float64
	// Vector weighs the cosine of the question's and the entry's vectors (see Vectors).
	Vector float64
}

// Vectors are the settings of the word vectors the index learns from the FAQ's own text (a
// subword skip-gram, see faq/embed) when it has at least MinEntries entries.
type Vectors struct {
	MinEntries int
	// Dim, Window, Negative, Epochs and Seed train the skip-gram.
	Dim, Window, Negative, Epochs int
	Seed                          int64
	// Candidates is the number of entries nearest the question by their vectors that a search
	// adds to those its words found.
	Candidates int
	// MinCount leaves out of the vocabulary the words seen fewer times (their vectors come
	// from their character n-grams); Sample is the subsampling threshold of frequent words
	// (word2vec's t: a word of frequency f is kept with probability (√(f/t)+1)·t/f).
	MinCount int
	Sample   float64
	// SIF is the a of the SIF weight a/(a+p(w)) of a word of frequency p(w) in a text's vector.
	SIF float64
}

// Retrieval are the settings of the index's search.
type Retrieval struct {
	// MaxDF is the share of phrases above which a term is too common to select anything: it is
	// left out of queries (it still counts in coverage).
	MaxDF float64
	// MaxClauses and MaxAnswerClauses are the numbers of terms per field a query searches the
	// phrases and the answers for (the rarest).
	MaxClauses, MaxAnswerClauses int
	// AnswerBoost scales the answer clauses against the phrase clauses.
	AnswerBoost float64
	// K1 is BM25's term-frequency saturation; B and AnswerB its length normalisation of
	// phrasings and of answers (each against the average length of its own kind).
	K1, B, AnswerB float64
	// MinCandidates is the number of documents a search of a FAQ of as many entries or more
	// fetches to rank.
	MinCandidates int
	// AnchorShare: a term is an anchor of an entry when at least this share of its phrasings
	// in a language use it (and no other entry uses it in more than 1/AnchorShare as many).
	AnchorShare float64
	// ExpansionWeight scales the clauses and the coverage a query's expansion (a word of
	// Content.Expansions that the FAQ's text supports, see ExpansionCosine) adds, against the
	// word the user wrote; 0 expands nothing.
	ExpansionWeight float64
	// ExpansionCosine is the least cosine of the learnt vectors of a word and its expansion:
	// below it the FAQ's text does not support the pair and it is not used.
	ExpansionCosine float64
}

// Learning are the settings of the models the matcher trains when the index is built.
type Learning struct {
	// IntentWeight is the weight of the intent model's probability in an entry's confidence;
	// the retrieval similarity has 1 - IntentWeight.
	IntentWeight float64
	// Epochs, Rate and L2 train the intent model (multinomial logistic regression by SGD).
	Epochs int
	Rate   float64
	L2     float64
	// Folds is the number of cross-validation folds whose held-out intent probabilities train
	// the hand-off classifier.
	Folds int
	// HandoffEpochs, HandoffRate and HandoffL2 train the hand-off classifier (logistic
	// regression by full-batch gradient descent).
	HandoffEpochs int
	HandoffRate   float64
	HandoffL2     float64
	// MaxIntents is the largest number of entries the intent model is trained for; a larger
	// FAQ is matched by retrieval alone (its confidence is the retrieval similarity).
	MaxIntents int
}

// Content is a loaded, validated content tree. It is immutable once loaded and safe for
// concurrent use.
type Content struct {
	Languages []Lang // languages every entry must have
	Desk      Desk
	Brand     Brand
	Messages  Messages
	Matcher   Matcher
	Signals   Signals
	Synonyms  analysis.Synonyms
	// Colloquial are the dialect and colloquial forms rewritten before analysis (normalize.yaml).
	Colloquial []analysis.Rewrite
	// Expansions are the candidate query expansions of ExpansionsFile (none without it).
	Expansions []ExpansionGroup
	Entries    []*Entry // in file name order
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
func (c *Content) Analyzer() *analysis.Analyzer {
	return analysis.New(c.Synonyms, c.Colloquial...)
}

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
		C  []analysis.Rewrite
		E  []*Entry
		OS map[Lang][]string
	}{c.Languages, c.Desk, c.Messages, c.Matcher, c.Signals, c.Synonyms, c.Colloquial, c.Entries, c.OutOfScope})
	if err != nil {
		panic("faq: content version: " + err.Error()) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
