// Package bot owns the conversation: from one incoming message to one outgoing reply, platform
// neutral — the reply text, the choices to offer as buttons, what to offer under it (was it
// helpful, call the desk), and whether the user is sent to the customer desk.
//
// A platform adapter hands each message to Chat.Take, which owns the whole turn on one engine:
// it admits the message (repeat, rate limit, conversation state in one call), decides, greets,
// remembers, records ratings and tells the Observer, and returns a complete Outcome. The
// adapter only translates: platform events into Message, Outcome into the platform's messages.
// bot re-exports the few content types adapters name (Lang, Brand, Problems), so that they
// need not import faq or nlu.
//
// bot sits on nlu (understanding) and faq (content). It must not import adapters or any chat
// SDK; the in-process implementations of its state interfaces are in bot/memstore.
package bot

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// Engine is one loaded content tree with its index and matcher. It is immutable.
type Engine struct {
	Content *faq.Content
	Index   *faq.Index
	Matcher *nlu.Matcher
	Hours   *DeskHours
	// Version identifies the content (faq.Content.Version).
	Version string

	// inflight counts the searches running on the engine, so that a replaced engine's index is
	// closed only once they are done (see Bot.acquire and Reloader).
	inflight atomic.Int64
	// decisions remembers recent decisions by question (nil: none); see CacheDecisions.
	decisions *lru.Cache[string, nlu.Decision]

	phonesOnce sync.Once
	phones     map[string]bool // see officialPhones
	wordsOnce  sync.Once
	signal     *signalWords // see words
}

// CacheDecisions makes the engine remember its last n decisions, by the exact text of the
// question, so that a question asked again — as the same few are, many times over, after an
// incident notice — is answered without analysis and search. A decision is a pure function of
// the question and the engine, so a remembered one is the one Decide would make; a reindex
// builds a new engine and so starts afresh. Questions holding personal data are never
// remembered. n <= 0 turns the cache off. Call it before the engine answers.
func (e *Engine) CacheDecisions(n int) {
	if n <= 0 {
		e.decisions = nil
		return
	}
	e.decisions, _ = lru.New[string, nlu.Decision](n) // n > 0: cannot fail
}

// decide is e.Matcher.Decide, with the rule for brief messages (Engine.brief), through the
// decision cache.
func (e *Engine) decide(ctx context.Context, utterance string) (nlu.Decision, error) {
	if e.decisions == nil {
		return e.decideNow(ctx, utterance)
	}
	if d, ok := e.decisions.Get(utterance); ok {
		return d, nil
	}
	d, err := e.decideNow(ctx, utterance)
	if err == nil && len(d.PII) == 0 {
		e.decisions.Add(utterance, d)
	}
	return d, err
}

func (e *Engine) decideNow(ctx context.Context, utterance string) (nlu.Decision, error) {
	d, err := gated(ctx, e.Matcher.Decide, utterance)
	if err != nil {
		return d, err
	}
	return e.brief(strings.TrimSpace(utterance), d), nil
}

type gateKey struct{}

// withGate returns a context under which the bot makes a decision — the CPU-bound analysis and
// search, not a remembered decision nor the state it reads and writes — only while holding a
// token of gate, a buffered channel: Chat.Take bounds the decisions the process runs at once
// (Bot.gate), so that a processor stays free for acknowledging webhooks, without holding a
// token while it waits for a shared store. A decision waiting for a token gives up when ctx
// ends.
func withGate(ctx context.Context, gate chan struct{}) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
}

// gated runs decide under ctx's gate, if any.
func gated(ctx context.Context, decide func(context.Context, string) (nlu.Decision, error), utterance string) (nlu.Decision, error) {
	if gate, _ := ctx.Value(gateKey{}).(chan struct{}); gate != nil {
		select {
		case gate <- struct{}{}:
			defer func() { <-gate }()
		case <-ctx.Done():
			return nlu.Decision{}, ctx.Err()
		}
	}
	return decide(ctx, utterance)
}

// NewEngine builds the index of c (in memory when indexDir is "") and its matcher.
func NewEngine(ctx context.Context, c *faq.Content, indexDir string) (*Engine, error) {
	ix, err := faq.NewIndex(ctx, c, indexDir)
	if err != nil {
		return nil, err
	}
	return &Engine{Content: c, Index: ix, Matcher: nlu.New(ix), Hours: NewDeskHours(c.Desk), Version: c.Version()}, nil
}

// Close releases the engine's index.
func (e *Engine) Close() error { return e.Index.Close() }

// Bot answers messages with the engine it currently holds. It is safe for concurrent use; Swap
// replaces the engine atomically while messages are being answered.
type Bot struct {
	engine atomic.Pointer[Engine]
	now    func() time.Time
	// gate holds a token per decision that Chat.Take makes, process-wide: deciding is
	// CPU-bound, and it gets all processors but one, which stays free for the webhook handlers
	// that must acknowledge fast.
	gate chan struct{}
	// popular counts the answers given on every platform, for the greeting's choices.
	popular Popularity
}

// New returns a Bot over e. now is the clock (time.Now when nil).
func New(e *Engine, now func() time.Time) *Bot {
	if now == nil {
		now = time.Now
	}
	b := &Bot{now: now, gate: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
	b.engine.Store(e)
	return b
}

// Engine returns the engine in use.
func (b *Bot) Engine() *Engine { return b.engine.Load() }

// Swap installs e and returns the engine it replaces. Messages already being answered finish on
// the old engine; the caller closes it when they are done (Reloader does both).
func (b *Bot) Swap(e *Engine) *Engine { return b.engine.Swap(e) }

// acquire returns the current engine, counted as in use until release is called. An engine
// counted after it was replaced is never used: acquire then takes the new one.
func (b *Bot) acquire() (e *Engine, release func()) {
	for {
		e = b.engine.Load()
		e.inflight.Add(1)
		if b.engine.Load() == e {
			return e, func() { e.inflight.Add(-1) }
		}
		e.inflight.Add(-1)
	}
}

// Choice is an entry offered as a button.
type Choice struct {
	EntryID string `json:"entry"`
	Label   string `json:"label"`
}

// Reply is what the user sees: complete, so that a platform only has to render it.
type Reply struct {
	// Kind says what the reply is (KindAnswer, KindWelcome, KindSlowDown, …).
	Kind ReplyKind
	// Entry is the entry the reply shows or asks back about ("" when none); Section is where
	// it comes from in the official FAQ ("" when not said).
	Entry, Section string
	// Text is the full reply as a user reads it, choices included as lines.
	Text string
	// Body is the reply without the lines listing Choices, for platforms that show Choices as
	// buttons.
	Body    string
	Choices []Choice
	// Topics are the titles of the content's topics, for a list (KindUsage).
	Topics []string
	// ChoiceKind says what Choices are: "followups" (which of an entry's follow-ups is meant),
	// "welcome" (the greeting's popular entries), "topics" (the content's topics, for usage)
	// or "suggestions" (entries the question may have meant); "" when there are none.
	ChoiceKind string
	// Offers are what a platform may offer under the reply: "was this helpful?" and a button
	// that calls the desk.
	Offers Offers
	// Notices are what the bot noticed of the message.
	Notices Notices
	// Phones are the official phone numbers (the content's) that Body holds, in order of
	// appearance: numbers a platform may show as something to call. A number a user typed is
	// never one of them.
	Phones   []string
	Lang     faq.Lang
	Handoff  bool
	Decision nlu.Decision
	// Feedback is set when the message answered "was this helpful?" (a tap, or in words: はい,
	// いいえ, …): Chat.Take has recorded it, Handle leaves that to its caller.
	Feedback *Feedback
}

// Feedback is a user's answer to "was this helpful?" about an entry.
type Feedback struct {
	EntryID string
	Helpful bool
	// Question is the question the rated answer answered, with personal data masked and cut
	// to MaxQuestion characters (State.Question); "" when it is not known (an answer tapped,
	// or rated after the conversation moved on).
	Question string
}

// Ask answers one utterance with no conversation state; one longer than MaxText characters
// gets the TooLong reply.
func (b *Bot) Ask(ctx context.Context, utterance string) (Reply, error) {
	e, release := b.acquire()
	defer release()
	if r, long := b.tooLong(e, utterance); long {
		return r, nil
	}
	d, err := e.decide(ctx, utterance)
	if err != nil {
		return Reply{}, err
	}
	return b.render(e, d), nil
}

// EntryReply is the reply that shows entry id in lang, as when a user taps a choice. ok is
// false when the entry does not exist (any more).
func (b *Bot) EntryReply(id string, lang faq.Lang) (r Reply, ok bool) {
	return b.entryReply(b.engine.Load(), id, lang)
}

// entryReply is EntryReply on e.
func (b *Bot) entryReply(e *Engine, id string, lang faq.Lang) (r Reply, ok bool) {
	en := e.Content.Entry(id)
	if en == nil {
		return Reply{}, false
	}
	d := nlu.Decision{Action: nlu.Answer, Entry: en, Lang: lang, Confidence: 1, Reason: "chosen"}
	if en.Handoff {
		d.Action = nlu.Handoff
	} else if len(en.Followups) > 0 {
		d.Action = nlu.AskBack
		for _, c := range en.Followups {
			d.Choices = append(d.Choices, e.Content.Entry(c))
		}
	}
	return b.render(e, d), true
}

func (b *Bot) render(e *Engine, d nlu.Decision) Reply {
	c := e.Content
	lang := d.Lang
	r := Reply{Lang: lang, Decision: d}
	var parts []string
	if len(d.PII) > 0 {
		parts = append(parts, c.Messages.PIIAdvice.In(lang))
	}
	switch d.Action {
	case nlu.Answer:
		t, _ := d.Entry.In(lang)
		parts = append(parts, t.Answer)
	case nlu.AskBack:
		parts = append(parts, b.fill(e, c.Messages.AskBack.In(lang), lang))
		r.Choices = choices(d.Choices, lang)
	case nlu.Handoff:
		r.Handoff = true
		parts = append(parts, b.deskText(e, c.Messages.Handoff.In(lang), lang))
	default:
		if d.Greeting {
			parts = append(parts, b.fill(e, c.Messages.Greeting.In(lang), lang))
			break
		}
		if d.Vague {
			// Too little to go on: ask what the user wants to know, with the FAQ's topics.
			parts = append(parts, b.fill(e, c.Messages.Clarify.In(lang), lang))
			r.Choices = choices(topics(c, maxTopics), lang)
			break
		}
		parts = append(parts, b.fill(e, c.Messages.Fallback.In(lang), lang))
		if len(d.Suggestions) > 0 {
			parts = append(parts, c.Messages.Suggestions.In(lang))
			r.Choices = choices(d.Suggestions, lang)
		}
	}
	if also := d.Also; also != nil {
		// A second question in the message: answered too when it has one answer, offered as a
		// button when it asks back or is a hand-off the reply has not given.
		t, _ := also.In(lang)
		switch {
		case also.Handoff && d.Action != nlu.Handoff:
			r.Handoff = true
			parts = append(parts, b.deskText(e, c.Messages.Handoff.In(lang), lang))
		case !also.Handoff && len(also.Followups) == 0 && t.Answer != "":
			label := t.Label
			if label == "" {
				label = t.Title
			}
			parts = append(parts, "■ "+label+"\n"+t.Answer)
		case !also.Handoff:
			r.Choices = append(r.Choices, choices([]*faq.Entry{also}, lang)...)
		}
	}
	r.Body = strings.Join(parts, "\n\n")
	r.Text = r.Body
	if len(r.Choices) > 0 {
		lines := make([]string, len(r.Choices))
		for i, ch := range r.Choices {
			lines[i] = "・" + ch.Label
		}
		r.Text += "\n" + strings.Join(lines, "\n")
	}
	b.finish(e, &r)
	return r
}

// maxTopics is the number of topics offered when a question names none.
const maxTopics = 6

// topics returns up to n top-level entries that are not hand-offs, in content order.
func topics(c *faq.Content, n int) []*faq.Entry {
	var out []*faq.Entry
	for _, e := range c.Entries {
		if e.Parent == "" && !e.Handoff && len(out) < n {
			out = append(out, e)
		}
	}
	return out
}

func choices(es []*faq.Entry, lang faq.Lang) []Choice {
	out := make([]Choice, 0, len(es))
	for _, e := range es {
		t, _ := e.In(lang)
		label := t.Label
		if label == "" {
			label = t.Title
		}
		out = append(out, Choice{EntryID: e.ID, Label: label})
	}
	return out
}

// deskText fills a hand-off message and adds whether the desk is open now.
func (b *Bot) deskText(e *Engine, msg string, lang faq.Lang) string {
	now := b.now()
	status := e.Content.Messages.DeskOpen.In(lang)
	if !e.Hours.Open(now) {
		status = strings.ReplaceAll(e.Content.Messages.DeskClosed.In(lang), "{next}", nextOpenText(e.Hours, now, lang))
	}
	return b.fill(e, msg, lang) + "\n" + status
}

// fill replaces {desk}, {phone} and {hours} in a message.
func (b *Bot) fill(e *Engine, msg string, lang faq.Lang) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	d := e.Content.Desk
	return strings.NewReplacer("{desk}", d.Name.In(lang), "{phone}", d.Phone, "{hours}", d.Hours.In(lang)).Replace(msg)
}

// String describes a reply for debugging, without user text.
func (r Reply) String() string {
	id := ""
	if r.Decision.Entry != nil {
		id = r.Decision.Entry.ID
	}
	return fmt.Sprintf("%s %s (%s)", r.Decision.Action, id, r.Lang)
}
