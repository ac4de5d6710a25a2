package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(string) string { return "" }
	err = run(context.Background(), args, env, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCheckEmbedded(t *testing.T) {
	out, _, err := runCmd(t, "", "check")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "ok: embedded: 12 entries") || strings.Count(out, "\n") != 1 {
		t.Errorf("check printed %q, want a one-line summary", out)
	}
}

// copyContent copies the embedded content tree into a temporary directory.
func copyContent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "faq", "content")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckUnknownField: faqbot check decodes content files and faqbot.yaml strictly, and
// names a key nothing takes at its line.
func TestCheckUnknownField(t *testing.T) {
	dir := copyContent(t)
	manifest := filepath.Join(dir, "faqbot.yaml")
	b, _ := os.ReadFile(manifest)
	os.WriteFile(manifest, []byte(strings.Replace(string(b), "languages: [ja, en]", "languages: [ja, en]\nlangs: [ja]", 1)), 0o644)
	entry := filepath.Join(dir, "entries", "my-number.yaml")
	b, _ = os.ReadFile(entry)
	os.WriteFile(entry, append(b, "secton: x\n"...), 0o644)
	entryLines := strings.Count(string(b), "\n") + 1

	out, _, err := runCmd(t, "", "check", "--content", dir)
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 {
		t.Fatalf("err = %v, want exit status 1:\n%s", err, out)
	}
	for _, want := range []string{
		manifest + `:5: unknown field "langs" (expected one of languages, desk, brand, messages)`,
		fmt.Sprintf(`%s:%d: unknown field "secton" (expected one of id, section, `, entry, entryLines),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckBrokenContent(t *testing.T) {
	dir := copyContent(t)
	entry := filepath.Join(dir, "entries", "my-number.yaml")
	b, _ := os.ReadFile(entry)
	broken := strings.Replace(string(b), "id: my-number", "id: leak-count", 1)
	os.WriteFile(entry, []byte(broken), 0o644)
	os.WriteFile(filepath.Join(dir, "entries", "zz-sjis.yaml"), []byte("id: zz\nja:\n  title: \x8e\xbf\x96\xe2\n"), 0o644)
	// A placeholder misspelt in a message ({phon} for {phone}) is reported at its line.
	manifest := filepath.Join(dir, "faqbot.yaml")
	m, _ := os.ReadFile(manifest)
	typo := strings.Replace(string(m), "fallback:\n    ja: |-\n      ", "fallback:\n    ja: |-\n      {phon} ", 1)
	if typo == string(m) {
		t.Fatal("faqbot.yaml has no Japanese fallback block to misspell a placeholder in")
	}
	os.WriteFile(manifest, []byte(typo), 0o644)
	typoLine := strings.Count(typo[:strings.Index(typo, "{phon}")], "\n") + 1

	out, _, err := runCmd(t, "", "check", "--content", dir)
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	for _, want := range []string{
		filepath.Join(dir, "entries", "my-number.yaml") + ":1: duplicate id \"leak-count\"",
		filepath.Join(dir, "entries", "zz-sjis.yaml") + ":3: not valid UTF-8",
		fmt.Sprintf("%s:%d: messages: fallback (ja): unknown placeholder {phon} (this message can use {desk}, {phone}, {hours})",
			manifest, typoLine),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAskJSON(t *testing.T) {
	out, _, err := runCmd(t, "", "ask", "--json", "ﾏｲﾅﾝﾊﾞｰは漏れましたか？", "パスワード変えたい",
		"私の電話番号 090-1234-5678 は漏れた?", "今日の天気は?")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(lines), out)
	}
	var res []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		for _, k := range []string{"query", "lang", "entry", "handoff", "score", "suggestions", "pii", "answer"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
		res = append(res, m)
	}
	if res[0]["entry"] != "my-number" || res[0]["handoff"] != false {
		t.Errorf("first answer: %v", res[0])
	}
	if res[1]["entry"] != "change-password" || len(res[1]["followups"].([]any)) != 2 {
		t.Errorf("ask-back: %v", res[1])
	}
	if res[2]["handoff"] != true || !strings.Contains(res[2]["answer"].(string), "0120-455-512") {
		t.Errorf("hand-off: %v", res[2])
	}
	if strings.Contains(out, "1234-5678") {
		t.Errorf("personal data echoed:\n%s", out)
	}
	if pii := res[2]["pii"].([]any); len(pii) != 1 || pii[0] != "phone" {
		t.Errorf("pii = %v", pii)
	}
	if res[3]["entry"] != "" {
		t.Errorf("off-topic answered: %v", res[3])
	}
}

func TestAskStdin(t *testing.T) {
	out, _, err := runCmd(t, "何件漏れたの\n\nHow many records were leaked?\n", "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (blank lines skipped):\n%s", len(lines), out)
	}
	for i, lang := range []string{"ja", "en"} {
		var m map[string]any
		json.Unmarshal([]byte(lines[i]), &m)
		if m["entry"] != "leak-count" || m["lang"] != lang {
			t.Errorf("line %d: %v", i, m)
		}
	}
	// Plain text: the reply as the user sees it.
	out, _, err = runCmd(t, "", "ask", "何件漏れたの")
	if err != nil || !strings.Contains(out, "112,364") {
		t.Errorf("plain ask: %q, %v", out, err)
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "e.tsv")
	os.WriteFile(file, []byte("# comment\nleak-count\t何件漏れたの\nhelpline\t私の住所は漏れた?\nfallback\t今日の天気は?\nchange-password\tパソコンでパスワードを変えたい\nmy-number\t今日の天気は?\n"), 0o644)
	out, _, err := runCmd(t, "", "eval", file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "accuracy: 0.800 (4/5)") || !strings.Contains(out, "my-number -> fallback") {
		t.Errorf("eval output:\n%s", out)
	}
	_, _, err = runCmd(t, "", "eval", "--min", "0.9", file)
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 {
		t.Errorf("eval --min 0.9: err = %v, want exit status 1", err)
	}
	os.WriteFile(file, []byte("nonsense-id\tquery\n"), 0o644)
	if _, _, err := runCmd(t, "", "eval", file); err == nil || !strings.Contains(err.Error(), "unknown label") {
		t.Errorf("unknown label: err = %v", err)
	}
}

func TestUsage(t *testing.T) {
	_, errOut, err := runCmd(t, "", "frobnicate")
	if !errors.Is(err, exitError(2)) || !strings.Contains(errOut, "unknown command") {
		t.Errorf("err = %v, stderr %q", err, errOut)
	}
}

func TestConverse(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var buf bytes.Buffer
	out := bufio.NewWriter(&buf)
	in := strings.NewReader("パスワードを変えたい\nアプリ\nパスワードを変えたい\n1\n")
	if err := converse(context.Background(), bot.New(eng, nil), in, out, true, false); err != nil {
		t.Fatal(err)
	}
	out.Flush()
	got := buf.String()
	for _, want := range []string{"1. パソコン(PC)で変更", "ポケトラにログイン", "画面右上の [ お客様情報 ]"} {
		if !strings.Contains(got, want) {
			t.Errorf("conversation lacks %q:\n%s", want, got)
		}
	}
}

// Piped input is one conversation too, as at the prompt: a choice by number, a follow-up.
func TestAskPipedConversation(t *testing.T) {
	out, _, err := runCmd(t, "パスワードを変えたい\n2\nパスワードを変えたい\nPC\n", "ask")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  1. パソコン(PC)で変更", "ポケトラにログイン", "画面右上の [ お客様情報 ]"} {
		if !strings.Contains(out, want) {
			t.Errorf("piped conversation lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "> ") {
		t.Errorf("piped conversation shows the prompt:\n%s", out)
	}
	js, _, err := runCmd(t, "パスワードを変えたい\n1\n", "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(js), "\n"); len(lines) != 2 || !strings.Contains(lines[1], `"entry":"change-password-pc"`) {
		t.Errorf("ask --json on piped choices:\n%s", js)
	}
}

// report -h prints report's own usage: its synopsis and what it reads, its source flags in its
// own words, none of serve's.
func TestReportHelp(t *testing.T) {
	_, stderr, err := runCmd(t, "", "report", "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("report -h: err = %v, want flag.ErrHelp", err)
	}
	if !strings.HasPrefix(stderr, "Usage: faqbot report [--since DURATION] [--redis URL | --data DIR]") ||
		!strings.Contains(stderr, "Prints, for editors,") {
		t.Errorf("report -h is not report's usage:\n%s", stderr)
	}
	if !strings.Contains(stderr, "read the journal in the data DIR") || strings.Contains(stderr, "redis-pipeline") ||
		strings.Contains(stderr, "keep feedback") {
		t.Errorf("report -h shows serve's flags:\n%s", stderr)
	}
}

// The progress line is rewritten in place: each report returns to the start of the line,
// writes, and clears what a longer line before left ("1.9s" then "2s" had read "2ss"); the
// last of a stage ends the line.
func TestProgressLineClears(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	p := progressPrinter(&buf, func() time.Time { return clock })
	for _, step := range []struct {
		after time.Duration
		faq.Progress
	}{
		{1900 * time.Millisecond, faq.Progress{Stage: "analyse", Done: 9, Total: 10}},
		{100 * time.Millisecond, faq.Progress{Stage: "analyse", Done: 10, Total: 10}},
		{500 * time.Millisecond, faq.Progress{Stage: "index", Done: 5, Total: 10}},
	} {
		clock = clock.Add(step.after)
		p(step.Progress)
	}
	want := "\ranalyse: 9/10 phrasings (90%) 1.9s\x1b[K" +
		"\ranalyse: 10/10 phrasings (100%) 2s\x1b[K\n" +
		"\rindex: 5/10 phrasings (50%) 2.5s\x1b[K"
	if got := buf.String(); got != want {
		t.Errorf("progress wrote\n%q\nwant\n%q", got, want)
	}
}
