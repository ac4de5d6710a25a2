// Package transcript holds what the golden conversation tests of bot and of every adapter
// share: the list of conversations (bot/testdata/conversations.txt), the platform-neutral
// decision line of a reply, a Recorder that captures the decisions through the hooks a
// bot.Chat is given (bot.Observer, bot.FeedbackRecorder), and the comparison with a golden
// file. The same conversation through LINE, Slack and the web must give the same lines.
//
// It imports bot only; nothing but tests imports it.
package transcript

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
)

// Conversation is what one user says, turn by turn.
type Conversation struct {
	Name  string
	Turns []string
}

// Load reads a list of conversations: a line "== name" starts a conversation, each other
// non-empty line is one turn of it, as typed; lines starting with "#" are comments (so no turn
// starts with "#"). Names are letters, digits and "-", at most 40 of them, and unique.
func Load(path string) ([]Conversation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("transcript: load: %w", err)
	}
	var out []Conversation
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "", strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "== "):
			name := strings.TrimSpace(strings.TrimPrefix(line, "== "))
			if !validName(name) || seen[name] {
				return nil, fmt.Errorf("transcript: load %s:%d: invalid or repeated name %q", path, n, name)
			}
			seen[name] = true
			out = append(out, Conversation{Name: name})
		case len(out) == 0:
			return nil, fmt.Errorf("transcript: load %s:%d: a turn before the first \"== name\"", path, n)
		default:
			out[len(out)-1].Turns = append(out[len(out)-1].Turns, line)
		}
	}
	for _, c := range out {
		if len(c.Turns) == 0 {
			return nil, fmt.Errorf("transcript: load %s: conversation %s has no turns", path, c.Name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("transcript: load %s: no conversations", path)
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Turn is one turn of a conversation as Play hands it to a platform.
type Turn struct {
	// Conversation is the conversation's name; User numbers it (from 0): one user each.
	Conversation string
	User         int
	// N is the turn's number in its conversation, Seq across all of them (both from 1).
	N, Seq int
	// Text is what the user types.
	Text string
}

// Play runs every conversation of the list at path through a platform: say sends each turn and
// returns once its reply has gone out, having written what the platform sent to out. The
// transcript Play returns has per conversation a line "== name", and per turn "> " and what
// was typed, "= " and the decision of the reply rec was told of (Line), then what say wrote.
// Each turn must give rec exactly one reply.
func Play(path string, rec *Recorder, say func(out io.Writer, t Turn)) ([]byte, error) {
	convs, err := Load(path)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	seq := 0
	for u, c := range convs {
		fmt.Fprintf(&b, "== %s\n", c.Name)
		for i, text := range c.Turns {
			seq++
			var sent bytes.Buffer
			say(&sent, Turn{Conversation: c.Name, User: u, N: i + 1, Seq: seq, Text: text})
			if rec.Len() != seq {
				return nil, fmt.Errorf("transcript: play %s turn %d: %d replies told after %d turns", c.Name, i+1, rec.Len(), seq)
			}
			fmt.Fprintf(&b, "> %s\n= %s\n", text, Line(c.Name, i+1, rec.Reply(seq-1)))
			b.Write(sent.Bytes())
		}
	}
	return b.Bytes(), nil
}

// Check compares a transcript of Play with its golden file (rewritten first when update is
// set) and its decision lines with decisions, bot's decisions.golden, which it never rewrites.
func Check(golden, decisions string, got []byte, update bool) error {
	err := Compare(golden, got, update)
	if e := Equal(decisions, Decisions(got, "= ")); e != nil {
		err = errors.Join(err, fmt.Errorf("decided differently from the bot: %w", e))
	}
	return err
}

// Adapter runs the conversations of bot/testdata/conversations.txt through an adapter, from the
// adapter's package directory (adapters/NAME, as go test runs it): Play, then Check against
// the adapter's testdata/transcript.golden (rewritten when update is set) and bot's
// decisions.golden. A failure to play is fatal; a difference is reported as an error.
func Adapter(tb testing.TB, rec *Recorder, update bool, say func(out io.Writer, t Turn)) {
	tb.Helper()
	botdata := filepath.Join("..", "..", "bot", "testdata")
	got, err := Play(filepath.Join(botdata, "conversations.txt"), rec, say)
	if err != nil {
		tb.Fatal(err)
	}
	if err := Check(filepath.Join("testdata", "transcript.golden"), filepath.Join(botdata, "decisions.golden"), got, update); err != nil {
		tb.Error(err)
	}
}

// Line is the decision of one reply, the same on every platform: conversation, turn (from
// 1), reply kind, entry, the entries of the choices, hand-off, and the rating a typed "was
// this helpful?" answer carried.
func Line(conversation string, turn int, r bot.Reply) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s entry=%s choices=", conversation, turn, r.Kind, or(r.Entry, "-"))
	if len(r.Choices) == 0 {
		b.WriteString("-")
	}
	for i, c := range r.Choices {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(c.EntryID)
	}
	fmt.Fprintf(&b, " handoff=%v", r.Handoff)
	if fb := r.Feedback; fb != nil {
		fmt.Fprintf(&b, " feedback=%s:%v", fb.EntryID, fb.Helpful)
	}
	return b.String()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Excerpt is the start of a reply's text for a transcript: its first 40 characters, on one
// line.
func Excerpt(text string) string {
	r := []rune(strings.ReplaceAll(text, "\n", " "))
	if len(r) > 40 {
		r = append(r[:40], '…')
	}
	return string(r)
}

// Recorder is a bot.Observer and a bot.FeedbackRecorder that keeps, in order, every reply it
// is told of. A typed answer to "was this helpful?" is not observed as a reply (bot.Chat.Take
// records it instead), so Record keeps it as the reply Take gives it: KindThanks with the
// feedback. A refusal is kept as a reply of kind "refused:" + reason. It is safe for
// concurrent use.
type Recorder struct {
	mu      sync.Mutex
	replies []bot.Reply
}

// Replied keeps r.
func (rec *Recorder) Replied(_ string, r bot.Reply, _ time.Duration) { rec.add(r) }

// Refused keeps a reply of kind "refused:" + reason.
func (rec *Recorder) Refused(_, reason string) {
	rec.add(bot.Reply{Kind: bot.ReplyKind("refused:" + reason)})
}

// Record keeps the thanks for f.
func (rec *Recorder) Record(_ context.Context, f bot.Feedback) error {
	f.Question = "" // the masked question is the store's business, not a decision
	rec.add(bot.Reply{Kind: bot.KindThanks, Feedback: &f})
	return nil
}

func (rec *Recorder) add(r bot.Reply) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.replies = append(rec.replies, r)
}

// Len is how many replies were kept.
func (rec *Recorder) Len() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.replies)
}

// Reply is the i-th reply kept (from 0).
func (rec *Recorder) Reply(i int) bot.Reply {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.replies[i]
}

// Compare compares got with the golden file at path, after rewriting it with got when update
// is set; the error lists the lines that differ.
func Compare(path string, got []byte, update bool) error {
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			return err
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		return fmt.Errorf("%s differs (run with -update and review the diff):\n%s", path, Diff(string(want), string(got)))
	}
	return nil
}

// Equal compares got with the file at path, which it never rewrites: an adapter's decisions
// with bot's decisions.golden.
func Equal(path string, got []byte) error {
	want, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(want, got) {
		return fmt.Errorf("not as in %s:\n%s", path, Diff(string(want), string(got)))
	}
	return nil
}

// Decisions are the lines of a transcript that start with prefix, prefix cut: the decision
// lines an adapter's transcript carries.
func Decisions(transcript []byte, prefix string) []byte {
	var out bytes.Buffer
	for line := range strings.SplitSeq(string(transcript), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			out.WriteString(rest + "\n")
		}
	}
	return out.Bytes()
}

// Diff lists the lines that differ between two transcripts.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, a, c)
		}
	}
	return b.String()
}
