// Package admin is faqbot's console for the editors of the content, at /admin/: a dashboard of
// what users asked and made of the answers (questions per day by outcome and platform,
// hand-offs per entry, the "helpful" rate per entry with its Wilson interval, the questions
// left unanswered, the answers rated unhelpful with the masked question each was given to), the
// decision behind a question with the entries ranked after it, edits
// that add a question to an entry or to the questions the FAQ does not answer (with their diff
// and the content's file:line problems), a "try it" chat over the content being edited, one
// button that reindexes every replica, and the version each replica serves.
//
// Pages are rendered on the server (html/template, embedded with the style sheet; no script,
// nothing loaded from elsewhere). Editors sign in with the admin token (FAQBOT_ADMIN_TOKEN):
// the session is a signed cookie (Secure, HttpOnly, SameSite=Strict) that every replica
// started with the same token accepts; every POST carries a CSRF token; failed sign-ins are
// limited per client address and logged without the token. GET /admin/api/report gives the
// dashboard's figures as JSON, to a session or to "Authorization: Bearer <token>".
//
// admin imports bot and its packages (editor, record) and adapters/internal; no other adapter.
// Only cmd wires it up.
package admin

import (
	"cmp"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/record"
)

//go:embed templates static
var files embed.FS

// Replica is one replica of faqbot and the content version it serves.
type Replica struct {
	ID      string    `json:"replica"`
	Version string    `json:"version"`
	Seen    time.Time `json:"seen"`
	// Self is true for the replica serving the console.
	Self bool `json:"self,omitempty"`
}

// Config configures a Console. Bot is required; without Token the console is off and says how
// to turn it on.
type Config struct {
	// Token is the admin token editors sign in with ("" turns the console off).
	Token string
	// Bot is the bot serving users: questions are inspected with it.
	Bot *bot.Bot
	// Workspace is the content editors change (nil: the content is not editable).
	Workspace *editor.Workspace
	// Source is where the events of the dashboard are read (nil: none are kept).
	Source record.Source
	// Reindex reloads the content on this replica and tells the others to (what POST
	// /admin/reindex does); via names the trigger in the logs.
	Reindex func(ctx context.Context, via string) (bot.ReloadResult, error)
	// Reindexes returns the last reindexes, newest first: every replica's when they are shared
	// (nil: none known).
	Reindexes func(ctx context.Context) []bot.Reindex
	// Replicas returns the replicas and the version each serves (nil: this process alone).
	Replicas func(ctx context.Context) ([]Replica, error)
	// Logger receives the console's logs (default: none). They carry actions and entry ids,
	// never tokens, questions or addresses.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// ClientAddr returns the client address of a request, the key of the sign-in limit
	// (default: the host of RemoteAddr). Behind a reverse proxy, return the address it reports.
	ClientAddr func(*http.Request) string
	// SessionTTL is how long a sign-in lasts (default 12 h).
	SessionTTL time.Duration
	// SignInBurst failed sign-ins are allowed from one address at once, then one per
	// SignInEvery (defaults 5 and 1 minute).
	SignInBurst int
	SignInEvery time.Duration
	// InsecureCookies drops the Secure attribute of the cookies, for a console served over
	// plain HTTP on another host than localhost (browsers keep Secure cookies of
	// http://localhost). Never set it on a public address.
	InsecureCookies bool
	// Top is how many entries and questions the lists of the dashboard show (default 10).
	Top int
	// Revoked is where signed-out sessions are remembered until they would have ended, so that
	// a copied cookie stops working at sign-out (default: this process only; with several
	// replicas, the shared store, so that every replica refuses it).
	Revoked Revocations
}

// Revocations remembers sessions signed out before they end (bot/redisstore.Store's
// Revocations is one shared by every replica).
type Revocations interface {
	// Revoke remembers the session id until it would have ended.
	Revoke(ctx context.Context, id string, until time.Time) error
	// IsRevoked tells whether the session id was revoked.
	IsRevoked(ctx context.Context, id string) (bool, error)
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ClientAddr == nil {
		c.ClientAddr = remoteHost
	}
	c.SessionTTL = cmp.Or(c.SessionTTL, 12*time.Hour)
	c.SignInBurst = cmp.Or(c.SignInBurst, 5)
	c.SignInEvery = cmp.Or(c.SignInEvery, time.Minute)
	c.Top = cmp.Or(c.Top, 10)
	if c.Reindexes == nil {
		c.Reindexes = func(context.Context) []bot.Reindex { return nil }
	}
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Console serves the editors' console under /admin/. It is safe for concurrent use.
type Console struct {
	cfg   Config
	log   *slog.Logger
	keys  keys
	fails *failures
	// revokedHere are the sessions signed out on this replica (with or without cfg.Revoked).
	revokedHere *localRevocations
	pages       map[string]*template.Template
	assets      http.Handler
	mux         *http.ServeMux
}

// New returns the console of cfg.
func New(cfg Config) (*Console, error) {
	cfg.defaults()
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	c := &Console{
		cfg:         cfg,
		log:         cfg.Logger.With("component", "admin"),
		keys:        newKeys(cfg.Token),
		fails:       newFailures(cfg.SignInEvery, cfg.SignInBurst),
		revokedHere: &localRevocations{},
		pages:       pages,
		assets:      http.StripPrefix("/admin/static/", http.FileServerFS(sub)),
		mux:         http.NewServeMux(),
	}
	c.routes()
	return c, nil
}

// On tells whether the console is on (an admin token is set).
func (c *Console) On() bool { return c.cfg.Token != "" }

// SignedIn reports whether r carries a valid session of the console (always false while the
// console is off). Other handlers use it to show editors what users do not see.
func (c *Console) SignedIn(r *http.Request) bool {
	_, ok := c.session(r)
	return ok
}

func (c *Console) session(r *http.Request) (session, bool) {
	if !c.On() {
		return session{}, false
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return session{}, false
	}
	s, ok := c.keys.decode(ck.Value, c.cfg.Now())
	if !ok {
		return session{}, false
	}
	if c.revokedHere.has(s.key(), c.cfg.Now()) {
		return session{}, false
	}
	if c.cfg.Revoked != nil {
		// While the shared store is away (its guard logs that), sessions signed out on this
		// replica are refused (above) and others still work, rather than every editor being
		// signed out until it is back.
		if revoked, err := c.cfg.Revoked.IsRevoked(r.Context(), s.key()); err == nil && revoked {
			return session{}, false
		}
	}
	return s, true
}

// Register mounts the console on mux under /admin/. A more specific pattern registered on mux
// (POST /admin/reindex) keeps its own handler.
func (c *Console) Register(mux *http.ServeMux) { mux.Handle("/admin/", c) }

// ServeHTTP serves the console's routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w)
	if !c.On() {
		c.serveOff(w, r)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// contentPolicy lets the pages load the console's own style sheet and nothing else: no script
// at all.
const contentPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

func secure(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
}
