package line

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/bot"
)

// kind is what a job asks for.
type kind string

const (
	kindText     kind = "text"
	kindPostback kind = "postback"
	kindFollow   kind = "follow"
	kindJoin     kind = "join"
	kindNonText  kind = "non_text"
)

// job is one event to answer, in the adapter's own terms.
type job struct {
	id         string // webhookEventId
	kind       kind
	replyToken string
	// chat is where a push goes: the user, group or room id.
	chat string
	// user keys the conversation state: the user in a 1:1 chat, the user within a group or room.
	user       string
	oneToOne   bool
	text       string // the message text, or the postback data
	media      string // what a non-text message holds (bot.MediaSticker, …)
	received   time.Time
	redelivery bool
}

// wireEvent is the part of a webhook event object that the adapter reads.
//
// The SDK's model (webhook.UnmarshalEvent) decodes an event in several passes over maps of raw
// messages: 55 µs and 169 allocations for one text message, against 8 µs and 18 allocations for
// this struct. The webhook handler, which must acknowledge fast, decodes just these fields.
type wireEvent struct {
	Type            string `json:"type"`
	Mode            string `json:"mode"`
	WebhookEventID  string `json:"webhookEventId"`
	ReplyToken      string `json:"replyToken"`
	DeliveryContext *struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
	Source *struct {
		Type    string `json:"type"`
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
	Message *struct {
		Type            string `json:"type"`
		Text            string `json:"text"`
		QuotedMessageID string `json:"quotedMessageId"`
		Mention         *struct {
			Mentionees []mentionee `json:"mentionees"`
		} `json:"mention"`
	} `json:"message"`
	Postback *struct {
		Data string `json:"data"`
	} `json:"postback"`
}

// toJob translates one event; ok is false for events that get no answer.
func (a *Adapter) toJob(raw json.RawMessage, received time.Time) (j job, ok bool) {
	var e wireEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		a.log.Warn("malformed event skipped")
		return job{}, false
	}
	j = job{id: e.WebhookEventID, replyToken: e.ReplyToken, received: received}
	switch {
	case e.Type == "message" && e.Message != nil && e.Message.Type == "text":
		j.kind, j.text = kindText, e.Message.Text
	case e.Type == "message" && e.Message != nil:
		j.kind, j.media = kindNonText, e.Message.Type // sticker, image, video, audio, file, location
	case e.Type == "postback" && e.Postback != nil:
		j.kind, j.text = kindPostback, e.Postback.Data
	case e.Type == "follow":
		j.kind = kindFollow
	case e.Type == "join":
		j.kind = kindJoin
	default:
		a.log.Debug("event ignored", "type", e.Type, "event", e.WebhookEventID)
		return job{}, false
	}
	if e.Mode == "standby" {
		// Another channel answers this chat now (module mode): stay silent.
		a.log.Debug("standby event ignored", "event", j.id, "kind", j.kind)
		return job{}, false
	}
	if s := e.Source; s != nil {
		switch s.Type {
		case "user":
			j.chat, j.user, j.oneToOne = s.UserID, s.UserID, true
		case "group":
			j.chat, j.user = s.GroupID, "group:"+s.GroupID+"/"+s.UserID
		case "room":
			j.chat, j.user = s.RoomID, "room:"+s.RoomID+"/"+s.UserID
		}
	}
	if !j.oneToOne && !a.addressed(&j, &e) {
		a.log.Debug("group message not addressed to the bot ignored", "event", j.id, "kind", j.kind)
		return job{}, false
	}
	if e.DeliveryContext != nil {
		j.redelivery = e.DeliveryContext.IsRedelivery
	}
	if j.replyToken == "" && j.chat == "" {
		a.log.Debug("event without reply token or source ignored", "event", j.id)
		return job{}, false
	}
	return j, true
}

// mentionee is one mention in a text message: where it is in the text (in UTF-16 code units)
// and whether it mentions the bot.
type mentionee struct {
	Index  int  `json:"index"`
	Length int  `json:"length"`
	IsSelf bool `json:"isSelf"`
}

// addressed tells whether a message in a group or a room is for the bot: a text that mentions
// it (the mention is then cut from the text) or that replies to a message it sent, a tap on one
// of its buttons, or the bot's joining. Anything else — chat among the members, their stickers
// and images — gets no answer.
func (a *Adapter) addressed(j *job, e *wireEvent) bool {
	switch j.kind {
	case kindPostback, kindJoin:
		return true
	case kindText:
	default:
		return false
	}
	m := e.Message
	var self []mentionee
	if m.Mention != nil {
		for _, mn := range m.Mention.Mentionees {
			if mn.IsSelf {
				self = append(self, mn)
			}
		}
	}
	if len(self) > 0 {
		j.text = cutMentions(j.text, self)
		return true
	}
	return m.QuotedMessageID != "" && a.sent.has(m.QuotedMessageID)
}

// cutMentions removes the mentions ms from text (indexes in UTF-16 code units, as LINE counts
// them); a mention that does not fit the text is left in.
func cutMentions(text string, ms []mentionee) string {
	u := utf16.Encode([]rune(text))
	drop := make([]bool, len(u))
	for _, m := range ms {
		if m.Index < 0 || m.Length <= 0 || m.Index+m.Length > len(u) {
			continue
		}
		for i := m.Index; i < m.Index+m.Length; i++ {
			drop[i] = true
		}
	}
	kept := u[:0:0]
	for i, c := range u {
		if !drop[i] {
			kept = append(kept, c)
		}
	}
	return strings.Join(strings.Fields(string(utf16.Decode(kept))), " ")
}

// process answers one job: the bot takes it, and the reply is rendered and delivered.
func (a *Adapter) process(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.EventTimeout)
	defer cancel()
	ld := a.startLoading(ctx, j)
	msgs, attrs := a.answer(ctx, j, false)
	ld.stop()
	if ctx.Err() != nil {
		a.abandon(j)
		return
	}
	if len(msgs) == 0 {
		return
	}
	a.deliver(ctx, j, msgs, ld, attrs...)
}

// answerBusy tells the user of a job that found the workers busy to try again — or, when the
// user is over the rate limit, to slow down — unless the job's event was taken before.
func (a *Adapter) answerBusy(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.EventTimeout)
	defer cancel()
	if msgs, attrs := a.answer(ctx, j, true); len(msgs) > 0 {
		a.deliver(ctx, j, msgs, nil, attrs...)
	}
}

// message is j in the bot's terms; ok is false for a postback the adapter did not send.
func (j job) message() (m bot.Message, ok bool) {
	m = bot.Message{User: j.user}
	if j.id != "" {
		m.Events = []string{"line:" + j.id}
	}
	switch j.kind {
	case kindText:
		m.Kind, m.Text, m.Limit = bot.MsgText, j.text, "line:"+j.user
	case kindPostback:
		m.Limit = "line:" + j.user
		q, err := url.ParseQuery(j.text)
		if err != nil {
			return bot.Message{}, false
		}
		if l := bot.Lang(q.Get("lang")); l == bot.Japanese || l == bot.English {
			m.Lang = l
		}
		switch {
		case q.Has("entry"):
			m.Kind, m.Entry = bot.MsgChoice, q.Get("entry")
		case q.Has("helpful"):
			id, answer, _ := strings.Cut(q.Get("helpful"), ":")
			if answer != "yes" && answer != "no" {
				return bot.Message{}, false
			}
			m.Kind, m.Entry, m.Helpful = bot.MsgRating, id, answer == "yes"
		default:
			return bot.Message{}, false
		}
	case kindFollow:
		m.Kind = bot.MsgHello
	case kindJoin:
		m.Kind = bot.MsgJoin
	case kindNonText:
		m.Kind, m.Media = bot.MsgMedia, j.media
	default:
		return bot.Message{}, false
	}
	return m, true
}

// answer has the bot take j (busy: the workers had no room for it) and renders the outcome.
// It returns no messages when j gets no reply; attrs describe the reply for the log (never its
// text).
func (a *Adapter) answer(ctx context.Context, j job, busy bool) (msgs []messaging_api.MessageInterface, attrs []any) {
	m, ok := j.message()
	if !ok {
		a.log.InfoContext(ctx, "unknown postback ignored", "event", j.id)
		return nil, nil
	}
	m.Busy = busy
	out, err := a.chat.Take(ctx, m)
	bot.LogFailure(ctx, a.log, err, "event", j.id)
	r := out.Reply
	switch {
	case out.Repeat:
		a.counters.duplicates.Add(1)
		a.log.InfoContext(ctx, "repeated event ignored", "event", j.id, "redelivery", j.redelivery)
		return nil, nil
	case out.Missing && m.Kind == bot.MsgChoice:
		a.log.InfoContext(ctx, "chosen entry not found", "event", j.id)
	case out.Missing:
		a.log.InfoContext(ctx, "unknown feedback ignored", "event", j.id)
		return nil, nil
	case r.Feedback != nil && m.Kind == bot.MsgRating:
		a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", m.Entry, "helpful", map[bool]string{true: "yes", false: "no"}[m.Helpful])
	case r.Feedback != nil:
		a.log.InfoContext(ctx, "feedback", "event", j.id, "entry", r.Feedback.EntryID, "helpful", r.Feedback.Helpful, "typed", true)
	}
	if r.Kind == "" {
		return nil, nil
	}
	return messages(r), describe(r)
}

// describe describes a reply for the log: its action, language, confidence, entry and the
// kinds of personal data seen; never its text.
func describe(r bot.Reply) []any {
	action := string(r.Decision.Action)
	switch r.Kind {
	case bot.KindThanks:
		return []any{"action", "feedback", "entry", r.Feedback.EntryID}
	case bot.KindWelcome:
		return []any{"action", "welcome", "lang", string(r.Lang)}
	case bot.KindSlowDown:
		return []any{"action", "rate_limited"}
	case bot.KindBusy, bot.KindError, bot.KindMedia:
		return []any{"action", map[bot.ReplyKind]string{bot.KindBusy: "busy", bot.KindError: "error", bot.KindMedia: "non_text"}[r.Kind]}
	}
	attrs := []any{"action", action, "lang", string(r.Lang), "confidence", r.Decision.Confidence}
	if r.Entry != "" {
		attrs = append(attrs, "entry", r.Entry)
	}
	if len(r.Decision.PII) > 0 {
		attrs = append(attrs, "pii", r.Decision.PII)
	}
	return attrs
}
