package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faqbot/faqbot/faq"
)

// TestE2EDeterministic runs the evaluation of the development set and the same queries through
// ask --json --batch, each twice, in separate processes of one binary: every run builds its
// own index and trains its own models, and the outputs must be the same bytes (no map order,
// pointer, schedule or tie decides a ranking).
func TestE2EDeterministic(t *testing.T) {
	bin := faqbotBinary(t)
	const set = "../../nlu/testdata/eval/dev.tsv"
	data, err := os.ReadFile(set)
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 2 && !strings.HasPrefix(line, "#") && f[1] != "" {
			queries = append(queries, f[1])
		}
	}
	if len(queries) < 100 {
		t.Fatalf("%d queries in %s", len(queries), set)
	}
	run := func(stdin string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "FAQBOT_CONTENT=", "FAQBOT_INDEX=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("faqbot %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return out
	}
	// A content of tied entries (the same phrasing and answer, six times), among others, matched
	// by retrieval alone: which comes first is decided by the tie-break alone.
	tied := t.TempDir()
	manifest, err := fs.ReadFile(faq.Embedded(), faq.ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	matcher, err := fs.ReadFile(faq.Embedded(), faq.MatcherFile)
	if err != nil {
		t.Fatal(err)
	}
	noModel := strings.Replace(string(matcher), "max_intents: 500", "max_intents: 0", 1) // retrieval alone: tied scores stay tied
	if noModel == string(matcher) {
		t.Fatal("matcher.yaml: no max_intents to lower")
	}
	files := map[string]string{
		faq.ManifestFile: strings.Replace(string(manifest), "languages: [ja, en]", "languages: [ja]", 1),
		faq.MatcherFile:  noModel,
	}
	for i := range 6 {
		files[fmt.Sprintf("entries/t%d.yaml", i)] = fmt.Sprintf("id: t%d\nja:\n  title: 粗大ごみの出し方\n  answer: 事前に申し込みが必要です。\n", i)
	}
	for i := range 18 {
		files[fmt.Sprintf("entries/z%02d.yaml", i)] = fmt.Sprintf("id: z%02d\nja:\n  title: 窓口%d番の場所\n  answer: 本庁舎%d階です。\n", i, i, i)
	}
	for name, text := range files {
		path := filepath.Join(tied, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tiedQueries := "粗大ごみの出し方\n粗大ごみ\n出し方を知りたい\n窓口の場所\n"
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		lines int
	}{
		{"eval", "", []string{"eval", set}, 1},
		{"ask", strings.Join(queries, "\n") + "\n", []string{"ask", "--json", "--batch"}, len(queries)},
		{"ask tied", tiedQueries, []string{"ask", "--json", "--batch", "--content", tied}, 4},
	} {
		first, second := run(c.stdin, c.args...), run(c.stdin, c.args...)
		if n := bytes.Count(first, []byte("\n")); n < c.lines {
			t.Fatalf("%s: %d lines of output, want at least %d", c.name, n, c.lines)
		}
		if !bytes.Equal(first, second) {
			a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("%s: the runs differ first at line %d:\n%s\n%s", c.name, i+1, a[i], b[i])
				}
			}
			t.Fatalf("%s: the runs differ in length (%d and %d lines)", c.name, len(a), len(b))
		}
	}
}
