package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// TestImport imports a Japanese-only Shift_JIS TSV, checks it and asks it a question.
func TestImport(t *testing.T) {
	dir := t.TempDir()
	src, err := japanese.ShiftJIS.NewEncoder().String("id\t質問\t回答\n" +
		"10\t粗大ごみの出し方を教えてください。\t粗大ごみ受付センターに電話で申し込んでください。\n" +
		"11\t住民票の写しはどこで取れますか？\t市役所の市民課①番窓口で取れます。\n" +
		"12\t犬の登録はどうすればいいですか？\t生活衛生課で登録してください。\n")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "faq.tsv")
	os.WriteFile(file, []byte(src), 0o644)
	out := filepath.Join(dir, "content")

	stdout, stderr, err := runCmd(t, "", "import", "--out", out, file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.HasPrefix(stdout, "ok: "+file+": wrote 3 entries (languages ja, read as shift_jis) to "+out) {
		t.Errorf("import printed %q", stdout)
	}
	stdout, _, err = runCmd(t, "", "check", "--content", out)
	if err != nil || !strings.HasPrefix(stdout, "ok: "+out+": 3 entries") {
		t.Errorf("check: %q, %v", stdout, err)
	}
	stdout, _, err = runCmd(t, "", "ask", "--json", "--content", out, "住民票はどこで取れる？")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || r["entry"] != "11" {
		t.Errorf("ask: %s (%v), want entry 11", stdout, err)
	}

	// Again into the same directory: refused without --force, replaced with it.
	_, _, err = runCmd(t, "", "import", "--out", out, file)
	if err == nil || !strings.Contains(err.Error(), "use --force") {
		t.Errorf("import over existing content: %v", err)
	}
	if _, _, err := runCmd(t, "", "import", "--force", "--out", out, "--from", "tsv", file); err != nil {
		t.Errorf("import --force: %v", err)
	}
}

func TestImportBadRows(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "faq.csv")
	os.WriteFile(file, []byte("id,question,answer,handoff\n1,q,\"multi\nline\",yes\n1,q,a,no\n2,,a,\n3,r,b,perhaps\n"), 0o644)
	out := filepath.Join(dir, "content")
	_, stderr, err := runCmd(t, "", "import", "--out", out, file)
	var ex exitError
	if !errors.As(err, &ex) || ex != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	want := file + `:4: duplicate id "1" in en (also at line 2)` + "\n" +
		file + ":5: empty question\n" +
		file + `:6: handoff "perhaps": use true/false, yes/no or 1/0` + "\n" +
		"faqbot import: 3 problems, nothing written\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output written despite problems: %v", err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 {
		t.Errorf("left behind: %v", left)
	}
}

func TestImportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"import", "faq.csv"},
		{"import", "--out", "x"},
		{"import", "--out", "x", "faq.xlsx"},
		{"import", "--out", "x", "--lang", "fr", "faq.csv"},
	} {
		_, stderr, err := runCmd(t, "", args...)
		var ex exitError
		if !errors.As(err, &ex) || ex != 2 || !strings.Contains(stderr, "Usage: faqbot import") {
			t.Errorf("%q: err = %v, stderr %q; want usage and exit status 2", args, err, stderr)
		}
	}
}
