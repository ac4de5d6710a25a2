// Package memstore holds the in-process implementations of the state that bot's Chat reads and
// writes: conversation states (Store, and LRU bounded in count), the event ids taken (Deduper),
// per-user rate limits (Limiter) and feedback counts (Feedback). It is the twin of
// bot/redisstore, whose implementations replicas share, and what bot/failover falls back to.
//
// memstore imports bot (for its interfaces and State), never the other way round, and nothing
// of adapters.
package memstore

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/faqbot/faqbot/bot"
)

// Store is a bot.StateStore in memory. A state expires ttl after it was last put. It is safe
// for concurrent use.
type Store struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	states    map[string]storedState
	lastSweep time.Time
}

type storedState struct {
	bot.State
	expires time.Time
}

// NewStore returns an empty Store whose states live for ttl. now is the clock
// (time.Now when nil).
func NewStore(ttl time.Duration, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{ttl: ttl, now: now, states: map[string]storedState{}, lastSweep: now()}
}

// Get returns the state of user unless it has expired. It never fails.
func (m *Store) Get(_ context.Context, user string) (bot.State, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.states[user]
	if !ok || !now.Before(s.expires) {
		return bot.State{}, false, nil
	}
	return s.State, true, nil
}

// Put stores the state of user for the store's ttl. It never fails. Expired states are dropped
// once per ttl, so the store holds only the users of about the last two ttls.
func (m *Store) Put(_ context.Context, user string, s bot.State) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) >= m.ttl {
		for u, st := range m.states {
			if !now.Before(st.expires) {
				delete(m.states, u)
			}
		}
		m.lastSweep = now
	}
	m.states[user] = storedState{State: s, expires: now.Add(m.ttl)}
	return nil
}

// Len returns the number of states held, expired ones not yet dropped included.
func (m *Store) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.states)
}

// Feedback records users' answers to "was this helpful?" in memory: per entry id, how
// many said yes and no. It keeps nothing else. It is safe for concurrent use.
type Feedback struct {
	mu     sync.Mutex
	counts map[string][2]int // entry id → [no, yes]
}

// NewFeedback returns an empty Feedback.
func NewFeedback() *Feedback {
	return &Feedback{counts: map[string][2]int{}}
}

// Record counts one answer about fb's entry (its question is not kept). It never fails.
func (f *Feedback) Record(_ context.Context, fb bot.Feedback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.counts[fb.EntryID]
	if fb.Helpful {
		c[1]++
	} else {
		c[0]++
	}
	f.counts[fb.EntryID] = c
	return nil
}

// Counts returns how many users found entry entryID helpful and how many did not.
func (f *Feedback) Counts(entryID string) (yes, no int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.counts[entryID]
	return c[1], c[0]
}

// Deduper is a bot.Deduper in memory. It remembers an id for at least ttl and at most 2·ttl,
// and at most 2·max ids: under a load that would hold more, it forgets the oldest ids earlier.
// It is safe for concurrent use.
type Deduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu        sync.Mutex
	cur, prev map[string]struct{}
	rotated   time.Time
}

// NewDeduper returns a Deduper; now is the clock (time.Now when nil).
func NewDeduper(ttl time.Duration, max int, now func() time.Time) *Deduper {
	if now == nil {
		now = time.Now
	}
	return &Deduper{ttl: ttl, max: max, now: now, cur: map[string]struct{}{}, prev: map[string]struct{}{}, rotated: now()}
}

// FirstTime records id and reports whether it was new. It never fails.
func (d *Deduper) FirstTime(_ context.Context, id string) (bool, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	switch age := now.Sub(d.rotated); {
	case age >= 2*d.ttl:
		clear(d.prev)
		clear(d.cur)
		d.rotated = now
	case age >= d.ttl || len(d.cur) >= d.max:
		d.prev, d.cur, d.rotated = d.cur, make(map[string]struct{}, len(d.cur)), now
	}
	if _, ok := d.cur[id]; ok {
		return false, nil
	}
	if _, ok := d.prev[id]; ok {
		return false, nil
	}
	d.cur[id] = struct{}{}
	return true, nil
}

// Limiter is a per-key token bucket in memory (golang.org/x/time/rate): each key may
// send burst messages at once and every more on average. Keys idle for long enough to have a
// full bucket again are forgotten, so memory follows the number of active users.
type Limiter struct {
	every rate.Limit
	burst int
	now   func() time.Time

	mu     sync.Mutex
	keys   map[string]*rate.Limiter
	swept  time.Time
	refill time.Duration
}

// NewLimiter returns a Limiter that allows burst messages at once and one per
// every after that; every <= 0 means no limit. now is the clock (time.Now when nil).
func NewLimiter(every time.Duration, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		every: rate.Every(every), burst: burst, now: now, keys: map[string]*rate.Limiter{},
		swept: now(), refill: every * time.Duration(burst),
	}
}

// Allow reports whether key may send one more message now. It never fails.
func (m *Limiter) Allow(_ context.Context, key string) (bool, error) {
	if m.refill <= 0 {
		return true, nil
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) > m.refill {
		for k, l := range m.keys {
			if l.TokensAt(now) >= float64(m.burst) {
				delete(m.keys, k)
			}
		}
		m.swept = now
	}
	l, ok := m.keys[key]
	if !ok {
		l = rate.NewLimiter(m.every, m.burst)
		m.keys[key] = l
	}
	return l.AllowN(now, 1), nil
}

// Len is the number of keys remembered.
func (m *Limiter) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// LRU is a bot.StateStore in memory bounded both in time and in count: a state expires ttl
// after it was last put, and when max states are held, putting a new one forgets the state
// used least recently. Use it where the users are not known in advance (web conversations,
// whose ids any client can make up) so that memory stays bounded whatever they send. It is safe
// for concurrent use.
type LRU struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu     sync.Mutex
	states map[string]*list.Element
	order  *list.List // of *lruState, most recently used first
}

type lruState struct {
	user    string
	state   bot.State
	expires time.Time
}

// NewLRU returns an empty LRU of at most limit states (at least 1) that live for ttl.
// now is the clock (time.Now when nil).
func NewLRU(ttl time.Duration, limit int, now func() time.Time) *LRU {
	if now == nil {
		now = time.Now
	}
	return &LRU{ttl: ttl, max: max(1, limit), now: now, states: map[string]*list.Element{}, order: list.New()}
}

// Get returns the state of user unless it has expired or was forgotten. It never fails.
func (m *LRU) Get(_ context.Context, user string) (bot.State, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.states[user]
	if !ok {
		return bot.State{}, false, nil
	}
	s := e.Value.(*lruState)
	if !now.Before(s.expires) {
		m.remove(e)
		return bot.State{}, false, nil
	}
	m.order.MoveToFront(e)
	return s.state, true, nil
}

// Put stores the state of user for the store's ttl, forgetting expired states and, beyond max,
// the least recently used ones. It never fails.
func (m *LRU) Put(_ context.Context, user string, s bot.State) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.states[user]; ok {
		st := e.Value.(*lruState)
		st.state, st.expires = s, now.Add(m.ttl)
		m.order.MoveToFront(e)
		return nil
	}
	for back := m.order.Back(); back != nil; back = m.order.Back() {
		if len(m.states) < m.max && now.Before(back.Value.(*lruState).expires) {
			break
		}
		m.remove(back)
	}
	m.states[user] = m.order.PushFront(&lruState{user: user, state: s, expires: now.Add(m.ttl)})
	return nil
}

func (m *LRU) remove(e *list.Element) {
	m.order.Remove(e)
	delete(m.states, e.Value.(*lruState).user)
}

// Len returns the number of states held, expired ones not yet forgotten included; never more
// than max.
func (m *LRU) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.states)
}

var (
	_ bot.StateStore       = (*Store)(nil)
	_ bot.StateStore       = (*LRU)(nil)
	_ bot.Deduper          = (*Deduper)(nil)
	_ bot.Limiter          = (*Limiter)(nil)
	_ bot.FeedbackRecorder = (*Feedback)(nil)
)
