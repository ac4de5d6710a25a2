package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faqbot/faqbot/faq"
)

// contentDir writes the embedded content to a temporary directory and returns it with the path
// of the my-number entry's file, which the tests edit.
func contentDir(t *testing.T) (dir, entry string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, faq.Embedded()); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, "entries", "my-number.yaml")
}

func TestReloaderSwapsWhileAnswering(t *testing.T) {
	ctx := context.Background()
	dir, entryFile := contentDir(t)
	orig, err := os.ReadFile(entryFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	indexDir := t.TempDir()
	eng, err := NewEngine(ctx, c, indexDir)
	if err != nil {
		t.Fatal(err)
	}
	b := New(eng, nil)
	rl := &Reloader{Bot: b, IndexDir: indexDir, Load: func(context.Context) (*faq.Content, error) { return faq.LoadDir(dir) }}

	// Answers keep coming while the content changes; each must be the answer of a version that
	// loaded, never of the broken one.
	const broken = "BROKEN-VERSION"
	var stop atomic.Bool
	var wg sync.WaitGroup
	var asked atomic.Int64
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r, err := b.Ask(ctx, "マイナンバーは漏れましたか")
				switch {
				case err != nil:
					errs <- err
					return
				case r.Decision.Entry == nil || r.Decision.Entry.ID != "my-number":
					errs <- fmt.Errorf("answered %v", r.Decision.Entry)
					return
				case strings.Contains(r.Text, broken):
					errs <- errors.New("the broken content served")
					return
				}
				asked.Add(1)
				time.Sleep(time.Millisecond) // leave the reloads some CPU under -race
			}
		}()
	}
	for i := range 4 {
		text := strings.Replace(string(orig), "マイナンバー", fmt.Sprintf("マイナンバー(v%d)", i), 1)
		if i == 2 { // an answer change plus a syntax error elsewhere in the same file
			text = strings.Replace(string(orig), "マイナンバー", "マイナンバー"+broken, 1) + "\n  : [\n"
		}
		if err := os.WriteFile(entryFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := rl.Reload(ctx)
		if i == 2 {
			var ps faq.Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), "my-number.yaml:") {
				t.Fatalf("broken content: err = %v, want file:line problems", err)
			}
			continue
		}
		if err != nil || !res.Changed {
			t.Fatalf("reload %d: %+v, %v", i, res, err)
		}
		if got := b.Engine().Version; got != res.Version {
			t.Errorf("serving %s after reloading to %s", got, res.Version)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if asked.Load() == 0 {
		t.Fatal("no question answered during the reloads")
	}
	// Only the serving index is left on disk.
	if ds, _ := os.ReadDir(indexDir); len(ds) != 1 || filepath.Join(indexDir, ds[0].Name()) != b.Engine().Index.Dir() {
		t.Errorf("index dir holds %v, want only %s", ds, b.Engine().Index.Dir())
	}
	// Unchanged content: nothing rebuilt.
	before := b.Engine()
	res, err := rl.Reload(ctx)
	if err != nil || res.Changed || b.Engine() != before {
		t.Errorf("reload of unchanged content: %+v, %v; engine replaced: %v", res, err, b.Engine() != before)
	}
}
