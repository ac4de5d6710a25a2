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
	"github.com/faqbot/faqbot/bot/memstore"
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
// serve fails.
func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("serve", serveSynopsis)
	var sc serveConfig
	sc.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	if sc.memLimit > 0 && env.getenv("GOMEMLIMIT") == "" {
		// The dictionary alone is ~90 MiB of live heap; without a limit, GOGC lets the heap
		// double under load. The limit makes the collector work harder instead.
		debug.SetMemoryLimit(int64(sc.memLimit) << 20)
	}
	root := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: sc.logLevel}))
	log := root.With("component", "serve")
	start := time.Now()

	// Listen first: /healthz answers while the index is built, /readyz once it is.
	ln, err := net.Listen("tcp", sc.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var (
		ready    atomic.Pointer[http.Handler] // the full mux, once the engine is built
		stopping atomic.Bool
		mx       = metrics.New()
	)
	outer := http.NewServeMux()
	outer.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	outer.Handle("GET /metrics", mx.Handler())
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := ready.Load()
		if h == nil {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "faqbot is loading its content", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           outer,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String())
	if sc.debugAddr != "" {
		if err := serveDebug(ctx, sc.debugAddr, log); err != nil {
			return err
		}
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop := func(sctx context.Context) error { return srv.Shutdown(sctx) }
	defer srv.Close() // when run returns early

	eng, err := sc.content.engine(ctx, env.stderr)
	if err != nil {
		stop(context.Background())
		return err
	}
	eng.CacheDecisions(sc.cache)
	b := bot.New(eng, nil)
	defer func() { b.Engine().Close() }()
	mx.Serving(eng.Version, len(eng.Content.Entries))
	var (
		shared    atomic.Pointer[state]            // set once the state exists; reindex announces through it
		workspace atomic.Pointer[editor.Workspace] // the content editors change, once the state exists
		reindexes bot.ReindexLog                   // the last reindexes, for the editors' console
	)
	reloader := &bot.Reloader{Bot: b, IndexDir: sc.content.index, CacheDecisions: sc.cache, Load: func(ctx context.Context) (*faq.Content, error) {
		return loadServed(ctx, workspace.Load(), b.Engine(), &sc.content)
	}}
	reindex := func(ctx context.Context, via string) (bot.ReloadResult, error) {
		at := time.Now()
		res, err := reloader.Reload(ctx)
		mx.Reindexed(res, err)
		ri := bot.NewReindex(at, via, res, err)
		if st := shared.Load(); st != nil {
			ri.Replica = st.replica
		}
		reindexes.Add(ri)
		if err != nil {
			log.Error("reindex failed; the content served is unchanged", "via", via, "error", err, "version", b.Engine().Version)
			return res, err
		}
		log.Info("reindexed", "via", via, "result", res.String(), "version", res.Version, "vectors", vectorsInfo(b.Engine().Index.Vectors()))
		if st := shared.Load(); st != nil && via != viaAnnouncement {
			st.announce(ctx, res.Version)
		}
		return res, err
	}

	st, err := newState(ctx, &sc, root, mx, reindex, func() string { return b.Engine().Version })
	if err != nil {
		return err
	}
	defer st.close()
	shared.Store(st)
	ws := editor.New(editor.Config{Dir: sc.content.content, Store: st.bundles})
	workspace.Store(ws)
	if st.bundles != nil {
		// Edits published from the console are bundles in the shared store: a replica that
		// starts serves the current one, as the others do.
		bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if v, err := st.bundles.Head(bctx, editor.Current); err != nil {
			log.Warn("could not tell whether edited content was published; serving the content given", "error", err)
		} else if v != "" && v != eng.Version {
			reindex(bctx, "bundle")
		}
		cancel()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		e := b.Engine()
		status := http.StatusOK
		if stopping.Load() {
			status = http.StatusServiceUnavailable
		}
		body := st.ready(r.Context())
		for k, v := range map[string]any{"ready": status == http.StatusOK, "version": e.Version,
			"entries": len(e.Content.Entries), "content": e.Content.Source, "vectors": vectorsInfo(e.Index.Vectors())} {
			body[k] = v
		}
		writeJSON(w, status, body)
	})
	adm, err := admin.New(admin.Config{Token: sc.adminToken, Bot: b, Workspace: ws, Source: st.source, Reindex: reindex,
		Reindexes: reindexes.Last, Replicas: st.replicas, Logger: root})
	if err != nil {
		return err
	}
	editor := adm.SignedIn // signed-in editors see the decisions behind the chat's replies
	if sc.debugDecide {
		editor = func(*http.Request) bool { return true }
		log.Warn("the web chat shows everyone the decision behind each reply (--debug-decisions): for a local run only")
	}
	console, err := web.New(b, web.Config{Logger: root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback,
		AddrLimiter: memstore.NewLimiter(sc.ipEvery, sc.ipBurst, nil), Editor: editor})
	if err != nil {
		return err
	}
	console.Register(mux)
	if registerAdmin(mux, sc.adminToken, reindex) {
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

	var platforms []platform
	if sc.lineSecret != "" && sc.lineToken != "" {
		lcfg := line.Config{ChannelSecret: sc.lineSecret, ChannelAccessToken: sc.lineToken, APIURL: sc.lineAPI,
			Logger: root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback}
		la, err := line.New(b, lcfg)
		if err != nil {
			return err
		}
		mux.Handle("POST /line/webhook", la)
		platforms = append(platforms, platform{"line", la.Shutdown, func() int { return la.Stats().Queued },
			func() int64 { s := la.Stats(); return s.Dropped + s.Failed }})
		log.Info("LINE is on", "path", "/line/webhook", "line", lcfg)
	} else {
		lineOff(log, sc.lineSecret, sc.lineToken)
	}
	sp, err := startSlack(ctx, &sc, b, root, st, mux, reindex)
	if err != nil {
		return err
	}
	if sp != nil {
		platforms = append(platforms, *sp)
	}
	for _, p := range platforms {
		mx.QueueDepth(p.name, p.queued)
	}
	var h http.Handler = mux
	ready.Store(&h)
	log.Info("ready", "content", eng.Content.Source, "version", eng.Version, "entries", len(eng.Content.Entries),
		"took", time.Since(start).Round(time.Millisecond).String(), "vectors", vectorsInfo(eng.Index.Vectors()))
	log.Info("open the web chat in a browser", "url", browseURL(ln.Addr()))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case err := <-served:
			return fmt.Errorf("serve: %w", err)
		case <-hup:
			reindex(ctx, "sighup")
			continue
		case <-ctx.Done():
		}
		break
	}

	log.Info("shutting down", "grace", sc.grace.String())
	stopping.Store(true) // /readyz answers 503 from now until the listener closes
	return drain(log, sc.grace, platforms, srv)
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
// show the program, not user data, but are nobody else's business.
func serveDebug(ctx context.Context, addr string, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("serve: --debug-addr %s: give a loopback address such as 127.0.0.1:6060", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: debug: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	log.Info("profiles on", "addr", ln.Addr().String())
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
