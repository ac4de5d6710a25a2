package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/faqbot/faqbot/adapters/admin"
	"github.com/faqbot/faqbot/adapters/line"
	"github.com/faqbot/faqbot/adapters/web"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/faq"
)

const serveSynopsis = `serve [flags]

Serves, on one HTTP port:
  GET  /                 the web chat (and /api/ask, /api/feedback, /api/welcome); the
                         decisions behind its replies with --debug-decisions only
  GET  /healthz          alive
  GET  /readyz           the content is loaded: its version (503 while loading or stopping)
  GET  /metrics          Prometheus metrics
  GET  /admin/           the editors' console (sign in with FAQBOT_ADMIN_TOKEN; off without it)
  POST /admin/reindex    reload the content (when FAQBOT_ADMIN_TOKEN is set; "faqbot reindex")
  POST /line/webhook     LINE (when LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are set)
  POST /slack/events, /slack/commands, /slack/interactions
                         Slack (when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set; with
                         SLACK_APP_TOKEN, Socket Mode instead, and no public URL is needed)

SIGHUP reloads the content too; SIGTERM or SIGINT stops the server gracefully.

Secrets come from the environment only:
  LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN     LINE Messaging API channel
  SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN              Slack app (xoxb-…)
  SLACK_APP_TOKEN                                    Slack Socket Mode (xapp-…)
  FAQBOT_ADMIN_TOKEN                                 bearer token of /admin/reindex, and the
                                                     editors' console's sign-in`

// serveConfig is serve's configuration: flags whose defaults come from the environment, and
// secrets from the environment only.
type serveConfig struct {
	addr        string
	content     contentFlags
	grace       time.Duration
	logLevel    slog.Level
	userBurst   int
	userEvery   time.Duration
	ipBurst     int
	memLimit    int
	debugAddr   string
	cache       int
	ipEvery     time.Duration
	lineAPI     string
	slackAPI    string
	editors     string
	debugDecide bool
	adminToken  string
	lineSecret  string
	lineToken   string
	slackSecret string
	slackBot    string
	slackApp    string
	shared      sharedFlags
}

func (sc *serveConfig) register(fs *flag.FlagSet, env *environment) {
	or := func(key, def string) string {
		if v := env.getenv(key); v != "" {
			return v
		}
		return def
	}
	dur := func(key string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(env.getenv(key)); err == nil {
			return d
		}
		return def
	}
	fs.StringVar(&sc.addr, "addr", or("FAQBOT_ADDR", ":8080"), "listen on `ADDR` (env FAQBOT_ADDR)")
	sc.content.register(fs, env, true)
	fs.DurationVar(&sc.grace, "shutdown-grace", dur("FAQBOT_SHUTDOWN_GRACE", 15*time.Second),
		"on SIGTERM, how long queued replies may take to go out (env FAQBOT_SHUTDOWN_GRACE)")
	_ = sc.logLevel.UnmarshalText([]byte(or("FAQBOT_LOG_LEVEL", "info")))
	fs.TextVar(&sc.logLevel, "log-level", sc.logLevel, "log `LEVEL`: debug, info, warn, error (env FAQBOT_LOG_LEVEL)")
	num := func(key string, def int) int {
		if n, err := strconv.Atoi(env.getenv(key)); err == nil {
			return n
		}
		return def
	}
	fs.IntVar(&sc.userBurst, "user-burst", num("FAQBOT_USER_BURST", 10),
		"messages one user (LINE, Slack, a web conversation) may send at once (env FAQBOT_USER_BURST)")
	fs.DurationVar(&sc.userEvery, "user-every", dur("FAQBOT_USER_EVERY", time.Second),
		"then one message per `DURATION`; 0: no limit (env FAQBOT_USER_EVERY)")
	fs.IntVar(&sc.ipBurst, "ip-burst", num("FAQBOT_IP_BURST", 60),
		"web requests one client address may send at once (env FAQBOT_IP_BURST)")
	fs.DurationVar(&sc.ipEvery, "ip-every", dur("FAQBOT_IP_EVERY", 100*time.Millisecond),
		"then one per `DURATION`; 0: no limit (env FAQBOT_IP_EVERY)")
	fs.StringVar(&sc.debugAddr, "debug-addr", env.getenv("FAQBOT_DEBUG_ADDR"),
		"serve Go's profiles (net/http/pprof) on `ADDR`, a loopback address kept apart from the main port; off when empty (env FAQBOT_DEBUG_ADDR)")
	fs.IntVar(&sc.memLimit, "memory-limit", num("FAQBOT_MEMORY_LIMIT", 200),
		"soft limit of the Go heap in `MiB` (runtime/debug.SetMemoryLimit; GOMEMLIMIT, when set, wins); 0: none (env FAQBOT_MEMORY_LIMIT)")
	fs.IntVar(&sc.cache, "decision-cache", num("FAQBOT_DECISION_CACHE", 10000),
		"remember the decisions of the last `N` distinct questions (never ones holding personal data); 0: off (env FAQBOT_DECISION_CACHE)")
	fs.StringVar(&sc.lineAPI, "line-api", or("FAQBOT_LINE_API_URL", line.DefaultAPIURL),
		"LINE Messaging API base `URL` (env FAQBOT_LINE_API_URL)")
	fs.StringVar(&sc.slackAPI, "slack-api", or("FAQBOT_SLACK_API_URL", "https://slack.com/api/"),
		"Slack Web API base `URL` (env FAQBOT_SLACK_API_URL)")
	fs.StringVar(&sc.editors, "editors", env.getenv("FAQBOT_EDITORS"),
		"comma-separated Slack user `IDS` allowed to run /faq reindex (env FAQBOT_EDITORS)")
	debugDecide, _ := strconv.ParseBool(env.getenv("FAQBOT_DEBUG_DECISIONS"))
	fs.BoolVar(&sc.debugDecide, "debug-decisions", debugDecide,
		"show everyone who opens the web chat the decision behind each reply, as editors see it: for a local run only (env FAQBOT_DEBUG_DECISIONS)")
	sc.shared.register(fs, env)
	sc.adminToken = env.getenv("FAQBOT_ADMIN_TOKEN")
	sc.lineSecret, sc.lineToken = env.getenv("LINE_CHANNEL_SECRET"), env.getenv("LINE_CHANNEL_ACCESS_TOKEN")
	sc.slackSecret, sc.slackBot, sc.slackApp = env.getenv("SLACK_SIGNING_SECRET"), env.getenv("SLACK_BOT_TOKEN"), env.getenv("SLACK_APP_TOKEN")
}

// viaAnnouncement is the reindex trigger of a replica told by another that the content changed;
// such a reindex is not announced again.
const viaAnnouncement = "announcement"

// platform is an adapter that answers in the background and must be drained on shutdown.
type platform struct {
	name     string
	shutdown func(context.Context) error
	queued   func() int
	// lost counts the replies that did not go out since the adapter started: events dropped
	// and replies that failed.
	lost func() int64
}

// cmdServe runs the server until ctx ends, then stops it gracefully: /readyz turns 503, no new
// request is accepted, the requests being read finish, and the replies the adapters queued go
// out within the grace period. Replies still queued when it ends are reported as lost, and
// serve fails. SIGHUP reloads the content.
func cmdServe(ctx context.Context, env *environment, args []string) error {
	m := NewMain(env)
	if err := m.ParseFlags(ctx, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err // Run stopped what it had started
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case err := <-m.Err():
			m.Close()
			return fmt.Errorf("serve: %w", err)
		case <-hup:
			m.reindex(ctx, "sighup")
		case <-ctx.Done():
			return m.Close()
		}
	}
}

// Main is the server of "faqbot serve": ParseFlags reads its configuration, Run starts it and
// returns once it serves, Close stops it gracefully. cmdServe and the tests drive it alike.
//
// Run and Close must not be called concurrently; Close may be called any number of times, after
// Run has returned (whether or not it failed) or without Run at all.
type Main struct {
	env       *environment
	config    serveConfig
	root, log *slog.Logger

	ln        net.Listener
	srv       *http.Server
	served    chan error    // what srv.Serve returned, when it stops on its own
	serveDone chan struct{} // closed once srv.Serve has returned
	debug     *http.Server  // the profiles (nil: off)
	mx        *metrics.Metrics
	ready     atomic.Pointer[http.Handler] // the full mux, once everything is wired
	stopping  atomic.Bool                  // /readyz answers 503

	bot       *bot.Bot
	shared    atomic.Pointer[state]            // set once the state exists; reindex announces through it
	workspace atomic.Pointer[editor.Workspace] // the content editors change, once the state exists
	reindexes bot.ReindexLog                   // the last reindexes, for the editors' console
	reloader  *bot.Reloader
	platforms []platform
	// stopBG ends what runs in the background until Close (Slack Socket Mode); bg waits for it.
	stopBG context.CancelFunc
	bg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// NewMain returns a server that reads its environment from env and logs to env.stderr.
func NewMain(env *environment) *Main {
	return &Main{env: env, stopBG: func() {}}
}

// ParseFlags reads the configuration from args (the flags after "serve") and the environment.
// It fails with flag.ErrHelp for -h and with exit status 2 for a wrong flag or an argument.
func (m *Main) ParseFlags(_ context.Context, args []string) error {
	fs := m.env.flags("serve", serveSynopsis)
	m.config.register(fs, m.env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	m.root = slog.New(slog.NewJSONHandler(m.env.stderr, &slog.HandlerOptions{Level: m.config.logLevel}))
	m.log = m.root.With("component", "serve")
	return nil
}

// Addr is the address the server listens on, once Run has started it (nil before).
func (m *Main) Addr() net.Addr {
	if m.ln == nil {
		return nil
	}
	return m.ln.Addr()
}

// Err receives the error of the HTTP server when it stops serving on its own (not through
// Close).
func (m *Main) Err() <-chan error { return m.served }

// Run starts the server and returns once it serves everything: it listens first, so that
// /healthz answers while the index is built (the other paths answer 503 until Run returns),
// then builds the engine, the state, the web chat, the editors' console and the platforms. ctx
// bounds the start only. When a step fails, Run stops what the steps before started (the
// listeners, the goroutines, the state and the index) and returns the step's error.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.log == nil {
		return errors.New("serve: Run before ParseFlags")
	}
	defer func() {
		if err != nil {
			m.abort()
		}
	}()
	sc := &m.config
	if sc.memLimit > 0 && m.env.getenv("GOMEMLIMIT") == "" {
		// The dictionary alone is ~90 MiB of live heap; without a limit, GOGC lets the heap
		// double under load. The limit makes the collector work harder instead.
		debug.SetMemoryLimit(int64(sc.memLimit) << 20)
	}
	start := time.Now()
	if err := m.listen(); err != nil {
		return err
	}
	if sc.debugAddr != "" {
		if m.debug, err = serveDebug(sc.debugAddr, m.log); err != nil {
			return err
		}
	}
	eng, err := sc.content.engine(ctx, m.env.stderr)
	if err != nil {
		return err
	}
	eng.CacheDecisions(sc.cache)
	m.bot = bot.New(eng, nil)
	m.mx.Serving(eng.Version, len(eng.Content.Entries))
	m.reloader = &bot.Reloader{Bot: m.bot, IndexDir: sc.content.index, CacheDecisions: sc.cache, Load: func(ctx context.Context) (*faq.Content, error) {
		return loadServed(ctx, m.workspace.Load(), m.bot.Engine(), &sc.content)
	}}
	st, err := newState(ctx, sc, m.root, m.mx, m.reindex, func() string { return m.bot.Engine().Version })
	if err != nil {
		return err
	}
	m.shared.Store(st)
	mux, err := m.handlers(ctx, st)
	if err != nil {
		return err
	}
	var h http.Handler = mux
	m.ready.Store(&h)
	m.log.Info("ready", "content", eng.Content.Source, "version", eng.Version, "entries", len(eng.Content.Entries),
		"took", time.Since(start).Round(time.Millisecond).String(), "vectors", vectorsInfo(eng.Index.Vectors()))
	m.log.Info("open the web chat in a browser", "url", browseURL(m.ln.Addr()))
	return nil
}

// listen opens the port and serves /healthz and /metrics on it at once, the rest once ready.
func (m *Main) listen() error {
	ln, err := net.Listen("tcp", m.config.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	m.mx = metrics.New()
	outer := http.NewServeMux()
	outer.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	outer.Handle("GET /metrics", m.mx.Handler())
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := m.ready.Load()
		if h == nil {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "faqbot is loading its content", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	})
	m.ln = ln
	m.srv = &http.Server{
		Handler:           outer,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	}
	m.log.Info("listening", "addr", ln.Addr().String())
	m.served, m.serveDone = make(chan error, 1), make(chan struct{})
	go func() {
		defer close(m.serveDone)
		if err := m.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.served <- err
		}
	}()
	return nil
}

// handlers builds the routes served once ready: /readyz, the web chat, the editors' console,
// the admin API and the platforms. The platforms it starts are in m.platforms even when a later
// one fails, for Close to stop them.
func (m *Main) handlers(ctx context.Context, st *state) (*http.ServeMux, error) {
	sc, log, b := &m.config, m.log, m.bot
	ws := editor.New(editor.Config{Dir: sc.content.content, Store: st.bundles})
	m.workspace.Store(ws)
	if st.bundles != nil {
		// Edits published from the console are bundles in the shared store: a replica that
		// starts serves the current one, as the others do.
		bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if v, err := st.bundles.Head(bctx, editor.Current); err != nil {
			log.Warn("could not tell whether edited content was published; serving the content given", "error", err)
		} else if v != "" && v != b.Engine().Version {
			m.reindex(bctx, "bundle")
		}
		cancel()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		e := b.Engine()
		status := http.StatusOK
		if m.stopping.Load() {
			status = http.StatusServiceUnavailable
		}
		body := st.ready(r.Context())
		for k, v := range map[string]any{"ready": status == http.StatusOK, "version": e.Version,
			"entries": len(e.Content.Entries), "content": e.Content.Source, "vectors": vectorsInfo(e.Index.Vectors())} {
			body[k] = v
		}
		writeJSON(w, status, body)
	})
	adm, err := admin.New(admin.Config{Token: sc.adminToken, Bot: b, Workspace: ws, Source: st.source, Reindex: m.reindex,
		Reindexes: m.reindexes.Last, Replicas: st.replicas, Logger: m.root})
	if err != nil {
		return nil, err
	}
	editor := adm.SignedIn // signed-in editors see the decisions behind the chat's replies
	if sc.debugDecide {
		editor = func(*http.Request) bool { return true }
		log.Warn("the web chat shows everyone the decision behind each reply (--debug-decisions): for a local run only")
	}
	console, err := web.New(b, web.Config{Logger: m.root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback,
		AddrLimiter: bot.NewMemoryLimiter(sc.ipEvery, sc.ipBurst, nil), Editor: editor})
	if err != nil {
		return nil, err
	}
	console.Register(mux)
	if registerAdmin(mux, sc.adminToken, m.reindex) {
		log.Info("admin API is on", "path", "/admin/reindex")
	} else {
		log.Info("admin API is off: set FAQBOT_ADMIN_TOKEN to reindex over HTTP (SIGHUP still reindexes)")
	}
	adm.Register(mux)
	if adm.On() {
		log.Info("editors' console is on", "path", "/admin/", "content", ws.Mode())
	} else {
		log.Info("editors' console is off: set FAQBOT_ADMIN_TOKEN to turn it on", "path", "/admin/")
	}

	if err := m.startLine(st, mux); err != nil {
		return nil, err
	}
	if err := m.startSlack(ctx, st, mux); err != nil {
		return nil, err
	}
	for _, p := range m.platforms {
		m.mx.QueueDepth(p.name, p.queued)
	}
	return mux, nil
}

// reindex reloads the content (via says what asked for it), records and logs the result, and
// tells the other replicas, unless another replica asked.
func (m *Main) reindex(ctx context.Context, via string) (bot.ReloadResult, error) {
	at := time.Now()
	res, err := m.reloader.Reload(ctx)
	m.mx.Reindexed(res, err)
	ri := bot.NewReindex(at, via, res, err)
	if st := m.shared.Load(); st != nil {
		ri.Replica = st.replica
	}
	m.reindexes.Add(ri)
	if err != nil {
		m.log.Error("reindex failed; the content served is unchanged", "via", via, "error", err, "version", m.bot.Engine().Version)
		return res, err
	}
	m.log.Info("reindexed", "via", via, "result", res.String(), "version", res.Version, "vectors", vectorsInfo(m.bot.Engine().Index.Vectors()))
	if st := m.shared.Load(); st != nil && via != viaAnnouncement {
		st.announce(ctx, res.Version)
	}
	return res, err
}

// Close stops the server gracefully (see cmdServe and drain): /readyz turns 503, the platforms
// stop taking events and send what they queued within the grace period, the listener closes,
// then the profiles, the state and the index. It fails when replies were lost, and returns the
// same on every call.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		if m.srv == nil {
			return // never listened
		}
		m.log.Info("shutting down", "grace", m.config.grace.String())
		m.closeErr = m.stop()
	})
	return m.closeErr
}

// abort is Close for a Run that failed: the same, quietly but for what went wrong in stopping.
func (m *Main) abort() {
	m.closeOnce.Do(func() {
		if m.srv != nil {
			if err := m.stop(); err != nil {
				m.log.Warn("stopping after a failed start", "error", err)
			}
		}
	})
}

// stop is the body of Close.
func (m *Main) stop() error {
	m.stopping.Store(true) // /readyz answers 503 from now until the listener closes
	m.stopBG()             // Slack Socket Mode takes no more events
	err := drain(m.log, m.config.grace, m.platforms, m.srv)
	<-m.serveDone
	m.bg.Wait()
	if m.debug != nil {
		m.debug.Close()
	}
	if st := m.shared.Load(); st != nil {
		if cerr := st.close(); cerr != nil {
			m.log.Warn("closing the state", "error", cerr)
		}
	}
	if m.bot != nil {
		m.bot.Engine().Close()
	}
	return err
}

// drain stops the server within grace plus a small constant, whatever the queues hold: the
// adapters stop taking events at once (their webhooks answer 503, for the platforms to deliver
// again elsewhere) and send the replies queued while the listener stays open, /readyz saying
// 503; when grace ends, the decisions and sends in progress are cancelled through their
// context and what is still queued is abandoned. Then the listener closes, the requests being
// served get a second to finish. It logs how many replies were not sent, and fails when any
// was lost.
func drain(log *slog.Logger, grace time.Duration, platforms []platform, srv *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	errs := make([]error, len(platforms))
	lost := make([]int64, len(platforms))
	var wg sync.WaitGroup
	for i, p := range platforms {
		before := p.lost()
		wg.Go(func() {
			if err := p.shutdown(sctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", p.name, err)
			}
			lost[i] = p.lost() - before
		})
	}
	wg.Wait()
	hctx, hcancel := context.WithTimeout(context.Background(), time.Second)
	defer hcancel()
	if err := srv.Shutdown(hctx); err != nil { // no new requests; the ones being read finish
		srv.Close()
	}
	var total int64
	attrs := []any{}
	for i, p := range platforms {
		total += lost[i]
		attrs = append(attrs, p.name+"_not_sent", lost[i])
	}
	if err := errors.Join(errs...); err != nil {
		log.Error("stopped before everything was sent", append(attrs, "replies_not_sent", total, "error", err)...)
		return fmt.Errorf("serve: shutdown: %w; %d replies not sent", err, total)
	}
	log.Info("stopped", append(attrs, "replies_not_sent", total)...)
	return nil
}

// loadServed loads the content to serve: the bundle published from the editors' console when
// the replicas share one, else the content given (a directory, or the embedded FAQ). While the
// shared store is out of reach, a replica serving a bundle keeps it (the reindex fails); one
// serving the content given reloads that.
func loadServed(ctx context.Context, ws *editor.Workspace, serving *bot.Engine, cf *contentFlags) (*faq.Content, error) {
	if ws != nil && ws.Mode() == editor.InBundles {
		c, ok, err := ws.Load(ctx)
		switch {
		case err != nil && strings.HasPrefix(serving.Content.Source, "bundle "):
			return nil, err
		case err == nil && ok:
			return c, nil
		}
	}
	return cf.loadContent()
}

// adminReindex is POST /admin/reindex: with the right bearer token, it reloads the content and
// answers the result as JSON — 200 when the new content serves (or nothing changed), 422 with
// the content's problems (file:line: message) when it is broken and the old content keeps
// serving.
func adminReindex(token string, reindex func(context.Context, string) (bot.ReloadResult, error)) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="faqbot admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "a valid admin token is required"})
			return
		}
		res, err := reindex(r.Context(), "admin")
		var ps faq.Problems
		switch {
		case errors.As(err, &ps):
			lines := make([]string, len(ps))
			for i, p := range ps {
				lines[i] = p.String()
			}
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "the content has problems; the old content keeps serving", "problems": lines})
		case err != nil:
			// Logged in full by reindex; the caller is told no more than that.
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "the reindex failed (see the server's log); the old content keeps serving"})
		default:
			writeJSON(w, http.StatusOK, res)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// serveDebug serves net/http/pprof's profiles on addr, which must be a loopback address: they
// show the program, not user data, but are nobody else's business. The caller closes the
// server returned.
func serveDebug(addr string, log *slog.Logger) (*http.Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return nil, fmt.Errorf("serve: --debug-addr %s: give a loopback address such as 127.0.0.1:6060", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve: debug: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	log.Info("profiles on", "addr", ln.Addr().String())
	return srv, nil
}

// startLine turns LINE on when its secret and token are set: POST /line/webhook on mux.
func (m *Main) startLine(st *state, mux *http.ServeMux) error {
	sc, log := &m.config, m.log
	if sc.lineSecret == "" || sc.lineToken == "" {
		lineOff(log, sc.lineSecret, sc.lineToken)
		return nil
	}
	lcfg := line.Config{ChannelSecret: sc.lineSecret, ChannelAccessToken: sc.lineToken, APIURL: sc.lineAPI,
		Logger: m.root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback}
	la, err := line.New(m.bot, lcfg)
	if err != nil {
		return err
	}
	mux.Handle("POST /line/webhook", la)
	m.platforms = append(m.platforms, platform{"line", la.Shutdown, func() int { return la.Stats().Queued },
		func() int64 { s := la.Stats(); return s.Dropped + s.Failed }})
	log.Info("LINE is on", "path", "/line/webhook", "line", lcfg)
	return nil
}

// lineOff logs why LINE is off, naming the variable missing when only one of the two is set.
func lineOff(log *slog.Logger, secret, token string) {
	switch {
	case secret != "":
		log.Warn("LINE is off: LINE_CHANNEL_SECRET is set but LINE_CHANNEL_ACCESS_TOKEN is missing", "missing", "LINE_CHANNEL_ACCESS_TOKEN")
	case token != "":
		log.Warn("LINE is off: LINE_CHANNEL_ACCESS_TOKEN is set but LINE_CHANNEL_SECRET is missing", "missing", "LINE_CHANNEL_SECRET")
	default:
		log.Warn("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to turn it on")
	}
}

// adminOffCode is the "code" of the JSON body the admin paths answer while the admin API is off,
// so that faqbot reindex tells that apart from a 404 of anything else (a proxy, another server).
const adminOffCode = "admin_off"

// registerAdmin puts the admin API on mux and reports whether it is on: with a token, POST
// /admin/reindex; without one, the admin API's paths (/admin/reindex, /admin/api/) answer 404
// with a JSON body that says why ({"error": …, "code": "admin_off"}); the console's pages say
// so in HTML.
func registerAdmin(mux *http.ServeMux, token string, reindex func(context.Context, string) (bot.ReloadResult, error)) bool {
	if token != "" {
		mux.Handle("POST /admin/reindex", adminReindex(token, reindex))
		return true
	}
	mux.Handle("/admin/reindex", adminOff())
	mux.Handle("/admin/api/", adminOff())
	return false
}

// adminOff answers the admin API's requests while it is off: 404 with why.
func adminOff() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"error": "the admin API is off: start faqbot serve with FAQBOT_ADMIN_TOKEN set", "code": adminOffCode,
		})
	})
}

// browseURL is the address to open in a browser for a server listening on addr: localhost for
// every interface.
func browseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// vectorsInfo is what /readyz and the log say of the index's word vectors: the corpus they were
// learnt from and the training time, or why there are none.
func vectorsInfo(vi faq.VectorInfo) map[string]any {
	if !vi.Trained {
		return map[string]any{"trained": false, "why": "the FAQ is too small to learn from"}
	}
	return map[string]any{"trained": true, "cached": vi.Cached, "sentences": vi.Sentences, "tokens": vi.Tokens,
		"words": vi.Words, "took_ms": vi.Took.Milliseconds()}
}
