package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu      sync.Mutex
	replied []string // platform:kind
	refused []string // platform:reason
}

func (o *recorder) Replied(platform string, r bot.Reply, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replied = append(o.replied, platform+":"+string(r.Kind))
}

func (o *recorder) Refused(platform, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refused = append(o.refused, platform+":"+reason)
}

// chat is a Chat over convBot with in-memory parts.
type chat struct {
	*bot.Chat
	bot      *bot.Bot
	store    *memstore.Store
	feedback *memstore.Feedback
	obs      *recorder
}

func newChat(t *testing.T, limit int) chat {
	t.Helper()
	b := convBot(t)
	c := chat{bot: b, store: memstore.NewStore(time.Hour, nil), feedback: memstore.NewFeedback(), obs: &recorder{}}
	seen := memstore.NewDeduper(time.Hour, 1000, nil)
	c.Chat = b.Chat(bot.ChatConfig{
		Platform: "test",
		Admitter: bot.Stepwise{Seen: seen, Limiter: memstore.NewLimiter(time.Hour, limit, nil), Store: c.store},
		Store:    c.store, Feedback: c.feedback, Observer: c.obs, Seen: seen,
	})
	return c
}

func take(t *testing.T, c chat, m bot.Message) bot.Outcome {
	t.Helper()
	out, err := c.Take(context.Background(), m)
	if err != nil {
		t.Fatalf("Take(%+v): %v", m, err)
	}
	return out
}

// One conversation through Take: the answer with its offers, the tap on a follow-up, the
// rating, the repeat, the greeting and the limit.
func TestTake(t *testing.T) {
	c := newChat(t, 100)
	msg := func(id string, m bot.Message) bot.Message {
		m.Events, m.User, m.Limit = []string{id}, "u1", "u1"
		return m
	}
	out := take(t, c, msg("e1", bot.Message{Kind: bot.MsgText, Text: "How many records were leaked?"}))
	r := out.Reply
	if r.Kind != bot.KindAnswer || r.Entry != "leak-count" || out.Version != c.bot.Engine().Version {
		t.Fatalf("answer: %+v (version %q)", r, out.Version)
	}
	want := &bot.HelpfulOffer{Entry: "leak-count", Ask: "Was this answer helpful?", Yes: "Yes", No: "No"}
	if diff := cmp.Diff(want, r.Offers.Helpful); diff != "" {
		t.Errorf("helpful offer (-want +got):\n%s", diff)
	}
	if r.Offers.Desk != nil {
		t.Errorf("an answer offers the desk: %+v", r.Offers.Desk)
	}
	if got := c.bot.Popularity().Count("leak-count"); got != 1 {
		t.Errorf("popularity of the answer = %d, want 1", got)
	}

	if out := take(t, c, msg("e1", bot.Message{Kind: bot.MsgText, Text: "How many records were leaked?"})); !out.Repeat || out.Reply.Kind != "" {
		t.Errorf("a redelivered event: %+v, want a repeat without reply", out)
	}

	out = take(t, c, msg("e2", bot.Message{Kind: bot.MsgRating, Entry: "leak-count", Helpful: true, Vote: "v1"}))
	if out.Reply.Kind != bot.KindThanks || out.Reply.Lang != faq.English || out.Reply.Feedback == nil {
		t.Errorf("rating: %+v, want thanks in English (the conversation's language)", out.Reply)
	}
	take(t, c, msg("e3", bot.Message{Kind: bot.MsgRating, Entry: "leak-count", Helpful: true, Vote: "v1"}))
	if yes, no := c.feedback.Counts("leak-count"); yes != 1 || no != 0 {
		t.Errorf("feedback %d yes %d no, want one vote counted once", yes, no)
	}
	if out := take(t, c, msg("e4", bot.Message{Kind: bot.MsgRating, Entry: "gone", Helpful: true})); !out.Missing || out.Reply.Kind != "" {
		t.Errorf("rating an unknown entry: %+v, want missing and no reply", out)
	}

	out = take(t, c, msg("e5", bot.Message{Kind: bot.MsgText, Text: "パスワードを変更したい"}))
	if out.Reply.Kind != bot.KindAskBack || out.Reply.ChoiceKind != "followups" || len(out.Reply.Choices) == 0 {
		t.Fatalf("ask back: %+v", out.Reply)
	}
	out = take(t, c, msg("e6", bot.Message{Kind: bot.MsgChoice, Entry: out.Reply.Choices[0].EntryID}))
	if out.Reply.Kind != bot.KindAnswer || out.Reply.Lang != faq.Japanese {
		t.Errorf("tap on a follow-up: %+v", out.Reply)
	}
	if st, _, _ := c.store.Get(context.Background(), "u1"); st.Rating != out.Reply.Entry {
		t.Errorf("state after the tap: %+v, want the answer to rate", st)
	}

	out = take(t, c, msg("e7", bot.Message{Kind: bot.MsgChoice, Entry: "gone"}))
	if !out.Missing || out.Reply.Kind != bot.KindWelcome || out.Reply.ChoiceKind != "welcome" {
		t.Errorf("tap on an entry gone: %+v, want the greeting", out)
	}
	// The greeting offers the most answered entries first: the two answered above.
	if ch := out.Reply.Choices; len(ch) < 2 || ch[0].EntryID != "change-password" && ch[1].EntryID != "change-password" {
		t.Errorf("greeting choices %+v, want the answered entries (as topics) first", ch)
	}

	c.obs.mu.Lock()
	defer c.obs.mu.Unlock()
	wantReplied := []string{"test:answer", "test:ask_back", "test:answer", "test:welcome"}
	if diff := cmp.Diff(wantReplied, c.obs.replied); diff != "" {
		t.Errorf("observed replies (-want +got):\n%s", diff)
	}
}

func TestTakeLimitedAndBusy(t *testing.T) {
	c := newChat(t, 1)
	m := bot.Message{Kind: bot.MsgText, Text: "Is my card safe?", User: "u1", Limit: "u1"}
	take(t, c, m)
	out := take(t, c, m)
	if !out.Limited || out.Reply.Kind != bot.KindSlowDown || out.Reply.Lang != faq.English || out.Reply.Text == "" {
		t.Errorf("over the limit: %+v, want SlowDown in the message's language", out)
	}
	out = take(t, c, bot.Message{Kind: bot.MsgText, Text: "カードは大丈夫？", Busy: true, Events: []string{"b1"}})
	if out.Reply.Kind != bot.KindBusy || out.Reply.Lang != faq.Japanese {
		t.Errorf("busy: %+v", out.Reply)
	}
	if out := take(t, c, bot.Message{Kind: bot.MsgText, Text: "カードは大丈夫？", Busy: true, Events: []string{"b1"}}); !out.Repeat {
		t.Errorf("a busy message delivered again: %+v, want a repeat", out)
	}
	if diff := cmp.Diff([]string{"test:rate_limited", "test:busy"}, c.obs.refused); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

// The address limit is asked only once the conversation's limit let the message through.
func TestTakeAddressLimit(t *testing.T) {
	b := convBot(t)
	addr := memstore.NewLimiter(time.Hour, 2, nil)
	c := b.Chat(bot.ChatConfig{Platform: "test", Admitter: bot.Stepwise{Limiter: memstore.NewLimiter(time.Hour, 1, nil)},
		AddrLimiter: addr})
	ctx := context.Background()
	for i, tc := range []struct {
		conv, addr string
		limited    bool
	}{
		{"a", "ip", false}, // address: 1 of 2
		{"a", "ip", true},  // the conversation's limit: the address's is not asked
		{"b", "ip", false}, // address: 2 of 2
		{"c", "ip", true},  // the address's limit
		{"d", "other", false},
	} {
		out, err := c.Take(ctx, bot.Message{Kind: bot.MsgText, Text: "hello", Limit: tc.conv, Address: tc.addr})
		if err != nil || out.Limited != tc.limited {
			t.Errorf("%d (%s from %s): limited %v, %v; want %v", i, tc.conv, tc.addr, out.Limited, err, tc.limited)
		}
	}
}

// A failing store does not stop the turn: the reply comes with an error wrapping ErrStore.
func TestTakeStoreDown(t *testing.T) {
	b := convBot(t)
	c := b.Chat(bot.ChatConfig{Platform: "test", Admitter: bot.Stepwise{Store: failingStore{}}, Store: failingStore{}})
	out, err := c.Take(context.Background(), bot.Message{Kind: bot.MsgText, Text: "How many records were leaked?", User: "u1"})
	if !errors.Is(err, bot.ErrStore) || out.Reply.Kind != bot.KindAnswer {
		t.Errorf("store down: %v, %+v; want the answer and ErrStore", err, out.Reply)
	}
}

// Usage reads nothing shared: a message without events, limit and user is not admitted.
func TestTakeUsageReadsNothing(t *testing.T) {
	b := convBot(t)
	c := b.Chat(bot.ChatConfig{Platform: "test", Admitter: admitterFunc(func() { t.Error("usage asked the Admitter") })})
	out, err := c.Take(context.Background(), bot.Message{Kind: bot.MsgUsage, Lang: faq.English})
	if err != nil || out.Reply.Kind != bot.KindUsage || len(out.Reply.Topics) == 0 || len(out.Reply.Topics) != len(out.Reply.Choices) {
		t.Errorf("usage: %+v, %v", out.Reply, err)
	}
}

type admitterFunc func()

func (f admitterFunc) Admit(context.Context, bot.Arrival) (bot.Turn, error) {
	f()
	return bot.Turn{}, nil
}

// A hand-off offers the desk, with its number to dial and whether it is open now; the phone
// numbers of the reply are the content's.
func TestTakeHandoffOffersDesk(t *testing.T) {
	c := newChat(t, 100)
	out := take(t, c, bot.Message{Kind: bot.MsgText, Text: "オペレーターと話したい"})
	r := out.Reply
	if r.Kind != bot.KindHandoff || r.Offers.Desk == nil || r.Offers.Desk.Tel != "0120455512" || !r.Offers.Desk.Open {
		t.Fatalf("hand-off: %+v (desk %+v)", r, r.Offers.Desk)
	}
	if diff := cmp.Diff([]string{"0120-455-512"}, r.Phones); diff != "" {
		t.Errorf("phones (-want +got):\n%s", diff)
	}
	out = take(t, c, bot.Message{Kind: bot.MsgText, Text: "私の番号 090-1234-5678 は漏れましたか"})
	for _, p := range out.Reply.Phones {
		if p == "090-1234-5678" {
			t.Errorf("a number the user typed is among the reply's phones: %v", out.Reply.Phones)
		}
	}
	if !out.Reply.Notices.PersonalData {
		t.Errorf("personal data not noticed: %+v", out.Reply.Notices)
	}
}

// An adapter hands each message to Take and renders the outcome: here a question, a redelivery
// of it, and the tap on "was this helpful?".
func ExampleChat_Take() {
	c, err := faq.LoadEmbedded()
	if err != nil {
		log.Fatal(err)
	}
	e, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	store := memstore.NewStore(30*time.Minute, nil)
	chat := bot.New(e, nil).Chat(bot.ChatConfig{
		Platform: "example",
		Admitter: bot.Stepwise{Seen: memstore.NewDeduper(time.Hour, 1000, nil), Store: store},
		Store:    store, Feedback: memstore.NewFeedback(),
	})
	ctx := context.Background()
	ask := bot.Message{Kind: bot.MsgText, Events: []string{"ev-1"}, User: "u1", Text: "How many records were leaked?"}
	out, err := chat.Take(ctx, ask)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Reply.Kind, out.Reply.Entry, out.Reply.Offers.Helpful.Ask)
	if out, err = chat.Take(ctx, ask); err != nil {
		log.Fatal(err)
	}
	fmt.Println("repeat:", out.Repeat)
	if out, err = chat.Take(ctx, bot.Message{Kind: bot.MsgRating, Events: []string{"ev-2"}, User: "u1", Entry: "leak-count", Helpful: true}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Reply.Kind, out.Reply.Text)
	// Output:
	// answer leak-count Was this answer helpful?
	// repeat: true
	// thanks Thank you for your feedback.
}

// feedbackLog is a FeedbackRecorder that remembers what it was given.
type feedbackLog struct {
	mu  sync.Mutex
	got []bot.Feedback
}

func (f *feedbackLog) Record(_ context.Context, fb bot.Feedback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, fb)
	return nil
}

// A rating, typed or tapped, is recorded with the question whose answer it rates, personal data
// masked — never the text typed — and cut to MaxQuestion characters; a tap on an answer that is
// not the last one shown carries no question.
func TestTakeRatingCarriesMaskedQuestion(t *testing.T) {
	ctx := context.Background()
	b := convBot(t)
	store := memstore.NewStore(time.Hour, nil)
	fbs := &feedbackLog{}
	c := b.Chat(bot.ChatConfig{Platform: "test", Store: store, Feedback: fbs})
	ask := func(text string) bot.Outcome {
		t.Helper()
		out, err := c.Take(ctx, bot.Message{Kind: bot.MsgText, User: "u1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	const phone = "090-1234-5678"
	out := ask("How do I change my password from the app? My phone is " + phone)
	if out.Reply.Kind != bot.KindAnswer || !out.Reply.Notices.PersonalData {
		t.Fatalf("question: %+v, want an answer that notices personal data", out.Reply)
	}
	masked := out.Reply.Decision.Masked
	if masked == "" || strings.Contains(masked, phone) {
		t.Fatalf("masked question %q", masked)
	}
	st, _, _ := store.Get(ctx, "u1")
	if st.Rating != out.Reply.Entry || st.Question != masked {
		t.Errorf("state %+v, want the masked question %q with the rating", st, masked)
	}
	entry := out.Reply.Entry
	if out := ask("no"); out.Reply.Kind != bot.KindThanks {
		t.Fatalf("typed rating: %+v", out.Reply)
	}
	want := []bot.Feedback{{EntryID: entry, Helpful: false, Question: masked}}
	if d := cmp.Diff(want, fbs.got); d != "" {
		t.Errorf("typed rating recorded (-want +got):\n%s", d)
	}

	// Tapped: the answer shown last is the one rated.
	long := "How many records were leaked " + strings.Repeat("really ", bot.MaxQuestion)
	out = ask(long)
	if out.Reply.Kind != bot.KindAnswer {
		t.Fatalf("long question: %+v", out.Reply)
	}
	tap, err := c.Take(ctx, bot.Message{Kind: bot.MsgRating, User: "u1", Entry: out.Reply.Entry, Helpful: false})
	if err != nil || tap.Reply.Feedback == nil {
		t.Fatalf("tap: %+v, %v", tap, err)
	}
	got := fbs.got[len(fbs.got)-1].Question
	if n := len([]rune(got)); n != bot.MaxQuestion || !strings.HasPrefix(got, "how many records were leaked really") {
		t.Errorf("tapped rating of a long question: %d characters %q, want the masked question cut to %d", n, got, bot.MaxQuestion)
	}
	// A tap on another entry than the one shown last does not know its question.
	if _, err := c.Take(ctx, bot.Message{Kind: bot.MsgRating, User: "u1", Entry: "change-password", Helpful: false}); err != nil {
		t.Fatal(err)
	}
	if q := fbs.got[len(fbs.got)-1].Question; q != "" {
		t.Errorf("rating another answer carries %q", q)
	}
}
