package slack

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/bot"
)

// Slack's Block Kit limits. Lengths are counted in UTF-16 code units, which is never less than
// Slack's character count.
const (
	maxBlocks         = 50
	maxSectionText    = 3000
	maxContextText    = 3000
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxActionID       = 255
	maxActionElements = 25
	// maxFallbackText bounds the notification text of a message (Slack truncates at 40,000).
	maxFallbackText = 3000
)

// both is a message in both languages at once, English first: what editors see of
// "/faq reindex", whatever language they speak.
func both(l interface{ In(bot.Lang) string }) string {
	return l.In(bot.English) + " / " + l.In(bot.Japanese)
}

func langOr(l bot.Lang) bot.Lang {
	if l == bot.English {
		return bot.English
	}
	return bot.Japanese
}

func other(l bot.Lang) bot.Lang {
	if langOr(l) == bot.English {
		return bot.Japanese
	}
	return bot.English
}

// What a language button re-renders (the arg of verbLang).
const (
	switchWelcome = "welcome"
	switchUsage   = "usage"
	switchEntry   = "entry:"
)

// replyBlocks renders a reply of the bot: the body (split into sections where it exceeds the
// section limit), the entry id and its source section, the choices as buttons, after an answer
// the question whether it helped, and a button showing the same in the other language when
// switchArg says what that is ("" for none).
func replyBlocks(r bot.Reply, msgs *bot.Messages, switchArg string) []slack.Block {
	lang := langOr(r.Lang)
	var tail []slack.Block
	if r.Entry != "" {
		tail = append(tail, sourceBlock(r.Entry, r.Section, msgs.Source.In(lang)))
	}
	if b := choiceButtons(r.Choices, lang); b != nil {
		tail = append(tail, b)
	}
	if h := r.Offers.Helpful; h != nil {
		var yesNo []slack.BlockElement
		for _, b := range []*slack.ButtonBlockElement{
			button("faq.yes", actionValue(verbYes, h.Entry, lang), h.Yes),
			button("faq.no", actionValue(verbNo, h.Entry, lang), h.No),
		} {
			if b != nil {
				yesNo = append(yesNo, b)
			}
		}
		if len(yesNo) > 0 {
			tail = append(tail, contextBlock(plain(h.Ask, maxContextText)), slack.NewActionBlock("", yesNo...))
		}
	}
	if switchArg != "" {
		if b := button("faq.lang", actionValue(verbLang, switchArg, other(lang)), msgs.SwitchLang.In(lang)); b != nil {
			tail = append(tail, slack.NewActionBlock("", b))
		}
	}
	blocks := sections(cmp.Or(r.Body, r.Text), maxBlocks-len(tail))
	return append(blocks, tail...)
}

// choiceButtons is an action block of choices (nil for none).
func choiceButtons(cs []bot.Choice, lang bot.Lang) slack.Block {
	var buttons []slack.BlockElement
	for i, ch := range cs {
		if len(buttons) == maxActionElements {
			break
		}
		if b := button(fmt.Sprintf("faq.entry.%d", i), actionValue(verbEntry, ch.EntryID, lang), ch.Label); b != nil {
			buttons = append(buttons, b)
		}
	}
	if len(buttons) == 0 {
		return nil
	}
	return slack.NewActionBlock("", buttons...)
}

// usageBlocks is the answer to "/faq" alone (a KindUsage reply): what the bot does, how to
// ask (usage), and the topics of the content as buttons.
func usageBlocks(r bot.Reply, msgs *bot.Messages, usage string) []slack.Block {
	lang := langOr(r.Lang)
	blocks := sections(r.Body+"\n\n"+usage, 3)
	lines := make([]string, len(r.Topics))
	for i, t := range r.Topics {
		lines[i] = "・" + t
	}
	blocks = append(blocks, slack.NewSectionBlock(plain(msgs.Topics.In(lang)+"\n"+strings.Join(lines, "\n"), maxSectionText), nil, nil))
	if b := choiceButtons(r.Choices, lang); b != nil {
		blocks = append(blocks, b)
	}
	if bt := button("faq.lang", actionValue(verbLang, switchUsage, other(lang)), msgs.SwitchLang.In(lang)); bt != nil {
		blocks = append(blocks, slack.NewActionBlock("", bt))
	}
	return blocks
}

// textBlocks is a plain message of one or more sections.
func textBlocks(text string) []slack.Block { return sections(text, maxBlocks) }

// sourceBlock names the entry and the section of the official FAQ it comes from, for staff to
// quote.
func sourceBlock(entry, section, source string) slack.Block {
	s := "`" + escape(entry) + "`"
	if section != "" {
		s = source + ": " + escape(section) + " · " + s
	}
	return contextBlock(slack.NewTextBlockObject(slack.MarkdownType, textcut.Clip(s, maxContextText), false, false))
}

func contextBlock(t *slack.TextBlockObject) slack.Block { return slack.NewContextBlock("", t) }

// sections cuts text into at most n plain-text sections (at least one).
func sections(text string, n int) []slack.Block {
	var out []slack.Block
	for _, part := range textcut.Split(text, maxSectionText, max(n, 1)) {
		out = append(out, slack.NewSectionBlock(plain(part, maxSectionText), nil, nil))
	}
	if len(out) == 0 {
		out = append(out, slack.NewSectionBlock(plain("…", maxSectionText), nil, nil))
	}
	return out
}

// plain is a plain-text object: the official texts are shown as written, never read as
// markup ("9:00~17:00 … ~" must not strike anything through).
func plain(s string, limit int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, textcut.Clip(s, limit), false, false)
}

// button is a button, or nil when its value would not fit.
func button(actionID, value, label string) *slack.ButtonBlockElement {
	label = strings.TrimSpace(label)
	if label == "" || textcut.Len(value) > maxButtonValue || len(actionID) > maxActionID {
		return nil
	}
	return slack.NewButtonBlockElement(actionID, value, plain(label, maxButtonText))
}

// fallback is the notification text of a message.
func fallback(s string) string { return textcut.Clip(strings.TrimSpace(s), maxFallbackText) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "'")

// escape makes s literal in mrkdwn.
func escape(s string) string {
	return mrkdwnEscaper.Replace(s)
}
