// Package web is faqbot's chat in the browser: a page at / where customers ask questions and
// get the official answers (follow-up buttons, suggestions, the desk to call), under the
// company's name and colour and a notice that the answers are automated and come from the
// official Q&A (bot.Brand). Editors — whoever Config.Editor says is one — also get a switch
// that shows the decision behind each reply.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: no build step, nothing
// loaded from elsewhere. Its texts (title, controls, notices, the decision's labels) are the
// content's, faqbot.yaml's messages web_*, written into the page as JSON in both languages. It talks to a small JSON API on the same origin:
//
//	POST /api/ask       {"query", "conversation", "choice", "lang"} → the reply (and, for editors, the decision: bot.Explanation)
//	POST /api/feedback  {"conversation", "entry", "helpful", "lang"} → {"message"}
//	GET  /api/welcome   ?lang=ja|en                                   → the greeting and popular entries
//
// Every request is size-capped and rate-limited per conversation and per client address;
// neither questions, conversation ids nor addresses reach the logs, which carry actions, entry
// ids, languages, personal-data kinds and status codes.
//
// Of faqbot, web imports bot (never the other way round) only — no faq, no nlu, no other
// adapter; only cmd wires it up.
package web

import (
	"bytes"
	"cmp"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

//go:embed static
var static embed.FS

// Config configures a Handler. Every field has a default.
type Config struct {
	// Logger receives the handler's logs (default: none).
	Logger *slog.Logger
	// Store keeps conversation state (default: in memory, StateTTL). Conversations are stored
	// under "web:" + their id.
	Store    bot.StateStore
	StateTTL time.Duration // default 30 minutes
	// MaxConversations bounds the default Store in count as well as in time: any client can
	// start conversations, and beyond this many the least recently used are forgotten
	// (default 100,000).
	MaxConversations int
	// Limiter limits each conversation, under the key "web:c:" + its id (default: bursts of
	// 10, then one message every second).
	Limiter bot.Limiter
	// AddrLimiter limits each client address, under the key "web:ip:" + the address, so that
	// starting a new conversation does not escape the limit (default: bursts of 60, then ten
	// messages a second, room for an office behind one address).
	AddrLimiter bot.Limiter
	// Admitter tells, as a question arrives, whether its conversation is over the limit and
	// what was said before (default: bot.Stepwise over Limiter and Store). Set it to the
	// Admitter of a store the replicas share, which tells both in one round trip; it must read
	// the states that Store writes, and then Limiter is not used.
	Admitter bot.Admitter
	// RetryAfter is what a rate-limited client is told to wait (default 2 s; sent in whole
	// seconds).
	RetryAfter time.Duration
	// ClientAddr returns the client address of a request, the key of AddrLimiter (default: the
	// host of RemoteAddr). Behind a reverse proxy, return the address the proxy reports.
	ClientAddr func(*http.Request) string
	// Observer is told about every answer to a question or a tap, and about every request
	// refused by a rate limit (default: bot.NopObserver).
	Observer bot.Observer
	// Feedback records answers to "was this helpful?" (default: memstore.NewFeedback()).
	Feedback bot.FeedbackRecorder
	// MaxBody is the largest request body accepted (default 64 KiB); larger ones get 413. A
	// question longer than bot.MaxText characters within it gets the content's TooLong reply,
	// as on every platform.
	MaxBody int64
	// Editor tells whether a request comes from a signed-in editor, who sees the decision
	// behind each reply: the page has the switch that shows it and /api/ask and /api/welcome
	// answer it (bot.Explanation). nil: nobody is an editor, and customers see replies only.
	Editor func(*http.Request) bool
}

// LogValue prints the configuration's limits.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("max_body", cmp.Or(c.MaxBody, defaultMaxBody)),
		slog.Int("max_text", bot.MaxText),
		slog.Bool("custom_limiter", c.Limiter != nil),
		slog.Bool("custom_addr_limiter", c.AddrLimiter != nil),
		slog.Bool("editors", c.Editor != nil),
	)
}

const (
	defaultMaxBody = 64 << 10
)

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.StateTTL <= 0 {
		c.StateTTL = 30 * time.Minute
	}
	if c.MaxConversations <= 0 {
		c.MaxConversations = 100_000
	}
	if c.Store == nil {
		c.Store = memstore.NewLRU(c.StateTTL, c.MaxConversations, nil)
	}
	if c.Limiter == nil {
		c.Limiter = memstore.NewLimiter(time.Second, 10, nil)
	}
	if c.AddrLimiter == nil {
		c.AddrLimiter = memstore.NewLimiter(100*time.Millisecond, 60, nil)
	}
	if c.Admitter == nil {
		c.Admitter = bot.Stepwise{Limiter: c.Limiter, Store: c.Store}
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 2 * time.Second
	}
	if c.ClientAddr == nil {
		c.ClientAddr = remoteHost
	}
	if c.Observer == nil {
		c.Observer = bot.NopObserver{}
	}
	if c.Feedback == nil {
		c.Feedback = memstore.NewFeedback()
	}
	if c.MaxBody <= 0 {
		c.MaxBody = defaultMaxBody
	}
}

// remoteHost is the host part of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Handler serves the console's page and API. It is safe for concurrent use.
type Handler struct {
	bot      *bot.Bot
	cfg      Config
	log      *slog.Logger
	assets   http.Handler
	page     *template.Template
	chat     *bot.Chat
	mux      *http.ServeMux // the routes of Register, for ServeHTTP
	counters counters
}

// New returns a Handler answering with b.
func New(b *bot.Bot, cfg Config) (*Handler, error) {
	cfg.defaults()
	page, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	h := &Handler{
		bot:    b,
		cfg:    cfg,
		log:    cfg.Logger.With("component", "web"),
		assets: http.StripPrefix("/static/", http.FileServerFS(sub)),
		page:   page,
		chat: b.Chat(bot.ChatConfig{Platform: "web", Admitter: cfg.Admitter, Store: cfg.Store,
			Feedback: cfg.Feedback, Observer: cfg.Observer, AddrLimiter: cfg.AddrLimiter}),
		mux: http.NewServeMux(),
	}
	h.Register(h.mux)
	return h, nil
}

// Register mounts the console on mux: GET / (the page), GET /static/ (its style sheet,
// script and icon, and brand.css, the colours of the content's brand), and /api/ask,
// /api/feedback and /api/welcome. The API routes take every method and answer a wrong one with
// 405 in JSON.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.servePage)
	mux.HandleFunc("GET /static/brand.css", h.serveBrand)
	mux.HandleFunc("GET /static/", h.serveAsset)
	mux.HandleFunc("/api/ask", h.serveAsk)
	mux.HandleFunc("/api/feedback", h.serveFeedback)
	mux.HandleFunc("/api/welcome", h.serveWelcome)
}

// ServeHTTP serves the routes of Register, for use as a whole server's handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/ask":
		h.serveAsk(w, r)
	case "/api/feedback":
		h.serveFeedback(w, r)
	case "/api/welcome":
		h.serveWelcome(w, r)
	default:
		h.mux.ServeHTTP(w, r)
	}
}

// contentPolicy lets the page load its own files only, and nothing frame it.
const contentPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure sets the headers every response of the console carries.
func secure(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
}

// editor tells whether r comes from an editor (Config.Editor).
func (h *Handler) editor(r *http.Request) bool { return h.cfg.Editor != nil && h.cfg.Editor(r) }

// pageData is what index.html is filled in with: the brand and the page's texts in both
// languages (the page picks one, following the browser or the user's switch) and whether the
// reader is an editor.
type pageData struct {
	Name, Notice map[string]string // "ja" and "en"
	NoticeURL    string
	Editor       bool
	// Texts are the content's texts of the page (faqbot.yaml's messages web_*), by language
	// and name: the page's script reads them as JSON.
	Texts map[string]map[string]string
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	secure(w)
	b := h.bot.Brand()
	web := h.bot.Messages().Web
	data := pageData{Name: map[string]string{}, Notice: map[string]string{}, NoticeURL: b.NoticeURL, Editor: h.editor(r),
		Texts: map[string]map[string]string{}}
	for _, l := range []bot.Lang{bot.Japanese, bot.English} {
		data.Name[string(l)] = b.Name.In(l)
		data.Notice[string(l)] = b.Notice.In(l)
		texts := map[string]string{}
		for k, m := range web {
			texts[k] = m.In(l)
		}
		data.Texts[string(l)] = texts
	}
	var page bytes.Buffer
	if err := h.page.Execute(&page, data); err != nil {
		h.counters.failed.Add(1)
		h.log.ErrorContext(r.Context(), "page failed", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Vary", "Cookie, Authorization") // what an editor's sign-in may rest on
	w.Write(page.Bytes())
}

// serveBrand serves the colours of the content's brand, as CSS custom properties.
func (h *Handler) serveBrand(w http.ResponseWriter, _ *http.Request) {
	secure(w)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	io.WriteString(w, brandPalette(h.bot.Brand()).css())
}

func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	secure(w)
	w.Header().Set("Cache-Control", "no-cache")
	h.assets.ServeHTTP(w, r)
}

// Stats counts what the handler did since it started.
type Stats struct {
	Answered int64 // questions and choices answered
	Feedback int64 // feedback recorded
	Limited  int64 // requests refused by a rate limit
	Rejected int64 // requests refused as malformed, too large, of a wrong method or type
	Failed   int64 // requests that failed on the server's side
}

type counters struct {
	answered, feedback, limited, rejected, failed atomic.Int64
}

// Stats returns the handler's counters.
func (h *Handler) Stats() Stats {
	c := &h.counters
	return Stats{
		Answered: c.answered.Load(), Feedback: c.feedback.Load(), Limited: c.limited.Load(),
		Rejected: c.rejected.Load(), Failed: c.failed.Load(),
	}
}
