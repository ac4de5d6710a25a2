package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// convBot is a bot over the shipped engine (shared by the package's tests) whose clock stands
// on a Tuesday morning, Japan time: the desk is open.
func convBot(t *testing.T) *bot.Bot {
	t.Helper()
	return bot.New(engine(t), func() time.Time { return time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST) })
}

func TestHandleFollowUp(t *testing.T) {
	ctx := context.Background()
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)

	r, err := b.Handle(ctx, "u1", "パスワードを変更したい", store)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision.Action != nlu.AskBack || r.Decision.Entry.ID != "change-password" {
		t.Fatalf("first message: %v, want an ask-back on change-password", r)
	}
	st, _, _ := store.Get(ctx, "u1")
	if diff := cmp.Diff(bot.State{Pending: "change-password", Last: "change-password", Question: "パスワードを変更したい", Lang: faq.Japanese}, st); diff != "" {
		t.Errorf("state after the ask-back (-want +got):\n%s", diff)
	}

	// "PC" alone reads as English, but names a choice: the follow-up is answered in the
	// conversation's language.
	r, err = b.Handle(ctx, "u1", "PC", store)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision.Entry == nil || r.Decision.Entry.ID != "change-password-pc" || r.Lang != faq.Japanese {
		t.Fatalf("choice: %v, want change-password-pc in ja", r)
	}
	st, _, _ = store.Get(ctx, "u1")
	// The follow-up answers the question asked: rating it rates the answer to that question.
	if diff := cmp.Diff(bot.State{Last: "change-password-pc", Rating: "change-password-pc", Question: "パスワードを変更したい", Lang: faq.Japanese}, st); diff != "" {
		t.Errorf("state after the choice (-want +got):\n%s", diff)
	}

	// With nothing pending, the same text is a new question.
	r, err = b.Handle(ctx, "u2", "PC", store)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := b.Ask(ctx, "PC")
	if r.Text != want.Text {
		t.Errorf("without state Handle = %v, want Ask's %v", r, want)
	}
}

func TestHandleNewQuestionClearsPending(t *testing.T) {
	ctx := context.Background()
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)
	if _, err := b.Handle(ctx, "u1", "How do I change my password?", store); err != nil {
		t.Fatal(err)
	}
	r, err := b.Handle(ctx, "u1", "How many records were leaked?", store)
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := store.Get(ctx, "u1")
	if st.Pending != "" || st.Lang != faq.English || r.Decision.Entry == nil || st.Last != r.Decision.Entry.ID {
		t.Errorf("after a new question: reply %v, state %+v; want nothing pending, Last the new entry", r, st)
	}
}

func TestChoose(t *testing.T) {
	ctx := context.Background()
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)
	store.Put(ctx, "u1", bot.State{Pending: "change-password", Lang: faq.English})

	r, ok, err := b.Choose(ctx, "u1", "change-password-app", "", store)
	if err != nil || !ok {
		t.Fatalf("Choose = ok %v, err %v", ok, err)
	}
	want, _ := b.EntryReply("change-password-app", faq.English)
	if diff := cmp.Diff(want.Text, r.Text); diff != "" {
		t.Errorf("Choose without a language answers in the conversation's (-want +got):\n%s", diff)
	}
	st, _, _ := store.Get(ctx, "u1")
	if diff := cmp.Diff(bot.State{Last: "change-password-app", Rating: "change-password-app", Lang: faq.English}, st); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}

	r, _, _ = b.Choose(ctx, "new-user", "change-password", "", store)
	if r.Lang != faq.Japanese || len(r.Choices) != 2 {
		t.Errorf("Choose of a parent for a new user = %v with %d choices; want ja with 2", r, len(r.Choices))
	}
	if st, _, _ := store.Get(ctx, "new-user"); st.Pending != "change-password" {
		t.Errorf("after choosing a parent Pending = %q", st.Pending)
	}

	if _, ok, err := b.Choose(ctx, "u1", "no-such-entry", faq.Japanese, store); ok || err != nil {
		t.Errorf("Choose of a missing entry = ok %v, err %v; want false, nil", ok, err)
	}
}

// failingStore is a StateStore whose every call fails.
type failingStore struct{}

func (failingStore) Get(context.Context, string) (bot.State, bool, error) {
	return bot.State{}, false, errDown
}
func (failingStore) Put(context.Context, string, bot.State) error { return errDown }

var errDown = errors.New("store down")

func TestHandleStoreDown(t *testing.T) {
	b := convBot(t)
	r, err := b.Handle(context.Background(), "u1", "How many records were leaked?", failingStore{})
	if !errors.Is(err, bot.ErrStore) {
		t.Fatalf("err = %v, want ErrStore", err)
	}
	if r.Decision.Action != nlu.Answer || r.Body == "" {
		t.Errorf("reply with a failing store = %v, want the answer all the same", r)
	}
	if _, ok, err := b.Choose(context.Background(), "u1", "contact", faq.English, failingStore{}); !ok || !errors.Is(err, bot.ErrStore) {
		t.Errorf("Choose with a failing store = ok %v, err %v", ok, err)
	}
}

func TestWelcome(t *testing.T) {
	b := convBot(t)
	c := b.Engine().Content
	ids := func(r bot.Reply) []string {
		var out []string
		for _, ch := range r.Choices {
			out = append(out, ch.EntryID)
		}
		return out
	}

	r := b.Welcome(faq.Japanese, nil, 4)
	var firsts []string
	for _, e := range c.Entries {
		if e.Parent == "" && len(firsts) < 4 {
			firsts = append(firsts, e.ID)
		}
	}
	if diff := cmp.Diff(firsts, ids(r)); diff != "" {
		t.Errorf("with no answers yet, Welcome offers the first top-level entries (-want +got):\n%s", diff)
	}
	if r.Body != c.Messages.Greeting.In(faq.Japanese) {
		t.Errorf("Welcome body = %q, want the greeting", r.Body)
	}

	r = b.Welcome(faq.English, []string{"leak-count", "gone", "my-number"}, 3)
	if diff := cmp.Diff([]string{"leak-count", "my-number", firsts[0]}, ids(r)); diff != "" {
		t.Errorf("Welcome offers popular entries first (-want +got):\n%s", diff)
	}
	if r.Lang != faq.English || r.Choices[0].Label != c.Entry("leak-count").Text[faq.English].Label {
		t.Errorf("Welcome in English = %+v", r)
	}
}

// A popular follow-up is offered as the topic it belongs to, under the topic's own label, once
// however many of its siblings are popular.
func TestWelcomeOffersTopics(t *testing.T) {
	b := convBot(t)
	c := b.Engine().Content
	for _, lang := range []faq.Lang{faq.Japanese, faq.English} {
		r := b.Welcome(lang, []string{"change-password-app", "leak-count", "change-password-pc"}, 3)
		var got []bot.Choice
		got = append(got, r.Choices...)
		want := []bot.Choice{
			{EntryID: "change-password", Label: c.Entry("change-password").Text[lang].Label},
			{EntryID: "leak-count", Label: c.Entry("leak-count").Text[lang].Label},
		}
		if len(got) != 3 {
			t.Fatalf("%s: %d choices, want 3: %+v", lang, len(got), got)
		}
		if diff := cmp.Diff(want, got[:2]); diff != "" {
			t.Errorf("%s: popular follow-ups are offered as their topic (-want +got):\n%s", lang, diff)
		}
		for _, ch := range got {
			if p := c.Entry(ch.EntryID).Parent; p != "" {
				t.Errorf("%s: the greeting offers %s, a follow-up of %s, as %q", lang, ch.EntryID, p, ch.Label)
			}
		}
		if !strings.Contains(r.Text, "・"+want[0].Label) {
			t.Errorf("%s: the greeting's text lists %q, want the topic's label %q", lang, r.Text, want[0].Label)
		}
	}
	if l := c.Entry("change-password").Text[faq.Japanese].Label; l != "パスワード変更" {
		t.Errorf("the topic's label is %q", l)
	}
}

func TestPopularity(t *testing.T) {
	var p bot.Popularity
	if got := p.Top(3); len(got) != 0 {
		t.Errorf("empty Top = %v", got)
	}
	for _, id := range []string{"b", "a", "c", "a", "c", "d"} {
		p.Add(id)
	}
	if diff := cmp.Diff([]string{"a", "c", "b"}, p.Top(3)); diff != "" {
		t.Errorf("Top (-want +got):\n%s", diff)
	}
	if p.Count("a") != 2 || p.Count("z") != 0 {
		t.Errorf("Count(a) = %d, Count(z) = %d", p.Count("a"), p.Count("z"))
	}
}

// TestHandleConcurrent answers hand-offs (which consult the desk calendar) and follow-ups from
// many goroutines at once; run with -race.
func TestHandleConcurrent(t *testing.T) {
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			u := string(rune('a' + i))
			for _, q := range []string{"オペレーターと話したい", "パスワードを変更したい", "アプリ", "I want to talk to a person"} {
				if _, err := b.Handle(ctx, u, q, store); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
