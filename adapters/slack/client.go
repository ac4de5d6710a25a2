package slack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// poster is the one Web API call the adapter makes: chat.postMessage, or a post to a response
// URL (slack.MsgOptionResponseURL), which the SDK sends through the same client.
type poster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
}

// api posts messages, retrying 5xx and 429 answers and lost connections. It is safe for
// concurrent use.
type api struct {
	client   poster
	base     time.Duration
	attempts int
	// origin is the scheme and host of the API URL: response URLs there are accepted besides
	// Slack's own (a local stand-in of Slack serves both).
	origin string
}

func newAPI(cfg Config) *api {
	c := &api{
		client: slack.New(cfg.BotToken,
			slack.OptionHTTPClient(cfg.HTTPClient), slack.OptionAPIURL(cfg.APIURL)),
		base: cfg.RetryBase, attempts: cfg.MaxAttempts,
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
	err      error
}

// post sends msg to t, retrying as call does.
func (c *api) post(ctx context.Context, t target, msg []slack.MsgOption) outcome {
	opts := append(t.options(), msg...)
	name := "chat.postMessage"
	if t.responseURL != "" {
		name = "response_url"
	}
	return c.call(ctx, name, func(ctx context.Context) error {
		_, _, err := c.client.PostMessageContext(ctx, t.channel, opts...)
		return err
	})
}

// call runs op until it succeeds, fails for good, or runs out of attempts or time: a 429 is
// retried after its Retry-After (or the backoff when it has none), a 5xx or a lost connection
// after the backoff.
func (c *api) call(ctx context.Context, name string, op func(context.Context) error) outcome {
	var out outcome
	for {
		out.attempts++
		err := op(ctx)
		out.status, out.err = status(err), nil
		if err == nil {
			return out
		}
		var wait time.Duration
		switch s := out.status; {
		case ctx.Err() != nil:
			out.err = fmt.Errorf("slack: %s: %w", name, ctx.Err())
			return out
		case s == http.StatusTooManyRequests:
			if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
				wait = rl.RetryAfter
			}
		case s >= 500, s == 0 && isNetwork(err):
		default:
			out.err = fmt.Errorf("slack: %s: %s", name, describe(err))
			return out
		}
		out.err = fmt.Errorf("slack: %s: %s", name, describe(err))
		if out.attempts >= c.attempts {
			out.err = fmt.Errorf("%w (gave up after %d attempts)", out.err, out.attempts)
			return out
		}
		if wait == 0 {
			wait = c.backoff(out.attempts)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			out.err = fmt.Errorf("%w (no time left to retry)", out.err)
			return out
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			out.err = fmt.Errorf("slack: %s: %w", name, ctx.Err())
			return out
		case <-t.C:
		}
	}
}

// backoff is the wait before attempt n+1: base·2ⁿ⁻¹, jittered down by up to half, at most 10 s.
func (c *api) backoff(n int) time.Duration {
	d := c.base << min(n-1, 16)
	d = min(d, 10*time.Second)
	return d/2 + rand.N(d/2+1)
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
