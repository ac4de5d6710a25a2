package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// State is what faqbot remembers of one user's conversation between two messages.
type State struct {
	// Pending is the entry whose follow-ups the user was offered last ("" when none): a reply
	// that names one of them is answered with that follow-up.
	Pending string
	// Last is the entry shown last ("" before any).
	Last string
	// Rating is the entry whose answer was followed by "was this helpful?" in the reply shown
	// last ("" when the last reply asked nothing): a yes or no typed next is feedback on it.
	Rating string
	// Question is the question whose answer Rating asks about — or, while Pending, the question
	// asked back about, which the follow-up picked answers — with personal data masked
	// (nlu.Decision.Masked, never the text the user typed) and cut to MaxQuestion characters;
	// "" when no question led to it (an entry tapped). It travels with the rating to the
	// editors (Feedback.Question).
	Question string
	// Lang is the language the user was answered in last.
	Lang faq.Lang
}

// StateStore keeps the conversation state of each user. Implementations are safe for
// concurrent use; a state that has expired is reported as absent.
type StateStore interface {
	// Get returns the state of user; ok is false when there is none.
	Get(ctx context.Context, user string) (s State, ok bool, err error)
	// Put replaces the state of user.
	Put(ctx context.Context, user string, s State) error
}

// ErrStore marks the errors of Handle and Choose that come from the state store: the reply
// returned with them is complete and should still be sent.
var ErrStore = errors.New("conversation state unavailable")

// Handle answers one message of user in the light of the conversation so far, read from store,
// and remembers there what was shown. When the user was offered follow-ups and the text names
// one of them (Matcher.Choose), that follow-up is answered in the conversation's language;
// otherwise the text is asked afresh (Ask).
//
// A failing store does not stop the answer: the conversation then goes on without state, and
// Handle returns the full reply together with an error that wraps ErrStore. Any other error
// comes with an empty Reply.
func (b *Bot) Handle(ctx context.Context, user, text string, store StateStore) (Reply, error) {
	t, getErr := turnOf(ctx, user, store)
	r, putErr, err := b.handle(ctx, user, t, text, store)
	if err != nil {
		return Reply{}, err
	}
	return r, storeErr("handle", getErr, putErr)
}

// HandleTurn is Handle for a message whose conversation so far t has already told (an
// Admitter read it when the message arrived): it reads nothing, and writes what was shown to
// store.
func (b *Bot) HandleTurn(ctx context.Context, user string, t Turn, text string, store StateStore) (Reply, error) {
	r, putErr, err := b.handle(ctx, user, t, text, store)
	if err != nil {
		return Reply{}, err
	}
	return r, storeErr("handle", putErr)
}

// handle answers text after t; putErr is the store's error, err any other.
func (b *Bot) handle(ctx context.Context, user string, t Turn, text string, store StateStore) (r Reply, putErr, err error) {
	e, release := b.acquire()
	defer release()
	return b.handleOn(ctx, e, user, t, text, store)
}

// handleOn is handle on engine e.
func (b *Bot) handleOn(ctx context.Context, e *Engine, user string, t Turn, text string, store StateStore) (r Reply, putErr, err error) {
	if r, long := b.tooLong(e, text); long { // nothing of it is read, nor remembered
		return r, nil, nil
	}
	st := t.State
	if t.Known && st.Rating != "" {
		if helpful, ok := e.Matcher.Feedback(text); ok && e.Content.Entry(st.Rating) != nil {
			r = b.feedbackReply(e, Feedback{EntryID: st.Rating, Helpful: helpful, Question: st.Question}, langOr(st.Lang))
			return r, b.remember(ctx, user, store, t, r), nil
		}
	}
	if t.Known && st.Pending != "" {
		if parent := e.Content.Entry(st.Pending); parent != nil {
			if child := e.Matcher.Choose(parent, text); child != nil {
				if r, found := b.entryReply(e, child.ID, langOr(st.Lang)); found {
					return r, b.remember(ctx, user, store, t, r), nil
				}
			}
		}
	}
	d, err := e.decide(ctx, text)
	if err != nil {
		return Reply{}, nil, fmt.Errorf("bot: handle: %w", err)
	}
	if t.Known && st.Lang != "" && d.Lang != st.Lang && shortASCII(text) {
		// "PW", "OK", "ID" in a Japanese conversation: answered in the conversation's language.
		d.Lang = st.Lang
	}
	r = b.render(e, d)
	return r, b.remember(ctx, user, store, t, r), nil
}

// shortASCII reports a message of at most two short ASCII words: too little to tell its
// language by.
func shortASCII(s string) bool {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// feedbackReply thanks a user who answered "was this helpful?" by typing, and carries the
// feedback for the platform to record.
func (b *Bot) feedbackReply(e *Engine, fb Feedback, lang faq.Lang) Reply {
	text := e.Content.Messages.HelpfulThank.In(lang)
	return Reply{Kind: KindThanks, Text: text, Body: text, Lang: lang, Feedback: &fb,
		Decision: nlu.Decision{Action: nlu.DontKnow, Lang: lang, Reason: "feedback on the last answer"}}
}

// Choose answers user's tap on the button of entry entryID, as EntryReply does, and remembers
// it. lang "" means the language of the conversation so far (Japanese when there is none). ok
// is false when the entry does not exist (any more); nothing is remembered then. Errors are as
// for Handle.
func (b *Bot) Choose(ctx context.Context, user, entryID string, lang faq.Lang, store StateStore) (r Reply, ok bool, err error) {
	t, getErr := turnOf(ctx, user, store)
	r, ok, putErr := b.choose(ctx, user, t, entryID, lang, store)
	return r, ok, storeErr("choose", getErr, putErr)
}

// choose shows entryID after t; putErr is the store's error.
func (b *Bot) choose(ctx context.Context, user string, t Turn, entryID string, lang faq.Lang, store StateStore) (r Reply, ok bool, putErr error) {
	return b.chooseOn(ctx, b.engine.Load(), user, t, entryID, lang, store)
}

// chooseOn is choose on engine e.
func (b *Bot) chooseOn(ctx context.Context, e *Engine, user string, t Turn, entryID string, lang faq.Lang, store StateStore) (r Reply, ok bool, putErr error) {
	if lang == "" && t.Known {
		lang = t.State.Lang
	}
	r, ok = b.entryReply(e, entryID, langOr(lang))
	if !ok {
		return Reply{}, false, nil
	}
	return r, true, b.remember(ctx, user, store, t, r)
}

// turnOf reads user's conversation from store, as a Turn.
func turnOf(ctx context.Context, user string, store StateStore) (Turn, error) {
	st, ok, err := store.Get(ctx, user)
	if err != nil {
		return Turn{}, err
	}
	return Turn{State: st, Known: ok}, nil
}

// remember stores what r showed on top of the state t told. A state that did not change is
// not written again: with a shared store that saves a round trip per message, and the
// conversation then expires a TTL after it last changed.
func (b *Bot) remember(ctx context.Context, user string, store StateStore, t Turn, r Reply) error {
	var prev State
	if t.Known {
		prev = t.State
	}
	next := State{Last: prev.Last, Lang: r.Lang}
	if d := r.Decision; d.Entry != nil {
		next.Last = d.Entry.ID
		if d.Action == nlu.Answer {
			next.Rating = d.Entry.ID // every platform asks "was this helpful?" after an answer
			next.Question = ClipQuestion(d.Masked)
			if next.Question == "" && prev.Pending != "" && d.Entry.Parent == prev.Pending {
				// A follow-up picked after an ask-back answers the question that was asked.
				next.Question = prev.Question
			}
		}
		if d.Action == nlu.AskBack {
			next.Question = ClipQuestion(d.Masked) // for the follow-up that will be picked
		}
		if d.Action == nlu.AskBack {
			next.Pending = d.Entry.ID
		}
	}
	if next == prev {
		return nil
	}
	return store.Put(ctx, user, next)
}

// MaxQuestion is the most characters of a masked question kept with a conversation's state
// and a rating (State.Question, Feedback.Question).
const MaxQuestion = 200

// ClipQuestion cuts a masked question to MaxQuestion characters, on one line.
func ClipQuestion(masked string) string {
	q := strings.Join(strings.Fields(masked), " ")
	if r := []rune(q); len(r) > MaxQuestion {
		q = string(r[:MaxQuestion])
	}
	return q
}

func storeErr(op string, errs ...error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bot: %s: %w: %w", op, ErrStore, err)
	}
	return nil
}

func langOr(l faq.Lang) faq.Lang {
	if l == "" {
		return faq.Japanese
	}
	return l
}

// Welcome is the greeting for a user who has just added the bot: the content's greeting, with
// up to n entries offered as choices — the entries of popular that exist, in order, then the
// first top-level entries of the content. A follow-up in popular is offered as its top-level
// entry, with that entry's label: a child's label ("アプリで変更") means nothing without the
// question it answers, and a tap on the parent asks back which of its follow-ups is meant.
func (b *Bot) Welcome(lang faq.Lang, popular []string, n int) Reply {
	return b.welcome(b.engine.Load(), lang, popular, n)
}

// welcome is Welcome on e.
func (b *Bot) welcome(e *Engine, lang faq.Lang, popular []string, n int) Reply {
	lang = langOr(lang)
	r := b.render(e, nlu.Decision{Action: nlu.DontKnow, Greeting: true, Lang: lang, Reason: "welcome"})
	var offer []*faq.Entry
	seen := map[string]bool{}
	add := func(en *faq.Entry) {
		if en != nil && !seen[en.ID] && len(offer) < n {
			seen[en.ID] = true
			offer = append(offer, en)
		}
	}
	for _, id := range popular {
		add(topic(e.Content, e.Content.Entry(id)))
	}
	for _, en := range e.Content.Entries {
		if en.Parent == "" {
			add(en)
		}
	}
	r.Choices = choices(offer, lang)
	if len(r.Choices) > 0 {
		lines := make([]string, len(r.Choices))
		for i, ch := range r.Choices {
			lines[i] = "・" + ch.Label
		}
		r.Text = r.Body + "\n" + strings.Join(lines, "\n")
	}
	b.finish(e, &r)
	return r
}

// topic returns the top-level entry of en: en itself when it is no one's follow-up.
func topic(c *faq.Content, en *faq.Entry) *faq.Entry {
	for range len(c.Entries) { // bounded: content never has a cycle, but a loop must end
		if en == nil || en.Parent == "" {
			break
		}
		p := c.Entry(en.Parent)
		if p == nil {
			break
		}
		en = p
	}
	return en
}

// Popularity counts the answers given per entry, to offer the most asked entries first. The
// zero value is ready to use; it is safe for concurrent use.
type Popularity struct {
	mu     sync.Mutex
	counts map[string]int
}

// Add counts one answer of entry id.
func (p *Popularity) Add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts == nil {
		p.counts = map[string]int{}
	}
	p.counts[id]++
}

// Count returns how many answers of entry id were counted.
func (p *Popularity) Count(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[id]
}

// Top returns the ids of the n most answered entries, most answered first (ties by id).
func (p *Popularity) Top(n int) []string {
	p.mu.Lock()
	ids := make([]string, 0, len(p.counts))
	for id := range p.counts {
		ids = append(ids, id)
	}
	counts := func(id string) int { return p.counts[id] }
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts(b), counts(a)), strings.Compare(a, b))
	})
	p.mu.Unlock()
	return ids[:min(n, len(ids))]
}
