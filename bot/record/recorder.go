package record

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/nlu"
)

// RecorderConfig configures a Recorder; every field but Sink has a default.
type RecorderConfig struct {
	Sink Sink
	// Logger receives the recorder's logs: when writing starts failing and when it recovers,
	// once per change, never per event (default: none).
	Logger *slog.Logger
	// Buffer is how many events may wait for the writer (default 4096). An event that finds it
	// full is dropped and counted.
	Buffer int
	// Pending is how many events are kept in memory while the Sink fails (default 65,536);
	// beyond it the oldest are dropped and counted.
	Pending int
	// Timeout bounds one write to the Sink (default 2 s).
	Timeout time.Duration
	// Linger is how long the writer waits for more events after the first before it writes
	// them together (default 200 ms; negative: not at all). One write per event costs a disk
	// journal an open and a sync each.
	Linger time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Recorder takes events from the adapters — it is a bot.Observer and a bot.FeedbackRecorder —
// and writes them to its Sink in the background, in batches. It never blocks its callers:
// when its buffer is full, events are dropped and counted. While the Sink fails, events are
// kept in memory (up to Pending) and written once it works again. It is safe for concurrent
// use; Close stops it.
type Recorder struct {
	cfg  RecorderConfig
	log  *slog.Logger
	ch   chan Event
	done chan struct{}

	mu     sync.RWMutex // guards closed against the sends to ch
	closed bool

	recorded, dropped, failures atomic.Int64
	failing                     atomic.Bool
}

// RecorderStats counts what a Recorder did.
type RecorderStats struct {
	Recorded int64 // events written to the Sink
	Dropped  int64 // events lost: buffer full, too many pending while the Sink failed, or closed
	Failures int64 // writes to the Sink that failed
	Failing  bool  // the last write failed
}

// NewRecorder returns a Recorder writing to cfg.Sink and starts its writer.
func NewRecorder(cfg RecorderConfig) *Recorder {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 4096
	}
	if cfg.Pending <= 0 {
		cfg.Pending = 65_536
	}
	if cfg.Linger == 0 {
		cfg.Linger = 200 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Recorder{cfg: cfg, log: cfg.Logger.With("component", "record"), ch: make(chan Event, cfg.Buffer), done: make(chan struct{})}
	go r.run()
	return r
}

// Replied records every reply: a hand-off, an unanswered question (masked), an answer or an
// ask-back (the entry only). Greetings are not recorded.
func (r *Recorder) Replied(platform string, rep bot.Reply, _ time.Duration) {
	d := rep.Decision
	switch {
	case rep.Handoff || d.Action == nlu.Handoff:
		ev := Event{Kind: Handoff, Platform: platform, Lang: string(rep.Lang), Reason: d.Reason}
		if d.Entry != nil {
			ev.Entry = d.Entry.ID
		}
		r.add(ev)
	case d.Action == nlu.DontKnow && !d.Greeting && d.Masked != "":
		r.add(Event{Kind: Unanswered, Platform: platform, Lang: string(rep.Lang), Text: d.Masked})
	case (d.Action == nlu.Answer || d.Action == nlu.AskBack) && d.Entry != nil:
		k := Answered
		if d.Action == nlu.AskBack {
			k = AskedBack
		}
		r.add(Event{Kind: k, Platform: platform, Lang: string(rep.Lang), Entry: d.Entry.ID})
	}
}

// Refused records nothing: refusals are counted by the metrics.
func (r *Recorder) Refused(string, string) {}

// Record records a user's feedback about an entry, with the masked question it answered
// (cut to bot.MaxQuestion characters) when known. It never fails: the event is written in the
// background (or dropped and counted when the buffer is full).
func (r *Recorder) Record(_ context.Context, fb bot.Feedback) error {
	r.add(Event{Kind: Feedback, Entry: fb.EntryID, Helpful: fb.Helpful, Text: bot.ClipQuestion(fb.Question)})
	return nil
}

func (r *Recorder) add(ev Event) {
	ev.At = r.cfg.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.dropped.Add(1)
		return
	}
	select {
	case r.ch <- ev:
	default:
		r.dropped.Add(1)
	}
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() RecorderStats {
	return RecorderStats{Recorded: r.recorded.Load(), Dropped: r.dropped.Load(), Failures: r.failures.Load(), Failing: r.failing.Load()}
}

// Close stops taking events and writes those waiting. When ctx ends first, the events not yet
// written are dropped (and counted) and Close returns ctx's error.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const maxBatch = 256

func (r *Recorder) run() {
	defer close(r.done)
	var pending []Event
	backoff := time.Duration(0)
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		var retryC <-chan time.Time
		if backoff > 0 && len(pending) > 0 {
			retryC = retry.C
		}
		select {
		case ev, ok := <-r.ch:
			if !ok {
				r.final(pending)
				return
			}
			pending = append(pending, ev)
			var closed bool
			if pending, closed = r.collect(pending, backoff == 0); closed {
				r.final(pending)
				return
			}
			if backoff > 0 { // failing: wait for the retry, keeping at most Pending events
				if over := len(pending) - r.cfg.Pending; over > 0 {
					r.dropped.Add(int64(over))
					pending = append(pending[:0], pending[over:]...)
				}
				continue
			}
		case <-retryC:
		}
		n, ok := r.write(pending)
		pending = append(pending[:0], pending[n:]...)
		if ok {
			backoff = 0
			continue
		}
		backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
		retry.Reset(backoff)
	}
}

// collect adds to pending the events queued and, when wait is set, those that arrive within
// the Linger, up to maxBatch; closed reports that the recorder was closed.
func (r *Recorder) collect(pending []Event, wait bool) (_ []Event, closed bool) {
	var linger <-chan time.Time // nil: only what is queued now
	if wait && r.cfg.Linger > 0 {
		t := time.NewTimer(r.cfg.Linger)
		defer t.Stop()
		linger = t.C
	}
	for len(pending) < maxBatch {
		select {
		case ev, ok := <-r.ch:
			if !ok {
				return pending, true
			}
			pending = append(pending, ev)
			continue
		default:
		}
		if linger == nil {
			return pending, false
		}
		select {
		case ev, ok := <-r.ch:
			if !ok {
				return pending, true
			}
			pending = append(pending, ev)
		case <-linger:
			return pending, false
		}
	}
	return pending, false
}

// write writes events in batches; it returns how many were written, and whether all were.
func (r *Recorder) write(events []Event) (written int, ok bool) {
	for written < len(events) {
		n := min(len(events)-written, maxBatch)
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
		err := r.cfg.Sink.Append(ctx, events[written:written+n])
		cancel()
		if err != nil {
			r.failures.Add(1)
			if !r.failing.Swap(true) {
				r.log.Warn("recording events failed; keeping them in memory until it works again", "error", err)
			}
			return written, false
		}
		r.recorded.Add(int64(n))
		written += n
	}
	if r.failing.Swap(false) {
		r.log.Info("recording events works again")
	}
	return written, true
}

// final makes one last attempt to write pending; what fails is dropped and counted.
func (r *Recorder) final(pending []Event) {
	if n, ok := r.write(pending); !ok {
		r.dropped.Add(int64(len(pending) - n))
	}
}

var (
	_ bot.Observer         = (*Recorder)(nil)
	_ bot.FeedbackRecorder = (*Recorder)(nil)
)
