package bot

import (
	"context"
	"errors"
	"fmt"
)

// Arrival is one incoming message as the state that adapters share sees it: the ids the
// platform may deliver it under again, the rate limit it counts against, and the conversation it
// belongs to.
type Arrival struct {
	// Events are the ids under which the platform may deliver this message again (a retry, or
	// one message sent as two events). The message is a repeat when any of them was taken
	// before; all of them are taken now. None: it is never a repeat.
	Events []string
	// Limit is the key of the rate limit the message counts against ("" for none). A repeat
	// does not count.
	Limit string
	// User is the conversation whose state is read ("" for none).
	User string
}

// Turn is what the shared state says about an Arrival, all read at once.
type Turn struct {
	// Repeat is set when one of the arrival's events was taken before: the message was already
	// answered (here or by another replica) and gets no answer. Nothing else is read then.
	Repeat bool
	// Limited is set when the user is over the rate limit: the message gets the content's
	// SlowDown message, not an answer.
	Limited bool
	// State is the conversation so far; Known is false when there is none (new, expired or
	// unreadable).
	State State
	Known bool
}

// Admitter tells, when a message arrives, what decides how it is answered: whether it was taken
// before, whether its user is over the rate limit, and the conversation so far. A store that
// replicas share answers all three in one round trip; Stepwise asks a Deduper, a Limiter and a
// StateStore in turn. Implementations are safe for concurrent use.
//
// An error means that some of it could not be told; the Turn returned with it holds what could,
// and errs towards answering: not a repeat, not limited, no state known.
type Admitter interface {
	Admit(ctx context.Context, a Arrival) (Turn, error)
}

// Stepwise is an Admitter over separate parts, asked one after the other: Seen for each event,
// then Limiter, then Store. A nil part is skipped: no message is a repeat, nobody is limited, no
// state is known. The in-process parts never fail, so neither does a Stepwise over them.
type Stepwise struct {
	Seen    Deduper
	Limiter Limiter
	Store   StateStore
}

// Admit asks the parts about a.
func (s Stepwise) Admit(ctx context.Context, a Arrival) (Turn, error) {
	var (
		t    Turn
		errs []error
	)
	if s.Seen != nil {
		for _, id := range a.Events {
			first, err := s.Seen.FirstTime(ctx, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			t.Repeat = t.Repeat || !first
		}
		if t.Repeat {
			return t, admitErr(errs)
		}
	}
	if s.Limiter != nil && a.Limit != "" {
		ok, err := s.Limiter.Allow(ctx, a.Limit)
		if err != nil {
			errs = append(errs, err)
		} else {
			t.Limited = !ok
		}
	}
	if s.Store != nil && a.User != "" {
		st, ok, err := s.Store.Get(ctx, a.User)
		if err != nil {
			errs = append(errs, err)
		} else {
			t.State, t.Known = st, ok
		}
	}
	return t, admitErr(errs)
}

func admitErr(errs []error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bot: admit: %w", err)
	}
	return nil
}

var _ Admitter = Stepwise{}
