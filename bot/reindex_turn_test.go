package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

// pausingStore is a conversation store that, once armed, stops in Get or Put until released:
// a shared store answering slowly while a reindex happens.
type pausingStore struct {
	*memstore.Store
	in             string // "get" or "put": where to stop ("" never)
	paused, resume chan struct{}
}

func (s *pausingStore) pause(where string) {
	if s.in == where {
		s.in = ""
		close(s.paused)
		<-s.resume
	}
}

func (s *pausingStore) Get(ctx context.Context, user string) (bot.State, bool, error) {
	s.pause("get")
	return s.Store.Get(ctx, user)
}

func (s *pausingStore) Put(ctx context.Context, user string, st bot.State) error {
	s.pause("put")
	return s.Store.Put(ctx, user, st)
}

// editedContent is the shipped content with the "was this helpful?" question and leak-count's
// English answer marked: another version, told apart in every part of a reply.
func editedContent(t *testing.T, marker string) *faq.Content {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, faq.Embedded()); err != nil {
		t.Fatal(err)
	}
	edit := func(file, old, new string) {
		t.Helper()
		p := filepath.Join(dir, file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s lacks %q", file, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("faqbot.yaml", "en: Was this answer helpful?", "en: Was this answer helpful? "+marker)
	c, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	en := c.Entry("leak-count")
	if en == nil {
		t.Fatal("no leak-count")
	}
	tx := en.Text[faq.English]
	tx.Answer = marker + " " + tx.Answer
	en.Text[faq.English] = tx
	return c
}

// TestTakeDuringReindex: a reindex that swaps the content while a turn waits for the shared
// store — before deciding (Get) or after (Put) — does not reach into that turn: its entry,
// text, offers, messages and version all come from the engine it started on (that Reloader
// closes an engine only once its turns are done is TestReloaderSwapsWhileAnswering's). The
// next turn is all the new content's.
func TestTakeDuringReindex(t *testing.T) {
	ctx := context.Background()
	const marker = "NEW-CONTENT"
	old := engine(t)
	oldAnswer := old.Content.Entry("leak-count").Text[faq.English].Answer
	oldAsk := old.Content.Messages.HelpfulAsk.In(faq.English)
	newEngine, err := bot.NewEngine(ctx, editedContent(t, marker), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { newEngine.Close() })
	if newEngine.Version == old.Version {
		t.Fatal("the edited content has the shipped version")
	}
	for _, tc := range []struct {
		name, in string
		m        bot.Message
	}{
		{"question, store slow to read", "get", bot.Message{Kind: bot.MsgText, Text: "How many records were leaked?"}},
		{"question, store slow to write", "put", bot.Message{Kind: bot.MsgText, Text: "How many records were leaked?"}},
		{"tap on a choice, store slow to read", "get", bot.Message{Kind: bot.MsgChoice, Entry: "leak-count", Lang: faq.English}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bot.New(old, nil)
			store := &pausingStore{Store: memstore.NewStore(time.Hour, nil), in: tc.in, paused: make(chan struct{}), resume: make(chan struct{})}
			chat := b.Chat(bot.ChatConfig{Platform: "test", Store: store})

			m := tc.m
			m.User = "u1"
			took := make(chan bot.Outcome, 1)
			go func() {
				out, err := chat.Take(ctx, m)
				if err != nil {
					t.Error(err)
				}
				took <- out
			}()
			<-store.paused
			if prev := b.Swap(newEngine); prev != old { // the reindex, while the turn waits
				t.Fatalf("swapped out %v, want the shipped engine", prev)
			}
			close(store.resume)
			out := <-took

			r := out.Reply
			if out.Version != old.Version || r.Kind != bot.KindAnswer || r.Entry != "leak-count" ||
				r.Text != oldAnswer || r.Offers.Helpful == nil || r.Offers.Helpful.Ask != oldAsk ||
				out.Messages.HelpfulAsk.In(faq.English) != oldAsk {
				t.Errorf("turn across the reindex: version %s (old %s), %s %s, text %q, helpful %+v, messages' ask %q; want all of the old content",
					out.Version, old.Version, r.Kind, r.Entry, r.Text, r.Offers.Helpful, out.Messages.HelpfulAsk.In(faq.English))
			}

			// The next turn is the new content's, whole.
			m.User = "u2"
			next, err := chat.Take(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			r = next.Reply
			if next.Version != newEngine.Version || !strings.HasPrefix(r.Text, marker) || r.Offers.Helpful == nil ||
				!strings.HasSuffix(r.Offers.Helpful.Ask, marker) || !strings.HasSuffix(next.Messages.HelpfulAsk.In(faq.English), marker) {
				t.Errorf("turn after the reindex: version %s, text %q, helpful %+v; want all of the new content", next.Version, r.Text, r.Offers.Helpful)
			}
		})
	}
}
