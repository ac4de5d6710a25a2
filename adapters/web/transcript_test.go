package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
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
	convs, err := transcript.Load(filepath.Join("..", "..", "bot", "testdata", "conversations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &transcript.Recorder{}
	h := newHandler(t, Config{Editor: nobody, Observer: rec, Feedback: rec})
	var out bytes.Buffer
	turns := 0
	for _, c := range convs {
		conv := "transcript-conv-" + c.Name
		fmt.Fprintf(&out, "== %s\n", c.Name)
		for i, turn := range c.Turns {
			w, _ := post(t, h, "/api/ask", askRequest{Query: turn, Conversation: conv})
			if w.Code != http.StatusOK {
				t.Fatalf("%s: %q: status %d: %s", c.Name, turn, w.Code, w.Body)
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
				t.Fatalf("%s: conversation %q, want %q", c.Name, a.Conversation, conv)
			}
			if turns++; rec.Len() != turns {
				t.Fatalf("%s: %q: %d decisions observed after %d turns", c.Name, turn, rec.Len(), turns)
			}
			fmt.Fprintf(&out, "> %s\n= %s\n< lang=%s entry=%s handoff=%v", turn,
				transcript.Line(c.Name, i+1, rec.Reply(rec.Len()-1)), a.Lang, a.Entry, a.Handoff)
			if len(a.Choices) > 0 {
				fmt.Fprintf(&out, " %s:", a.ChoiceKind)
				for _, ch := range a.Choices {
					fmt.Fprintf(&out, " [%s]", ch.EntryID)
				}
			}
			if a.Helpful != nil {
				out.WriteString(" helpful?")
			}
			if a.Desk != nil {
				out.WriteString(" desk")
			}
			fmt.Fprintf(&out, " | %s\n", transcript.Excerpt(a.Body))
		}
	}
	golden := filepath.Join("testdata", "transcript.golden")
	if err := transcript.Compare(golden, out.Bytes(), *update); err != nil {
		t.Error(err)
	}
	if err := transcript.Equal(filepath.Join("..", "..", "bot", "testdata", "decisions.golden"),
		transcript.Decisions(out.Bytes(), "= ")); err != nil {
		t.Errorf("the web decides differently from the bot: %v", err)
	}
}
