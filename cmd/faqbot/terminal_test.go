package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotATerminal: a character device that is no terminal (/dev/null), a regular file and a
// pipe are not terminals, nor is a reader that is no file; ask shows no prompt on them.
func TestNotATerminal(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "questions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for name, r := range map[string]any{
		os.DevNull: devNull, "a regular file": regular, "a pipe": pr,
		"a string reader": strings.NewReader(""), "a nil file": (*os.File)(nil),
	} {
		if isTerminal(r) {
			t.Errorf("%s counts as a terminal", name)
		}
	}

	// ask with /dev/null as its input answers nothing and shows no prompt.
	var out, errb strings.Builder
	if err := run(t.Context(), []string{"ask"}, func(string) string { return "" }, devNull, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("ask < /dev/null printed %q, want nothing", out.String())
	}
}
