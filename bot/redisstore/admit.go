package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/faqbot/faqbot/bot"
)

// admit answers a bot.Arrival in one call, atomically across replicas.
//
// KEYS: the n event keys, then the rate key (when the interval is not 0), then the state key
// (when the state is read). ARGV: n, the dedupe TTL (ms), the interval (µs; 0: no limit), the
// burst, "1" to read the state.
//
// Each event key is SET NX PX; when any existed, the message is a repeat and nothing else is
// done. The rate limit is the generic cell rate algorithm: the key holds the theoretical arrival
// time (TAT, µs of Redis's clock) of the next message; a message is allowed when it would not
// push the TAT more than burst intervals ahead of now. The reply is {repeat, limited, state},
// state nil when absent.
const admitLua = `
local n = tonumber(ARGV[1])
local rep = 0
for i = 1, n do
  if not redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[2]) then rep = 1 end
end
if rep == 1 then return {1, 0} end
local k = n + 1
local limited = 0
local interval = tonumber(ARGV[3])
if interval > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local tat = tonumber(redis.call('GET', KEYS[k]) or now)
  if tat < now then tat = now end
  local nxt = tat + interval
  if nxt - now > interval * tonumber(ARGV[4]) then
    limited = 1
  else
    redis.call('SET', KEYS[k], string.format('%d', nxt), 'PX', string.format('%d', math.ceil((nxt - now) / 1000)))
  end
  k = k + 1
end
if ARGV[5] == '1' then
  return {0, limited, redis.call('GET', KEYS[k])}
end
return {0, limited}
`

var admitSHA = redis.NewScript(admitLua).Hash()

// Admitter is a bot.Admitter in Redis: one script call per message takes its event ids, counts
// it against its user's rate limit and reads the conversation state that StateStore writes.
// The keys of one call are not in one hash slot: it needs a Redis that is not a cluster.
type Admitter struct {
	s            *Store
	every        time.Duration
	burst        int
	dedupe, rate string // ARGV, formatted once
}

// Admitter returns an Admitter that remembers event ids for dedupeTTL and lets each rate-limit
// key send burst messages at once and one per every after that (every <= 0: no limit).
func (s *Store) Admitter(dedupeTTL, every time.Duration, burst int) *Admitter {
	burst = max(burst, 1)
	return &Admitter{
		s: s, every: every, burst: burst,
		dedupe: strconv.FormatInt(max(dedupeTTL.Milliseconds(), 1), 10),
		rate:   strconv.FormatInt(max(every.Microseconds(), 0), 10),
	}
}

// Admit tells whether a is a repeat, whether its user is over the limit, and the state of its
// conversation.
func (ad *Admitter) Admit(ctx context.Context, a bot.Arrival) (bot.Turn, error) {
	limit := ad.every > 0 && a.Limit != ""
	keys := make([]string, 0, len(a.Events)+2)
	for _, id := range a.Events {
		keys = append(keys, ad.s.seenKey(id))
	}
	rate, read := "0", "0"
	if limit {
		keys = append(keys, ad.s.prefix+"rate:"+hashed(a.Limit))
		rate = ad.rate
	}
	if a.User != "" {
		keys = append(keys, ad.s.stateKey(a.User))
		read = "1"
	}
	if len(keys) == 0 {
		return bot.Turn{}, nil
	}
	args := make([]any, 0, 3+len(keys)+5)
	args = append(args, "evalsha", admitSHA, len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, len(a.Events), ad.dedupe, rate, ad.burst, read)
	cmd := redis.NewCmd(ctx, args...)
	err := ad.s.send(ctx, cmd)
	if redis.HasErrorPrefix(err, "NOSCRIPT") { // a Redis that has not seen it, or restarted
		args[0], args[1] = "eval", admitLua
		cmd = redis.NewCmd(ctx, args...)
		err = ad.s.send(ctx, cmd)
	}
	if err != nil {
		// Not cmd's result: a pipelined command abandoned by ctx has none yet.
		return bot.Turn{}, fmt.Errorf("redisstore: admit: %w", err)
	}
	res, err := cmd.Slice()
	if err != nil {
		return bot.Turn{}, fmt.Errorf("redisstore: admit: %w", err)
	}
	var t bot.Turn
	if len(res) < 2 {
		return t, fmt.Errorf("redisstore: admit: reply of %d values", len(res))
	}
	t.Repeat, t.Limited = res[0] == int64(1), res[1] == int64(1)
	if len(res) > 2 && res[2] != nil {
		b, _ := res[2].(string)
		st, err := decodeState([]byte(b))
		if err != nil {
			// The message is still admitted: the conversation starts afresh.
			return t, fmt.Errorf("redisstore: admit: state: %w", err)
		}
		t.State, t.Known = st, true
	}
	return t, nil
}
