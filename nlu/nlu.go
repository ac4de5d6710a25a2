// Package nlu owns understanding: it takes one user utterance and decides what faqbot does with
// it — answer an entry, ask back among an entry's follow-ups, hand off to the customer desk, or
// say it doesn't know — with the detected language, a confidence, and the kinds of personal data
// found in the text.
//
// nlu sits on top of the FAQ index (package faq) and its shared text analysis (faq/analysis).
// It must not import bot, adapters or any chat SDK.
package nlu

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/nlu/pii"
)

// Action is what the matcher decided to do.
type Action string

// The actions of a Decision.
const (
	Answer   Action = "answer"   // reply with Entry's answer
	AskBack  Action = "ask_back" // offer Choices, the follow-ups of Entry
	Handoff  Action = "handoff"  // send the user to the customer desk
	DontKnow Action = "dont_know"
)

// Decision is the matcher's verdict on one utterance.
type Decision struct {
	Action Action
	// Entry is the answered entry, the parent of an ask-back, or the hand-off entry that matched
	// (nil for identity hand-offs found by the classifier alone and for DontKnow).
	Entry       *faq.Entry
	Choices     []*faq.Entry // AskBack: the follow-ups to choose from
	Suggestions []*faq.Entry // DontKnow: up to 3 plausible entries
	Lang        faq.Lang
	// Confidence of the best entry, in [0, 1].
	Confidence float64
	// PII lists the kinds of personal data found in the utterance, sorted.
	PII []pii.Kind
	// Masked is the normalised utterance with personal data replaced by <kind>: the only form
	// of the user's text that may be logged.
	Masked string
	// Greeting is set when the utterance is a greeting or thanks and nothing else.
	Greeting bool
	// Signals are the hand-off classifier's inputs and score, for explanations.
	Signals Signals
	// Reason says in a few words why the action was chosen (no user text).
	Reason string
}

// Signals are the features of the identity (hand-off) classifier.
type Signals struct {
	FirstPerson   bool `json:"first_person"`
	PersonalField bool `json:"personal_field"`
	Which         bool `json:"which"`
	HowTo         bool `json:"howto"`
	LeakQuestion  bool `json:"leak_question"`
	Human         bool `json:"human"`
	PII           bool `json:"pii"`
	// HandoffEntry is the similarity of the best hand-off entry, when it ranks above every
	// other entry.
	HandoffEntry float64 `json:"handoff_entry"`
	Score        float64 `json:"score"`
}

// Matcher decides what to do with utterances, over one FAQ index. It is safe for concurrent use.
type Matcher struct {
	ix      *faq.Index
	an      *analysis.Analyzer
	pii     *pii.Detector
	cfg     faq.Matcher
	lexicon map[string]lexicon
	choices map[string]lexicon  // child entry id → keywords
	howto   map[*faq.Entry]bool // entries most of whose phrasings ask how to do something
}

// lexicon is a word list: non-ASCII terms (synonyms applied, in the script they are written
// in, so that どれ does not match the ドレ inside アドレス) match anywhere in the rewritten text,
// ASCII terms match whole words.
type lexicon struct {
	sub   []string
	words []string
}

// New returns a Matcher over ix, configured by the content's matcher settings and word lists.
func New(ix *faq.Index) *Matcher {
	c := ix.Content()
	m := &Matcher{ix: ix, an: ix.Analyzer(), cfg: c.Matcher, lexicon: map[string]lexicon{},
		choices: map[string]lexicon{}, howto: map[*faq.Entry]bool{}}
	m.pii = pii.New(publicNumbers(c)...)
	s := c.Signals
	for name, lists := range map[string]map[faq.Lang][]string{
		"first_person": s.FirstPerson, "personal_field": s.PersonalFields, "which": s.Which,
		"human": s.Human, "greeting": s.Greeting, "leak": s.Leak, "howto": s.HowTo,
	} {
		m.lexicon[name] = m.compile(lists)
	}
	for _, e := range c.Entries {
		m.howto[e] = m.asksHowTo(e)
	}
	for _, e := range c.Entries {
		if e.Parent == "" {
			continue
		}
		kw := map[faq.Lang][]string{}
		for lang, t := range e.Text {
			kw[lang] = t.Keywords
		}
		m.choices[e.ID] = m.compile(kw)
	}
	return m
}

// asksHowTo reports whether most of an entry's phrasings ask how to do something.
func (m *Matcher) asksHowTo(e *faq.Entry) bool {
	n, howto := 0, 0
	for _, t := range e.Text {
		for _, q := range append([]string{t.Title}, t.Questions...) {
			n++
			if m.lexicon["howto"].has(m.an.Rewrite(q), m.an.CanonicalEN(q)) {
				howto++
			}
		}
	}
	return n > 0 && 2*howto >= n
}

// publicNumbers are the organisation's own numbers found in the content (desk, press): typing
// them is not sending personal data.
func publicNumbers(c *faq.Content) []string {
	nums := []string{c.Desk.Phone}
	for _, e := range c.Entries {
		for _, t := range e.Text {
			for _, f := range strings.FieldsFunc(t.Answer, func(r rune) bool {
				return !(r >= '0' && r <= '9' || r == '-')
			}) {
				if strings.Count(f, "-") >= 2 && len(f) >= 10 {
					nums = append(nums, f)
				}
			}
		}
	}
	return nums
}

func (m *Matcher) compile(lists map[faq.Lang][]string) lexicon {
	var lx lexicon
	for _, terms := range lists {
		for _, t := range terms {
			ja := m.an.Rewrite(t)
			if !isASCII(ja) {
				lx.sub = append(lx.sub, ja) // as the question's Japanese form holds it
			}
			if isASCII(analysis.Normalize(t)) {
				if w := m.an.CanonicalEN(t); w != "" {
					lx.words = append(lx.words, w)
				}
			}
		}
	}
	return lx
}

// has reports whether the rewritten Japanese form ja or the canonical English form en of an
// utterance contains a term of lx.
func (lx lexicon) has(ja, en string) bool {
	for _, s := range lx.sub {
		if s != "" && strings.Contains(ja, s) {
			return true
		}
	}
	for _, w := range lx.words {
		if containsWord(en, w) {
			return true
		}
	}
	return false
}

// containsWord reports whether s contains w delimited by non-ASCII-alphanumerics.
func containsWord(s, w string) bool {
	if w == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '\''
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// DetectLang returns English when the utterance is mostly Latin letters, else Japanese.
func DetectLang(s string) faq.Lang {
	var latin, ja int
	for _, r := range s {
		switch {
		case r < 0x80 && unicode.IsLetter(r):
			latin++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han):
			ja++
		case r >= 0xFF21 && r <= 0xFF5A: // full-width Latin
			latin++
		}
	}
	if latin > 2*ja && latin >= 2 {
		return faq.English
	}
	return faq.Japanese
}

// Decide reads one utterance and decides what to do. It returns an error only when the index
// fails; "no answer" is a DontKnow decision.
func (m *Matcher) Decide(ctx context.Context, utterance string) (Decision, error) {
	norm := analysis.Normalize(utterance)
	matches := m.pii.Find(norm)
	d := Decision{
		Lang:   DetectLang(norm),
		PII:    pii.Kinds(matches),
		Masked: pii.Mask(norm, matches),
	}
	// Personal data takes no part in retrieval: blank it out.
	clean := blank(norm, matches)
	an := m.an.Analyze(clean)
	ja, en := an.JA, an.EN
	sig := Signals{
		FirstPerson:   m.lexicon["first_person"].has(ja, en),
		PersonalField: m.lexicon["personal_field"].has(ja, en),
		Which:         m.lexicon["which"].has(ja, en),
		LeakQuestion:  m.lexicon["leak"].has(ja, en),
		HowTo:         m.lexicon["howto"].has(ja, en),
		Human:         m.lexicon["human"].has(ja, en),
		PII:           len(matches) > 0,
	}
	hits, err := m.ix.Search(ctx, an.Terms, 8)
	if err != nil {
		return d, fmt.Errorf("nlu: decide: %w", err)
	}
	// The best hand-off entry is evidence for the identity classifier; the best other entry is
	// the answer candidate.
	var best, handoff, outside *faq.Hit
	for i := range hits {
		h := &hits[i]
		if h.Entry.OutOfScope {
			if outside == nil {
				outside = h
			}
			continue
		}
		if h.Entry.Handoff {
			if handoff == nil || h.Similarity > handoff.Similarity {
				handoff = h
			}
		} else if best == nil || h.Similarity*m.factor(h, sig) > best.Similarity*m.factor(best, sig) {
			best = h
		}
	}
	if handoff != nil && best != nil && handoff.Similarity < best.Similarity*m.factor(best, sig) {
		handoff = nil // a hand-off entry counts only when it beats the best answer
	}
	if handoff != nil {
		sig.HandoffEntry = handoff.Similarity
		if sig.HowTo && !m.howto[handoff.Entry] {
			sig.HandoffEntry *= m.cfg.TypeMismatch // "how do I …?" is not "was my … leaked?"
		}
	}
	sig.Score = m.identityScore(sig)
	d.Signals = sig
	if best != nil {
		d.Confidence = best.Similarity * m.factor(best, sig)
	}
	// An out-of-scope example wins over the best entry when closer; a question whether
	// something leaked is less likely to be out of scope (it is what this FAQ is about).
	if outside != nil && sig.LeakQuestion {
		outside.Similarity *= m.cfg.TypeMismatch
	}
	confident := best != nil && d.Confidence >= m.cfg.MinConfidence &&
		(outside == nil || outside.Similarity < d.Confidence)

	switch {
	case sig.Human:
		d.Action, d.Reason = Handoff, "asked for a person"
		return d, nil
	case sig.Score >= m.cfg.HandoffThreshold && !(confident && handoff == nil && best.Anchored &&
		best.Entry.HoldsForEveryone && d.Confidence >= m.cfg.EveryoneConfidence &&
		best.Reverse >= m.cfg.EveryoneConfidence):
		// An entry that holds for everyone wins over identity signals only when the question
		// uses its own words, says most of what its phrasing says, and no hand-off entry
		// matches better.
		d.Action, d.Reason = Handoff, "identity-specific question"
		if handoff != nil {
			d.Entry = handoff.Entry
			d.Confidence = max(d.Confidence, handoff.Similarity)
		}
		return d, nil
	case !confident:
		d.Action, d.Reason = DontKnow, "no entry is close enough"
		d.Greeting = m.lexicon["greeting"].has(ja, en) && len(m.an.Field(analysis.JA, clean)) <= 2
		for _, h := range hits {
			if !h.Entry.OutOfScope && h.Similarity >= m.cfg.SuggestConfidence && len(d.Suggestions) < 3 {
				d.Suggestions = append(d.Suggestions, m.root(h.Entry))
			}
		}
		d.Suggestions = uniqueEntries(d.Suggestions)
		if d.Greeting {
			d.Suggestions = nil
		}
		return d, nil
	}
	m.choose(&d, best.Entry, ja, en)
	return d, nil
}

// factor is the confidence factor of a hit: the content's UnanchoredFactor when the question
// shares none of the entry's anchor words, times TypeMismatch when the question asks how to do
// something and the entry does not, or asks whether something leaked and the entry is a how-to.
func (m *Matcher) factor(h *faq.Hit, sig Signals) float64 {
	f := 1.0
	if !h.Anchored {
		f *= m.cfg.UnanchoredFactor
	}
	howto := m.howto[h.Entry]
	if sig.HowTo && !howto || !sig.HowTo && sig.LeakQuestion && howto {
		f *= m.cfg.TypeMismatch
	}
	return f
}

// choose answers e, or the child of e (or of e's parent) that the utterance names, or asks back
// among the children when none or several are named.
func (m *Matcher) choose(d *Decision, e *faq.Entry, ja, en string) {
	parent := e
	if e.Parent != "" {
		parent = m.ix.Content().Entry(e.Parent)
	}
	if len(parent.Followups) == 0 {
		d.Action, d.Entry, d.Reason = Answer, e, "best entry"
		return
	}
	var named []*faq.Entry
	for _, id := range parent.Followups {
		if m.choices[id].has(ja, en) {
			named = append(named, m.ix.Content().Entry(id))
		}
	}
	if len(named) == 1 {
		d.Action, d.Entry, d.Reason = Answer, named[0], "the question names this choice"
		return
	}
	d.Action, d.Entry, d.Reason = AskBack, parent, "the question does not say which"
	for _, id := range parent.Followups {
		d.Choices = append(d.Choices, m.ix.Content().Entry(id))
	}
}

// Choose resolves a reply to an ask-back: the child of parent that the utterance names, or nil.
func (m *Matcher) Choose(parent *faq.Entry, utterance string) *faq.Entry {
	clean := analysis.Normalize(utterance)
	ja, en := m.an.Rewrite(clean), m.an.CanonicalEN(clean)
	var named *faq.Entry
	for _, id := range parent.Followups {
		if m.choices[id].has(ja, en) {
			if named != nil {
				return nil
			}
			named = m.ix.Content().Entry(id)
		}
	}
	return named
}

func (m *Matcher) root(e *faq.Entry) *faq.Entry {
	if e.Parent != "" {
		if p := m.ix.Content().Entry(e.Parent); p != nil {
			return p
		}
	}
	return e
}

func uniqueEntries(es []*faq.Entry) []*faq.Entry {
	seen := map[*faq.Entry]bool{}
	out := es[:0]
	for _, e := range es {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// identityScore is the linear score of the hand-off classifier.
func (m *Matcher) identityScore(s Signals) float64 {
	w := m.cfg.Weights
	score := 0.0
	add := func(on bool, name string) {
		if on {
			score += w[name]
		}
	}
	add(s.FirstPerson, "first_person")
	add(s.PersonalField, "personal_field")
	add(s.FirstPerson && s.PersonalField, "first_person_field")
	add(s.Which && s.PersonalField, "which_field")
	add(s.PII, "pii")
	add(s.PII && s.LeakQuestion, "pii_question")
	// A hand-off entry is evidence only for a question about someone in particular: "were
	// addresses leaked?" matches "which of my addresses leaked?" but asks about everyone.
	if s.FirstPerson || s.Which || s.PII {
		score += w["handoff_entry"] * s.HandoffEntry
	}
	return score
}

// blank replaces each match with a space.
func blank(s string, ms []pii.Match) string {
	return pii.Replace(s, ms, func(pii.Kind) string { return " " })
}

// WithConfig returns a Matcher over the same index with other thresholds and weights (word
// lists stay those of the content). It is how thresholds are swept on a development set.
func (m *Matcher) WithConfig(cfg faq.Matcher) *Matcher {
	c := *m
	c.cfg = cfg
	return &c
}
