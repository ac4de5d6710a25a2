package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/faqbot/faqbot/bot/record"
)

// stream is the key of the stream of kind's events.
func (s *Store) stream(kind record.Kind) string { return s.prefix + "events:" + string(kind) }

// Append adds events to their kinds' streams, in one round trip, trimming each stream to about
// StreamMaxLen events and dropping its entries written more than StreamKeep ago.
func (s *Store) Append(ctx context.Context, events []record.Event) error {
	if len(events) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	trimmed := map[record.Kind]bool{}
	minID := strconv.FormatInt(time.Now().Add(-s.keep).UnixMilli(), 10)
	for _, ev := range events {
		if !trimmed[ev.Kind] {
			trimmed[ev.Kind] = true
			pipe.XTrimMinID(ctx, s.stream(ev.Kind), minID)
		}
		vals := []any{"at", itoa(ev.At.UnixMilli())}
		add := func(k, v string) {
			if v != "" {
				vals = append(vals, k, v)
			}
		}
		add("platform", ev.Platform)
		add("entry", ev.Entry)
		if ev.Kind == record.Feedback {
			add("helpful", strconv.FormatBool(ev.Helpful))
		}
		add("text", ev.Text)
		add("lang", ev.Lang)
		add("reason", ev.Reason)
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.stream(ev.Kind), MaxLen: s.maxLen, Approx: true, Values: vals})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: append %d events: %w", len(events), err)
	}
	return nil
}

// skew is how far the clocks of the replicas and of Redis may differ: entry ids carry Redis's
// time of writing, events their replica's time of happening.
const skew = time.Minute

// Events returns the events of kind that happened in [since, until), oldest first. It reads
// the stream with XRANGE, a page at a time, from the entries written since (less a margin for
// clock skew): an event is always written after it happened, late when Redis was away.
func (s *Store) Events(ctx context.Context, kind record.Kind, since, until time.Time) ([]record.Event, error) {
	var out []record.Event
	start := itoa(max(since.Add(-skew).UnixMilli(), 0))
	for {
		msgs, err := s.rdb.XRangeN(ctx, s.stream(kind), start, "+", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("redisstore: read %s events: %w", kind, err)
		}
		for _, m := range msgs {
			ev := decode(kind, m.Values)
			if !ev.At.Before(since) && ev.At.Before(until) {
				out = append(out, ev)
			}
		}
		if len(msgs) < 1000 {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	// Written late (after an outage) means out of order by At: put it back in order.
	slices.SortStableFunc(out, func(a, b record.Event) int { return a.At.Compare(b.At) })
	return out, nil
}

func decode(kind record.Kind, v map[string]any) record.Event {
	str := func(k string) string { s, _ := v[k].(string); return s }
	ms, _ := strconv.ParseInt(str("at"), 10, 64)
	return record.Event{
		Kind: kind, At: time.UnixMilli(ms), Platform: str("platform"), Entry: str("entry"),
		Helpful: str("helpful") == "true", Text: str("text"), Lang: str("lang"), Reason: str("reason"),
	}
}
