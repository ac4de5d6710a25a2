package slack

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/bot"
)

// process answers one job.
func (a *Adapter) process(ctx context.Context, j job) {
	timeout := a.cfg.EventTimeout
	if j.kind == kindReindex {
		timeout = a.cfg.ReindexTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if j.kind == kindReindex {
		if a.firstReindex(ctx, j) {
			a.reindex(ctx, j)
		}
		return
	}
	a.answer(ctx, j, false)
}

// answerBusy tells the user of a job that found the workers busy to try again (or, over the
// rate limit, to slow down), unless the job's event was taken before.
func (a *Adapter) answerBusy(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.EventTimeout)
	defer cancel()
	a.answer(ctx, j, true)
}

// firstReindex tells whether the event of a "/faq reindex" was not taken before.
func (a *Adapter) firstReindex(ctx context.Context, j job) bool {
	t, err := a.cfg.Admitter.Admit(ctx, bot.Arrival{Events: j.events})
	if err != nil {
		a.log.WarnContext(ctx, "admission failed: answered as a new message", "event", j.id, "error", err)
	}
	if t.Repeat {
		a.counters.duplicates.Add(1)
		a.log.InfoContext(ctx, "repeated event ignored", "event", j.id, "kind", j.kind, "retry", j.retry)
	}
	return !t.Repeat
}

// message is j in the bot's terms, and where its answer goes; ok is false for a button the
// adapter does not know.
func (a *Adapter) message(j job) (m bot.Message, t target, ok bool) {
	m = bot.Message{Events: j.events, User: j.key(), Limit: j.key()}
	t = j.target()
	if j.kind != kindAction {
		m.Kind, m.Text = bot.MsgText, plainQuestion(j.text)
		if j.media != "" {
			m.Kind, m.Media = bot.MsgMedia, j.media
		}
		return m, t, true
	}
	act := j.action
	m.Lang = act.lang
	switch act.verb {
	case verbEntry:
		m.Kind, m.Entry = bot.MsgChoice, act.arg
	case verbLang:
		// Show the same in the other language, in place of the message clicked.
		t = target{responseURL: j.responseURL, replace: true}
		if !a.api.allowed(t) {
			t = j.target()
		}
		switch {
		case act.arg == switchUsage:
			m.Kind = bot.MsgUsage
		case act.arg == switchWelcome:
			m.Kind = bot.MsgHello
		case strings.HasPrefix(act.arg, switchEntry):
			m.Kind, m.Entry = bot.MsgChoice, strings.TrimPrefix(act.arg, switchEntry)
		default:
			return bot.Message{}, target{}, false
		}
	case verbYes, verbNo:
		// One vote per user and message, however often the button is clicked.
		m.Kind, m.Entry, m.Helpful = bot.MsgRating, act.arg, act.verb == verbYes
		m.Vote = "slack:helpful:" + j.key() + ":" + j.channel + ":" + act.messageTS + ":" + act.arg
		t = a.private(j)
	default:
		return bot.Message{}, target{}, false
	}
	return m, t, true
}

// answer has the bot take j (busy: the workers had no room for it) and posts the outcome.
func (a *Adapter) answer(ctx context.Context, j job, busy bool) {
	m, t, ok := a.message(j)
	if !ok {
		a.counters.ignored.Add(1)
		a.log.InfoContext(ctx, "unknown button ignored", "event", j.id)
		return
	}
	m.Busy = busy
	out, err := a.chat.Take(ctx, m)
	bot.LogFailure(ctx, a.log, err, "event", j.id)
	r := out.Reply
	switch {
	case out.Repeat:
		a.counters.duplicates.Add(1)
		a.log.InfoContext(ctx, "repeated event ignored", "event", j.id, "kind", j.kind, "retry", j.retry)
		return
	case ctx.Err() != nil:
		a.counters.dropped.Add(1)
		a.log.WarnContext(ctx, "event dropped: no time left", "event", j.id, "kind", j.kind)
		return
	case out.Missing && m.Kind == bot.MsgRating:
		a.counters.ignored.Add(1)
		a.log.InfoContext(ctx, "feedback on an unknown entry ignored", "event", j.id)
		return
	case out.Missing:
		a.log.InfoContext(ctx, "chosen entry not found", "event", j.id)
	}
	if j.retry > 0 && len(m.Events) > 0 {
		a.log.InfoContext(ctx, "retried event taken (first delivery not seen)", "event", j.id, "retry", j.retry)
	}
	var blocks []slack.Block
	switch r.Kind {
	case bot.KindSlowDown, bot.KindBusy:
		if r.Kind == bot.KindSlowDown {
			a.counters.limited.Add(1)
		}
		t, blocks = a.private(j), textBlocks(r.Text)
	case bot.KindError:
		blocks = textBlocks(r.Text)
	case bot.KindThanks:
		a.logFeedback(ctx, j, m, r)
		blocks = textBlocks(r.Text)
	case bot.KindUsage:
		blocks = usageBlocks(r, out.Messages, out.Messages.Usage.In(r.Lang))
	default:
		blocks = replyBlocks(r, out.Messages, switchOf(r))
	}
	a.deliver(ctx, j, t, cmp.Or(r.Text, r.Body), blocks, describeReply(r)...)
}

// logFeedback logs a rating (never whose).
func (a *Adapter) logFeedback(ctx context.Context, j job, m bot.Message, r bot.Reply) {
	if m.Kind == bot.MsgRating {
		helpful := verbNo
		if m.Helpful {
			helpful = verbYes
		}
		a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", m.Entry, "helpful", helpful)
		return
	}
	a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", r.Feedback.EntryID, "helpful", r.Feedback.Helpful, "typed", true)
}

// switchOf is the language button's arg for a reply ("" for none): the greeting, or the entry
// the reply shows.
func switchOf(r bot.Reply) string {
	switch {
	case r.Kind == bot.KindWelcome:
		return switchWelcome
	case r.Entry != "":
		return switchEntry + r.Entry
	}
	return ""
}

// describeReply describes a reply for the log (never its text).
func describeReply(r bot.Reply) []any {
	switch r.Kind {
	case bot.KindThanks:
		return []any{"action", "feedback", "entry", r.Feedback.EntryID}
	case bot.KindUsage:
		return []any{"action", "usage", "lang", string(r.Lang)}
	case bot.KindSlowDown, bot.KindBusy, bot.KindError:
		return []any{"action", string(r.Kind)}
	}
	d := r.Decision
	attrs := []any{"action", string(d.Action), "lang", string(r.Lang), "confidence", d.Confidence}
	if r.Kind == bot.KindWelcome {
		attrs[1] = "welcome"
	}
	if r.Entry != "" {
		attrs = append(attrs, "entry", r.Entry)
	}
	if len(d.PII) > 0 {
		attrs = append(attrs, "pii", d.PII)
	}
	return attrs
}

// reindex runs "/faq reindex" for an editor and tells them how it went.
func (a *Adapter) reindex(ctx context.Context, j job) {
	t := j.target()
	msgs := a.bot.Messages()
	if !a.reindexMu.TryLock() {
		a.deliver(ctx, j, t, both(msgs.ReindexBusy), textBlocks(both(msgs.ReindexBusy)), "action", "reindex_busy")
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
		blocks := append(textBlocks(both(msgs.ReindexFailed)), sections(problems, maxBlocks-1)...)
		a.deliver(ctx, j, t, both(msgs.ReindexFailed), blocks[:min(len(blocks), maxBlocks)], "action", "reindex_failed")
		return
	}
	a.log.InfoContext(ctx, "reindexed", "event", j.id, "ms", time.Since(t0).Milliseconds())
	text := strings.TrimSpace(both(msgs.Reindexed) + "\n" + summary)
	a.deliver(ctx, j, t, text, textBlocks(text), "action", "reindexed")
}

// usageAck is the immediate answer to "/faq" alone. It reads no shared state, so it does not
// know the language of the conversation: the usage line is in both languages, the rest in
// Japanese with a button that shows it all in English.
func (a *Adapter) usageAck(ctx context.Context) ackMessage {
	out, _ := a.chat.Take(ctx, bot.Message{Kind: bot.MsgUsage}) // nothing shared is read: no error
	usage := out.Messages.Usage.In(bot.Japanese) + "\n" + out.Messages.Usage.In(bot.English)
	ack := ackMessage{ResponseType: "ephemeral", Text: usage}
	if b, err := marshalBlocks(usageBlocks(out.Reply, out.Messages, usage)); err == nil {
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
func (a *Adapter) deliver(ctx context.Context, j job, t target, text string, blocks []slack.Block, attrs ...any) {
	log := a.log.With("event", j.id, "kind", string(j.kind))
	if !a.api.allowed(t) {
		a.counters.failed.Add(1)
		log.WarnContext(ctx, "reply not posted: no usable channel or response URL", attrs...)
		return
	}
	out := a.api.post(ctx, t, string(j.kind)+":"+j.id, []slack.MsgOption{
		slack.MsgOptionText(fallback(text), true),
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
	via := "channel"
	if t.responseURL != "" {
		via = "response_url"
	}
	log.InfoContext(ctx, "replied", append(attrs, "via", via, "status", out.status, "attempts", out.attempts, "ms", time.Since(j.received).Milliseconds())...)
}
