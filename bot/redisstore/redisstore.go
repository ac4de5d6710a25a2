// Package redisstore keeps in Redis what the replicas of faqbot share: the platform event ids
// already taken (SET NX PX), each user's conversation state (one key per user, with a TTL),
// per-user rate limits (GCRA), the events editors read (streams capped with MAXLEN ~), and
// reindex announcements (pub/sub) with the content version each replica serves. What a message
// needs when it arrives — is it a repeat, is its user over the limit, what was said before — is
// one Lua script: one round trip, and one more when its state changed; the commands that
// concurrent messages send at the same moment share pipelines.
//
// Every key starts with a configurable prefix ("faqbot:" by default). User, team and channel
// ids and event ids only appear hashed in keys, and in no value; the only user text stored is
// the masked question of an unanswered event.
// It imports bot and bot/record; go-redis types never leave it.
package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/faq"
)

// Options configures a Store; every field has a default.
type Options struct {
	// Prefix starts every key and channel (default "faqbot:").
	Prefix string
	// Timeout bounds dialling and each read or write on a connection (default 500 ms).
	Timeout time.Duration
	// StreamMaxLen caps each event stream, approximately (default 500,000 events).
	StreamMaxLen int64
	// StreamKeep is how long events are kept in the streams (default 90 days, as the journal
	// keeps them): each write trims the entries older than that.
	StreamKeep time.Duration
	// Replica names this process among the replicas (default host-pid-random).
	Replica string
	// Unpipelined sends each command of the message path (an admission, a state written) on
	// its own, as it comes. By default the commands that concurrent messages send at the same
	// moment share one pipeline (go-redis's automatic pipelining, experimental since v9.22):
	// fewer system calls and wake-ups on both sides, and no added wait — a lone command goes
	// at once. A caller whose context ends stops waiting; its command may still run.
	Unpipelined bool
}

// Store is a connection pool to one Redis with faqbot's keys. It is safe for concurrent use;
// Close releases it.
type Store struct {
	rdb *redis.Client
	// ap pipelines the commands of the message path (nil: unpipelined); see send.
	ap     *redis.AutoPipeliner
	prefix string
	maxLen int64
	keep   time.Duration
	id     string
}

// Open returns a Store for the Redis at url ("redis://[:password@]host:port[/db]", or
// "rediss://" for TLS). It does not connect: the first command does, so that a Redis that is
// down does not stop the caller from starting.
func Open(url string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		// Not err: it may quote the URL, password included.
		return nil, errors.New("redisstore: open: invalid URL (want redis://[:password@]host:port[/db] or rediss://…)")
	}
	if opts.Prefix == "" {
		opts.Prefix = "faqbot:"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	if opts.StreamMaxLen <= 0 {
		opts.StreamMaxLen = 500_000
	}
	if opts.StreamKeep <= 0 {
		opts.StreamKeep = 90 * 24 * time.Hour
	}
	if opts.Replica == "" {
		host, _ := os.Hostname()
		opts.Replica = fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.Uint32()>>16)
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = opts.Timeout, opts.Timeout, opts.Timeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.PoolSize = max(o.PoolSize, 128) // the LINE adapter alone runs 64 workers
	o.PoolTimeout = 2 * opts.Timeout
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	s := &Store{rdb: redis.NewClient(o), prefix: opts.Prefix, maxLen: opts.StreamMaxLen, keep: opts.StreamKeep, id: opts.Replica}
	if !opts.Unpipelined {
		// The deferred face: its commands can be waited for with a context (send).
		if s.ap, err = s.rdb.AsyncAutoPipeline(); err != nil {
			s.rdb.Close()
			return nil, fmt.Errorf("redisstore: open: %w", err)
		}
	}
	return s, nil
}

// send sends cmd, a command of the message path, and waits for its reply or for the end of ctx.
// Unless the Store is unpipelined, cmd shares a pipeline with the commands that other messages
// send at the same moment.
func (s *Store) send(ctx context.Context, cmd redis.Cmder) error {
	if s.ap == nil {
		return s.rdb.Process(ctx, cmd)
	}
	return s.ap.Submit(ctx, cmd).WaitContext(ctx)
}

// Close closes the connections.
func (s *Store) Close() error {
	var err error
	if s.ap != nil {
		err = s.ap.Close()
	}
	return errors.Join(err, s.rdb.Close())
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// Replica is the name of this process among the replicas.
func (s *Store) Replica() string { return s.id }

// Prefix is the prefix of every key.
func (s *Store) Prefix() string { return s.prefix }

// hashed is the key part for a user id: its SHA-256, truncated to 128 bits, base64url.
func hashed(user string) string {
	h := sha256.Sum256([]byte(user))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// Deduper is a bot.Deduper in Redis: an id is one key set with NX and a TTL.
type Deduper struct {
	s   *Store
	ttl time.Duration
}

// Deduper returns a Deduper that remembers ids for ttl.
func (s *Store) Deduper(ttl time.Duration) *Deduper { return &Deduper{s: s, ttl: ttl} }

// FirstTime records id and reports whether it was new, atomically across replicas.
func (d *Deduper) FirstTime(ctx context.Context, id string) (bool, error) {
	ok, err := d.s.rdb.SetNX(ctx, d.s.seenKey(id), 1, d.ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: dedupe: %w", err)
	}
	return ok, nil
}

// seenKey is the key of a platform event id, hashed: Slack's ids of a message name its team
// and channel, which must not appear in Redis in clear.
func (s *Store) seenKey(id string) string { return s.prefix + "seen:" + hashed(id) }

// StateStore is a bot.StateStore in Redis: one key per (hashed) user, expiring ttl after the
// last Put.
type StateStore struct {
	s   *Store
	ttl time.Duration
}

// StateStore returns a StateStore whose states live for ttl.
func (s *Store) StateStore(ttl time.Duration) *StateStore { return &StateStore{s: s, ttl: ttl} }

type wireState struct {
	Pending string `json:"p,omitempty"`
	Last    string `json:"l,omitempty"`
	Lang    string `json:"g,omitempty"`
	Rating  string `json:"r,omitempty"`
	// Question is the masked question Rating asks about (bot.State.Question), at most
	// bot.MaxQuestion characters.
	Question string `json:"q,omitempty"`
}

// Get returns the state of user; ok is false when there is none or it has expired.
func (st *StateStore) Get(ctx context.Context, user string) (bot.State, bool, error) {
	b, err := st.s.rdb.Get(ctx, st.s.stateKey(user)).Bytes()
	if errors.Is(err, redis.Nil) {
		return bot.State{}, false, nil
	}
	if err != nil {
		return bot.State{}, false, fmt.Errorf("redisstore: get state: %w", err)
	}
	s, err := decodeState(b)
	if err != nil {
		return bot.State{}, false, fmt.Errorf("redisstore: get state: %w", err)
	}
	return s, true, nil
}

func (s *Store) stateKey(user string) string { return s.prefix + "state:" + hashed(user) }

func decodeState(b []byte) (bot.State, error) {
	var w wireState
	if err := json.Unmarshal(b, &w); err != nil {
		return bot.State{}, err
	}
	return bot.State{Pending: w.Pending, Last: w.Last, Lang: faq.Lang(w.Lang), Rating: w.Rating,
		Question: bot.ClipQuestion(w.Question)}, nil
}

// Put replaces the state of user, for the store's ttl.
func (st *StateStore) Put(ctx context.Context, user string, s bot.State) error {
	b, _ := json.Marshal(wireState{Pending: s.Pending, Last: s.Last, Lang: string(s.Lang), Rating: s.Rating,
		Question: bot.ClipQuestion(s.Question)})
	if err := st.s.send(ctx, redis.NewStatusCmd(ctx, "set", st.s.stateKey(user), b, "px", st.ttl.Milliseconds())); err != nil {
		return fmt.Errorf("redisstore: put state: %w", err)
	}
	return nil
}

// QuietClientLogs sends the Redis client's own messages (reconnects, pool errors) to log at
// debug level instead of stderr: faqbot reports outages itself, once each. The client's logger
// is process-wide; call this once, from main.
func QuietClientLogs(log *slog.Logger) {
	redis.SetLogger(clientLogger{log.With("component", "redis")})
}

type clientLogger struct{ log *slog.Logger }

func (l clientLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...))
}

var (
	_ bot.Deduper    = (*Deduper)(nil)
	_ bot.StateStore = (*StateStore)(nil)
	_ bot.Admitter   = (*Admitter)(nil)
	_ record.Sink    = (*Store)(nil)
	_ record.Source  = (*Store)(nil)
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
