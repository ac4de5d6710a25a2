package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// MessageKind is what a Message asks for.
type MessageKind string

// The kinds of Message.
const (
	// MsgText is a typed message: Text. An empty one (only a mention of the bot) is greeted.
	MsgText MessageKind = "text"
	// MsgChoice is a tap on a choice: Entry, in Lang ("": the conversation's).
	MsgChoice MessageKind = "choice"
	// MsgRating is a tap on "was this helpful?": Helpful about Entry.
	MsgRating MessageKind = "rating"
	// MsgHello asks for the greeting, in Lang ("": the conversation's): the user added the bot,
	// or switched the greeting's language.
	MsgHello MessageKind = "hello"
	// MsgUsage asks how to use the bot, in Lang: the greeting and the content's topics. Like
	// every message without Events, Limit and User, it reads no shared state.
	MsgUsage MessageKind = "usage"
	// MsgJoin says that the bot was added to a group or a room: it gets the content's Join
	// message, how to ask there.
	MsgJoin MessageKind = "join"
	// MsgMedia is a message that is not text: Media says what it is (MediaSticker, …).
	MsgMedia MessageKind = "media"
)

// What a Media message holds.
const (
	MediaImage    = "image"
	MediaVideo    = "video"
	MediaAudio    = "audio"
	MediaFile     = "file"
	MediaLocation = "location"
	MediaSticker  = "sticker"
)

// Message is one incoming message in platform-neutral terms: what Chat.Take answers.
type Message struct {
	Kind MessageKind
	// Events are the ids under which the platform may deliver this message again (Arrival).
	Events []string
	// User keys the conversation state ("" for none: nothing is read or remembered).
	User string
	// Limit is the key of the rate limit the message counts against ("" for none).
	Limit string
	// Text is what was typed (Text).
	Text string
	// Entry is the entry tapped (Choice) or rated (Rating).
	Entry string
	// Helpful is the rating (Rating).
	Helpful bool
	// Vote, when not "", counts a Rating once per value: a second vote under it is thanked
	// but not recorded (ChatConfig.Seen).
	Vote string
	// Lang is the language asked for ("" for the message's or the conversation's).
	Lang faq.Lang
	// Media is what a Media message holds.
	Media string
	// Busy says that the platform cannot answer now (its workers are full): Take admits the
	// message and, unless it is a repeat or over the limit, answers KindBusy without deciding.
	Busy bool
	// Address is the key of a second rate limit, ChatConfig.AddrLimiter's (a client address:
	// starting a new conversation must not escape the limit), asked once the Admitter has let
	// the message through; "" for none.
	Address string
}

// Outcome is what became of a Message: nothing to send (Repeat), or Reply to send.
type Outcome struct {
	// Repeat is set when the message was taken before: it gets no answer.
	Repeat bool
	// Limited is set when the user is over the rate limit: Reply is KindSlowDown.
	Limited bool
	// Missing is set when the entry of a Choice or a Rating does not exist (any more): a
	// Choice is then greeted (KindWelcome); a Rating gets no reply.
	Missing bool
	// Reply is what to send; its Kind is "" when there is nothing to send.
	Reply Reply
	// Version is the content version the reply was decided on: one engine serves the whole
	// turn, whatever a reindex swaps in meanwhile.
	Version string
	// Took is how long the turn took.
	Took time.Duration
	// Messages are the content's messages on the engine the turn was decided on, for the texts
	// a platform adds around the reply (button labels, headings).
	Messages *Messages
}

// ReplyKind is what a Reply is.
type ReplyKind string

// The kinds of Reply.
const (
	KindAnswer   ReplyKind = "answer"
	KindAskBack  ReplyKind = "ask_back"
	KindHandoff  ReplyKind = "handoff"
	KindDontKnow ReplyKind = "dont_know"
	// KindClarify asks what the user wants to know, with the content's topics as choices.
	KindClarify ReplyKind = "clarify"
	// KindWelcome is the greeting, with popular entries as choices.
	KindWelcome ReplyKind = "welcome"
	// KindThanks thanks for a rating (tapped or typed).
	KindThanks ReplyKind = "thanks"
	// KindUsage is how to use the bot: the greeting, Topics and their choices.
	KindUsage   ReplyKind = "usage"
	KindTooLong ReplyKind = "too_long"
	// KindJoin says how to ask in a group or a room the bot was added to.
	KindJoin     ReplyKind = "join"
	KindMedia    ReplyKind = "media"
	KindSlowDown ReplyKind = "slow_down"
	KindBusy     ReplyKind = "busy"
	// KindError is the Busy message sent when deciding failed.
	KindError ReplyKind = "error"
)

// Offers are what a platform may offer under a reply.
type Offers struct {
	// Helpful, after an answer, asks whether it helped (nil: not asked).
	Helpful *HelpfulOffer
	// Desk, after a hand-off or when no answer was found, calls the desk (nil: not offered,
	// or the content has no phone number).
	Desk *DeskOffer
}

// HelpfulOffer asks whether the answer of Entry helped, with the labels of the two answers.
type HelpfulOffer struct {
	Entry, Ask, Yes, No string
}

// DeskOffer is a button that calls the desk: Label, and Tel, the number to dial (digits and
// +). Open tells whether the desk is open now.
type DeskOffer struct {
	Label, Tel string
	Open       bool
}

// Notices are what the bot noticed of a message, for a platform to show or log.
type Notices struct {
	// PersonalData is set when the message held personal data (the reply advises against it).
	PersonalData bool
	// TooLong is set when the message was longer than MaxText and not read.
	TooLong bool
}

// ChatConfig is what a Chat needs besides its Bot.
type ChatConfig struct {
	// Platform names the platform ("line", "slack", "web") for the Observer.
	Platform string
	// Admitter tells, as a message is taken, whether it was taken before, whether its user is
	// over the limit and the conversation so far (nil: Stepwise over Store).
	Admitter Admitter
	// Store keeps conversation state (required when messages have users).
	Store StateStore
	// Feedback records ratings (nil: not recorded).
	Feedback FeedbackRecorder
	// Observer is told of every reply and refusal (nil: NopObserver).
	Observer Observer
	// AddrLimiter limits Message.Address (nil: no such limit).
	AddrLimiter Limiter
	// Seen counts a vote once (Message.Vote; nil: every vote counts).
	Seen Deduper
}

// Chat takes the messages of one platform: it admits each, decides, greets, remembers and
// observes, and returns a complete, platform-neutral Outcome. The Chats of one Bot share its
// decision gate and its popularity counter. A Chat is safe for concurrent use.
type Chat struct {
	bot *Bot
	cfg ChatConfig
}

// Chat returns a Chat over b.
func (b *Bot) Chat(cfg ChatConfig) *Chat {
	if cfg.Admitter == nil {
		cfg.Admitter = Stepwise{Store: cfg.Store}
	}
	if cfg.Observer == nil {
		cfg.Observer = NopObserver{}
	}
	return &Chat{bot: b, cfg: cfg}
}

// Popularity is the counter of answers that the greeting offers the most asked entries from,
// shared by every Chat of b.
func (b *Bot) Popularity() *Popularity { return &b.popular }

// WelcomeChoices is how many entries the greeting of Chat.Take offers.
const WelcomeChoices = 5

// ErrAdmit marks the errors of Take that come from admitting the message or from the
// conversation state: the Outcome returned with them is complete and should still be sent.
// They wrap ErrStore too.
var ErrAdmit = fmt.Errorf("admission incomplete: %w", ErrStore)

// Take answers one message. An error wrapping ErrStore comes with a complete Outcome (the
// shared state failed: the message was taken as new, the conversation went on without state);
// any other error means deciding failed, and comes with the content's Busy message as a
// KindError reply.
func (c *Chat) Take(ctx context.Context, m Message) (Outcome, error) {
	start := time.Now()
	b := c.bot
	e, release := b.acquire()
	defer release()
	out := Outcome{Version: e.Version, Messages: &e.Content.Messages}
	var errs []error
	var t Turn
	if ar := (Arrival{Events: m.Events, Limit: m.Limit, User: m.User}); len(ar.Events) > 0 || ar.Limit != "" || ar.User != "" {
		if m.Busy {
			ar.User = "" // nothing is decided: the conversation is not read
		}
		var err error
		if t, err = c.cfg.Admitter.Admit(ctx, ar); err != nil {
			errs = append(errs, err)
		}
	}
	done := func(r Reply, err error) (Outcome, error) {
		out.Reply, out.Took = r, time.Since(start)
		if err != nil {
			return out, err
		}
		if err := errors.Join(errs...); err != nil {
			return out, fmt.Errorf("bot: take: %w: %w", ErrAdmit, err)
		}
		return out, nil
	}
	if t.Repeat {
		out.Repeat = true
		return done(Reply{}, nil)
	}
	lang := c.lang(m, t)
	if !t.Limited && m.Address != "" && c.cfg.AddrLimiter != nil {
		ok, err := c.cfg.AddrLimiter.Allow(ctx, m.Address)
		if err != nil {
			errs = append(errs, fmt.Errorf("address limit: %w", err)) // cannot tell: let it through
		}
		t.Limited = err == nil && !ok
	}
	if t.Limited {
		c.cfg.Observer.Refused(c.cfg.Platform, "rate_limited")
		out.Limited = true
		return done(note(e, KindSlowDown, e.Content.Messages.SlowDown, lang), nil)
	}
	if m.Busy {
		c.cfg.Observer.Refused(c.cfg.Platform, "busy")
		return done(note(e, KindBusy, e.Content.Messages.Busy, lang), nil)
	}
	ctx = withGate(ctx, b.gate)
	store := c.cfg.Store
	if store == nil {
		store = noStore{}
	}
	switch m.Kind {
	case MsgText:
		text := strings.TrimSpace(m.Text)
		if text == "" {
			return done(c.replied(b.welcome(e, lang, b.popular.Top(WelcomeChoices), WelcomeChoices), start), nil)
		}
		r, putErr, err := b.handleOn(ctx, e, m.User, t, text, store)
		if err != nil {
			return done(note(e, KindError, e.Content.Messages.Busy, nlu.DetectLang(text)), err)
		}
		if putErr != nil {
			errs = append(errs, putErr)
		}
		if fb := r.Feedback; fb != nil {
			// はい / いいえ typed after "was this helpful?": recorded as a tap on the buttons is.
			c.record(ctx, *fb, "", &errs)
			return done(r, nil)
		}
		if r.Decision.Greeting {
			// "Hello": greet as on arrival, with the most asked entries to tap.
			r = b.welcome(e, r.Lang, b.popular.Top(WelcomeChoices), WelcomeChoices)
		}
		return done(c.replied(r, start), nil)

	case MsgChoice:
		r, ok, putErr := b.chooseOn(ctx, e, m.User, t, m.Entry, m.Lang, store)
		if putErr != nil {
			errs = append(errs, putErr)
		}
		if !ok {
			// The entry went away with a content update: greet and offer what there is.
			out.Missing = true
			r = b.welcome(e, lang, b.popular.Top(WelcomeChoices), WelcomeChoices)
		}
		return done(c.replied(r, start), nil)

	case MsgRating:
		if e.Content.Entry(m.Entry) == nil {
			out.Missing = true
			return done(Reply{}, nil)
		}
		fb := Feedback{EntryID: m.Entry, Helpful: m.Helpful}
		if t.Known && t.State.Rating == m.Entry {
			fb.Question = t.State.Question // the answer tapped on is the one shown last
		}
		c.record(ctx, fb, m.Vote, &errs)
		r := note(e, KindThanks, e.Content.Messages.HelpfulThank, lang)
		r.Feedback = &fb
		return done(r, nil)

	case MsgHello:
		// Not a reply to anything asked: the Observer is not told.
		return done(b.welcome(e, lang, b.popular.Top(WelcomeChoices), WelcomeChoices), nil)

	case MsgUsage:
		return done(b.usage(e, lang), nil)

	case MsgJoin:
		return done(note(e, KindJoin, e.Content.Messages.Join, lang), nil)

	case MsgMedia:
		r := note(e, KindMedia, e.Content.Messages.NonText, lang)
		media, ok := e.Content.Messages.MediaNames[m.Media]
		if !ok {
			media = e.Content.Messages.MediaNames[MediaFile]
		}
		r.Text = strings.ReplaceAll(r.Text, "{media}", media.In(lang))
		r.Body = r.Text
		return done(r, nil)
	}
	return done(Reply{}, fmt.Errorf("bot: take: unknown message kind %q", m.Kind))
}

// lang is the language to answer m in before anything is decided: the one asked for, else
// that of its text, else the conversation's, else Japanese.
func (c *Chat) lang(m Message, t Turn) faq.Lang {
	switch {
	case m.Lang != "":
		return m.Lang
	case m.Kind == MsgText && strings.TrimSpace(m.Text) != "":
		return nlu.DetectLang(m.Text)
	case t.Known && t.State.Lang != "":
		return t.State.Lang
	}
	return faq.Japanese
}

// replied tells the Observer of r and counts an answer for the greeting's choices.
func (c *Chat) replied(r Reply, start time.Time) Reply {
	if r.Kind == KindAnswer && r.Entry != "" {
		c.bot.popular.Add(r.Entry)
	}
	c.cfg.Observer.Replied(c.cfg.Platform, r, time.Since(start))
	return r
}

// record records a rating, once per vote when vote is not "".
func (c *Chat) record(ctx context.Context, fb Feedback, vote string, errs *[]error) {
	if c.cfg.Feedback == nil {
		return
	}
	if vote != "" && c.cfg.Seen != nil {
		first, err := c.cfg.Seen.FirstTime(ctx, vote)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("vote: %w", err)) // counted: better twice than never
		} else if !first {
			return
		}
	}
	if err := c.cfg.Feedback.Record(ctx, fb); err != nil {
		*errs = append(*errs, fmt.Errorf("feedback: %w", err))
	}
}

// note is a reply the bot composes itself from one of the content's messages: no decision
// behind it, nothing offered.
func note(e *Engine, kind ReplyKind, msg faq.Localized, lang faq.Lang) Reply {
	text := msg.In(lang)
	return Reply{Kind: kind, Text: text, Body: text, Lang: lang, Decision: nlu.Decision{Lang: lang, Reason: string(kind)}}
}

// usage is how to use the bot: the greeting and the content's topics (top-level entries in
// scope), as choices and as Topics.
func (b *Bot) usage(e *Engine, lang faq.Lang) Reply {
	lang = langOr(lang)
	r := b.welcome(e, lang, nil, 0)
	var es []*faq.Entry
	for _, en := range e.Content.Entries {
		if en.Parent == "" && !en.OutOfScope {
			es = append(es, en)
			t, _ := en.In(lang)
			r.Topics = append(r.Topics, t.Title)
		}
	}
	r.Kind, r.Choices, r.ChoiceKind, r.Text = KindUsage, choices(es, lang), "topics", r.Body
	return r
}

// finish completes r, rendered on e from its decision: its kind, entry, what to offer and what
// was noticed.
func (b *Bot) finish(e *Engine, r *Reply) {
	c, d, lang := e.Content, r.Decision, langOr(r.Lang)
	r.Entry, r.Section = "", ""
	if d.Entry != nil && d.Action != nlu.DontKnow {
		r.Entry, r.Section = d.Entry.ID, d.Entry.Section
	}
	switch {
	case d.Action == nlu.Answer:
		r.Kind = KindAnswer
	case d.Action == nlu.AskBack:
		r.Kind = KindAskBack
	case d.Action == nlu.Handoff:
		r.Kind = KindHandoff
	case d.Greeting:
		r.Kind = KindWelcome
	case d.Reason == "too_long":
		r.Kind = KindTooLong
	case d.Vague:
		r.Kind = KindClarify
	default:
		r.Kind = KindDontKnow
	}
	r.ChoiceKind = ""
	if len(r.Choices) > 0 {
		switch {
		case d.Action == nlu.AskBack:
			r.ChoiceKind = "followups"
		case d.Greeting:
			r.ChoiceKind = "welcome"
		default:
			r.ChoiceKind = "suggestions"
		}
	}
	r.Offers = Offers{}
	if d.Action == nlu.Answer && d.Entry != nil {
		if ask := c.Messages.HelpfulAsk.In(lang); ask != "" {
			r.Offers.Helpful = &HelpfulOffer{Entry: d.Entry.ID, Ask: ask, Yes: c.Messages.Yes.In(lang), No: c.Messages.No.In(lang)}
		}
	}
	if (r.Handoff || d.Action == nlu.DontKnow && !d.Greeting) && c.Desk.Phone != "" {
		r.Offers.Desk = &DeskOffer{
			Label: strings.ReplaceAll(c.Messages.CallDesk.In(lang), "{desk}", c.Desk.Name.In(lang)),
			Tel:   Dial(c.Desk.Phone),
			Open:  e.Hours.Open(b.now()),
		}
	}
	r.Notices = Notices{PersonalData: len(d.PII) > 0, TooLong: d.Reason == "too_long"}
	r.Phones = e.phonesIn(r.Body)
}

// phoneNumber matches the way Japanese phone numbers are written in the content: 0120-455-512,
// 03-3470-5050, +81-3-3470-5050.
var phoneNumber = regexp.MustCompile(`(?:\+81-|0)\d{1,4}-\d{1,4}-\d{3,4}`)

// phonesIn returns the official phone numbers in text, in order, each once.
func (e *Engine) phonesIn(text string) []string {
	official := e.officialPhones()
	var out []string
	for _, m := range phoneNumber.FindAllString(text, -1) {
		if official[m] && !contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// officialPhones are the phone numbers written in the engine's content: the desk's and those in
// the answers and in the bot's messages.
func (e *Engine) officialPhones() map[string]bool {
	e.phonesOnce.Do(func() {
		e.phones = map[string]bool{}
		add := func(text string) {
			for _, m := range phoneNumber.FindAllString(text, -1) {
				e.phones[m] = true
			}
		}
		c := e.Content
		add(c.Desk.Phone)
		for _, en := range c.Entries {
			for _, t := range en.Text {
				add(t.Answer)
			}
		}
		m := c.Messages
		for _, l := range []faq.Localized{m.Handoff, m.DeskOpen, m.DeskClosed, m.Fallback, m.Clarify, m.AskBack, m.Greeting, m.PIIAdvice} {
			for _, s := range l {
				add(s)
			}
		}
	})
	return e.phones
}

// noStore is the StateStore of a Chat without one: nothing is known, nothing kept.
type noStore struct{}

func (noStore) Get(context.Context, string) (State, bool, error) { return State{}, false, nil }
func (noStore) Put(context.Context, string, State) error         { return nil }

// Lang is a language of the content: what adapters name languages with.
type Lang = faq.Lang

// The languages of the content.
const (
	Japanese = faq.Japanese
	English  = faq.English
)

// LangOf tells the language a text is written in (Japanese when it cannot tell).
func LangOf(text string) Lang { return nlu.DetectLang(text) }

// Brand is the name, colour and notice that a platform shows the content under.
type Brand = faq.Brand

// Brand is the brand of the content served now.
func (b *Bot) Brand() Brand { return b.engine.Load().Content.Brand }

// Problems are the problems found in content that failed to load (what a failed reload's error
// wraps), each as "file:line: message".
type Problems = faq.Problems

// Messages are the content's messages: what a platform needs besides a reply (button labels,
// headings, what editors see of a reindex).
type Messages = faq.Messages

// Messages are the messages of the content served now. A platform rendering an Outcome uses
// Outcome.Messages instead: those of the engine the reply was decided on.
func (b *Bot) Messages() *Messages { return &b.engine.Load().Content.Messages }

// LogFailure logs an error of Take for an adapter, with attrs (never the message's text): a
// warning when the shared state failed (the outcome is complete and is sent all the same), an
// error when deciding failed (only its operation: the error may come from deep in the index
// and quote the question). It logs nothing for nil.
func LogFailure(ctx context.Context, log *slog.Logger, err error, attrs ...any) {
	switch {
	case err == nil:
	case errors.Is(err, ErrStore):
		// Answering twice is better than never, and a limit that cannot tell lets the message
		// through: the turn went on with what could be told.
		log.WarnContext(ctx, "shared state unavailable: answered as a new message", append(attrs, "error", "store")...)
	default:
		log.ErrorContext(ctx, "answer failed", append(attrs, "error", "engine")...)
	}
}

// Dial keeps the digits of a phone number (and +), for a tel: link.
func Dial(phone string) string {
	var sb strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' || r == '+' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
