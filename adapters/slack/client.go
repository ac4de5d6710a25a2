package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/adapters/internal/retry"
)

// poster is the Web API calls the adapter makes: chat.postMessage, or a post to a response URL
// (slack.MsgOptionResponseURL), which the SDK sends through the same client; and, after a post
// whose outcome is unknown, conversations.history or conversations.replies to look for it.
type poster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
}

// replyEventType is the metadata event type of the adapter's channel posts; their payload's
// "event" is the key of the job they answer, by which a post whose outcome is unknown is looked
// for before it is made again.
const replyEventType = "faqbot_reply"

// errOutcomeUnknown ends a post to a response URL whose earlier attempt may have been carried
// out: a response URL cannot be looked up, and posting again could answer twice.
var errOutcomeUnknown = errors.New("outcome unknown")

// api posts messages, retrying 5xx and 429 answers and lost connections. It is safe for
// concurrent use.
type api struct {
	client poster
	policy retry.Policy
	// origin is the scheme and host of the API URL: response URLs there are accepted besides
	// Slack's own (a local stand-in of Slack serves both).
	origin string
}

func newAPI(cfg Config) *api {
	// The SDK reads a Retry-After in seconds only: one given as an HTTP date is turned into
	// seconds on its way in, so that it is honoured too.
	hc := *cfg.HTTPClient
	hc.Transport = retry.SecondsTransport(hc.Transport)
	c := &api{
		client: slack.New(cfg.BotToken, slack.OptionHTTPClient(&hc), slack.OptionAPIURL(cfg.APIURL)),
		policy: retry.Policy{Base: cfg.RetryBase, Attempts: cfg.MaxAttempts, Total: cfg.EventTimeout},
	}
	if u, err := url.Parse(cfg.APIURL); err == nil {
		c.origin = u.Scheme + "://" + u.Host
	}
	return c
}

// target is where a reply goes: a channel (in a thread when threadTS is set) or a response
// URL, as a message only the user sees, or in place of the message the URL belongs to.
type target struct {
	channel     string
	threadTS    string
	responseURL string
	replace     bool
}

func (t target) options() []slack.MsgOption {
	switch {
	case t.responseURL != "" && t.replace:
		return []slack.MsgOption{slack.MsgOptionReplaceOriginal(t.responseURL)}
	case t.responseURL != "":
		return []slack.MsgOption{slack.MsgOptionResponseURL(t.responseURL, slack.ResponseTypeEphemeral)}
	case t.threadTS != "":
		return []slack.MsgOption{slack.MsgOptionTS(t.threadTS)}
	}
	return nil
}

// allowed reports whether t can be posted to. A response URL comes from a signed request, but
// is still only followed to Slack's hooks host (or the configured API's origin), so that
// nothing else is ever sent a reply.
func (c *api) allowed(t target) bool {
	if t.responseURL == "" {
		return t.channel != ""
	}
	u, err := url.Parse(t.responseURL)
	if err != nil || u.User != nil {
		return false
	}
	switch {
	case u.Scheme == "https" && (u.Host == "hooks.slack.com" || u.Host == "hooks.slack-gov.com"):
		return true
	case c.origin != "" && u.Scheme+"://"+u.Host == c.origin:
		return true
	}
	return false
}

// outcome is how a post ended.
type outcome struct {
	status   int // the last HTTP status (0: no answer; 200 with err: Slack said ok:false)
	attempts int
	// found is set when an attempt whose outcome was unknown turned out to have been carried
	// out: the post was found in the conversation, and not made again.
	found bool
	// unknown is set when the post may or may not have been carried out (a response URL that
	// did not answer): it is not made again.
	unknown bool
	err     error
}

// post sends msg to t, retrying as call does, and at most once: Slack has no idempotency key,
// so after an attempt that may have been carried out (no answer, or a 5xx), a channel post is
// first looked for in the conversation by its metadata (key), and made again only when it is
// not there; a post to a response URL that got no answer, which cannot be looked up, is not
// made again (at most once: out.unknown).
func (c *api) post(ctx context.Context, t target, key string, msg []slack.MsgOption) outcome {
	opts := append(t.options(), msg...)
	name := "chat.postMessage"
	if t.responseURL != "" {
		name = "response_url"
	} else if key != "" {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType: replyEventType, EventPayload: map[string]any{"event": key}}))
	}
	// Slack's clock and this one may differ a little: look back a minute before the first
	// attempt.
	since := time.Now().Add(-time.Minute)
	var uncertain, found, unknown bool
	out := c.call(ctx, name, func(ctx context.Context) error {
		if uncertain {
			if t.responseURL != "" || key == "" {
				unknown = true
				return errOutcomeUnknown
			}
			ok, err := c.find(ctx, t, key, since)
			if err != nil {
				return err // retried like a post that failed; the lookup is made again first
			}
			if ok {
				found = true
				return nil
			}
		}
		_, _, err := c.client.PostMessageContext(ctx, t.channel, opts...)
		// No answer (a timeout, a reset) leaves the outcome unknown; so does a 5xx of the Web
		// API, for which a lookup costs little. A response URL that answers 5xx has refused
		// the post: it is retried.
		s := status(err)
		if err != nil && ctx.Err() == nil && (s == 0 && isNetwork(err) || s >= 500 && t.responseURL == "") {
			uncertain = true
		}
		return err
	})
	out.found, out.unknown = found, unknown
	return out
}

// find reports whether the conversation of t holds, since then, a post of the adapter's whose
// metadata carries key: in the thread of t, or in its channel.
func (c *api) find(ctx context.Context, t target, key string, since time.Time) (bool, error) {
	oldest := strconv.FormatInt(since.Unix(), 10) + ".000000"
	var msgs []slack.Message
	if t.threadTS != "" {
		m, _, _, err := c.client.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: t.channel, Timestamp: t.threadTS, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return false, err
		}
		msgs = m
	} else {
		r, err := c.client.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: t.channel, Oldest: oldest, Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return false, err
		}
		msgs = r.Messages
	}
	for _, m := range msgs {
		if m.Metadata.EventType == replyEventType {
			if k, _ := m.Metadata.EventPayload["event"].(string); k == key {
				return true, nil
			}
		}
	}
	return false, nil
}

// call runs op until it succeeds, fails for good, or runs out of attempts or time (the shared
// retry policy): a 429 is retried after its Retry-After (or the backoff when it has none), a
// 5xx or a lost connection after the backoff.
func (c *api) call(ctx context.Context, name string, op func(context.Context) error) outcome {
	var out outcome
	out.attempts, out.err = retry.Do(ctx, c.policy, func(ctx context.Context) error {
		err := op(ctx)
		out.status = status(err)
		if err == nil {
			return nil
		}
		var wait time.Duration
		switch s := out.status; {
		case ctx.Err() != nil:
			return retry.Final(fmt.Errorf("slack: %s: %w", name, ctx.Err()))
		case s == http.StatusTooManyRequests:
			if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
				wait = rl.RetryAfter
			}
		case s >= 500, s == 0 && isNetwork(err):
		default:
			return retry.Final(fmt.Errorf("slack: %s: %s", name, describe(err)))
		}
		return retry.Later(fmt.Errorf("slack: %s: %s", name, describe(err)), wait)
	}, nil)
	return out
}

// status is the HTTP status behind an error of the SDK: 200 for nil or an ok:false answer,
// 0 when there was no answer.
func status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if _, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return http.StatusTooManyRequests
	}
	if se, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return se.Code
	}
	if _, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return http.StatusOK
	}
	if _, ok := errors.AsType[*strconv.NumError](err); ok {
		// The SDK parses Retry-After as seconds only; it failed on another form.
		return http.StatusTooManyRequests
	}
	return 0
}

func isNetwork(err error) bool {
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	_, ok := errors.AsType[*url.Error](err)
	return ok
}

// describe says what went wrong in words safe for logs: never a URL (response URLs are
// credentials) nor anything of the message.
func describe(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, errOutcomeUnknown):
		return "no answer to an attempt that may have been carried out: not posted again"
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return fmt.Sprintf("rate limited (retry after %v)", rl.RetryAfter)
	}
	if se, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return fmt.Sprintf("status %d", se.Code)
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return "error " + strconv.Quote(se.Err)
	}
	if _, ok := errors.AsType[*strconv.NumError](err); ok {
		return "rate limited (unreadable Retry-After)"
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "network timeout"
	}
	if isNetwork(err) {
		return "network error"
	}
	return "unexpected answer"
}
