// Package line connects faqbot to LINE: it receives Messaging API webhooks, answers them with
// package bot in the background, and sends the replies through the Messaging API client of
// github.com/line/line-bot-sdk-go/v8.
//
// The webhook handler verifies the X-Line-Signature of the raw, size-capped body before anything
// is parsed, hands the events to a bounded pool of workers and acknowledges at once, well
// within LINE's two seconds, without waiting for any store. The events of one chat go to one
// worker, in order. A worker translates the event into a bot.Message and hands it to the bot
// (bot.Chat.Take), which tells whether it was taken before (LINE redelivers; another replica
// may have it), whether the user is over the rate limit, and what was said before — one round
// trip to a shared store —, and answers it; the worker turns the outcome into at most five LINE
// messages with quick replies, and sends it with the reply token; it
// retries 5xx and 429 answers with backoff (honouring Retry-After) and, when the reply token
// has expired, pushes the reply with a retry key derived from the event id, so that it is
// delivered once.
//
// SDK types never leave this package, and neither message text nor user ids reach its logs:
// they carry event ids, entry ids, actions and status codes. Of faqbot it imports bot (never
// the other way round) and adapters/internal only — no faq, no nlu, no other adapter; only cmd
// wires it up.
package line

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/faqbot/faqbot/adapters/internal/retry"
	"github.com/faqbot/faqbot/adapters/internal/workpool"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

// DefaultAPIURL is the base URL of LINE's Messaging API.
const DefaultAPIURL = "https://api.line.me"

// Config configures an Adapter. ChannelSecret and ChannelAccessToken are required; every other
// field has a default.
type Config struct {
	ChannelSecret      string
	ChannelAccessToken string
	// APIURL is the base URL of the Messaging API (DefaultAPIURL when ""); tests and staging
	// point it at a local server.
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
	// Limiter limits how often one user is answered (default: no limit); a user over the limit
	// gets the content's SlowDown message.
	Limiter bot.Limiter
	// Observer is told about every reply and refusal, for metrics (default: none).
	Observer bot.Observer
	// Seen remembers the event ids already taken (default: memstore.NewDeduper(24h, 500,000)).
	Seen bot.Deduper
	// Admitter tells, as a worker takes an event, whether it was taken before, whether its user
	// is over the limit and the conversation so far (default: bot.Stepwise over Seen, Limiter
	// and Store). Set it to the Admitter of a store the replicas share, which tells all three
	// in one round trip; it must read the states that Store writes, and then Seen and Limiter
	// are not used.
	Admitter bot.Admitter

	// Workers answer events; the events of one chat always go to the same worker, in order.
	// Default 64.
	Workers int
	// Queue is how many events may wait for each worker (default 16). An event that finds its
	// worker's queue full is answered with the content's Busy message instead.
	Queue int
	// MaxBody is the largest webhook body accepted (default 1 MiB); larger ones get 413.
	MaxBody int64
	// LoadingAfter is how long a reply to a 1:1 chat may take before LINE's loading animation
	// is shown (default 1 s; negative: never).
	LoadingAfter time.Duration
	// RetryBase is the first backoff after a 5xx, a 429 without Retry-After or no answer
	// (default 250 ms); it doubles with each attempt (jittered by up to half either way, at
	// most 10 s before jitter), up to MaxAttempts attempts in all (default 5). A Retry-After
	// header (seconds or an HTTP date) is waited for instead, unless it ends past EventTimeout.
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
	api := c.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	return slog.GroupValue(
		slog.String("channel_secret", set(c.ChannelSecret)),
		slog.String("channel_access_token", set(c.ChannelAccessToken)),
		slog.String("api_url", api),
		slog.Int("workers", cmp.Or(c.Workers, defaultWorkers)),
		slog.Int("queue", cmp.Or(c.Queue, defaultQueue)),
	)
}

const (
	defaultWorkers = 64
	defaultQueue   = 16
)

func (c *Config) defaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
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
	if c.Observer == nil {
		c.Observer = bot.NopObserver{}
	}
	if c.Seen == nil {
		c.Seen = memstore.NewDeduper(24*time.Hour, 500_000, nil)
	}
	if c.Admitter == nil {
		c.Admitter = bot.Stepwise{Seen: c.Seen, Limiter: c.Limiter, Store: c.Store}
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
	if c.LoadingAfter == 0 {
		c.LoadingAfter = time.Second
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

// Adapter is the LINE webhook handler and the workers that answer its events. It is safe for
// concurrent use. Shutdown stops it.
type Adapter struct {
	bot      *bot.Bot
	cfg      Config
	log      *slog.Logger
	api      *api
	chat     *bot.Chat
	pool     *workpool.Pool[batch]
	sent     sentIDs // messages sent to groups and rooms: a quote of one is for the bot
	counters counters
}

// New returns an Adapter answering with b and starts its workers.
func New(b *bot.Bot, cfg Config) (*Adapter, error) {
	if cfg.ChannelSecret == "" || cfg.ChannelAccessToken == "" {
		return nil, errors.New("line: new: channel secret and channel access token are required")
	}
	cfg.defaults()
	a := &Adapter{
		bot: b,
		cfg: cfg,
		log: cfg.Logger.With("component", "line"),
		api: &api{
			hc: cfg.HTTPClient, endpoint: cfg.APIURL, token: cfg.ChannelAccessToken,
			policy: retry.Policy{Base: cfg.RetryBase, Attempts: cfg.MaxAttempts, Total: cfg.EventTimeout},
		},
		chat: b.Chat(bot.ChatConfig{Platform: "line", Admitter: cfg.Admitter, Store: cfg.Store,
			Feedback: cfg.Feedback, Observer: cfg.Observer}),
	}
	if _, err := a.api.client(context.Background()); err != nil {
		return nil, err
	}
	a.pool = workpool.Start(workpool.Config[batch]{
		Workers: cfg.Workers, Queue: cfg.Queue, BusyWorkers: min(runtime.GOMAXPROCS(0), 4),
		Key: func(b batch) string { return b[0].user }, Do: a.each(a.process), Busy: a.each(a.answerBusy),
		Abandoned: func(b batch) {
			for _, j := range b {
				a.abandon(j)
			}
		},
	})
	return a, nil
}

// Shutdown stops taking events (webhooks get 503 from then on) and waits until the events
// already taken are answered. When ctx ends first, the replies in flight are abandoned and
// Shutdown returns ctx's error once the workers have stopped.
func (a *Adapter) Shutdown(ctx context.Context) error { return a.pool.Shutdown(ctx) }

// webhookError is why a webhook is refused.
type webhookError struct {
	status int
	reason string
}

var (
	errNoSignature  = webhookError{http.StatusBadRequest, "missing signature"}
	errBadSignature = webhookError{http.StatusBadRequest, "invalid signature"}
	errTooLarge     = webhookError{http.StatusRequestEntityTooLarge, "body too large"}
	errUnreadable   = webhookError{http.StatusBadRequest, "unreadable body"}
	errMalformed    = webhookError{http.StatusBadRequest, "malformed body"}
	errMethod       = webhookError{http.StatusMethodNotAllowed, "method not allowed"}
	errClosed       = webhookError{http.StatusServiceUnavailable, "shutting down"}
	errOverloaded   = webhookError{http.StatusServiceUnavailable, "overloaded"}
)

// ServeHTTP takes one webhook: POST, a body of at most MaxBody bytes signed with the channel
// secret. It answers 200 once the events are queued, 400 for a missing or wrong signature or a
// body that is not a webhook, 413 for a body too large, and 503 after Shutdown or when the
// workers have no room for all of its events (none is then taken: LINE delivers the webhook
// again). The events are answered in the background, repeats dropped.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	events, werr := a.parse(w, r)
	if werr != nil {
		a.counters.rejected.Add(1)
		a.log.WarnContext(r.Context(), "rejected webhook", "reason", werr.reason, "status", werr.status)
		http.Error(w, http.StatusText(werr.status), werr.status)
		return
	}
	var jobs []job
	for _, raw := range events {
		if j, ok := a.toJob(raw, received); ok {
			jobs = append(jobs, j)
		}
	}
	batches := byUser(jobs)
	// Room for every batch, or none is taken: what is acknowledged is answered (or told to
	// wait, or to slow down), never dropped; a webhook refused with 503 is delivered again.
	tk, err := a.pool.Open(len(batches))
	if err != nil {
		werr := errClosed
		if errors.Is(err, workpool.ErrFull) {
			werr = errOverloaded
			a.counters.refused.Add(int64(len(jobs)))
		}
		a.log.WarnContext(r.Context(), "rejected webhook", "reason", werr.reason, "status", werr.status, "events", len(jobs))
		http.Error(w, http.StatusText(werr.status), werr.status)
		return
	}
	defer tk.Close()
	for _, b := range batches {
		a.submit(r.Context(), tk, b)
	}
	w.WriteHeader(http.StatusOK)
}

// batch is the events of one chat's user in one webhook, in order: answered by one worker, one
// after the other, so that a burst of one user takes one place in the queues.
type batch []job

// byUser groups jobs by user, keeping the order of each user's jobs and of first appearance.
func byUser(jobs []job) []batch {
	var out []batch
	at := map[string]int{}
	for _, j := range jobs {
		i, ok := at[j.user]
		if !ok {
			i = len(out)
			at[j.user] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], j)
	}
	return out
}

// each runs do for every job of a batch; once ctx has ended, the jobs left are abandoned.
func (a *Adapter) each(do func(context.Context, job)) func(context.Context, batch) {
	return func(ctx context.Context, b batch) {
		for _, j := range b {
			if ctx.Err() != nil {
				a.abandon(j)
				continue
			}
			do(ctx, j)
		}
	}
}

// abandon counts a job left unanswered at shutdown.
func (a *Adapter) abandon(j job) {
	a.counters.dropped.Add(1)
	a.log.Warn("event dropped at shutdown", "event", j.id, "kind", j.kind)
}

// parse reads, verifies and decodes the webhook body.
func (a *Adapter) parse(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, *webhookError) {
	if r.Method != http.MethodPost {
		return nil, &errMethod
	}
	// Not webhook.ParseRequest: it reads the body without a limit and puts it in its errors.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &errTooLarge
		}
		return nil, &errUnreadable
	}
	sig := r.Header.Get("X-Line-Signature")
	if sig == "" {
		return nil, &errNoSignature
	}
	if !webhook.ValidateSignature(a.cfg.ChannelSecret, sig, body) {
		return nil, &errBadSignature
	}
	var cb struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, &errMalformed
	}
	return cb.Events, nil
}

// submit hands b to the pool and counts what became of it.
func (a *Adapter) submit(ctx context.Context, tk *workpool.Ticket[batch], b batch) {
	n := int64(len(b))
	switch tk.Submit(b) {
	case workpool.Queued:
		a.counters.accepted.Add(n)
	case workpool.Busy:
		a.counters.busy.Add(n)
		a.log.WarnContext(ctx, "workers busy, answering busy", "event", b[0].id, "events", n)
	case workpool.Dropped: // not within the ticket's room: cannot happen
		a.counters.dropped.Add(n)
		a.log.ErrorContext(ctx, "overloaded, events dropped", "event", b[0].id, "events", n)
	}
}

// Stats counts what the adapter did since it started.
type Stats struct {
	Rejected   int64 // webhooks refused (signature, size, format)
	Accepted   int64 // events queued for an answer
	Duplicates int64 // events ignored as seen before
	Busy       int64 // events that found the workers busy: answered "busy" (or "slow down"), unless seen before
	Refused    int64 // events of webhooks refused with 503 because the workers were full (LINE delivers them again)
	Dropped    int64 // events acknowledged but neither answered nor answered "busy" (shutdown)
	Replied    int64 // replies delivered with the reply token
	Pushed     int64 // replies delivered by push
	Failed     int64 // replies that could not be delivered
	Queued     int   // events waiting for a worker now
}

type counters struct {
	rejected, accepted, duplicates, busy, refused, dropped, replied, pushed, failed atomic.Int64
}

// Stats returns the adapter's counters.
func (a *Adapter) Stats() Stats {
	c := &a.counters
	return Stats{
		Rejected: c.rejected.Load(), Accepted: c.accepted.Load(), Duplicates: c.duplicates.Load(),
		Busy: c.busy.Load(), Refused: c.refused.Load(), Dropped: c.dropped.Load(), Replied: c.replied.Load(),
		Pushed: c.pushed.Load(), Failed: c.failed.Load(), Queued: a.pool.Queued(),
	}
}
