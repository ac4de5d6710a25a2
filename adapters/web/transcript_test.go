package web

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/transcript"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// TestTranscript drives every conversation of bot/testdata/conversations.txt through POST
// /api/ask, one conversation id per conversation, as a customer's page sends them (everything
// typed: the web sends a tap as a choice, but a customer may type "2" as well), and writes
// testdata/transcript.golden: per turn the decision the Chat's Observer (or, for a typed
// "was this helpful?" answer, its FeedbackRecorder) was told, and what the page received.
// The decision lines must equal bot/testdata/decisions.golden: the web decides as the bot
// does (go test ./adapters/web -run TestTranscript -update rewrites the transcript).
func TestTranscript(t *testing.T) {
	rec := &transcript.Recorder{}
	h := newHandlerOver(t, shippedBot(t), Config{Editor: nobody, Observer: rec, Feedback: rec})
	transcript.Adapter(t, rec, *update, func(out io.Writer, turn transcript.Turn) {
		conv := "transcript-conv-" + turn.Conversation
		w, _ := post(t, h, "/api/ask", askRequest{Query: turn.Text, Conversation: conv})
		if w.Code != http.StatusOK {
			t.Fatalf("%+v: status %d: %s", turn, w.Code, w.Body)
		}
		var a struct {
			Conversation, Lang, Entry, Body string
			Handoff                         bool
			Choices                         []bot.Choice
			ChoiceKind                      string `json:"choice_kind"`
			Helpful, Desk                   json.RawMessage
		}
		if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if a.Conversation != conv {
			t.Fatalf("%+v: conversation %q, want %q", turn, a.Conversation, conv)
		}
		fmt.Fprintf(out, "< lang=%s entry=%s handoff=%v", a.Lang, a.Entry, a.Handoff)
		if len(a.Choices) > 0 {
			fmt.Fprintf(out, " %s:", a.ChoiceKind)
			for _, ch := range a.Choices {
				fmt.Fprintf(out, " [%s]", ch.EntryID)
			}
		}
		if a.Helpful != nil {
			io.WriteString(out, " helpful?")
		}
		if a.Desk != nil {
			io.WriteString(out, " desk")
		}
		fmt.Fprintf(out, " | %s\n", transcript.Excerpt(a.Body))
	})
}
