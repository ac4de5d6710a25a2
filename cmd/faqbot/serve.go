package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/faqbot/faqbot/adapters/admin"
	"github.com/faqbot/faqbot/adapters/web"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/cmd/faqbot/internal/memlimit"
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

// viaAnnouncement is the reindex trigger of a replica told by another that the content changed;
// such a reindex is not announced again.
const viaAnnouncement = "announcement"

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

	pacer *memlimit.Pacer // the soft memory limit, unless GOMEMLIMIT or --memory-limit 0 says otherwise

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
		// Without a limit, GOGC lets the heap double under load; the limit makes the collector
		// work harder instead, but never closer to the live heap than the headroom: a large
		// index being built, or two engines during a reindex, raise it rather than make the
		// collector run back to back.
		m.pacer = &memlimit.Pacer{Limit: int64(sc.memLimit) << 20, Headroom: float64(sc.memHeadroom) / 100}
		m.pacer.Start()
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
	eng, err := m.engine(ctx)
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
	if st.share != nil {
		st.share(&m.reindexes)
	}
	mux, err := m.handlers(ctx, st)
	if err != nil {
		return err
	}
	var h http.Handler = mux
	m.ready.Store(&h)
	took := time.Since(start)
	releaseGarbage() // /readyz answers 200 meanwhile
	m.log.Info("ready", "content", eng.Content.Source, "version", eng.Version, "entries", len(eng.Content.Entries),
		"took", took.Round(time.Millisecond).String(), "vectors", vectorsInfo(eng.Index.Vectors()), "cache", cacheInfo(eng.Index))
	m.log.Info("open the web chat in a browser", "url", browseURL(m.ln.Addr()))
	return nil
}

// engine loads the content and builds the engine served. Without --index, its index is kept on
// disk under the data directory, in index/, with the cache of what building the engine computes
// (faq.Index.CacheReport): a later start of the same binary on the same content reads them
// rather than analysing and training again. When that directory cannot be used, the index is
// built in memory (and a warning logged). Each part of the cache that was not read, and why,
// is logged in one line.
func (m *Main) engine(ctx context.Context) (*bot.Engine, error) {
	cf := &m.config.content
	var eng *bot.Engine
	var err error
	if cf.index != "" || m.config.shared.dataDir == "" {
		eng, err = cf.engine(ctx, m.env.stderr)
	} else {
		cf.index = filepath.Join(m.config.shared.dataDir, "index")
		eng, err = cf.engine(ctx, m.env.stderr)
		var exit exitError
		if err != nil && !errors.As(err, &exit) && !errors.Is(err, ctx.Err()) {
			m.log.Warn("the index is kept in memory: the data directory's cannot be used", "dir", cf.index, "error", err)
			cf.index = ""
			return cf.engine(ctx, m.env.stderr)
		}
	}
	if err == nil {
		report := eng.Index.CacheReport()
		var built []any
		for _, part := range slices.Sorted(maps.Keys(report)) {
			if why := report[part]; why != faq.CacheRead {
				built = append(built, part, why)
			}
		}
		if built != nil {
			m.log.Info("engine cache not used: built again", append([]any{"dir", eng.Index.Dir()}, built...)...)
		}
	}
	return eng, err
}

// cacheInfo is what the log says of the cache beside an on-disk index: "read" when every part
// was read from it, "built" otherwise, "none" for an index in memory.
func cacheInfo(ix *faq.Index) string {
	report := ix.CacheReport()
	if len(report) == 0 {
		return "none"
	}
	for _, why := range report {
		if why != faq.CacheRead {
			return "built"
		}
	}
	return "read"
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
		Reindexes: m.reindexes.Last, Replicas: st.replicas, Revoked: st.revoked, Logger: m.root})
	if err != nil {
		return nil, err
	}
	editor := adm.SignedIn // signed-in editors see the decisions behind the chat's replies
	if sc.debugDecide {
		editor = func(*http.Request) bool { return true }
		log.Warn("the web chat shows everyone the decision behind each reply (--debug-decisions): for a local run only")
	}
	console, err := web.New(b, web.Config{Logger: m.root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback,
		AddrLimiter: memstore.NewLimiter(sc.ipEvery, sc.ipBurst, nil), Editor: editor})
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
	m.reindexes.Add(ctx, ri) // a shared store away is the failover guard's to log
	if err != nil {
		m.log.Error("reindex failed; the content served is unchanged", "via", via, "error", err, "version", m.bot.Engine().Version)
		return res, err
	}
	m.log.Info("reindexed", "via", via, "result", res.String(), "version", res.Version, "vectors", vectorsInfo(m.bot.Engine().Index.Vectors()),
		"cache", cacheInfo(m.bot.Engine().Index))
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
	if m.pacer != nil {
		m.pacer.Stop()
	}
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
