package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// TestAdminReindexUnusableContent: content that cannot be read — a symlink loop among the
// entries, an entries "directory" that is a file, a content path that is a file or is missing —
// is reported like broken content: 422 with "path: message" lines, and the old content keeps
// serving; never 500 with a raw error.
func TestAdminReindexUnusableContent(t *testing.T) {
	eng, err := bot.NewEngine(context.Background(), mustEmbedded(t), "")
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(eng, nil)
	t.Cleanup(func() { b.Engine().Close() })
	copyContent := func(t *testing.T) string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, faq.Embedded()); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) string // returns the content path
		want  string                    // a regexp the first problem matches
	}{
		{"symlink loop", func(t *testing.T) string {
			dir := copyContent(t)
			loop := filepath.Join(dir, "entries", "loop.yaml")
			if err := os.Symlink(loop, loop); err != nil {
				t.Skip("no symlinks here:", err)
			}
			return dir
		}, `^.+/entries/loop\.yaml: .+$`},
		{"content path is a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "content.yaml")
			os.WriteFile(f, []byte("id: x\n"), 0o644)
			return f
		}, `^.+/content\.yaml: not a directory$`},
		{"entries is a file", func(t *testing.T) string {
			dir := copyContent(t)
			os.RemoveAll(filepath.Join(dir, "entries"))
			os.WriteFile(filepath.Join(dir, "entries"), []byte("x"), 0o644)
			return dir
		}, `^.+/entries: .+$`},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nowhere") },
			`^.+/nowhere: .+$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := &contentFlags{content: tc.setup(t)}
			before := b.Engine().Version
			rl := &bot.Reloader{Bot: b, Load: func(context.Context) (*faq.Content, error) { return cf.loadContent() }}
			h := adminReindex("tok", func(ctx context.Context, _ string) (bot.ReloadResult, error) { return rl.Reload(ctx) })
			req := httptest.NewRequest(http.MethodPost, "/admin/reindex", nil)
			req.Header.Set("Authorization", "Bearer tok")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			var body struct {
				Problems []string `json:"problems"`
			}
			json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusUnprocessableEntity || len(body.Problems) == 0 {
				t.Fatalf("%d %s, want 422 with problems", w.Code, w.Body)
			}
			if !regexp.MustCompile(tc.want).MatchString(body.Problems[0]) {
				t.Errorf("problem %q, want %s", body.Problems[0], tc.want)
			}
			if b.Engine().Version != before {
				t.Error("the content served changed")
			}
		})
	}
}

func mustEmbedded(t *testing.T) *faq.Content {
	t.Helper()
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
