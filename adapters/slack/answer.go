package slack

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// welcomeChoices is how many entries a greeting offers.
const welcomeChoices = 5

// process answers one job.
func (a *Adapter) process(ctx context.Context, j job) {
	timeout := a.cfg.EventTimeout
	if j.kind == kindReindex {
		timeout = a.cfg.ReindexTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if j.kind == kindReindex {
		if _, ok := a.admit(ctx, j, bot.Arrival{Events: j.events}); ok {
			a.reindex(ctx, j)
		}
		return
	}
	t, ok := a.admit(ctx, j, j.arrival())
	switch {
	case !ok: // answered before
	case t.Limited:
		a.counters.limited.Add(1)
		a.cfg.Observer.Refused("slack", "rate_limited")
		lang := a.jobLang(j)
		text := a.bot.Engine().Content.Messages.SlowDown.In(lang)
		a.deliver(ctx, j, a.private(j), note(text, lang, "slow_down"), textBlocks(text), 0, "action", "slow_down")
	case j.kind == kindAction:
		a.click(ctx, j, t)
	default:
		a.question(ctx, j, t)
	}
}

// admit asks the Admitter about ar, j's arrival; ok is false when j's event was taken before
// (here, or by another replica).
func (a *Adapter) admit(ctx context.Context, j job, ar bot.Arrival) (t bot.Turn, ok bool) {
	t, err := a.cfg.Admitter.Admit(ctx, ar)
	if err != nil {
		// Answering twice is better than never, and a limit that cannot tell lets the message
		// through: go on with what could be told, and say so.
		a.log.WarnContext(ctx, "admission failed: answered as a new message", "event", j.id, "error", err)
	}
	if t.Repeat {
		a.counters.duplicates.Add(1)
		a.log.InfoContext(ctx, "repeated event ignored", "event", j.id, "kind", j.kind, "retry", j.retry)
		return t, false
	}
	if j.retry > 0 && len(ar.Events) > 0 {
		a.log.InfoContext(ctx, "retried event taken (first delivery not seen)", "event", j.id, "retry", j.retry)
	}
	return t, true
}

// think runs decide under the adapter's thinking tokens (bot.WithGate: held only while the
// bot decides, not while it reads or writes a shared store); false when ctx ended first.
func (a *Adapter) think(ctx context.Context, decide func(ctx context.Context)) bool {
	decide(bot.WithGate(ctx, a.thinking))
	return ctx.Err() == nil
}

// question answers a mention, a direct message or "/faq <question>".
func (a *Adapter) question(ctx context.Context, j job, t bot.Turn) {
	text := plainQuestion(j.text)
	var (
		r    bot.Reply
		err  error
		took time.Duration
	)
	if !a.think(ctx, func(ctx context.Context) {
		t0 := time.Now()
		if text == "" {
			// Only a mention of the bot: greet and offer what there is.
			r = a.bot.Welcome(turnLang(t), a.popular.Top(welcomeChoices), welcomeChoices)
			r.Decision.Greeting = true
		} else {
			r, err = a.bot.HandleTurn(ctx, j.key(), t, text, a.cfg.Store)
		}
		took = time.Since(t0)
	}) {
		a.counters.dropped.Add(1)
		a.log.WarnContext(ctx, "event dropped: no time left", "event", j.id, "kind", j.kind)
		return
	}
	content := a.bot.Engine().Content
	if err != nil && !errors.Is(err, bot.ErrStore) {
		// The error may come from deep in the index: log its operation only, not its text.
		a.log.ErrorContext(ctx, "answer failed", "event", j.id, "error", "engine")
		lang := nlu.DetectLang(text)
		busy := content.Messages.Busy.In(lang)
		a.deliver(ctx, j, j.target(), note(busy, lang, "error"), textBlocks(busy), took, "action", "error")
		return
	}
	a.storeFailed(ctx, j, err)
	if fb := r.Feedback; fb != nil {
		// はい / いいえ typed after "was this helpful?": recorded as a click on the buttons is.
		if err := a.cfg.Feedback.Record(ctx, fb.EntryID, fb.Helpful); err != nil {
			a.log.WarnContext(ctx, "feedback not recorded", "event", j.id, "entry", fb.EntryID, "error", err)
		}
		a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", fb.EntryID, "helpful", fb.Helpful, "typed", true)
		a.deliver(ctx, j, j.target(), r, textBlocks(r.Text), took, "action", "feedback", "entry", fb.EntryID)
		return
	}
	switchArg := ""
	if r.Decision.Greeting {
		if text != "" {
			// "Hello": greet as on arrival, with the most asked entries to tap.
			r = a.bot.Welcome(r.Lang, a.popular.Top(welcomeChoices), welcomeChoices)
		}
		switchArg = switchWelcome
	} else {
		switchArg = a.entrySwitch(r)
	}
	a.deliver(ctx, j, j.target(), r, replyBlocks(r, content, switchArg), took, a.describeReply(r)...)
}

// entrySwitch is the language button's arg for a reply that shows an entry ("" for none), and
// counts the answer.
func (a *Adapter) entrySwitch(r bot.Reply) string {
	d := r.Decision
	if d.Entry == nil || d.Action == nlu.DontKnow {
		return ""
	}
	if d.Action == nlu.Answer {
		a.popular.Add(d.Entry.ID)
	}
	return switchEntry + d.Entry.ID
}

// click answers a button.
func (a *Adapter) click(ctx context.Context, j job, turn bot.Turn) {
	act := j.action
	content := a.bot.Engine().Content
	switch act.verb {
	case verbEntry:
		a.choose(ctx, j, turn, act.arg, j.target())

	case verbLang:
		// Show the same in the other language, in place of the message clicked.
		t := target{responseURL: j.responseURL, replace: true}
		if !a.api.allowed(t) {
			t = j.target()
		}
		switch {
		case act.arg == switchUsage:
			text := ui(act.lang).usage
			a.deliver(ctx, j, t, note(text, act.lang, "usage"), usageBlocks(a.bot, act.lang), 0, "action", "usage", "lang", string(act.lang))
		case act.arg == switchWelcome:
			r := a.bot.Welcome(act.lang, a.popular.Top(welcomeChoices), welcomeChoices)
			a.deliver(ctx, j, t, r, replyBlocks(r, content, switchWelcome), 0, "action", "welcome", "lang", string(act.lang))
		case strings.HasPrefix(act.arg, switchEntry):
			a.choose(ctx, j, turn, strings.TrimPrefix(act.arg, switchEntry), t)
		default:
			a.counters.ignored.Add(1)
			a.log.InfoContext(ctx, "unknown button ignored", "event", j.id)
		}

	case verbYes, verbNo:
		id := act.arg
		if content.Entry(id) == nil {
			a.counters.ignored.Add(1)
			a.log.InfoContext(ctx, "feedback on an unknown entry ignored", "event", j.id)
			return
		}
		// One vote per user and message, however often the button is clicked.
		first, err := a.cfg.Seen.FirstTime(ctx, "slack:helpful:"+j.key()+":"+j.channel+":"+act.messageTS+":"+id)
		switch {
		case err != nil:
			a.log.WarnContext(ctx, "feedback dedupe unavailable", "event", j.id, "error", err)
			fallthrough
		case first:
			if err := a.cfg.Feedback.Record(ctx, id, act.verb == verbYes); err != nil {
				a.log.WarnContext(ctx, "feedback not recorded", "event", j.id, "entry", id, "error", err)
			}
			a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", id, "helpful", act.verb)
		default:
			a.log.InfoContext(ctx, "repeated feedback ignored", "event", j.id, "entry", id)
		}
		thanks := content.Messages.HelpfulThank.In(act.lang)
		a.deliver(ctx, j, a.private(j), note(thanks, act.lang, "feedback"), textBlocks(thanks), 0, "action", "feedback", "entry", id)
	}
}

// choose shows entry id, tapped by j's user after turn, at t.
func (a *Adapter) choose(ctx context.Context, j job, turn bot.Turn, id string, t target) {
	lang := j.action.lang
	var (
		r    bot.Reply
		ok   bool
		err  error
		took time.Duration
	)
	a.think(ctx, func(ctx context.Context) {
		t0 := time.Now()
		r, ok, err = a.bot.ChooseTurn(ctx, j.key(), turn, id, lang, a.cfg.Store)
		took = time.Since(t0)
	})
	a.storeFailed(ctx, j, err)
	content := a.bot.Engine().Content
	if !ok {
		// The entry went away with a content update: greet and offer what there is.
		a.log.InfoContext(ctx, "chosen entry not found", "event", j.id)
		r = a.bot.Welcome(lang, a.popular.Top(welcomeChoices), welcomeChoices)
		a.deliver(ctx, j, t, r, replyBlocks(r, content, switchWelcome), took, "action", "welcome", "lang", string(lang))
		return
	}
	a.deliver(ctx, j, t, r, replyBlocks(r, content, a.entrySwitch(r)), took, a.describeReply(r)...)
}

// reindex runs "/faq reindex" for an editor and tells them how it went.
func (a *Adapter) reindex(ctx context.Context, j job) {
	t := j.target()
	if !a.reindexMu.TryLock() {
		a.deliver(ctx, j, t, note(staffText.busy, faq.English, "reindex"), textBlocks(staffText.busy), 0, "action", "reindex_busy")
		return
	}
	defer a.reindexMu.Unlock()
	t0 := time.Now()
	summary, err := a.cfg.Reindex(ctx)
	if err != nil {
		// The text holds the content's problems as "file:line: message" lines, shown as they
		// are (plain text) for the editor to fix.
		problems := strings.TrimSpace(err.Error())
		a.log.WarnContext(ctx, "reindex failed", "event", j.id, "ms", time.Since(t0).Milliseconds(),
			"problems", strings.Count(problems, "\n")+1, "error", problems)
		blocks := append(textBlocks(staffText.failed), sections(problems, maxBlocks-1)...)
		a.deliver(ctx, j, t, note(staffText.failed, faq.English, "reindex"), blocks[:min(len(blocks), maxBlocks)], 0, "action", "reindex_failed")
		return
	}
	a.log.InfoContext(ctx, "reindexed", "event", j.id, "ms", time.Since(t0).Milliseconds())
	text := strings.TrimSpace(staffText.done + "\n" + summary)
	a.deliver(ctx, j, t, note(text, faq.English, "reindex"), textBlocks(text), 0, "action", "reindexed")
}

// answerBusy tells the user of a job that found the workers busy to try again, unless the job's
// event was taken before.
func (a *Adapter) answerBusy(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.EventTimeout)
	defer cancel()
	if _, ok := a.admit(ctx, j, bot.Arrival{Events: j.events}); !ok {
		return
	}
	a.cfg.Observer.Refused("slack", "busy")
	lang := a.jobLang(j)
	text := a.bot.Engine().Content.Messages.Busy.In(lang)
	a.deliver(ctx, j, a.private(j), note(text, lang, "busy"), textBlocks(text), 0, "action", "busy")
}

// usageAck is the immediate answer to "/faq" alone.
func (a *Adapter) usageAck(ctx context.Context, j job) ackMessage {
	lang := a.stateLang(ctx, j)
	ack := ackMessage{ResponseType: "ephemeral", Text: ui(lang).usage}
	if b, err := marshalBlocks(usageBlocks(a.bot, lang)); err == nil {
		ack.Blocks = b
	}
	return ack
}

// private is where an answer that only j's user should see goes: the response URL of a
// command or a click, else where the job's answer goes.
func (a *Adapter) private(j job) target {
	if t := (target{responseURL: j.responseURL}); j.responseURL != "" && a.api.allowed(t) {
		return t
	}
	return j.target()
}

// deliver posts a reply to t; attrs describe it for the log (never its text).
func (a *Adapter) deliver(ctx context.Context, j job, t target, r bot.Reply, blocks []slack.Block, took time.Duration, attrs ...any) {
	log := a.log.With("event", j.id, "kind", string(j.kind))
	if !a.api.allowed(t) {
		a.counters.failed.Add(1)
		log.WarnContext(ctx, "reply not posted: no usable channel or response URL", attrs...)
		return
	}
	out := a.api.post(ctx, t, string(j.kind)+":"+j.id, []slack.MsgOption{
		slack.MsgOptionText(fallback(cmpText(r)), true),
		slack.MsgOptionBlocks(blocks...),
	})
	if out.err != nil {
		a.counters.failed.Add(1)
		if out.unknown {
			a.counters.unknown.Add(1)
		}
		log.ErrorContext(ctx, "reply failed", append(attrs, "status", out.status, "attempts", out.attempts, "unknown", out.unknown, "error", out.err)...)
		return
	}
	a.counters.replied.Add(1)
	if out.found {
		a.counters.found.Add(1)
		attrs = append(attrs, "found_after_timeout", true)
	}
	if r.Decision.Action != "" {
		a.cfg.Observer.Replied("slack", r, took)
	}
	via := "channel"
	if t.responseURL != "" {
		via = "response_url"
	}
	log.InfoContext(ctx, "replied", append(attrs, "via", via, "status", out.status, "attempts", out.attempts, "ms", time.Since(j.received).Milliseconds())...)
}

func cmpText(r bot.Reply) string {
	if r.Text != "" {
		return r.Text
	}
	return r.Body
}

// note is a reply faqbot composes itself (busy, slow down, thanks, usage, reindex): it has no
// Decision.Action, and Decision.Reason names it. Notes are not answers: the Observer is not
// told of them as replies (busy and slow down are told as refusals).
func note(text string, lang faq.Lang, reason string) bot.Reply {
	return bot.Reply{Text: text, Body: text, Lang: lang, Decision: nlu.Decision{Lang: lang, Reason: reason}}
}

// describeReply describes a reply of the bot for the log.
func (a *Adapter) describeReply(r bot.Reply) []any {
	d := r.Decision
	attrs := []any{"action", string(d.Action), "lang", string(r.Lang), "confidence", d.Confidence}
	if d.Greeting {
		attrs[1] = "welcome"
	}
	if d.Entry != nil {
		attrs = append(attrs, "entry", d.Entry.ID)
	}
	if len(d.PII) > 0 {
		attrs = append(attrs, "pii", d.PII)
	}
	return attrs
}

// jobLang is the language to answer j in before the bot has decided.
func (a *Adapter) jobLang(j job) faq.Lang {
	if j.kind == kindAction {
		return j.action.lang
	}
	return nlu.DetectLang(plainQuestion(j.text))
}

// stateLang is the language of j's conversation so far (Japanese when unknown).
func (a *Adapter) stateLang(ctx context.Context, j job) faq.Lang {
	st, ok, err := a.cfg.Store.Get(ctx, j.key())
	return turnLang(bot.Turn{State: st, Known: ok && err == nil})
}

// turnLang is the language of the conversation t tells (Japanese when unknown).
func turnLang(t bot.Turn) faq.Lang {
	if t.Known && t.State.Lang != "" {
		return t.State.Lang
	}
	return faq.Japanese
}

func (a *Adapter) storeFailed(ctx context.Context, j job, err error) {
	if err != nil {
		a.log.WarnContext(ctx, "conversation state unavailable", "event", j.id, "error", "store")
	}
}
