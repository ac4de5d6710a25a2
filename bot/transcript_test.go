package bot_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// conversations are what users say, turn by turn, in one conversation each: the replies to
// "was this helpful?", choice numbers after an ask-back, vague openers, two questions at once,
// short ASCII in a Japanese conversation, identity questions in dialect.
var conversations = []struct {
	name  string
	turns []string
}{
	{"helpful-yes", []string{"マイナンバーは漏れていませんか", "はい"}},
	{"helpful-no-polite", []string{"変更したあとのパスワードは漏れていないですか", "いいえ、役に立ちませんでした"}},
	{"yes-without-a-question", []string{"はい"}},
	{"yes-after-a-handoff", []string{"私の住所は漏れましたか", "はい"}},
	{"choice-number", []string{"パスワードを変えたい", "2"}},
	{"choice-number-ban", []string{"パスワード変更", "1番"}},
	{"choice-number-out-of-range", []string{"パスワード変更", "7"}},
	{"vague-openers", []string{"すみません", "大丈夫？", "ちょっと聞きたいんですけど"}},
	{"two-questions", []string{"パスワードの変え方を教えて。あとマイナンバーは漏れてないですか"}},
	{"two-questions-handoff-first", []string{"全部で何件漏れたんですか？それと私の電話番号も漏れたか知りたいです"}},
	{"short-ascii-in-japanese", []string{"マイナンバーは漏れましたか", "PW"}},
	{"english-conversation", []string{"Was My Number leaked?", "yes"}},
	{"dialect-identity", []string{"うちの電話番号、漏れとるんやろか", "おらの住所も漏れたべか"}},
	{"story-then-general-question", []string{"先日ニュースで知って驚きました。私も口座を持っています。全部で何件漏れたんですか？"}},
}

// TestConversations runs every conversation through the bot and compares the transcript — per
// turn the action, the entries, the choices, feedback and language, and the start of the text —
// with testdata/conversations.golden (go test ./bot -run TestConversations -update rewrites it).
func TestConversations(t *testing.T) {
	b := convBot(t)
	ctx := context.Background()
	var out bytes.Buffer
	for _, c := range conversations {
		store := memstore.NewStore(time.Hour, nil)
		fmt.Fprintf(&out, "== %s\n", c.name)
		for _, turn := range c.turns {
			r, err := b.Handle(ctx, c.name, turn, store)
			if err != nil {
				t.Fatalf("%s: %q: %v", c.name, turn, err)
			}
			fmt.Fprintf(&out, "> %s\n< %s\n", turn, describe(r))
		}
	}
	path := filepath.Join("testdata", "conversations.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("transcripts differ from %s (run with -update and review the diff):\n%s", path, lineDiff(string(want), got))
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
	text := []rune(strings.ReplaceAll(r.Body, "\n", " "))
	if len(text) > 40 {
		text = append(text[:40], '…')
	}
	fmt.Fprintf(&b, " | %s", string(text))
	return b.String()
}

// lineDiff lists the lines that differ between two transcripts.
func lineDiff(want, got string) string {
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
