package bot_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/bot/transcript"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// conversations is the list of conversations every golden transcript runs through: the bot's
// here, and each adapter's (adapters/*/transcript_test.go read the same file).
const conversations = "testdata/conversations.txt"

// TestConversations runs every conversation through the bot and compares the transcript — per
// turn the action, the entries, the choices, feedback and language, and the start of the text —
// with testdata/conversations.golden (go test ./bot -run TestConversations -update rewrites it).
func TestConversations(t *testing.T) {
	convs, err := transcript.Load(conversations)
	if err != nil {
		t.Fatal(err)
	}
	b := convBot(t)
	ctx := context.Background()
	var out bytes.Buffer
	for _, c := range convs {
		store := memstore.NewStore(time.Hour, nil)
		fmt.Fprintf(&out, "== %s\n", c.Name)
		for _, turn := range c.Turns {
			r, err := b.Handle(ctx, c.Name, turn, store)
			if err != nil {
				t.Fatalf("%s: %q: %v", c.Name, turn, err)
			}
			fmt.Fprintf(&out, "> %s\n< %s\n", turn, describe(r))
		}
	}
	if err := transcript.Compare(filepath.Join("testdata", "conversations.golden"), out.Bytes(), *update); err != nil {
		t.Error(err)
	}
}

// TestDecisions runs every conversation through bot.Chat.Take over the shipped FAQ with an
// in-memory store, one user per conversation, and compares the decision of each turn with
// testdata/decisions.golden: the platform-neutral lines that every adapter's transcript test
// must reproduce through its own entry point (go test ./bot -run TestDecisions -update
// rewrites it). The decisions a transcript.Recorder captures through the Chat's Observer and
// FeedbackRecorder, as the adapters capture them, must be the same lines.
func TestDecisions(t *testing.T) {
	convs, err := transcript.Load(conversations)
	if err != nil {
		t.Fatal(err)
	}
	rec := &transcript.Recorder{}
	chat := convBot(t).Chat(bot.ChatConfig{Platform: "test", Store: memstore.NewStore(time.Hour, nil),
		Observer: rec, Feedback: rec})
	ctx := context.Background()
	var taken, observed bytes.Buffer
	turns := 0
	for _, c := range convs {
		for i, turn := range c.Turns {
			out, err := chat.Take(ctx, bot.Message{Kind: bot.MsgText, User: "test:" + c.Name, Text: turn})
			if err != nil {
				t.Fatalf("%s: %q: %v", c.Name, turn, err)
			}
			if out.Repeat || out.Limited || out.Reply.Kind == "" {
				t.Fatalf("%s: %q: outcome %+v, want a reply", c.Name, turn, out)
			}
			fmt.Fprintln(&taken, transcript.Line(c.Name, i+1, out.Reply))
			if turns++; rec.Len() != turns {
				t.Fatalf("%s: %q: %d replies observed after %d turns", c.Name, turn, rec.Len(), turns)
			}
			fmt.Fprintln(&observed, transcript.Line(c.Name, i+1, rec.Reply(rec.Len()-1)))
		}
	}
	if diff := transcript.Diff(taken.String(), observed.String()); diff != "" {
		t.Errorf("observed decisions differ from Take's outcomes:\n%s", diff)
	}
	if err := transcript.Compare(filepath.Join("testdata", "decisions.golden"), taken.Bytes(), *update); err != nil {
		t.Error(err)
	}
}

// describe is one reply as a transcript line.
func describe(r bot.Reply) string {
	d := r.Decision
	var b strings.Builder
	fmt.Fprintf(&b, "%s lang=%s", d.Action, r.Lang)
	if d.Entry != nil {
		fmt.Fprintf(&b, " entry=%s", d.Entry.ID)
	}
	if d.Also != nil {
		fmt.Fprintf(&b, " also=%s", d.Also.ID)
	}
	if r.Handoff {
		b.WriteString(" handoff")
	}
	if fb := r.Feedback; fb != nil {
		fmt.Fprintf(&b, " feedback=%s:%v", fb.EntryID, fb.Helpful)
	}
	for _, c := range r.Choices {
		fmt.Fprintf(&b, " [%s]", c.EntryID)
	}
	fmt.Fprintf(&b, " | %s", transcript.Excerpt(r.Body))
	return b.String()
}
