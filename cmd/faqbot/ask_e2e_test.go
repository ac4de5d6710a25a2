package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/faq"
)

// runAsk runs the faqbot binary's ask with stdin as its standard input: a pipe, as from a
// shell, or the file stdin names when it starts with "/".
func runAsk(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(faqbotBinary(t), append([]string{"ask"}, args...)...)
	if strings.HasPrefix(stdin, "/") {
		f, err := os.Open(stdin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	} else {
		cmd.Stdin = strings.NewReader(stdin) // exec feeds it through a pipe
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("faqbot ask %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// TestE2EAskPiped: lines piped into the binary's ask are one conversation, as at the prompt —
// a choice's number after an ask-back picks it, "はい" after an answer is feedback — with no
// prompt; the same questions as arguments are answered each on its own.
func TestE2EAskPiped(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	app := c.Entry("change-password-app").Text[faq.Japanese].Answer
	count := c.Entry("leak-count").Text[faq.Japanese].Answer
	thanks := c.Messages.HelpfulThank.In(faq.Japanese)
	if app == "" || count == "" || thanks == "" {
		t.Fatal("the shipped content lacks the texts this test looks for")
	}

	out := runAsk(t, "パスワードを変えたい\n2\n\n何件漏れたの\nはい\n")
	for _, want := range []string{"  1. パソコン(PC)で変更\n  2. アプリで変更", app, count, thanks} {
		if !strings.Contains(out, want) {
			t.Errorf("piped conversation lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "> ") || strings.Contains(out, "Ctrl-D") {
		t.Errorf("piped conversation shows the prompt:\n%s", out)
	}

	// As arguments, "2" is a first message of its own: it picks nothing.
	if out := runAsk(t, "", "パスワードを変えたい", "2"); strings.Contains(out, app) {
		t.Errorf("ask with arguments took \"2\" as a choice:\n%s", out)
	}

	// --json keeps the conversation too, one object per answered line.
	// A rating's line names the entry rated and the question it answered, masked.
	// A follow-up picked after an ask-back answers the question asked.
	const appQ = "How do I change my password from the app? My phone is 090-1234-5678"
	const appMasked = "how do i change my password from the app? my phone is <phone>"
	js := runAsk(t, "パスワードを変えたい\n2\nいいえ\n"+appQ+"\nno\n", "--json")
	lines := strings.Split(strings.TrimSpace(js), "\n")
	type line struct {
		Action, Entry, Query string
		WasHelpful           *bool `json:"was_helpful"`
	}
	want := []line{{"ask_back", "change-password", "パスワードを変えたい", nil}, {"answer", "change-password-app", "", nil},
		{"feedback", "change-password-app", "パスワードを変えたい", new(bool)},
		{"answer", "change-password-app", appMasked, nil}, {"feedback", "change-password-app", appMasked, new(bool)}}
	if len(lines) != len(want) {
		t.Fatalf("ask --json printed %d lines, want %d:\n%s", len(lines), len(want), js)
	}
	for i, l := range lines {
		var e line
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want[i], e); d != "" {
			t.Errorf("line %d (-want +got):\n%s", i+1, d)
		}
	}
	if strings.Contains(js, "1234") {
		t.Errorf("ask --json prints the phone number:\n%s", js)
	}

	// /dev/null is no terminal: nothing to answer, no greeting, no prompt.
	if out := runAsk(t, os.DevNull); out != "" {
		t.Errorf("ask < /dev/null printed %q", out)
	}
}

// TestAskHelp: ask -h says how arguments and standard input differ.
func TestAskHelp(t *testing.T) {
	_, stderr, _ := runCmd(t, "", "ask", "-h")
	for _, want := range []string{"answered on its own", "lines of standard input are one conversation", "piped or with --json", "-content DIR"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("ask -h lacks %q:\n%s", want, stderr)
		}
	}
}
