package slack

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/faqbot/faqbot/bot"
)

// kind is what a job asks for.
type kind string

const (
	kindMention kind = "mention" // an app_mention in a channel
	kindDM      kind = "dm"      // a direct message
	kindCommand kind = "command" // "/faq <question>"
	kindAction  kind = "action"  // a button click
	kindReindex kind = "reindex" // "/faq reindex" by an editor
)

// job is one thing to answer, in the adapter's own terms.
type job struct {
	id   string // event id, trigger id or action ts: for the logs
	kind kind
	team string
	user string
	// where the answer goes: a channel (and thread), or a response URL.
	channel     string
	threadTS    string
	responseURL string
	// text is the question as sent (Slack markup included); action the clicked button.
	text     string
	media    string // what a message without text held (bot.MediaFile), "" for text
	action   action
	received time.Time
	retry    int // X-Slack-Retry-Num or the envelope's retry_attempt
	// events are the ids under which Slack may deliver the job again (see Adapter.admit).
	events []string
}

// arrival is j as the shared state sees it: its event ids, the rate limit and the conversation
// of its user.
func (j job) arrival() bot.Arrival {
	return bot.Arrival{Events: j.events, Limit: j.key(), User: j.key()}
}

// key is the user's conversation key, for state, rate limits and ordering.
func (j job) key() string { return "slack:" + j.team + ":" + j.user }

// target is where j's answer goes.
func (j job) target() target {
	if j.responseURL != "" && (j.kind == kindCommand || j.kind == kindReindex || j.action.ephemeral) {
		return target{responseURL: j.responseURL}
	}
	return target{channel: j.channel, threadTS: j.threadTS}
}

// wireEnvelope is the part of an Events API request (the body over HTTP, the payload of an
// events_api envelope in Socket Mode) that the adapter reads. Decoding just these fields keeps
// the acknowledgement fast; slackevents.ParseEvent decodes every event type in two passes.
type wireEnvelope struct {
	Type           string `json:"type"`
	Challenge      string `json:"challenge"`
	TeamID         string `json:"team_id"`
	EventID        string `json:"event_id"`
	Authorizations []struct {
		UserID string `json:"user_id"`
	} `json:"authorizations"`
	Event *wireEvent `json:"event"`
}

// wireEvent is the part of the event of an envelope that the adapter reads. Its fields are
// lenient: Slack sends events the adapter does not answer whose user or channel
// is an object (im_created, user_change, user_profile_changed, the shared-channel invites), and
// a signed request must be acknowledged, whatever its event, or Slack retries it.
type wireEvent struct {
	Type        lenient         `json:"type"`
	Subtype     lenient         `json:"subtype"`
	User        lenient         `json:"user"`
	BotID       lenient         `json:"bot_id"`
	Text        lenient         `json:"text"`
	TS          lenient         `json:"ts"`
	ThreadTS    lenient         `json:"thread_ts"`
	Channel     lenient         `json:"channel"`
	ChannelType lenient         `json:"channel_type"`
	Team        lenient         `json:"team"`
	Edited      json.RawMessage `json:"edited"`
}

// lenient is a string field that never fails to decode: a JSON string is its value, an object
// stands for its "id" (a user or a channel given in full), anything else is "".
type lenient string

func (l *lenient) UnmarshalJSON(b []byte) error {
	*l = ""
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*l = lenient(s)
		}
	case len(b) > 0 && b[0] == '{':
		var o struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(b, &o) == nil && len(o.ID) > 0 && o.ID[0] == '"' {
			var s string
			if json.Unmarshal(o.ID, &s) == nil {
				*l = lenient(s)
			}
		}
	}
	return nil
}

// eventJob translates an event callback; ok is false for events that get no answer, and why
// says which (for the logs).
func eventJob(env *wireEnvelope, received time.Time, retry int) (j job, why string, ok bool) {
	e := env.Event
	if e == nil {
		return job{}, "no event", false
	}
	j = job{id: env.EventID, team: env.TeamID, user: string(e.User), channel: string(e.Channel), text: string(e.Text),
		received: received, retry: retry}
	if j.team == "" {
		j.team = string(e.Team)
	}
	// app_mention events carry no channel_type; direct message channel ids start with D.
	dm := e.ChannelType == "im" || strings.HasPrefix(string(e.Channel), "D")
	switch {
	case e.Type == "app_mention" && !dm:
		// In a channel: answer in the thread of the mention.
		j.kind, j.threadTS = kindMention, string(e.ThreadTS)
		if j.threadTS == "" {
			j.threadTS = string(e.TS)
		}
	case e.Type == "message" && e.ChannelType == "im", e.Type == "app_mention":
		j.kind, j.threadTS = kindDM, string(e.ThreadTS)
	default:
		return job{}, string(e.Type), false
	}
	switch {
	case e.BotID != "" || e.Subtype == "bot_message":
		return job{}, "bot", false // this bot's own messages, and other bots'
	case e.Subtype == "file_share" && strings.TrimSpace(plainQuestion(string(e.Text))) == "":
		j.media = bot.MediaFile // a file alone: say what the bot cannot read
	case e.Subtype == "file_share":
		// A file with a question: the question is answered.
	case e.Subtype != "":
		return job{}, "subtype", false // edits, deletions, joins, …
	case len(e.Edited) > 0 && string(e.Edited) != "null":
		return job{}, "edited", false
	case e.User == "" || e.Channel == "":
		return job{}, "no user", false
	}
	for _, au := range env.Authorizations {
		if au.UserID == string(e.User) {
			return job{}, "self", false
		}
	}
	return j, "", true
}

// command is a slash command invocation. The same fields come form-encoded over HTTP and as
// JSON in Socket Mode.
type command struct {
	Command     string `json:"command"`
	Text        string `json:"text"`
	TeamID      string `json:"team_id"`
	UserID      string `json:"user_id"`
	ChannelID   string `json:"channel_id"`
	ResponseURL string `json:"response_url"`
	TriggerID   string `json:"trigger_id"`
}

func commandFromForm(v url.Values) command {
	return command{
		Command: v.Get("command"), Text: v.Get("text"), TeamID: v.Get("team_id"),
		UserID: v.Get("user_id"), ChannelID: v.Get("channel_id"),
		ResponseURL: v.Get("response_url"), TriggerID: v.Get("trigger_id"),
	}
}

// wireInteraction is the part of a block_actions payload the adapter reads.
type wireInteraction struct {
	Type string `json:"type"`
	Team *struct {
		ID string `json:"id"`
	} `json:"team"`
	User *struct {
		ID     string `json:"id"`
		TeamID string `json:"team_id"`
	} `json:"user"`
	Container *struct {
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
		ThreadTS    string `json:"thread_ts"`
	} `json:"container"`
	Channel *struct {
		ID string `json:"id"`
	} `json:"channel"`
	ResponseURL string `json:"response_url"`
	TriggerID   string `json:"trigger_id"`
	Actions     []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		ActionTS string `json:"action_ts"`
	} `json:"actions"`
}

// action is a click on one of the adapter's buttons. Their values are "verb|arg|lang":
//
//	entry|ID|lang      show entry ID (follow-ups, suggestions, topics)
//	yes|ID|lang        the answer ID was helpful; no|ID|lang: it was not
//	lang|entry:ID|lang show entry ID in lang, in place of the message
//	lang|welcome|lang  the greeting in lang; lang|usage|lang: the /faq usage in lang
type action struct {
	verb, arg string
	lang      bot.Lang
	// messageTS is the clicked message; ephemeral is set when only the user sees it (it can then
	// be answered through the response URL only).
	messageTS string
	ephemeral bool
}

// Button verbs.
const (
	verbEntry = "entry"
	verbYes   = "yes"
	verbNo    = "no"
	verbLang  = "lang"
)

func parseAction(value string) (action, bool) {
	verb, rest, ok1 := strings.Cut(value, "|")
	arg, lang, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 || arg == "" {
		return action{}, false
	}
	l := bot.Lang(lang)
	if l != bot.Japanese && l != bot.English {
		return action{}, false
	}
	switch verb {
	case verbEntry, verbYes, verbNo, verbLang:
		return action{verb: verb, arg: arg, lang: l}, true
	}
	return action{}, false
}

func actionValue(verb, arg string, lang bot.Lang) string {
	return verb + "|" + arg + "|" + string(lang)
}

// interactionJob translates a block_actions payload; ok is false for anything else.
func interactionJob(in *wireInteraction, received time.Time) (job, bool) {
	if in.Type != "block_actions" || len(in.Actions) == 0 || in.User == nil || in.User.ID == "" {
		return job{}, false
	}
	act, ok := parseAction(in.Actions[0].Value)
	if !ok {
		return job{}, false
	}
	j := job{id: in.Actions[0].ActionTS, kind: kindAction, user: in.User.ID, team: in.User.TeamID,
		responseURL: in.ResponseURL, received: received}
	if in.Team != nil && in.Team.ID != "" {
		j.team = in.Team.ID
	}
	if in.Container != nil {
		j.channel, j.threadTS = in.Container.ChannelID, in.Container.ThreadTS
		act.messageTS, act.ephemeral = in.Container.MessageTS, in.Container.IsEphemeral
	}
	if j.channel == "" && in.Channel != nil {
		j.channel = in.Channel.ID
	}
	if j.id == "" {
		j.id = in.TriggerID
	}
	j.action = act
	// A click is one request: Slack does not retry it, so a second delivery of it is a replay
	// of the signed request (within the signature's five minutes), answered once. Its
	// action_ts and trigger_id are the click's own.
	if ts := in.Actions[0].ActionTS; ts != "" {
		j.events = append(j.events, "slack:click:"+j.team+":"+j.user+":"+ts)
	}
	if in.TriggerID != "" {
		j.events = append(j.events, "slack:trigger:"+in.TriggerID)
	}
	return j, true
}

// ackMessage is the immediate answer to a slash command: a message only its user sees.
type ackMessage struct {
	ResponseType string          `json:"response_type"`
	Text         string          `json:"text"`
	Blocks       json.RawMessage `json:"blocks,omitempty"`
}

// takeEvent queues an event callback. It fails with workpool.ErrClosed after Shutdown, and with
// workpool.ErrFull when the workers could not take it; the event is then not acknowledged.
func (a *Adapter) takeEvent(ctx context.Context, env *wireEnvelope, received time.Time, retry int) error {
	tk, err := a.pool.Open(1)
	if err != nil {
		return err
	}
	defer tk.Close()
	j, why, ok := eventJob(env, received, retry)
	if !ok {
		a.counters.ignored.Add(1)
		a.log.DebugContext(ctx, "event ignored", "event", env.EventID, "why", why)
		return nil
	}
	// One question, one answer: Slack retries an event (same event_id) and may deliver one
	// message as two events (a mention in a direct message: message.im and app_mention). The
	// worker drops the repeats (Adapter.admit).
	if env.EventID != "" {
		j.events = append(j.events, "slack:event:"+env.EventID)
	}
	if env.Event.TS != "" {
		j.events = append(j.events, "slack:msg:"+j.team+":"+string(env.Event.Channel)+":"+string(env.Event.TS))
	}
	a.submit(ctx, tk, j)
	return nil
}

// takeCommand answers a slash command at once and queues what takes longer. It fails as
// takeEvent does.
func (a *Adapter) takeCommand(ctx context.Context, c command, received time.Time) (ack ackMessage, err error) {
	tk, err := a.pool.Open(1)
	if err != nil {
		return ackMessage{}, err
	}
	defer tk.Close()
	text := strings.TrimSpace(c.Text)
	j := job{id: c.TriggerID, kind: kindCommand, team: c.TeamID, user: c.UserID, channel: c.ChannelID,
		responseURL: c.ResponseURL, text: text, received: received}
	// A replay of the signed request (within its five minutes) is answered once: each
	// invocation has a trigger_id of its own.
	if c.TriggerID != "" {
		j.events = append(j.events, "slack:trigger:"+c.TriggerID)
	}
	lang := bot.LangOf(text)
	switch strings.ToLower(text) {
	case "", "help", "ヘルプ":
		a.counters.accepted.Add(1)
		a.log.InfoContext(ctx, "usage shown", "event", j.id)
		return a.usageAck(ctx), nil
	case "reindex":
		switch {
		case !a.isEditor(c.UserID):
			a.log.WarnContext(ctx, "reindex refused", "event", j.id, "reason", "not an editor")
			return ackMessage{ResponseType: "ephemeral", Text: both(a.bot.Messages().ReindexNotEditor)}, nil
		case a.cfg.Reindex == nil:
			a.log.WarnContext(ctx, "reindex refused", "event", j.id, "reason", "not configured")
			return ackMessage{ResponseType: "ephemeral", Text: both(a.bot.Messages().ReindexOff)}, nil
		}
		j.kind = kindReindex
		a.submit(ctx, tk, j)
		return ackMessage{ResponseType: "ephemeral", Text: both(a.bot.Messages().Reindexing)}, nil
	}
	if j.user == "" || j.responseURL == "" {
		// Nowhere to answer later: say how to ask instead.
		a.counters.ignored.Add(1)
		a.log.InfoContext(ctx, "command without user or response URL", "event", j.id)
		return a.usageAck(ctx), nil
	}
	a.submit(ctx, tk, j)
	return ackMessage{ResponseType: "ephemeral", Text: a.bot.Messages().LookingUp.In(lang)}, nil
}

// takeInteraction queues a button click. It fails as takeEvent does.
func (a *Adapter) takeInteraction(ctx context.Context, in *wireInteraction, received time.Time) error {
	tk, err := a.pool.Open(1)
	if err != nil {
		return err
	}
	defer tk.Close()
	j, ok := interactionJob(in, received)
	if !ok {
		a.counters.ignored.Add(1)
		a.log.DebugContext(ctx, "interaction ignored", "type", in.Type)
		return nil
	}
	a.submit(ctx, tk, j)
	return nil
}
