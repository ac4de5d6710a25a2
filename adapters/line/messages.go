package line

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// LINE's limits on what one reply may hold. Lengths are counted in UTF-16 code units, which is
// never less than LINE's character count.
const (
	maxMessages       = 5
	maxTextLen        = 5000
	maxQuickReplies   = 13
	maxLabelLen       = 20
	maxPostbackData   = 300
	maxDisplayTextLen = 300
)

// messages renders a reply of the bot as at most five LINE messages: the body (split where
// it exceeds the text limit), the choices as postback quick replies, a button that calls the
// desk for hand-offs and "don't know", and after an answer the question whether it helped.
func messages(r bot.Reply, c *faq.Content) []messaging_api.MessageInterface {
	lang := r.Lang
	if lang == "" {
		lang = faq.Japanese
	}
	d := r.Decision
	var items []messaging_api.QuickReplyItem
	for _, ch := range r.Choices {
		if len(items) == maxQuickReplies-1 { // keep room for the desk
			break
		}
		data := url.Values{"entry": {ch.EntryID}, "lang": {string(lang)}}.Encode()
		if it, ok := postbackItem(ch.Label, data); ok {
			items = append(items, it)
		}
	}
	if (r.Handoff || d.Action == nlu.DontKnow && !d.Greeting) && c.Desk.Phone != "" {
		label := strings.ReplaceAll(c.Messages.CallDesk.In(lang), "{desk}", c.Desk.Name.In(lang))
		items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: &messaging_api.UriAction{
			Label: textcut.Clip(label, maxLabelLen),
			Uri:   "tel:" + digits(c.Desk.Phone),
		}})
	}

	var helpful *messaging_api.TextMessage
	if d.Action == nlu.Answer && d.Entry != nil {
		if ask := c.Messages.HelpfulAsk.In(lang); ask != "" {
			labels := [2]string{c.Messages.Yes.In(lang), c.Messages.No.In(lang)}
			var yesNo []messaging_api.QuickReplyItem
			for i, answer := range []string{"yes", "no"} {
				data := url.Values{"helpful": {d.Entry.ID + ":" + answer}, "lang": {string(lang)}}.Encode()
				if it, ok := postbackItem(labels[i], data); ok {
					yesNo = append(yesNo, it)
				}
			}
			helpful = &messaging_api.TextMessage{Text: textcut.Clip(ask, maxTextLen), QuickReply: &messaging_api.QuickReply{Items: yesNo}}
		}
	}

	room := maxMessages
	if helpful != nil {
		room--
	}
	var out []messaging_api.MessageInterface
	// The text lists the choices too, as lines: LINE for PC shows no quick replies.
	for _, part := range textcut.Split(cmp.Or(r.Text, r.Body), maxTextLen, room) {
		out = append(out, &messaging_api.TextMessage{Text: part})
	}
	if helpful != nil {
		out = append(out, helpful)
	}
	// Quick replies show only on the last message of a reply.
	if len(items) > 0 && len(out) > 0 {
		last := out[len(out)-1].(*messaging_api.TextMessage)
		if last.QuickReply == nil {
			last.QuickReply = &messaging_api.QuickReply{}
		}
		last.QuickReply.Items = append(last.QuickReply.Items, items...)
		last.QuickReply.Items = last.QuickReply.Items[:min(len(last.QuickReply.Items), maxQuickReplies)]
	}
	return out
}

// textOnly is a reply of one plain text message.
func textOnly(text string) []messaging_api.MessageInterface {
	if text == "" {
		return nil
	}
	return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: textcut.Clip(text, maxTextLen)}}
}

// postbackItem is a quick reply button that sends data back and shows label as the user's
// message. ok is false when data is too long for LINE.
func postbackItem(label, data string) (messaging_api.QuickReplyItem, bool) {
	if label == "" || textcut.Len(data) > maxPostbackData {
		return messaging_api.QuickReplyItem{}, false
	}
	return messaging_api.QuickReplyItem{Type: "action", Action: &messaging_api.PostbackAction{
		Label:       textcut.Clip(label, maxLabelLen),
		Data:        data,
		DisplayText: textcut.Clip(label, maxDisplayTextLen),
	}}, true
}

// digits keeps the digits of a phone number, for a tel: URI.
func digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
