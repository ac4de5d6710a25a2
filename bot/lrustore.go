package bot

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// LRUStore is a StateStore in memory bounded both in time and in count: a state expires ttl
// after it was last put, and when max states are held, putting a new one forgets the state
// used least recently. Use it where the users are not known in advance (web conversations,
// whose ids any client can make up) so that memory stays bounded whatever they send. It is safe
// for concurrent use.
type LRUStore struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu     sync.Mutex
	states map[string]*list.Element
	order  *list.List // of *lruState, most recently used first
}

type lruState struct {
	user    string
	state   State
	expires time.Time
}

// NewLRUStore returns an empty LRUStore of at most limit states (at least 1) that live for ttl.
// now is the clock (time.Now when nil).
func NewLRUStore(ttl time.Duration, limit int, now func() time.Time) *LRUStore {
	if now == nil {
		now = time.Now
	}
	return &LRUStore{ttl: ttl, max: max(1, limit), now: now, states: map[string]*list.Element{}, order: list.New()}
}

// Get returns the state of user unless it has expired or was forgotten. It never fails.
func (m *LRUStore) Get(_ context.Context, user string) (State, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.states[user]
	if !ok {
		return State{}, false, nil
	}
	s := e.Value.(*lruState)
	if !now.Before(s.expires) {
		m.remove(e)
		return State{}, false, nil
	}
	m.order.MoveToFront(e)
	return s.state, true, nil
}

// Put stores the state of user for the store's ttl, forgetting expired states and, beyond max,
// the least recently used ones. It never fails.
func (m *LRUStore) Put(_ context.Context, user string, s State) error {
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

func (m *LRUStore) remove(e *list.Element) {
	m.order.Remove(e)
	delete(m.states, e.Value.(*lruState).user)
}

// Len returns the number of states held, expired ones not yet forgotten included; never more
// than max.
func (m *LRUStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.states)
}

var _ StateStore = (*LRUStore)(nil)
