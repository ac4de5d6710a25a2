package line

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
// webhook, signed as LINE signs it, one LINE user (1:1 chat) per conversation and one webhook
// per turn, waiting for each reply to go out before the next turn, and writes
// testdata/transcript.golden: per turn the decision the Chat's Observer (or, for a typed "was
// this helpful?" answer, its FeedbackRecorder) was told, and the messages replied with their
// quick replies. Every turn is sent as typed text: a LINE user taps a choice's quick reply
// (a postback), but may type "2" as well, and the typed turns are what the bot's decisions
// are of. The decision lines must equal bot/testdata/decisions.golden (go test
// ./adapters/line -run TestTranscript -update rewrites the transcript).
func TestTranscript(t *testing.T) {
	rec := &transcript.Recorder{}
	h := newHarnessOver(t, shippedBot(t), func(c *Config) { c.Observer, c.Feedback = rec, rec })
	transcript.Adapter(t, rec, *update, func(out io.Writer, turn transcript.Turn) {
		id := fmt.Sprintf("01TRANSCRIPT%04d", turn.Seq)
		h.send(t, textEvent(id, "tok-"+id, userID(9000+turn.User), turn.Text))
		platformtest.WaitFor(t, "the reply to "+turn.Conversation, func() bool { return len(h.api.Accepted(pathReply)) == turn.Seq })
		sent := h.api.Accepted(pathReply)[turn.Seq-1]
		if sent.Req.ReplyToken != "tok-"+id {
			t.Fatalf("%+v: reply with token %q, want tok-%s", turn, sent.Req.ReplyToken, id)
		}
		for _, m := range sent.Req.Messages {
			fmt.Fprintf(out, "< %s | %s\n", m.Type, transcript.Excerpt(m.Text))
			for _, it := range m.Items() {
				fmt.Fprintf(out, "  - %s %q %s%s\n", it.Action.Type, it.Action.Label, it.Action.Data, it.Action.URI)
			}
		}
	})
}
