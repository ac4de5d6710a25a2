package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/faqbot/faqbot/adapters/admin"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/journal"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/bot/record"
)

// state is what the adapters of one server share, and what several replicas of faqbot must
// share with each other: conversation state, the event ids already taken, per-user rate
// limits, feedback, and reindex announcements.
type state struct {
	store bot.StateStore
	seen  bot.Deduper
	// admit reads, as a message is taken, what store, seen and the per-user rate limits say of
	// it: in one round trip when the state is in Redis.
	admit    bot.Admitter
	feedback bot.FeedbackRecorder
	// observer sees every reply and refusal (metrics, and whatever else records them).
	observer bot.Observer
	// announce tells the other replicas that this one now serves version (after a reindex).
	announce func(ctx context.Context, version string)
	// ready adds to /readyz what the state knows: where it is kept and, with Redis, the
	// replicas and the content version each serves.
	ready func(ctx context.Context) map[string]any
	// close releases the state's resources, once the adapters are stopped.
	close func() error
	// source reads the events editors read (nil when they are kept nowhere).
	source record.Source
	// bundles is where edits of the content are shared with the other replicas (nil: none).
	bundles editor.BundleStore
	// revoked is where the console's signed-out sessions are shared (nil: this process only),
	// and share makes a reindex log every replica's.
	revoked admin.Revocations
	share   func(*bot.ReindexLog)
	// replica names this replica ("" when it is the only one); replicas lists them all with
	// the content version each serves (nil without shared state).
	replica  string
	replicas func(ctx context.Context) ([]admin.Replica, error)
}

// sharedFlags choose where the state lives: Redis when a URL is given, else this process (with
// the events editors read in an on-disk journal).
type sharedFlags struct {
	redisURL    string
	redisPrefix string
	// redisPipeline shares pipelines among the Redis commands of concurrent messages.
	redisPipeline bool
	dataDir       string
	dataDirSet    bool // given by flag or environment, not the default
}

func (sf *sharedFlags) register(fs *flag.FlagSet, env *environment) {
	sf.redisURL = env.getenv("FAQBOT_REDIS_URL")
	fs.Var(redisURLFlag{&sf.redisURL}, "redis",
		"share state with the other replicas in the Redis at `URL` (redis://host:port/db; with a password, "+
			"prefer the environment; env FAQBOT_REDIS_URL)")
	prefix := env.getenv("FAQBOT_REDIS_PREFIX")
	if prefix == "" {
		prefix = "faqbot:"
	}
	fs.StringVar(&sf.redisPrefix, "redis-prefix", prefix, "start every Redis key with `PREFIX` (env FAQBOT_REDIS_PREFIX)")
	sf.redisPipeline = true
	if b, err := strconv.ParseBool(env.getenv("FAQBOT_REDIS_PIPELINE")); err == nil {
		sf.redisPipeline = b
	}
	fs.BoolVar(&sf.redisPipeline, "redis-pipeline", sf.redisPipeline,
		"send the Redis commands that concurrent messages make at the same moment in one pipeline "+
			"(go-redis automatic pipelining; false: one at a time; env FAQBOT_REDIS_PIPELINE)")
	sf.dataDir = env.getenv("FAQBOT_DATA_DIR")
	sf.dataDirSet = sf.dataDir != ""
	if !sf.dataDirSet {
		sf.dataDir = defaultDataDir(env)
	}
	fs.Func("data", "without Redis, keep feedback, unanswered questions and hand-offs in `DIR` "+
		"(default $XDG_STATE_HOME/faqbot or ~/.local/state/faqbot; env FAQBOT_DATA_DIR)", func(s string) error {
		sf.dataDir, sf.dataDirSet = s, true
		return nil
	})
}

// defaultDataDir is the user's state directory for faqbot ("" when there is no home).
func defaultDataDir(env *environment) string {
	if d := env.getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "faqbot")
	}
	if h := env.getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "faqbot")
	}
	return ""
}

// How long things live in the shared state.
const (
	stateTTL = 30 * time.Minute
	// maxStates bounds the conversation states held in this process (web conversations are
	// made up by clients): beyond it, the least recently used are forgotten.
	maxStates = 200_000
	dedupeTTL = 24 * time.Hour
	// heartbeatEvery is how often a replica says which version it serves and checks that it
	// has not missed an announcement; replicaGone is when one that stopped saying so is
	// forgotten.
	heartbeatEvery = 5 * time.Second
	replicaGone    = 3 * heartbeatEvery
)

// newState returns the state: in Redis (with per-process fallbacks) when sc names one, else in
// this process. reindex reloads the content for a replica told by another; version is the
// content version served now.
func newState(ctx context.Context, sc *serveConfig, root *slog.Logger, mx *metrics.Metrics,
	reindex func(ctx context.Context, via string) (bot.ReloadResult, error), version func() string) (*state, error) {
	if sc.shared.redisURL != "" {
		return redisState(ctx, sc, root, mx, reindex, version)
	}
	return localState(sc, root, mx)
}

// localState is the state of a single process: in memory, and the editors' events in the
// journal.
func localState(sc *serveConfig, root *slog.Logger, mx *metrics.Metrics) (*state, error) {
	log := root.With("component", "state")
	local := localParts(sc)
	st := &state{
		store:    local.Store,
		seen:     local.Seen,
		admit:    local,
		feedback: memstore.NewFeedback(),
		observer: mx,
		announce: func(context.Context, string) {},
		ready:    func(context.Context) map[string]any { return map[string]any{"shared_state": "embedded"} },
		close:    func() error { return nil },
	}
	dir := sc.shared.dataDir
	if dir == "" {
		log.Warn("feedback and unanswered questions are kept in memory only: set FAQBOT_DATA_DIR or FAQBOT_REDIS_URL")
		return st, nil
	}
	j, err := journal.Open(dir, journal.Options{})
	if err != nil {
		if sc.shared.dataDirSet {
			return nil, fmt.Errorf("serve: %w", err)
		}
		log.Warn("feedback and unanswered questions are kept in memory only: the default data directory is unusable; set FAQBOT_DATA_DIR",
			"error", err)
		return st, nil
	}
	// The event ids taken are kept in the journal too: a redelivery after a restart is
	// known as a repeat.
	seen, err := j.Deduper(journal.DeduperOptions{TTL: dedupeTTL})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	local.Seen = seen
	st.seen, st.admit = seen, local
	rec := record.NewRecorder(record.RecorderConfig{Sink: j, Logger: root})
	mx.Recorder(rec)
	st.feedback, st.observer, st.source = rec, tee{mx, rec}, j
	st.close = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // part of the constant beyond --shutdown-grace
		defer cancel()
		return errors.Join(rec.Close(ctx), seen.Close())
	}
	log.Info("state in this process; editors' events and event ids in the journal", "journal", j.Path())
	return st, nil
}

// localParts are the state of one process: conversation states (bounded in time and count),
// event ids and rate limits in memory.
func localParts(sc *serveConfig) bot.Stepwise {
	return bot.Stepwise{
		Seen:    memstore.NewDeduper(dedupeTTL, 500_000, nil),
		Limiter: memstore.NewLimiter(sc.userEvery, sc.userBurst, nil),
		Store:   memstore.NewLRU(stateTTL, maxStates, nil),
	}
}

// tee is an Observer that tells several.
type tee []bot.Observer

func (t tee) Replied(platform string, r bot.Reply, took time.Duration) {
	for _, o := range t {
		o.Replied(platform, r, took)
	}
}

func (t tee) Refused(platform, reason string) {
	for _, o := range t {
		o.Refused(platform, reason)
	}
}
