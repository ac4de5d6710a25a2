package line

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
// webhook, signed as LINE signs it, one LINE user (1:1 chat) per conversation and one webhook
// per turn, waiting for each reply to go out before the next turn, and writes
// testdata/transcript.golden: per turn the decision the Chat's Observer (or, for a typed "was
// this helpful?" answer, its FeedbackRecorder) was told, and the messages replied with their
// quick replies. Every turn is sent as typed text: a LINE user taps a choice's quick reply
// (a postback), but may type "2" as well, and the typed turns are what the bot's decisions
// are of. The decision lines must equal bot/testdata/decisions.golden (go test
// ./adapters/line -run TestTranscript -update rewrites the transcript).
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
		from := userID(9000 + n)
		fmt.Fprintf(&out, "== %s\n", c.Name)
		for i, turn := range c.Turns {
			turns++
			id := fmt.Sprintf("01TRANSCRIPT%04d", turns)
			h.send(t, textEvent(id, "tok-"+id, from, turn))
			waitFor(t, "the reply to "+c.Name, func() bool { return len(h.api.accepted(pathReply)) == turns })
			if rec.Len() != turns {
				t.Fatalf("%s: %q: %d decisions observed after %d turns", c.Name, turn, rec.Len(), turns)
			}
			fmt.Fprintf(&out, "> %s\n= %s\n", turn, transcript.Line(c.Name, i+1, rec.Reply(turns-1)))
			sent := h.api.accepted(pathReply)[turns-1]
			if sent.Req.ReplyToken != "tok-"+id {
				t.Fatalf("%s: reply with token %q, want tok-%s", c.Name, sent.Req.ReplyToken, id)
			}
			for _, m := range sent.Req.Messages {
				fmt.Fprintf(&out, "< %s | %s\n", m.Type, transcript.Excerpt(m.Text))
				for _, it := range m.items() {
					fmt.Fprintf(&out, "  - %s %q %s%s\n", it.Action.Type, it.Action.Label, it.Action.Data, it.Action.URI)
				}
			}
		}
	}
	if err := transcript.Compare(filepath.Join("testdata", "transcript.golden"), out.Bytes(), *update); err != nil {
		t.Error(err)
	}
	if err := transcript.Equal(filepath.Join("..", "..", "bot", "testdata", "decisions.golden"),
		transcript.Decisions(out.Bytes(), "= ")); err != nil {
		t.Errorf("LINE decides differently from the bot: %v", err)
	}
}
