package transcript

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "c.txt")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := Load(write("# list\r\n== a-1\r\nはい\r\n\r\n  2 \n== b\nPW\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Conversation{{Name: "a-1", Turns: []string{"はい", "  2 "}}, {Name: "b", Turns: []string{"PW"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "# only\n", "hello\n== a\nx\n", "== a\n", "== a\nx\n== a\ny\n", "== a b\nx\n"} {
		if _, err := Load(write(bad)); err == nil {
			t.Errorf("Load(%q): no error", bad)
		}
	}
}

func TestLine(t *testing.T) {
	r := bot.Reply{Kind: bot.KindAskBack, Entry: "e", Choices: []bot.Choice{{EntryID: "e-1"}, {EntryID: "e-2"}}}
	if got, want := Line("c", 1, r), "c 1 ask_back entry=e choices=e-1,e-2 handoff=false"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	rec := &Recorder{}
	rec.Record(t.Context(), bot.Feedback{EntryID: "e", Helpful: true, Question: "q"})
	rec.Refused("web", "busy")
	var lines []string
	for i := range rec.Len() {
		lines = append(lines, Line("c", i+1, rec.Reply(i)))
	}
	want := "c 1 thanks entry=- choices=- handoff=false feedback=e:true\nc 2 refused:busy entry=- choices=- handoff=false"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("recorded:\n%s\nwant:\n%s", got, want)
	}
	if got := string(Decisions([]byte("x\n= a 1\n= a 2\n=b\n"), "= ")); got != "a 1\na 2\n" {
		t.Errorf("Decisions = %q", got)
	}
}

func TestEqual(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.golden")
	if err := os.WriteFile(p, []byte("a 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Equal(p, []byte("a 1\n")); err != nil {
		t.Error(err)
	}
	if err := Equal(p, []byte("a 2\n")); err == nil || !strings.Contains(err.Error(), "want a 1") {
		t.Errorf("Equal with another line: %v", err)
	}
}

func TestPlay(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(p, []byte("== a\nx\ny\n== b\nz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{}
	got, err := Play(p, rec, func(out io.Writer, turn Turn) {
		rec.Replied("test", bot.Reply{Kind: bot.KindAnswer, Entry: turn.Text}, 0)
		fmt.Fprintf(out, "< user %d seq %d\n", turn.User, turn.Seq)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `== a
> x
= a 1 answer entry=x choices=- handoff=false
< user 0 seq 1
> y
= a 2 answer entry=y choices=- handoff=false
< user 0 seq 2
== b
> z
= b 1 answer entry=z choices=- handoff=false
< user 1 seq 3
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Play(p, &Recorder{}, func(io.Writer, Turn) {}); err == nil {
		t.Error("Play with turns that get no reply: no error")
	}
}
