package faq

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIndexOnDisk(t *testing.T) {
	ctx := context.Background()
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "idx")
	search := func(ix *Index) string {
		hits, err := ix.Search(ctx, ix.Analyzer().Terms("マイナンバーは漏れましたか"), 1)
		if err != nil || len(hits) == 0 {
			t.Fatalf("search: %v, %d hits", err, len(hits))
		}
		return hits[0].Entry.ID
	}
	ix, err := NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := search(ix); got != "my-number" {
		t.Errorf("top entry %s", got)
	}
	ix.Close()

	// Reopened from disk: same content, same answers.
	ix, err = NewIndex(ctx, c, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := search(ix); got != "my-number" {
		t.Errorf("reopened: top entry %s", got)
	}
	ix.Close()

	// Other content is indexed beside it; the caller removes the old one when done with it.
	c2, _ := LoadEmbedded()
	c2.Synonyms.JA = c2.Synonyms.JA[1:]
	ix2, err := NewIndex(ctx, c2, dir)
	if err != nil {
		t.Fatal(err)
	}
	if ix2.Dir() == ix.Dir() {
		t.Errorf("other content: dir %s, the same as the first index's", ix2.Dir())
	}
	ix2.Close()
	if err := os.RemoveAll(ix.Dir()); err != nil {
		t.Fatal(err)
	}
	ix, err = NewIndex(ctx, c, dir) // rebuilt after removal
	if err != nil {
		t.Fatal(err)
	}
	if got := search(ix); got != "my-number" {
		t.Errorf("rebuilt: top entry %s", got)
	}
	ix.Close()

	// A directory holding something else is refused, and left alone.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, err := NewIndex(ctx, c, other); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty directory: err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "notes.txt")); string(b) != "mine" {
		t.Error("the directory's file was touched")
	}
}

func TestContentVersion(t *testing.T) {
	a, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := LoadEmbedded()
	if a.Version() != b.Version() || len(a.Version()) != 12 {
		t.Fatalf("same content: versions %q and %q", a.Version(), b.Version())
	}
	b.Entries[0].File = "/elsewhere/" + b.Entries[0].File
	if a.Version() != b.Version() {
		t.Error("the version depends on where the content was loaded from")
	}
	b.Entries[0].Text[Japanese].Answer += "。"
	if a.Version() == b.Version() {
		t.Error("an answer changed and the version did not")
	}
}
