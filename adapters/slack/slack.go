// Package slack connects faqbot to Slack: it receives Events API callbacks, the /faq slash
// command and button clicks — over HTTP or, when an app token is set, over Socket Mode — answers
// them with package bot in the background, and posts the replies as Block Kit messages through
// the Web API client of github.com/slack-go/slack.
//
// Every HTTP request is verified against the signing secret (Slack's v0 scheme, timestamps
// within five minutes) on its raw, size-capped body before anything is parsed. Events go to a
// bounded pool of workers and are acknowledged at once, well within Slack's three seconds,
// without waiting for any store. The messages of one user go to one worker, in order. A worker
// translates each into a bot.Message and hands it to the bot (bot.Chat.Take), which tells
// whether it was taken before (Slack retries, and may deliver one message as several events),
// whether the user is over the rate limit, and what was said before — one round trip to a
// shared store —, and answers it; the worker renders the outcome
// as blocks — the answer, the entry id and the section of the official FAQ it comes from,
// buttons for follow-ups, "was this helpful?" and the other language — and posts it, retrying
// 5xx and 429 answers with backoff (honouring Retry-After).
//
// SDK types never leave this package, and neither message text nor Slack user, channel or team
// ids reach its logs: they carry event ids, entry ids, actions and status codes. Of faqbot it
// imports bot (never the other way round) and adapters/internal only — no faq, no nlu, no other
// adapter; only cmd wires it up.
package slack

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqbot/faqbot/adapters/internal/workpool"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

// DefaultAPIURL is the base URL of Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Config configures an Adapter. BotToken is required, and so is SigningSecret unless the
// adapter only runs in Socket Mode (AppToken). Every other field has a default.
type Config struct {
	// SigningSecret verifies the requests Slack sends over HTTP.
	SigningSecret string
	// BotToken (xoxb-…) authorises the Web API calls.
	BotToken string
	// AppToken (xapp-…) opens Socket Mode connections (RunSocketMode).
	AppToken string
	// APIURL is the base URL of the Web API (DefaultAPIURL when ""); tests and staging point it
	// at a local server. A missing trailing "/" is added.
	APIURL string
	// HTTPClient sends the API requests (default: one with a 10 s timeout that keeps enough
	// idle connections for all workers).
	HTTPClient *http.Client
	// Logger receives the adapter's logs (default: none).
	Logger *slog.Logger

	// Store keeps conversation state (default: in memory, StateTTL).
	Store    bot.StateStore
	StateTTL time.Duration // default 30 minutes
	// Feedback records answers to "was this helpful?" (default: memstore.NewFeedback()).
	Feedback bot.FeedbackRecorder
	// Seen remembers the events and messages already taken (default:
	// memstore.NewDeduper(24h, 500,000)).
	Seen bot.Deduper
	// Limiter refuses users who send too fast; they get the content's SlowDown message
	// (default: none).
	Limiter bot.Limiter
	// Admitter tells, as a worker takes a job, whether its event was taken before, whether its
	// user is over the limit and the conversation so far (default: bot.Stepwise over Seen,
	// Limiter and Store). Set it to the Admitter of a store the replicas share, which tells
	// all three in one round trip; it must read the states that Store writes and take ids as
	// Seen does (Seen still dedupes "was this helpful?" votes), and then Limiter is not used.
	Admitter bot.Admitter
	// Observer is told about every answer posted, and every message refused: "rate_limited"
	// (answered with SlowDown), "busy" (answered with Busy, or dropped when even that lane is
	// full), "shutting_down" (default: bot.NopObserver).
	Observer bot.Observer

	// Editors are the Slack user ids that may run "/faq reindex".
	Editors []string
	// Reindex reloads the content and swaps the bot's engine; it returns a summary to show the
	// editor, or an error whose text holds the "file:line: message" lines of the content's
	// problems (the serving engine must then stay as it was). nil: "/faq reindex" is refused.
	Reindex func(ctx context.Context) (summary string, err error)
	// ReindexTimeout bounds one reindex (default 5 minutes).
	ReindexTimeout time.Duration

	// Workers answer events; the events of one user always go to the same worker, in order.
	// Default 64.
	Workers int
	// Queue is how many events may wait for each worker (default 16). An event that finds its
	// worker's queue full is answered with the content's Busy message instead.
	Queue int
	// MaxBody is the largest request body accepted (default 1 MiB); larger ones get 413.
	MaxBody int64
	// RetryBase is the first backoff after a 5xx, a 429 without Retry-After or a lost
	// connection (default 250 ms); it doubles with each attempt (jittered by up to half either
	// way, at most 10 s before jitter), up to MaxAttempts attempts in all (default 5). A
	// Retry-After (seconds or an HTTP date) is waited for instead, unless it ends past
	// EventTimeout.
	RetryBase   time.Duration
	MaxAttempts int
	// EventTimeout bounds the work on one event, retries included (default 60 s).
	EventTimeout time.Duration
}

// LogValue prints the configuration with its secrets as "set" or "unset".
func (c Config) LogValue() slog.Value {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return slog.GroupValue(
		slog.String("signing_secret", set(c.SigningSecret)),
		slog.String("bot_token", set(c.BotToken)),
		slog.String("app_token", set(c.AppToken)),
		slog.String("api_url", apiURL(c.APIURL)),
		slog.Int("editors", len(c.Editors)),
		slog.Bool("reindex", c.Reindex != nil),
		slog.Int("workers", cmp.Or(c.Workers, defaultWorkers)),
		slog.Int("queue", cmp.Or(c.Queue, defaultQueue)),
	)
}

const (
	defaultWorkers = 64
	defaultQueue   = 16
)

// apiURL is u with a trailing "/" (slack.OptionAPIURL appends method names to it), or the
// default.
func apiURL(u string) string {
	if u == "" {
		return DefaultAPIURL
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func (c *Config) defaults() {
	c.APIURL = apiURL(c.APIURL)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.StateTTL <= 0 {
		c.StateTTL = 30 * time.Minute
	}
	if c.Store == nil {
		c.Store = memstore.NewStore(c.StateTTL, nil)
	}
	if c.Feedback == nil {
		c.Feedback = memstore.NewFeedback()
	}
	if c.Seen == nil {
		c.Seen = memstore.NewDeduper(24*time.Hour, 500_000, nil)
	}
	if c.Admitter == nil {
		c.Admitter = bot.Stepwise{Seen: c.Seen, Limiter: c.Limiter, Store: c.Store}
	}
	if c.Observer == nil {
		c.Observer = bot.NopObserver{}
	}
	if c.ReindexTimeout <= 0 {
		c.ReindexTimeout = 5 * time.Minute
	}
	if c.Workers <= 0 {
		c.Workers = defaultWorkers
	}
	if c.Queue <= 0 {
		c.Queue = defaultQueue
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 250 * time.Millisecond
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.EventTimeout <= 0 {
		c.EventTimeout = 60 * time.Second
	}
	if c.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 2 * c.Workers
		tr.MaxIdleConnsPerHost = 2 * c.Workers
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
}

// Adapter is the Slack request handlers, the Socket Mode client and the workers that answer
// their events. It is safe for concurrent use. Shutdown stops it.
type Adapter struct {
	bot       *bot.Bot
	cfg       Config
	log       *slog.Logger
	api       *api
	editors   map[string]bool
	chat      *bot.Chat
	pool      *workpool.Pool[job]
	reindexMu sync.Mutex // held while a reindex runs: one at a time
	counters  counters
}

// New returns an Adapter answering with b and starts its workers.
func New(b *bot.Bot, cfg Config) (*Adapter, error) {
	switch {
	case b == nil:
		return nil, errors.New("slack: new: no bot")
	case cfg.BotToken == "":
		return nil, errors.New("slack: new: a bot token is required")
	case cfg.SigningSecret == "" && cfg.AppToken == "":
		return nil, errors.New("slack: new: a signing secret (HTTP) or an app token (Socket Mode) is required")
	}
	cfg.defaults()
	a := &Adapter{
		bot:     b,
		cfg:     cfg,
		log:     cfg.Logger.With("component", "slack"),
		editors: map[string]bool{},
		chat: b.Chat(bot.ChatConfig{Platform: "slack", Admitter: cfg.Admitter, Store: cfg.Store,
			Feedback: cfg.Feedback, Observer: cfg.Observer, Seen: cfg.Seen}),
	}
	a.api = newAPI(cfg)
	for _, id := range cfg.Editors {
		if id = strings.TrimSpace(id); id != "" {
			a.editors[id] = true
		}
	}
	a.pool = workpool.Start(workpool.Config[job]{
		Workers: cfg.Workers, Queue: cfg.Queue, BusyWorkers: min(runtime.GOMAXPROCS(0), 4),
		Key: job.key, Do: a.process, Busy: a.answerBusy,
		Abandoned: func(j job) {
			a.counters.dropped.Add(1)
			a.cfg.Observer.Refused("slack", "shutting_down")
			a.log.Warn("event dropped at shutdown", "event", j.id, "kind", j.kind)
		},
	})
	return a, nil
}

// Paths of the HTTP endpoints.
const (
	EventsPath       = "/slack/events"
	CommandsPath     = "/slack/commands"
	InteractionsPath = "/slack/interactions"
)

// Register mounts the three endpoints on mux: POST EventsPath (Events API), POST CommandsPath
// (the /faq slash command) and POST InteractionsPath (button clicks).
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+EventsPath, a.serveEvents)
	mux.HandleFunc("POST "+CommandsPath, a.serveCommands)
	mux.HandleFunc("POST "+InteractionsPath, a.serveInteractions)
}

// Shutdown stops taking requests (HTTP requests get 503 from then on, Socket Mode envelopes
// are left unacknowledged for Slack to deliver again) and waits until the events already taken
// are answered. When ctx ends first, the replies in flight are abandoned and Shutdown returns
// ctx's error once the workers have stopped.
func (a *Adapter) Shutdown(ctx context.Context) error { return a.pool.Shutdown(ctx) }

// submit hands j to the pool and counts what became of it.
func (a *Adapter) submit(ctx context.Context, tk *workpool.Ticket[job], j job) {
	switch tk.Submit(j) {
	case workpool.Queued:
		a.counters.accepted.Add(1)
	case workpool.Busy:
		a.counters.busy.Add(1)
		a.log.WarnContext(ctx, "workers busy, answering busy", "event", j.id, "kind", j.kind)
	case workpool.Dropped:
		a.counters.dropped.Add(1)
		a.cfg.Observer.Refused("slack", "busy")
		a.log.ErrorContext(ctx, "overloaded, event dropped", "event", j.id, "kind", j.kind)
	}
}

// Stats counts what the adapter did since it started, and how much waits now.
type Stats struct {
	Rejected   int64 // requests refused (signature, size, format)
	Accepted   int64 // events, commands and clicks queued for an answer
	Duplicates int64 // events ignored as seen before
	Ignored    int64 // events that get no answer (the bot's own, other bots', edits, …)
	Busy       int64 // found the workers busy: answered "busy", unless seen before
	Limited    int64 // answered "slow down"
	Refused    int64 // requests refused with 503 because the workers had no room (Slack retries them)
	Dropped    int64 // neither answered nor answered "busy" (shutdown)
	Replied    int64 // replies posted
	Failed     int64 // replies that could not be posted (Unknown included)
	// Found counts replies whose post got no answer and was then found in the conversation,
	// not posted again.
	Found int64
	// Unknown counts replies to a response URL that got no answer: not posted again (at most
	// once), they may or may not have arrived.
	Unknown int64
	Queued  int // events waiting for a worker now
}

type counters struct {
	rejected, accepted, duplicates, ignored, busy, limited, refused, dropped, replied, failed, found, unknown atomic.Int64
}

// Stats returns the adapter's counters and its queue depth.
func (a *Adapter) Stats() Stats {
	c := &a.counters
	queued := a.pool.Queued()
	return Stats{
		Rejected: c.rejected.Load(), Accepted: c.accepted.Load(), Duplicates: c.duplicates.Load(),
		Ignored: c.ignored.Load(), Busy: c.busy.Load(), Limited: c.limited.Load(), Refused: c.refused.Load(),
		Dropped: c.dropped.Load(), Replied: c.replied.Load(), Failed: c.failed.Load(),
		Found: c.found.Load(), Unknown: c.unknown.Load(), Queued: queued,
	}
}

// isEditor reports whether the Slack user id may run "/faq reindex".
func (a *Adapter) isEditor(user string) bool { return user != "" && a.editors[user] }
