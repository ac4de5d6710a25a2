package line

import (
	"cmp"
	"net/url"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/internal/textcut"
	"github.com/faqbot/faqbot/bot"
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
func messages(r bot.Reply) []messaging_api.MessageInterface {
	lang := r.Lang
	if lang == "" {
		lang = bot.Japanese
	}
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
	if desk := r.Offers.Desk; desk != nil {
		items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: &messaging_api.UriAction{
			Label: textcut.Clip(desk.Label, maxLabelLen),
			Uri:   "tel:" + desk.Tel,
		}})
	}

	var helpful *messaging_api.TextMessage
	if h := r.Offers.Helpful; h != nil {
		labels := [2]string{h.Yes, h.No}
		var yesNo []messaging_api.QuickReplyItem
		for i, answer := range []string{"yes", "no"} {
			data := url.Values{"helpful": {h.Entry + ":" + answer}, "lang": {string(lang)}}.Encode()
			if it, ok := postbackItem(labels[i], data); ok {
				yesNo = append(yesNo, it)
			}
		}
		helpful = &messaging_api.TextMessage{Text: textcut.Clip(h.Ask, maxTextLen), QuickReply: &messaging_api.QuickReply{Items: yesNo}}
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
