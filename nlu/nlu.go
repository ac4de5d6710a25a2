// Package nlu owns understanding: it takes one user utterance and decides what faqbot does with
// it — answer an entry, ask back among an entry's follow-ups, hand off to the customer desk, or
// say it doesn't know — with the detected language, a confidence, and the kinds of personal data
// found in the text.
//
// nlu sits on top of the FAQ index (package faq) and its shared text analysis (faq/analysis).
// It must not import bot, adapters or any chat SDK.
package nlu

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/faq/analysis/ipadict"
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
	Entry *faq.Entry
	// Also is the entry of a second question in the same message (nil when there is none): the
	// reply answers Entry and offers Also (a hand-off always comes first).
	Also        *faq.Entry
	Choices     []*faq.Entry // AskBack: the follow-ups to choose from
	Suggestions []*faq.Entry // DontKnow: up to 3 plausible entries, as topics to choose from
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
	// Vague is set on a DontKnow when the utterance names no topic at all ("すみません",
	// "大丈夫？"): the bot asks what the user wants to know and offers the FAQ's topics.
	Vague bool
	// Signals are the hand-off classifier's inputs and its probability, for explanations.
	Signals Signals
	// Reason says in a few words why the action was chosen (no user text).
	Reason string
}

// Signals are the features of the identity (hand-off) classifier.
type Signals struct {
	FirstPerson   bool `json:"first_person"`
	Proxy         bool `json:"proxy"`
	PersonalField bool `json:"personal_field"`
	// OwnedField is set when the field is someone's in so many words: "私の住所", "her phone".
	OwnedField bool `json:"owned_field"`
	Which      bool `json:"which"`
	HowTo      bool `json:"howto"`
	// Request is set when the question asks to do something without asking how ("変えたい"):
	// not a feature of the classifier, only of the question's type.
	Request      bool `json:"request"`
	LeakQuestion bool `json:"leak_question"`
	Human        bool `json:"human"`
	PII          bool `json:"pii"` // personal data of the asker pasted (My Numbers excepted)
	// StorySubject is set when the question itself names no one but the rest of a longer
	// message is about the asker or someone in particular.
	StorySubject bool `json:"story_subject"`
	// Score is the classifier's probability that the question is about someone in particular.
	Score float64 `json:"score"`
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
	leaky   map[*faq.Entry]bool // entries most of whose phrasings ask whether something leaked
	intent  *intentModel        // nil for a FAQ too large to train one
	// famRoots are the entry families of the intent model's classes (their roots), in the
	// order of their first class; famOf is each root's place there, classFam each class's.
	famRoots []*faq.Entry
	famOf    map[*faq.Entry]int
	classFam []int
	handoff  handoffModel
	yes, no  map[string]bool // canonical forms of the replies to "was this helpful?"
	own      map[string]bool // the words of the entries' phrasings (ownWords)
	owners   owners          // someone's personal-data fields (ownedField)
}

// lexicon is a word list. A Japanese term that is one short word (one or two characters) matches
// a whole word of the question (so that わし does not match inside くわしく); a longer one matches anywhere in the rewritten
// text, in the script it is written in (so that どれ does not match the ドレ inside アドレス);
// ASCII terms match whole English words.
type lexicon struct {
	words map[string]bool // one-word Japanese terms, as analysis folds tokens
	sub   []string
	en    []string
	kana  []string // readings of the Japanese terms, for questions written in kana only
}

// New returns a Matcher over ix, configured by the content's matcher settings and word lists, with
// its intent model and hand-off classifier trained on the content.
func New(ix *faq.Index) *Matcher { return NewWithConfig(ix, ix.Content().Matcher) }

// NewWithConfig is New with other settings than the content's (its models are trained with
// cfg.Learning): how the learning settings are swept on a development set.
func NewWithConfig(ix *faq.Index, cfg faq.Matcher) *Matcher {
	c := ix.Content()
	m := &Matcher{ix: ix, an: ix.Analyzer(), cfg: cfg, lexicon: map[string]lexicon{},
		choices: map[string]lexicon{}, howto: map[*faq.Entry]bool{}, leaky: map[*faq.Entry]bool{}}
	m.pii = pii.New(publicNumbers(c)...)
	s := c.Signals
	for name, lists := range map[string]map[faq.Lang][]string{
		"first_person": s.FirstPerson, "proxy": s.Proxy, "relay": s.Relay, "third_person": s.ThirdPerson, "personal_field": s.PersonalFields, "which": s.Which,
		"human": s.Human, "greeting": s.Greeting, "leak": s.Leak, "howto": s.HowTo, "request": s.Request, "vague": s.Vague,
		"elsewhere": s.Elsewhere,
	} {
		m.lexicon[name] = m.compile(lists)
	}
	m.findTypes()
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
	m.yes, m.no = replies(m.an, s.Yes), replies(m.an, s.No)
	m.own = m.ownWords()
	m.owners = m.compileOwners(s)
	m.models(c, cfg)
	m.families()
	return m
}

// families numbers the entry families of the intent model's classes.
func (m *Matcher) families() {
	if m.intent == nil {
		return
	}
	m.famOf = map[*faq.Entry]int{}
	for _, e := range m.intent.classes {
		root := m.root(e)
		j, ok := m.famOf[root]
		if !ok {
			j = len(m.famRoots)
			m.famOf[root] = j
			m.famRoots = append(m.famRoots, root)
		}
		m.classFam = append(m.classFam, j)
	}
}

// replies returns the canonical forms of whole replies.
func replies(an *analysis.Analyzer, lists map[faq.Lang][]string) map[string]bool {
	out := map[string]bool{}
	for _, terms := range lists {
		for _, t := range terms {
			out[replyKey(an, t)] = true
		}
	}
	return out
}

// replyKey is the canonical form of a short reply: rewritten, folded, without punctuation,
// spaces and a trailing polite です/ね/よ.
func replyKey(an *analysis.Analyzer, s string) string {
	k := analysis.Fold(an.Rewrite(strip(s)))
	k = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, k)
	for _, suffix := range []string{"デス", "ネ", "ヨ"} {
		if t := strings.TrimSuffix(k, suffix); t != "" {
			k = t
		}
	}
	return k
}

// Feedback reads a message sent right after "was this helpful?": ok is true when the whole
// message is a yes (helpful) or a no, as the content's yes and no lists say.
//
// A reply of several parts ("いいえ、役に立ちませんでした", "yes, thanks") counts when every part is
// a yes, or every part a no.
func (m *Matcher) Feedback(utterance string) (helpful, ok bool) {
	parts := strings.FieldsFunc(analysis.Normalize(utterance), func(r rune) bool {
		return unicode.IsPunct(r)
	})
	if len(parts) > 3 {
		return false, false
	}
	yes, no := 0, 0
	for _, p := range parts {
		switch k := replyKey(m.an, p); {
		case k == "":
		case m.yes[k]:
			yes++
		case m.no[k]:
			no++
		default:
			return false, false
		}
	}
	switch {
	case yes > 0 && no == 0:
		return true, true
	case no > 0 && yes == 0:
		return false, true
	}
	return false, false
}

// learn trains the intent model on every phrase, and the hand-off classifier on the same
// phrases with the intent probabilities of cross-validation.
//
// A FAQ of more than MaxIntents entries gets no intent model (retrieval alone matches it), and
// its classifier, if it has hand-off entries, learns from the word signals alone.
func (m *Matcher) learn(c *faq.Content, cfg faq.Learning) {
	small := len(c.Entries) <= cfg.MaxIntents
	if !small && !slices.ContainsFunc(c.Entries, func(e *faq.Entry) bool { return e.Handoff }) {
		m.handoff = trainHandoff(nil, nil, cfg)
		return
	}
	d := intentTraining(m.ix.PhraseList())
	cv := make([][]float64, len(d.examples))
	if small {
		var wg sync.WaitGroup
		wg.Go(func() { m.intent = train(d.classes, d.vocab, d.examples, cfg) })
		wg.Go(func() { cv = crossValidated(d, cfg) })
		wg.Wait()
	}
	var xs [][]float64
	var ys []bool
	for i, ex := range d.examples {
		e := d.classes[ex.class] // out-of-scope examples are not about anyone in particular either
		sig := m.signals(d.analyses[i], nil)
		xs = append(xs, sig.vector(massOf(d.classes, cv[i])))
		ys = append(ys, e.Handoff)
	}
	m.handoff = trainHandoff(xs, ys, cfg)
}

// HandoffWeights returns the trained weights of the hand-off classifier by feature name, for
// explanations and tests.
func (m *Matcher) HandoffWeights() map[string]float64 {
	w := make(map[string]float64, len(handoffFeatures))
	for i, name := range handoffFeatures {
		w[name] = m.handoff.w[i]
	}
	return w
}

// findTypes marks the entries most of whose phrasings ask how to do something, and those most
// of whose phrasings ask whether something leaked: the question types of entries.
func (m *Matcher) findTypes() {
	n, howto, leak := map[*faq.Entry]int{}, map[*faq.Entry]int{}, map[*faq.Entry]int{}
	for _, p := range m.ix.PhraseList() {
		n[p.Entry]++
		if m.lexicon["howto"].has(p.Analysis) {
			howto[p.Entry]++
		}
		if m.lexicon["leak"].has(p.Analysis) {
			leak[p.Entry]++
		}
	}
	for e, k := range n {
		m.howto[e] = 2*howto[e] >= k
		m.leaky[e] = !m.howto[e] && 2*leak[e] >= k
	}
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
	lx := lexicon{words: map[string]bool{}}
	for _, terms := range lists {
		for _, t := range terms {
			ja := m.an.Rewrite(t)
			if !analysis.IsASCII(ja) {
				if y := m.an.Analyze(t).Yomi; utf8.RuneCountInString(y) >= 2 {
					lx.kana = append(lx.kana, y) // ハハ, ジュウショ: 母, 住所 as a kana-only question writes them
				}
				if toks := m.an.Tokens(t); len(toks) == 1 && utf8.RuneCountInString(toks[0]) <= 2 {
					lx.words[toks[0]] = true // short words would match inside longer ones
				} else {
					lx.sub = append(lx.sub, ja) // as the question's Japanese form holds it
				}
			}
			if analysis.IsASCII(analysis.Normalize(t)) {
				if w := m.an.CanonicalEN(t); w != "" {
					lx.en = append(lx.en, w)
				}
			}
		}
	}
	return lx
}

// has reports whether an analysed utterance contains a term of lx.
func (lx lexicon) has(a analysis.Analysis) bool {
	for _, t := range a.Tokens {
		if lx.words[t] {
			return true
		}
	}
	for _, s := range lx.sub {
		if s != "" && strings.Contains(a.JA, s) {
			return true
		}
	}
	for _, w := range lx.en {
		if containsWord(a.EN, w) {
			return true
		}
	}
	if a.Yomi != "" && a.Terms.KanaOnly() {
		for _, y := range lx.kana {
			if strings.Contains(a.Yomi, y) {
				return true
			}
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
		if strings.HasPrefix(s[end:], "'s") {
			end += 2 // a possessive: "mom's" holds "mom"
		}
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '\''
}

// DetectLang returns English when the utterance is mostly Latin letters and does not read as
// romaji Japanese, else Japanese.
func DetectLang(s string) faq.Lang {
	return detectLang(s, func() bool {
		_, romaji := analysis.Romaji(analysis.Normalize(s))
		return romaji
	})
}

// detectLang is DetectLang with romaji reporting whether Normalize(s) reads as romaji (asked
// only of text mostly in Latin letters).
func detectLang(s string, romaji func() bool) faq.Lang {
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
		if romaji() {
			return faq.Japanese
		}
		return faq.English
	}
	return faq.Japanese
}

// signals reads the hand-off classifier's word signals from an analysed text; ms are the
// personal data found in it.
func (m *Matcher) signals(a analysis.Analysis, ms []pii.Match) Signals {
	lx := m.lexicon
	return Signals{
		// Pasting one's own phone number or address is speaking of one's own data.
		FirstPerson:   lx["first_person"].has(a) || pastedPersonal(ms),
		Proxy:         lx["proxy"].has(a),
		PersonalField: lx["personal_field"].has(a) || pastedPersonal(ms),
		OwnedField:    m.ownedField(a),
		Which:         lx["which"].has(a),
		LeakQuestion:  lx["leak"].has(a),
		HowTo:         lx["howto"].has(a),
		Request:       lx["request"].has(a),
		Human:         lx["human"].has(a),
		PII:           pastedPersonal(ms),
	}
}

// pastedPersonal reports personal data of the asker among ms: pasting one's phone number or
// address is speaking of one's own data. A My Number is not: whether My Numbers leaked has one
// answer for everyone.
func pastedPersonal(ms []pii.Match) bool {
	for _, mt := range ms {
		if mt.Kind != pii.MyNumber {
			return true
		}
	}
	return false
}

// reading is what the matcher makes of one piece of an utterance (the whole, a sentence or a
// clause): its analysis, its signals, and its candidates.
type reading struct {
	an      analysis.Analysis
	sig     Signals
	probs   []float64 // intent model, by class
	hits    []scored  // retrieval, best first
	best    candidate // the best entry family (zero when none)
	outside float64   // confidence of the out-of-scope examples
	cands   []candidate
}

// candidate is an entry family (a root entry and its follow-ups) with its confidence.
type candidate struct {
	entry      *faq.Entry // the root
	confidence float64
	similarity float64
	prob       float64
}

// read analyses a piece of text (personal data already blanked out) and scores every entry
// family: IntentWeight × the intent probability of the family + (1 − IntentWeight) × its best
// retrieval similarity. memo (nil for none) holds the words of a text tokenised before.
func (m *Matcher) read(ctx context.Context, text string, ms []pii.Match, memo *ipadict.Memo) (reading, error) {
	r := reading{an: m.an.AnalyzeMemo(text, memo)}
	r.sig = m.signals(r.an, ms)
	hits, err := m.ix.Search(ctx, r.an.Terms, 8)
	if err != nil {
		return r, err
	}
	r.hits = m.rank(hits)
	w := m.cfg.Learning.IntentWeight
	if m.intent == nil {
		w = 0 // retrieval alone
	} else {
		r.probs = m.intent.probs(m.intent.vectorize(r.an))
	}
	// The families of the model's classes, in their order, then those of the hits that are
	// not among them, in the hits' order.
	cands := make([]candidate, len(m.famRoots), len(m.famRoots)+len(r.hits))
	for j, root := range m.famRoots {
		cands[j].entry = root
	}
	for i, p := range r.probs {
		cands[m.classFam[i]].prob += p
	}
	for _, h := range r.hits {
		root := m.root(h.Entry)
		j, ok := m.famOf[root]
		if !ok { // a family the model has no class of: among those of the hits, or a new one
			j = slices.IndexFunc(cands, func(c candidate) bool { return c.entry == root })
			if j < 0 {
				j = len(cands)
				cands = append(cands, candidate{entry: root})
			}
		}
		c := &cands[j]
		c.similarity = max(c.similarity, h.Similarity*h.factor)
	}
	r.cands = cands[:0]
	one, away := oneTerm(r.an), m.elsewhereFactor(r.an)
	for _, c := range cands {
		c.confidence = (w*c.prob + (1-w)*c.similarity) * m.typeFactor(c.entry, r.sig, one)
		if c.entry.OutOfScope {
			r.outside = c.confidence
			continue
		}
		c.confidence *= away
		r.cands = append(r.cands, c)
	}
	slices.SortStableFunc(r.cands, func(a, b candidate) int {
		if a.confidence != b.confidence {
			return cmp.Compare(b.confidence, a.confidence)
		}
		return m.ix.Compare(a.entry, b.entry)
	})
	if len(r.cands) > 0 {
		r.best = r.cands[0]
	}
	return r, nil
}

// oneTerm reports whether an analysed text is one content word alone ("PW"): it names a topic
// and asks nothing in particular about it.
func oneTerm(a analysis.Analysis) bool {
	f := analysis.JA
	if a.Terms.English() {
		f = analysis.EN
	}
	return len(a.Terms[f]) <= 1
}

// mass is how the intent model spreads a question over kinds of entries (zero without a model).
func (m *Matcher) mass(probs []float64) mass {
	if m.intent == nil {
		return mass{}
	}
	return massOf(m.intent.classes, probs)
}

// general returns r with its best candidate the best entry family that is not a hand-off.
func general(r reading) reading {
	r.best = candidate{}
	for _, c := range r.cands {
		if !c.entry.Handoff {
			r.best = c
			break
		}
	}
	return r
}

// answerable reports whether the best family of r is close enough to answer.
func (m *Matcher) answerable(r reading) bool {
	return r.best.entry != nil && r.best.confidence >= m.cfg.MinConfidence && r.best.confidence > r.outside
}

// topical reports whether an analysed text names a topic: a content word or English word
// beyond the words that only say it is a question (whether something leaked, how, a greeting).
func (m *Matcher) topical(a analysis.Analysis) bool {
	generic := func(w string) bool {
		if strings.Trim(w, "0123456789") == "" {
			return true // a number alone says nothing ("7", "2016")
		}
		x := analysis.Analysis{Tokens: []string{w}, JA: w, EN: w}
		return m.lexicon["leak"].has(x) || m.lexicon["howto"].has(x) || m.lexicon["greeting"].has(x) ||
			m.lexicon["first_person"].has(x) || m.lexicon["vague"].has(x)
	}
	for _, w := range a.Terms[analysis.JA] {
		if !generic(w) {
			return true
		}
	}
	for _, w := range a.Terms[analysis.EN] { // stems of the English words that are not stop words
		if !isEnglishFiller(w) && !generic(w) {
			return true
		}
	}
	return false
}

// isEnglishFiller reports words that carry no topic in a short English message.
func isEnglishFiller(w string) bool {
	w = strings.Trim(w, ".,!?;:'\"()")
	return len(w) < 2 || englishFillers[w]
}

var englishFillers = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the is are was were be been do does did can could would should will
		i me my you your we it this that there here what when why who how which of to in on at for with about
		so ok okay yes no not please pls plz hi hello hey thanks thank sorry excuse question ask help quick
		just one something anything got get have has had any some`) {
		englishFillers[w] = true
	}
}

// Decide reads one utterance and decides what to do. It returns an error only when the index
// fails; "no answer" is a DontKnow decision.
func (m *Matcher) Decide(ctx context.Context, utterance string) (Decision, error) {
	norm := analysis.Normalize(strip(utterance))
	var memo ipadict.Memo // the scan and the analysis often tokenise the same text
	matches := m.pii.FindMemo(norm, &memo)
	d := Decision{
		PII:    pii.Kinds(matches),
		Masked: pii.Mask(norm, matches),
	}
	// Personal data takes no part in retrieval: blank it out.
	clean := contrasted(blank(norm, matches))
	whole, err := m.read(ctx, clean, matches, &memo)
	if clean == norm { // the analysis has read it as romaji or not already
		d.Lang = detectLang(norm, func() bool { return whole.an.Romaji })
	} else {
		d.Lang = DetectLang(norm)
	}
	if err != nil {
		return d, fmt.Errorf("nlu: decide: %w", err)
	}
	focus, second, err := m.focus(ctx, clean, whole)
	if err != nil {
		return d, fmt.Errorf("nlu: decide: %w", err)
	}
	sig := m.identity(focus, whole)
	d.Signals = sig
	d.Confidence = focus.best.confidence
	handoff := func(r reading) {
		d.Action, d.Reason = Handoff, "identity-specific question"
		for _, c := range r.cands {
			if c.entry.Handoff {
				d.Entry = c.entry
				break
			}
		}
	}

	switch {
	case m.asksForPerson(utterance, whole):
		d.Action, d.Reason = Handoff, "asked for a person"
		return d, nil
	case m.isHandoff(focus, sig):
		handoff(focus)
		if second != nil && !second.identity && second.r.best.entry != nil && !second.r.best.entry.Handoff {
			d.Also = second.r.best.entry
		}
		return d, nil
	case !m.topical(focus.an) && general(focus).best.confidence < m.cfg.VagueConfidence:
		d.Action, d.Reason, d.Vague = DontKnow, "the question does not say what it is about", true
		d.Greeting = m.lexicon["greeting"].has(whole.an) && len(whole.an.Terms[analysis.JA]) <= 2
		return d, nil
	case !m.answerable(general(focus)):
		d.Action, d.Reason = DontKnow, "no entry is close enough"
		for _, c := range focus.cands {
			if c.confidence >= m.cfg.SuggestConfidence && len(d.Suggestions) < 3 && !c.entry.Handoff {
				d.Suggestions = append(d.Suggestions, c.entry)
			}
		}
		return d, nil
	}
	focus = general(focus) // not about anyone in particular: the best entry that is not a hand-off
	d.Confidence = focus.best.confidence
	m.choose(&d, focus.best.entry, focus.an)
	if second != nil {
		if second.identity { // the hand-off comes first, the answer after it
			d.Also = m.root(d.Entry)
			d.Choices = nil
			handoff(second.r)
			d.Reason = "identity-specific question first"
		} else {
			d.Also = second.r.best.entry
		}
	}
	return d, nil
}

// identity returns the hand-off classifier's signals and probability for the question focus of
// a message whole.
func (m *Matcher) identity(focus, whole reading) Signals {
	sig := focus.sig
	sig.PII = sig.PII || whole.sig.PII
	sig.PersonalField = sig.PersonalField || whole.sig.PII
	sig.FirstPerson = sig.FirstPerson || whole.sig.PII
	sig.Human = whole.sig.Human
	if m.lexicon["relay"].has(whole.an) && m.lexicon["third_person"].has(focus.an) {
		sig.Proxy = true // staff relaying a customer: "their address", "先方のメール" is the customer's
	}
	if !(sig.FirstPerson || sig.Proxy || sig.PII) && (whole.sig.FirstPerson || whole.sig.Proxy) {
		sig.StorySubject = true
	}
	sig.Score = m.handoff.prob(sig.vector(m.mass(focus.probs)))
	return sig
}

// isHandoff reports whether a question read as r with identity signals sig goes to the desk:
// the classifier says it is about someone in particular, or it is closest to a hand-off entry
// and no other entry is close enough.
func (m *Matcher) isHandoff(r reading, sig Signals) bool {
	return sig.Score >= m.cfg.HandoffThreshold && (sig.PII || !m.outsideFirst(r)) ||
		m.answerable(r) && r.best.entry.Handoff && !m.answerable(general(r))
}

// outsideFirst reports whether the out-of-scope examples read r better than every entry does,
// confidently (OutsideHandoff): the question asks for something the FAQ does not cover, and
// who asks it does not make it the desk's identity question (unless the asker pasted their
// own data: that asks about their record, which only the desk can look up).
func (m *Matcher) outsideFirst(r reading) bool {
	return r.outside >= m.cfg.OutsideHandoff && r.outside > r.best.confidence
}

// piece is a second question of a message.
type piece struct {
	r        reading
	identity bool // about someone in particular: a hand-off
}

// focus finds the question of a longer message: the sentence or clause that asks and whose best
// entry is the most confident, and a second question when another piece asks for another
// entry family confidently or is about someone in particular. A message of one piece is its
// own focus.
func (m *Matcher) focus(ctx context.Context, clean string, whole reading) (reading, *piece, error) {
	var pieces []string
	for _, s := range sentences(clean) {
		pieces = append(pieces, clauses(s)...)
	}
	if len(pieces) < 2 {
		return whole, nil, nil
	}
	var reads []reading
	var asking []int
	for _, p := range pieces {
		r, err := m.read(ctx, p, nil, nil)
		if err != nil {
			return whole, nil, err
		}
		if asks(p) {
			asking = append(asking, len(reads))
		}
		reads = append(reads, r)
	}
	if len(asking) == 0 {
		return whole, nil, nil
	}
	clear := func(r reading) bool { return m.answerable(r) && m.topical(r.an) }
	focus := -1
	for _, i := range asking {
		if clear(reads[i]) && (focus < 0 || reads[i].best.confidence > reads[focus].best.confidence) {
			focus = i
		}
	}
	if focus < 0 {
		// No question piece can be answered on its own. One that names a topic is still the
		// question (a story about one's account, then a question the FAQ does not answer);
		// vague ones ("漏れたのか知りたい") take their topic from the whole message.
		for _, i := range asking {
			if m.topical(reads[i].an) && (focus < 0 || reads[i].best.confidence > reads[focus].best.confidence) {
				focus = i
			}
		}
		if focus < 0 {
			return whole, nil, nil
		}
		return reads[focus], nil, nil
	}
	f := reads[focus]
	var second *piece
	for _, i := range asking {
		r := reads[i]
		if i == focus || !clear(r) {
			continue
		}
		p := piece{r: r, identity: m.isHandoff(r, m.identity(r, r))}
		if !p.identity && m.root(r.best.entry) == m.root(f.best.entry) {
			continue
		}
		if second == nil || p.identity && !second.identity || p.identity == second.identity && r.best.confidence > second.r.best.confidence {
			second = &p
		}
	}
	if second == nil && m.answerable(whole) && whole.best.confidence > f.best.confidence {
		// A single question told over several sentences reads best as a whole.
		return whole, nil, nil
	}
	return f, second, nil
}

// choose answers e, or the child of e (or of e's parent) that the utterance names, or asks back
// among the children when none or several are named.
func (m *Matcher) choose(d *Decision, e *faq.Entry, a analysis.Analysis) {
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
		if m.choices[id].has(a) {
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

// Choose resolves a reply to an ask-back: the child of parent that the utterance names — by its
// keywords, or by its number among the choices ("2", "2番", "２つ目") — or nil.
func (m *Matcher) Choose(parent *faq.Entry, utterance string) *faq.Entry {
	if n, ok := choiceNumber(utterance); ok {
		if n >= 1 && n <= len(parent.Followups) {
			return m.ix.Content().Entry(parent.Followups[n-1])
		}
		return nil
	}
	a := m.an.Analyze(strip(utterance))
	var named *faq.Entry
	for _, id := range parent.Followups {
		if m.choices[id].has(a) {
			if named != nil {
				return nil
			}
			named = m.ix.Content().Entry(id)
		}
	}
	return named
}

// choiceNumber reads a reply that is only the number of a choice: "2", "2番", "2つ目", "２番目で",
// "no. 2", "#2", "二番".
func choiceNumber(s string) (int, bool) {
	n := strings.TrimSpace(analysis.Normalize(s))
	for _, suffix := range []string{"でお願いします", "でおねがいします", "です", "で", "を", "。", ".", "!", "!"} {
		n = strings.TrimSuffix(n, suffix)
	}
	for _, suffix := range []string{"番目", "番", "つ目", "個目", "こめ", "ばんめ", "ばん"} {
		n = strings.TrimSuffix(n, suffix)
	}
	for _, prefix := range []string{"no.", "no ", "#", "option ", "number "} {
		n = strings.TrimPrefix(n, prefix)
	}
	n = strings.TrimSpace(n)
	kanji := map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "ひと": 1, "ふた": 2}
	if v, ok := kanji[n]; ok {
		return v, true
	}
	if n == "" || len(n) > 2 {
		return 0, false
	}
	v := 0
	for _, r := range n {
		if r < '0' || r > '9' {
			return 0, false
		}
		v = 10*v + int(r-'0')
	}
	return v, true
}

func (m *Matcher) root(e *faq.Entry) *faq.Entry {
	if e.Parent != "" {
		if p := m.ix.Content().Entry(e.Parent); p != nil {
			return p
		}
	}
	return e
}

// blank replaces each match with a space.
func blank(s string, ms []pii.Match) string {
	return pii.Replace(s, ms, func(pii.Kind) string { return " " })
}

// WithConfig returns a Matcher over the same index and models with other thresholds (word
// lists and trained models stay those of the content). It is how thresholds are swept on a
// development set.
func (m *Matcher) WithConfig(cfg faq.Matcher) *Matcher {
	c := *m
	c.cfg = cfg
	return &c
}
