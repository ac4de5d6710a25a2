package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faqbot/faqbot/adapters/admin"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/journal"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/replicas"
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
	registerRecorder(mx, rec)
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

// redisState is the state shared in Redis. Each component falls back to its in-process twin
// while Redis is out of reach, so that answers go on; the events editors read wait in memory
// until Redis is back.
func redisState(ctx context.Context, sc *serveConfig, root *slog.Logger, mx *metrics.Metrics,
	reindex func(ctx context.Context, via string) (bot.ReloadResult, error), version func() string) (*state, error) {
	log := root.With("component", "state")
	quietRedisLogs.Do(func() { redisstore.QuietClientLogs(root) })
	rs, err := redisstore.Open(sc.shared.redisURL, redisstore.Options{Prefix: sc.shared.redisPrefix, Unpipelined: !sc.shared.redisPipeline})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	health := failover.NewHealth(failover.HealthConfig{Ping: rs.Ping, Logger: root})
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	if err := rs.Ping(pctx); err != nil {
		health.Fail("startup", err)
	}
	cancel()
	registerHealth(mx, health)
	rec := record.NewRecorder(record.RecorderConfig{Sink: rs, Logger: root})
	registerRecorder(mx, rec)

	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { health.Run(bg) })

	proto := replicas.New(replicas.Config{
		Shared: rs, Guard: health, Version: version, Every: heartbeatEvery, Logger: root,
		Reindex: func(ctx context.Context) { reindex(ctx, viaAnnouncement) },
	})
	wg.Go(func() { proto.Run(bg) })

	log.Info("state shared in Redis", "redis", redactURL(sc.shared.redisURL), "prefix", rs.Prefix(), "pipelined", sc.shared.redisPipeline,
		"replica", rs.Replica(), "degraded", health.Degraded())
	local := localParts(sc) // what answers while Redis is away
	return &state{
		source:  rs,
		bundles: rs,
		replica: rs.Replica(),
		replicas: func(ctx context.Context) ([]admin.Replica, error) {
			var infos []redisstore.ReplicaInfo
			err := health.Do(ctx, "replicas", func(ctx context.Context) (err error) {
				infos, err = rs.Replicas(ctx, replicaGone)
				return err
			})
			out := make([]admin.Replica, len(infos))
			for i, r := range infos {
				out[i] = admin.Replica{ID: r.Replica, Version: r.Version, Seen: r.Seen, Self: r.Replica == rs.Replica()}
			}
			return out, err
		},
		store:    health.NewStateStore(rs.StateStore(stateTTL), local.Store),
		seen:     health.NewDeduper(rs.Deduper(dedupeTTL), local.Seen),
		admit:    health.NewAdmitter(rs.Admitter(dedupeTTL, sc.userEvery, sc.userBurst), local),
		feedback: rec,
		observer: tee{mx, rec},
		announce: proto.Announce,
		ready: func(ctx context.Context) map[string]any {
			info := map[string]any{"shared_state": "redis", "replica": rs.Replica(), "degraded": health.Degraded()}
			var rs2 []redisstore.ReplicaInfo
			if health.Do(ctx, "replicas", func(ctx context.Context) (err error) {
				rs2, err = rs.Replicas(ctx, replicaGone)
				return err
			}) == nil {
				info["replicas"] = rs2
			}
			return info
		},
		close: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // part of the constant beyond --shutdown-grace
			defer cancel()
			err := rec.Close(ctx)
			stopBG()
			wg.Wait()
			if health.Healthy() {
				lctx, cancel := context.WithTimeout(context.Background(), time.Second)
				rs.Leave(lctx)
				cancel()
			}
			return errors.Join(err, rs.Close())
		},
	}, nil
}

var quietRedisLogs sync.Once

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

// registerHealth exports the shared state's health with the metrics.
func registerHealth(mx *metrics.Metrics, h *failover.Health) {
	reg := mx.Registry()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "faqbot_shared_state_degraded",
		Help: "1 while Redis is out of reach and this replica answers with per-process state, else 0.",
	}, func() float64 {
		if h.Degraded() {
			return 1
		}
		return 0
	}))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "faqbot_shared_state_outages_total",
		Help: "Times Redis went out of reach.",
	}, func() float64 { return float64(h.Outages()) }))
	for _, c := range []string{"admit", "dedupe", "state", "announce", "heartbeat", "replicas"} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "faqbot_shared_state_fallbacks_total",
			Help:        "Calls answered without Redis (per-process state, or skipped), by component.",
			ConstLabels: prometheus.Labels{"component": c},
		}, func() float64 { return float64(h.Fallbacks()[c]) }))
	}
}

// registerRecorder exports the recorder's counters with the metrics.
func registerRecorder(mx *metrics.Metrics, r *record.Recorder) {
	reg := mx.Registry()
	for _, m := range []struct {
		name, help string
		f          func(record.RecorderStats) int64
	}{
		{"faqbot_events_recorded_total", "Events for editors (feedback, unanswered, hand-offs) written.", func(s record.RecorderStats) int64 { return s.Recorded }},
		{"faqbot_events_dropped_total", "Events for editors lost: buffer full, or too many waiting for the store.", func(s record.RecorderStats) int64 { return s.Dropped }},
		{"faqbot_events_write_failures_total", "Failed writes of events for editors (retried).", func(s record.RecorderStats) int64 { return s.Failures }},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help},
			func() float64 { return float64(m.f(r.Stats())) }))
	}
}
