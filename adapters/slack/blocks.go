package slack

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
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

// The adapter's own words: the few texts the content does not hold.
type uiText struct {
	lookingUp, source, usage, topics, switchLang string
}

var uiTexts = map[faq.Lang]uiText{
	faq.Japanese: {
		lookingUp:  "確認しています…",
		source:     "出典",
		usage:      "使い方: /faq ご質問（例: /faq 漏えいした件数は？）",
		topics:     "よくあるご質問",
		switchLang: "Show in English",
	},
	faq.English: {
		lookingUp:  "Looking that up…",
		source:     "Source",
		usage:      "Usage: /faq your question (for example: /faq How many records were leaked?)",
		topics:     "Topics",
		switchLang: "日本語で表示",
	},
}

func ui(lang faq.Lang) uiText { return uiTexts[langOr(lang)] }

// staffText is what editors see of "/faq reindex", in both languages at once.
var staffText = struct {
	notEditor, noReindex, reindexing, busy, done, failed string
}{
	notEditor:  "Only content editors may run /faq reindex. / /faq reindex はコンテンツ編集者のみ実行できます。",
	noReindex:  "Reindexing is not available on this server. / このサーバーでは再インデックスできません。",
	reindexing: "Reindexing… / 再インデックス中…",
	busy:       "A reindex is already running. / 再インデックスはすでに実行中です。",
	done:       "Reindexed. / 再インデックスしました。",
	failed:     "The content has errors; the previous content keeps serving. / コンテンツに誤りがあります。以前のコンテンツのまま回答を続けます。",
}

func langOr(l faq.Lang) faq.Lang {
	if l == faq.English {
		return faq.English
	}
	return faq.Japanese
}

func other(l faq.Lang) faq.Lang {
	if langOr(l) == faq.English {
		return faq.Japanese
	}
	return faq.English
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
func replyBlocks(r bot.Reply, c *faq.Content, switchArg string) []slack.Block {
	lang := langOr(r.Lang)
	d := r.Decision
	var tail []slack.Block
	if d.Entry != nil && d.Action != nlu.DontKnow {
		tail = append(tail, sourceBlock(d.Entry, lang))
	}
	var choices []slack.BlockElement
	for i, ch := range r.Choices {
		if len(choices) == maxActionElements {
			break
		}
		if b := button(fmt.Sprintf("faq.entry.%d", i), actionValue(verbEntry, ch.EntryID, lang), ch.Label); b != nil {
			choices = append(choices, b)
		}
	}
	if len(choices) > 0 {
		tail = append(tail, slack.NewActionBlock("", choices...))
	}
	if d.Action == nlu.Answer && d.Entry != nil {
		if ask := c.Messages.HelpfulAsk.In(lang); ask != "" {
			var yesNo []slack.BlockElement
			for _, b := range []*slack.ButtonBlockElement{
				button("faq.yes", actionValue(verbYes, d.Entry.ID, lang), c.Messages.Yes.In(lang)),
				button("faq.no", actionValue(verbNo, d.Entry.ID, lang), c.Messages.No.In(lang)),
			} {
				if b != nil {
					yesNo = append(yesNo, b)
				}
			}
			if len(yesNo) > 0 {
				tail = append(tail, contextBlock(plain(ask, maxContextText)), slack.NewActionBlock("", yesNo...))
			}
		}
	}
	if switchArg != "" {
		if b := button("faq.lang", actionValue(verbLang, switchArg, other(lang)), ui(lang).switchLang); b != nil {
			tail = append(tail, slack.NewActionBlock("", b))
		}
	}
	blocks := sections(cmp.Or(r.Body, r.Text), maxBlocks-len(tail))
	return append(blocks, tail...)
}

// usageBlocks is the answer to "/faq" alone: what the bot does, how to ask, and the topics of
// the content as buttons.
func usageBlocks(b *bot.Bot, lang faq.Lang) []slack.Block {
	lang = langOr(lang)
	u := ui(lang)
	c := b.Engine().Content
	intro := b.Welcome(lang, nil, 0).Body
	blocks := sections(intro+"\n\n"+u.usage, 3)
	var lines []string
	var topics []slack.BlockElement
	for _, e := range c.Entries {
		if e.Parent != "" || e.OutOfScope {
			continue
		}
		t, _ := e.In(lang)
		label := cmp.Or(t.Label, t.Title)
		lines = append(lines, "・"+t.Title)
		if len(topics) < maxActionElements {
			if bt := button(fmt.Sprintf("faq.entry.%d", len(topics)), actionValue(verbEntry, e.ID, lang), label); bt != nil {
				topics = append(topics, bt)
			}
		}
	}
	blocks = append(blocks, slack.NewSectionBlock(plain(u.topics+"\n"+strings.Join(lines, "\n"), maxSectionText), nil, nil))
	if len(topics) > 0 {
		blocks = append(blocks, slack.NewActionBlock("", topics...))
	}
	if bt := button("faq.lang", actionValue(verbLang, switchUsage, other(lang)), u.switchLang); bt != nil {
		blocks = append(blocks, slack.NewActionBlock("", bt))
	}
	return blocks
}

// textBlocks is a plain message of one or more sections.
func textBlocks(text string) []slack.Block { return sections(text, maxBlocks) }

// sourceBlock names the entry and the section of the official FAQ it comes from, for staff to
// quote.
func sourceBlock(e *faq.Entry, lang faq.Lang) slack.Block {
	s := "`" + escape(e.ID) + "`"
	if e.Section != "" {
		s = ui(lang).source + ": " + escape(e.Section) + " · " + s
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
