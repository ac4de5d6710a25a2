package slack

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/faqbot/faqbot/bot/transcript"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// TestTranscript drives every conversation of bot/testdata/conversations.txt through the
// Events API as direct messages, signed as Slack signs them, one staff member (and DM
// channel) per conversation and one event per turn, waiting for each answer to be posted
// before the next turn, and writes testdata/transcript.golden: per turn the decision the
// Chat's Observer (or, for a typed "was this helpful?" answer, its FeedbackRecorder) was
// told, and the blocks posted with their buttons. Every turn is sent as typed text: on Slack
// a choice is a button click, but staff may type "2" as well, and the typed turns are what the
// bot's decisions are of. The decision lines must equal bot/testdata/decisions.golden (go
// test ./adapters/slack -run TestTranscript -update rewrites the transcript).
func TestTranscript(t *testing.T) {
	convs, err := transcript.Load(filepath.Join("..", "..", "bot", "testdata", "conversations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &transcript.Recorder{}
	h := newHarness(t, func(c *Config) { c.Observer, c.Feedback = rec, rec })
	var out bytes.Buffer
	turns := 0
	for n, c := range convs {
		user, channel := fmt.Sprintf("U0CONV%04d", n), fmt.Sprintf("D0CONV%04d", n)
		fmt.Fprintf(&out, "== %s\n", c.Name)
		for i, turn := range c.Turns {
			turns++
			ts := fmt.Sprintf("1717462800.%06d", turns)
			h.event(t, dm(fmt.Sprintf("Ev0TRANS%04d", turns), user, channel, ts, turn))
			waitFor(t, "the answer to "+c.Name, func() bool { return len(h.api.accepted(pathPost)) == turns })
			if rec.Len() != turns {
				t.Fatalf("%s: %q: %d decisions observed after %d turns", c.Name, turn, rec.Len(), turns)
			}
			fmt.Fprintf(&out, "> %s\n= %s\n", turn, transcript.Line(c.Name, i+1, rec.Reply(turns-1)))
			p := h.api.accepted(pathPost)[turns-1]
			if p.Channel != channel || p.ThreadTS != "" {
				t.Fatalf("%s: posted to %s (thread %q), want %s", c.Name, p.Channel, p.ThreadTS, channel)
			}
			for _, b := range p.Blocks {
				if b.Text != nil {
					fmt.Fprintf(&out, "< %s | %s\n", b.Type, transcript.Excerpt(b.Text.Text))
					continue
				}
				fmt.Fprintf(&out, "< %s\n", b.Type)
				for _, e := range b.Elements {
					fmt.Fprintf(&out, "  - %s %q", e.Type, transcript.Excerpt(e.text()))
					if e.Value != "" {
						fmt.Fprintf(&out, " %s", e.Value)
					}
					out.WriteString("\n")
				}
			}
		}
	}
	if err := transcript.Compare(filepath.Join("testdata", "transcript.golden"), out.Bytes(), *update); err != nil {
		t.Error(err)
	}
	if err := transcript.Equal(filepath.Join("..", "..", "bot", "testdata", "decisions.golden"),
		transcript.Decisions(out.Bytes(), "= ")); err != nil {
		t.Errorf("Slack decides differently from the bot: %v", err)
	}
}
