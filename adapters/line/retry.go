package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/internal/retry"
)

// outcome is how a request ended.
type outcome struct {
	status   int // the last HTTP status (0: no answer)
	attempts int
	// uncertain is set when an attempt may have been carried out although it failed (a 5xx or
	// no answer): the reply token may be used up by it.
	uncertain bool
	// invalidToken is set when the reply token was refused (expired or used).
	invalidToken bool
	// duplicate is set when LINE had already accepted a request with the same retry key.
	duplicate bool
	err       error
}

var errInvalidReplyToken = errors.New("invalid reply token")

// call runs op until it succeeds, fails for good, or runs out of attempts or time (the
// shared retry policy: a 5xx, a 429 or no answer is tried again, after its Retry-After or the
// backoff). Before each wait it calls waiting (when not nil) with the wait's length.
func (c *api) call(ctx context.Context, name string, retryKey bool, waiting func(time.Duration),
	op func(*messaging_api.MessagingApiAPI) (*http.Response, error)) outcome {
	var out outcome
	out.attempts, out.err = retry.Do(ctx, c.policy, func(ctx context.Context) error {
		cl, err := c.client(ctx)
		if err != nil {
			return retry.Final(err)
		}
		res, err := op(cl)
		out.status = 0
		if res != nil {
			out.status = res.StatusCode
		}
		if err == nil {
			return nil
		}
		switch s := out.status; {
		case s == 0:
			if ctx.Err() != nil {
				return retry.Final(fmt.Errorf("line: %s: %w", name, ctx.Err()))
			}
			// The request may have reached LINE before the connection failed. The error names
			// the URL and the network failure, nothing the user sent.
			out.uncertain = true
			return fmt.Errorf("line: %s: %w", name, err)
		case s == http.StatusTooManyRequests:
			return retry.Later(fmt.Errorf("line: %s: status %d", name, s), retry.After(res.Header, time.Now()))
		case s >= 500:
			out.uncertain = true
			return retry.Later(fmt.Errorf("line: %s: status %d", name, s), retry.After(res.Header, time.Now()))
		case s == http.StatusConflict && retryKey:
			// Accepted before under the same retry key: done, and not twice.
			out.duplicate = true
			return nil
		case s == http.StatusBadRequest && isInvalidReplyToken(res):
			out.invalidToken = true
			return retry.Final(fmt.Errorf("line: %s: %w", name, errInvalidReplyToken))
		default:
			return retry.Final(fmt.Errorf("line: %s: status %d", name, s))
		}
	}, waiting)
	return out
}

// isInvalidReplyToken reports whether a 400 answer says the reply token is invalid. The SDK
// leaves the body of an error answer readable.
func isInvalidReplyToken(res *http.Response) bool {
	if res.Body == nil {
		return false
	}
	var e messaging_api.ErrorResponse
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		return false
	}
	return e.Message == "Invalid reply token"
}
