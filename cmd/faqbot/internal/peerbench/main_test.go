package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCollect(t *testing.T) {
	eval := write(t, "dev.tsv", "# --- a comment ---\nentry-a\tパスワードを変えたい\tcasual\nentry-b\tパスワードを変えたい\tdup\n\nentry-c\t住所は漏れましたか\tplain\n")
	faqTSV := write(t, "faq.tsv", "id\tquestion\tanswer\n1\t住民票の写しは？\t窓口で受け付けます。郵送でも、電話では受け付けません。\n2\t短い\t窓口で受け付けます。\n")
	got, err := collect([]string{eval, faqTSV}, false, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"パスワードを変えたい", "住所は漏れましたか", "住民票の写しは？", "窓口で受け付けます", "郵送でも、電話では受け付けません", "郵送でも", "電話では受け付けません"}
	if !slices.Equal(got, want) {
		t.Errorf("collect = %q\nwant %q", got, want)
	}
	// "短い" is under four characters; duplicates count once: there are only 7.
	if _, err := collect([]string{eval, faqTSV}, false, 8); err == nil || !strings.Contains(err.Error(), "hold 7") {
		t.Errorf("collect of 8 = %v, want an error saying the sources hold 7", err)
	}
}

func TestCollectShipped(t *testing.T) {
	eval := write(t, "dev.tsv", "entry-a\tパスワードを変えたい\tcasual\n")
	without, err := collect([]string{eval}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	with, err := collect([]string{eval}, true, 200)
	if err != nil {
		t.Fatalf("with the embedded FAQ's phrasings: %v", err)
	}
	if with[0] != without[0] || len(with) != 200 {
		t.Errorf("with the shipped phrasings: %d questions starting %q", len(with), with[0])
	}
}

func TestTimedCountsLines(t *testing.T) {
	if _, err := timed([]string{"cat"}, nil, []byte("a\nb\n"), 2); err != nil {
		t.Errorf("cat of two lines: %v", err)
	}
	if _, err := timed([]string{"cat"}, nil, []byte("a\nb\n"), 3); err == nil {
		t.Error("two lines for three questions: no error")
	}
	if _, err := timed([]string{"false"}, nil, nil, 0); err == nil {
		t.Error("a failing command: no error")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{3, 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
}
