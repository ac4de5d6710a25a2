package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

func TestStepwise(t *testing.T) {
	ctx := context.Background()
	store := memstore.NewStore(time.Hour, nil)
	limiter := memstore.NewLimiter(time.Hour, 2, nil)
	ad := bot.Stepwise{Seen: memstore.NewDeduper(time.Hour, 100, nil), Limiter: limiter, Store: store}
	want := bot.State{Pending: "change-password", Last: "change-password", Lang: faq.English}
	store.Put(ctx, "u1", want)

	for _, c := range []struct {
		name string
		in   bot.Arrival
		want bot.Turn
	}{
		{"new event, state", bot.Arrival{Events: []string{"e1"}, Limit: "u1", User: "u1"}, bot.Turn{State: want, Known: true}},
		{"repeat: nothing read, nothing counted", bot.Arrival{Events: []string{"e1"}, Limit: "u1", User: "u1"}, bot.Turn{Repeat: true}},
		{"a repeat when any id was taken", bot.Arrival{Events: []string{"e2", "e1"}, Limit: "u1", User: "u1"}, bot.Turn{Repeat: true}},
		{"all ids taken with a repeat", bot.Arrival{Events: []string{"e2"}}, bot.Turn{Repeat: true}},
		{"second message of u1", bot.Arrival{Events: []string{"e3"}, Limit: "u1", User: "u1"}, bot.Turn{State: want, Known: true}},
		{"third: over the limit, state still read", bot.Arrival{Events: []string{"e4"}, Limit: "u1", User: "u1"}, bot.Turn{Limited: true, State: want, Known: true}},
		{"no events, no limit key", bot.Arrival{User: "u1"}, bot.Turn{State: want, Known: true}},
		{"unknown user", bot.Arrival{Events: []string{"e5"}, Limit: "u2", User: "u2"}, bot.Turn{}},
	} {
		got, err := ad.Admit(ctx, c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}

	// No parts: every message is new, allowed, without state.
	if got, err := (bot.Stepwise{}).Admit(ctx, bot.Arrival{Events: []string{"e1"}, Limit: "u1", User: "u1"}); err != nil || got != (bot.Turn{}) {
		t.Errorf("no parts: %+v, %v", got, err)
	}

	// Failing parts: the error, and a turn that errs towards answering.
	down := bot.Stepwise{Seen: failingDeduper{}, Limiter: failingLimiter{}, Store: failingStore{}}
	got, err := down.Admit(ctx, bot.Arrival{Events: []string{"e1"}, Limit: "u1", User: "u1"})
	if !errors.Is(err, errDown) || got != (bot.Turn{}) {
		t.Errorf("failing parts: %+v, %v; want an error and a new, allowed message without state", got, err)
	}
}

// HandleTurn answers from the state the turn tells, without reading the store, and writes there.
func TestHandleTurn(t *testing.T) {
	ctx := context.Background()
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)
	r, err := b.HandleTurn(ctx, "u1", bot.Turn{State: bot.State{Pending: "change-password", Lang: faq.English}, Known: true}, "PC", store)
	if err != nil || r.Decision.Entry == nil || r.Decision.Entry.ID != "change-password-pc" || r.Lang != faq.English {
		t.Fatalf("PC after the ask-back: %+v, %v; want change-password-pc in English", r.Decision, err)
	}
	if st, ok, _ := store.Get(ctx, "u1"); !ok || st.Last != "change-password-pc" || st.Pending != "" {
		t.Errorf("state written: %+v, %v", st, ok)
	}
	// The same text with no conversation known is asked afresh, in its own language.
	want, _ := b.Ask(ctx, "PC")
	for _, turn := range []bot.Turn{{}, {State: bot.State{Pending: "change-password", Lang: faq.English}}} {
		if r, _ := b.HandleTurn(ctx, "u2", turn, "PC", store); r.Text != want.Text || r.Lang != want.Lang {
			t.Errorf("PC after %+v = %q (%s), want Ask's %q (%s)", turn, r.Text, r.Lang, want.Text, want.Lang)
		}
	}
	if _, err := b.HandleTurn(ctx, "u3", bot.Turn{}, "How many records were leaked?", failingStore{}); !errors.Is(err, bot.ErrStore) {
		t.Errorf("a failing store: %v, want ErrStore", err)
	}
}

type failingDeduper struct{}

func (failingDeduper) FirstTime(context.Context, string) (bool, error) { return false, errDown }

type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, string) (bool, error) { return false, errDown }
