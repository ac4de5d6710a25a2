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

	// Other content replaces the index built there.
	c2, _ := LoadEmbedded()
	c2.Synonyms.JA = c2.Synonyms.JA[1:]
	ix, err = NewIndex(ctx, c2, dir)
	if err != nil {
		t.Fatal(err)
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
