// Package retry runs a chat platform's HTTP call again after an answer that asks for it — a
// 5xx, a 429, no answer at all — waiting as the answer's Retry-After header says (seconds or an
// HTTP date) or, without one, an exponential backoff with jitter; within a number of attempts, a
// total time and the caller's context. The LINE and Slack adapters share it; which answers are
// worth another attempt stays theirs to say. The loop is github.com/cenkalti/backoff/v5's.
//
// It imports no adapter, no chat SDK and nothing of bot, nlu or faq.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Policy says how often and how long a call is tried. The zero value takes every default. A
// Policy is a value: it is safe for concurrent use.
type Policy struct {
	// Base is the backoff before the second attempt (default 250 ms). It doubles with each
	// further attempt, up to MaxWait, and each wait is jittered by up to half either way.
	Base time.Duration
	// MaxWait caps the backoff before jitter (default 10 s). A Retry-After is not capped by
	// it but by Total.
	MaxWait time.Duration
	// Attempts caps the attempts, the first one included (default 5).
	Attempts int
	// Total caps the time from the first attempt to the start of the last (default 60 s);
	// the context's deadline, when sooner, does too. A wait that would end past either is
	// not begun: the call gives up at once.
	Total time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.Base <= 0 {
		p.Base = 250 * time.Millisecond
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 10 * time.Second
	}
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Total <= 0 {
		p.Total = 60 * time.Second
	}
	return p
}

// finalError is an error the call must not be tried again after.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

// laterError is an error after which the call is tried again, not before after.
type laterError struct {
	err   error
	after time.Duration
}

func (e *laterError) Error() string { return e.err.Error() }
func (e *laterError) Unwrap() error { return e.err }

// Final marks err, returned by an attempt, as one the call is not tried again after (a 4xx, a
// refused token, a cancelled context). Final(nil) is nil.
func Final(err error) error {
	if err == nil {
		return nil
	}
	return &finalError{err}
}

// Later marks err, returned by an attempt, as one after which the call is tried again, not
// before after (from a Retry-After header). With after ≤ 0 the backoff decides, as it does for
// an error returned unmarked. Later(nil, d) is nil.
func Later(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &laterError{err, after}
}

// Do calls attempt until it returns nil or a Final error, or the policy or ctx says to stop.
// Before each wait it calls waiting, when not nil, with the wait's length. It returns how many
// attempts were made and nil, or the last attempt's error (unwrapped of Final and Later), noting
// why it was not tried again when that was the policy: "(gave up after N attempts)", "(no time
// left to retry)", or the context's error when it ended during a wait.
func Do(ctx context.Context, p Policy, attempt func(ctx context.Context) error, waiting func(time.Duration)) (attempts int, err error) {
	p = p.withDefaults()
	total := p.Total
	if dl, ok := ctx.Deadline(); ok {
		total = min(total, time.Until(dl))
	}
	var last error
	final := false
	_, rerr := backoff.Retry(ctx, func() (struct{}, error) {
		attempts++
		err := attempt(ctx)
		last, final = err, false
		if fe, ok := errors.AsType[*finalError](err); ok {
			last, final = fe.err, true
			return struct{}{}, backoff.Permanent(fe.err)
		}
		if le, ok := errors.AsType[*laterError](err); ok {
			last = le.err
			if le.after > 0 {
				return struct{}{}, &backoff.RetryAfterError{Duration: le.after}
			}
		}
		return struct{}{}, last
	},
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval: p.Base, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: p.MaxWait,
		}),
		backoff.WithMaxTries(uint(p.Attempts)),
		// Retry never waits when this is ≤ 0; keep it positive so that a context already past
		// its deadline still gets its one attempt and "no time left" after it.
		backoff.WithMaxElapsedTime(max(total, time.Nanosecond)),
		backoff.WithNotify(func(_ error, d time.Duration) {
			if waiting != nil {
				waiting(d)
			}
		}))
	switch {
	case rerr == nil:
		return attempts, nil
	case final:
		return attempts, last
	case attempts >= p.Attempts:
		return attempts, fmt.Errorf("%w (gave up after %d attempts)", last, attempts)
	case ctx.Err() != nil:
		return attempts, fmt.Errorf("%w (%w)", last, context.Cause(ctx))
	}
	return attempts, fmt.Errorf("%w (no time left to retry)", last)
}

// After reads a Retry-After header, in seconds or as an HTTP date, as the wait from now; 0 when
// it is absent, unreadable or past.
func After(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, math.MaxInt64/int64(time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// SecondsTransport returns a RoundTripper that sends requests through rt (nil: the default
// transport) and rewrites an answer's Retry-After given as an HTTP date into whole seconds from
// now (rounded up), for a client library that reads the seconds form only. Other headers and
// bodies pass as they are.
func SecondsTransport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return secondsTransport{rt}
}

type secondsTransport struct{ rt http.RoundTripper }

func (t secondsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.rt.RoundTrip(r)
	if err != nil || res == nil {
		return res, err
	}
	v := res.Header.Get("Retry-After")
	if v == "" {
		return res, nil
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return res, nil
	}
	if _, err := http.ParseTime(v); err == nil {
		d := After(res.Header, time.Now())
		res.Header.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10))
	}
	return res, nil
}
