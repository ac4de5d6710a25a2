package slack

import (
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/faqbot/faqbot/adapters/platformtest"
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
	rec := &transcript.Recorder{}
	h := newHarnessOver(t, shippedBot(t), func(c *Config) { c.Observer, c.Feedback = rec, rec })
	transcript.Adapter(t, rec, *update, func(out io.Writer, turn transcript.Turn) {
		user, channel := fmt.Sprintf("U0CONV%04d", turn.User), fmt.Sprintf("D0CONV%04d", turn.User)
		ts := fmt.Sprintf("1717462800.%06d", turn.Seq)
		h.event(t, dm(fmt.Sprintf("Ev0TRANS%04d", turn.Seq), user, channel, ts, turn.Text))
		platformtest.WaitFor(t, "the answer to "+turn.Conversation, func() bool { return len(h.api.Accepted(pathPost)) == turn.Seq })
		p := h.api.Accepted(pathPost)[turn.Seq-1]
		if p.Channel != channel || p.ThreadTS != "" {
			t.Fatalf("%+v: posted to %s (thread %q), want %s", turn, p.Channel, p.ThreadTS, channel)
		}
		for _, b := range p.Blocks {
			if b.Text != nil {
				fmt.Fprintf(out, "< %s | %s\n", b.Type, transcript.Excerpt(b.Text.Text))
				continue
			}
			fmt.Fprintf(out, "< %s\n", b.Type)
			for _, e := range b.Elements {
				fmt.Fprintf(out, "  - %s %q", e.Type, transcript.Excerpt(e.TextOf()))
				if e.Value != "" {
					fmt.Fprintf(out, " %s", e.Value)
				}
				io.WriteString(out, "\n")
			}
		}
	})
}
