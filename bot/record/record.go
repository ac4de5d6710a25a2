// Package record keeps, for the editors of the content, what users made of the answers:
// feedback ("helpful / not helpful"), the questions no entry answered (with personal data
// masked), the hand-offs to the customer desk, and the entries answered or asked back (no text). It defines the events, a Recorder that takes
// them from the adapters without ever blocking an answer, and the summary that "faqbot report"
// prints. Where the events are kept is a Sink's business (Redis streams, an embedded on-disk
// store); this package imports bot, nlu and faq, and no storage, chat SDK or adapter.
package record

import (
	"context"
	"time"
)

// Kind is the kind of an Event.
type Kind string

// The kinds of events.
const (
	// Feedback is a user's answer to "was this helpful?" about Entry; Text is the question the
	// answer was given to, masked, when known.
	Feedback Kind = "feedback"
	// Unanswered is a question no entry answered; Text is the question with personal data
	// masked (nlu.Decision.Masked), never the user's raw text.
	Unanswered Kind = "unanswered"
	// Handoff is a reply that sent the user to the customer desk.
	Handoff Kind = "handoff"
	// Answered is a reply that answered Entry.
	Answered Kind = "answered"
	// AskedBack is a reply that asked which of Entry's follow-ups is meant.
	AskedBack Kind = "asked_back"
)

// Kinds lists every kind, in a fixed order.
var Kinds = []Kind{Feedback, Unanswered, Handoff, Answered, AskedBack}

// Read returns the events of every kind in [since, until) from src.
func Read(ctx context.Context, src Source, since, until time.Time) ([]Event, error) {
	var events []Event
	for _, k := range Kinds {
		evs, err := src.Events(ctx, k, since, until)
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	return events, nil
}

// Event is one thing an editor may want to know about. It carries no user id.
type Event struct {
	Kind     Kind      `json:"kind"`
	At       time.Time `json:"at"`
	Platform string    `json:"platform,omitempty"`
	// Entry is the entry the feedback is about, or the hand-off entry that matched ("" for a
	// hand-off the classifier decided alone).
	Entry string `json:"entry,omitempty"`
	// Helpful is the feedback's answer.
	Helpful bool `json:"helpful,omitempty"`
	// Text is the masked question of an Unanswered event, or the one whose answer a Feedback
	// event rates ("" when not known); never the user's raw text.
	Text string `json:"text,omitempty"`
	Lang string `json:"lang,omitempty"`
	// Reason is why the bot handed off (no user text).
	Reason string `json:"reason,omitempty"`
}

// Sink keeps events durably. Implementations are safe for concurrent use.
type Sink interface {
	// Append stores events, in order. On error none or some of them may have been stored.
	Append(ctx context.Context, events []Event) error
}

// Source reads the events kept.
type Source interface {
	// Events returns the events of kind that happened in [since, until), oldest first.
	Events(ctx context.Context, kind Kind, since, until time.Time) ([]Event, error)
}
