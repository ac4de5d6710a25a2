package editor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"

	"github.com/faqbot/faqbot/faq"
)

func TestAppendItem(t *testing.T) {
	tests := []struct {
		name, in string
		path     []string
		text     string
		want     string
	}{
		{"after the last item, comments and quoting kept", "id: a  # the id\nja:\n  questions:\n    - 一つ目\n    - \"二つ目\"  # note\n  answer: x\n",
			[]string{"ja", "questions"}, "三つ目", "id: a  # the id\nja:\n  questions:\n    - 一つ目\n    - \"二つ目\"  # note\n    - 三つ目\n  answer: x\n"},
		{"after an item of several lines", "ja:\n  - |\n    一行目\n    二行目\n  - x\n", []string{"ja"}, "y: z",
			"ja:\n  - |\n    一行目\n    二行目\n  - x\n  - 'y: z'\n"},
		{"a list at the end of a file without a final newline", "ja:\n- a", []string{"ja"}, "b", "ja:\n- a\n- b\n"},
		{"an inline list is written anew", "ja:\n  questions: [a]\n", []string{"ja", "questions"}, "b", "ja:\n  questions:\n    - a\n    - b\n"},
		{"a missing list is added", "en:\n  - a\n", []string{"ja"}, "質問", "en:\n  - a\nja:\n  - 質問\n"},
		{"a new file", "", []string{"ja"}, "質問", "ja:\n  - 質問\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendItem([]byte(tt.in), tt.path, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if _, err := appendItem([]byte("ja:\n  - a\n"), []string{"ja"}, "a"); err != ErrExists {
		t.Errorf("adding what is there: %v, want ErrExists", err)
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n"
	b := "1\n2\n3\n4\nnew\n5\n6\n"
	want := "--- a/f.yaml\n+++ b/f.yaml\n@@ -2,5 +2,6 @@\n 2\n 3\n 4\n+new\n 5\n 6\n"
	if d := cmp.Diff(want, unifiedDiff("f.yaml", []byte(a), []byte(b))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := unifiedDiff("f", []byte(a), []byte(a)); got != "" {
		t.Errorf("no change: %q", got)
	}
}

// exported is an editable copy of the shipped content.
func exported(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if _, err := Export(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := faq.LoadDir(dir); err != nil {
		t.Fatalf("the exported copy does not load: %v", err)
	}
	return dir
}

// A phrasing added in a directory: one line more in the entry's file, the diff, the check, and
// the preview answers it with the entry before anything is reindexed.
func TestAddPhrasingInDirectory(t *testing.T) {
	ctx := context.Background()
	dir := exported(t)
	before, _ := os.ReadFile(filepath.Join(dir, "entries", "leak-count.yaml"))
	w := New(Config{Dir: dir})
	if w.Mode() != InDirectory {
		t.Fatalf("mode %s", w.Mode())
	}
	const q = "去年の騒ぎの顛末"
	b, err := w.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := Inspect(ctx, b, q); err != nil || in.Reply.Entry != "" {
		t.Fatalf("before the edit, %q is answered: %+v, %v", q, in.Reply, err)
	}
	ch, err := w.AddPhrasing(ctx, "leak-count", faq.Japanese, "  去年の騒ぎの\n顛末 ")
	if err != nil {
		t.Fatal(err)
	}
	if ch.File != "entries/leak-count.yaml" || len(ch.Problems) > 0 || ch.Version == "" {
		t.Fatalf("change = %+v", ch)
	}
	if !strings.Contains(ch.Diff, "+    - 去年の騒ぎの 顛末\n") || strings.Count(ch.Diff, "\n+") != 2 { // +++ and the line
		t.Errorf("diff:\n%s", ch.Diff)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "entries", "leak-count.yaml"))
	if len(after) != len(before)+len("    - 去年の騒ぎの 顛末\n") {
		t.Errorf("the file grew by %d bytes, want one line", len(after)-len(before))
	}
	c, err := faq.LoadDir(dir)
	if err != nil || c.Version() != ch.Version {
		t.Fatalf("reloaded: %v, version %s, want %s", err, c.Version(), ch.Version)
	}
	b, err = w.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Inspect(ctx, b, "去年の騒ぎの 顛末")
	if err != nil {
		t.Fatal(err)
	}
	if in.Reply.Entry != "leak-count" || in.Version != ch.Version || len(in.Candidates) == 0 {
		t.Errorf("preview of the new phrasing: %+v", in)
	}
	if _, err := w.AddPhrasing(ctx, "leak-count", faq.Japanese, "去年の騒ぎの 顛末"); err == nil || !strings.Contains(err.Error(), "already lists") {
		t.Errorf("adding it again: %v", err)
	}
	if _, err := w.AddPhrasing(ctx, "no-such-entry", faq.Japanese, "x"); err == nil {
		t.Error("a phrasing of an unknown entry was added")
	}
}

// An edit that breaks the content is not written, and its problems say file:line.
func TestEditWithProblemsIsNotWritten(t *testing.T) {
	ctx := context.Background()
	dir := exported(t)
	// A content tree whose out-of-scope file holds a mapping where a list is expected makes
	// the check fail on the edited file.
	path := filepath.Join(dir, faq.OutOfScopeFile)
	os.WriteFile(path, []byte("ja:\n  - 口座を開設したい\nen:\n  - \"\"\n"), 0o644)
	before, _ := os.ReadFile(path)
	w := New(Config{Dir: dir})
	_, err := w.AddOutOfScope(ctx, faq.Japanese, "出金したい")
	if err == nil || !strings.Contains(err.Error(), "out-of-scope.yaml:4: empty question") {
		t.Fatalf("edit of broken content: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the broken file was changed")
	}
}

func TestAddOutOfScope(t *testing.T) {
	ctx := context.Background()
	dir := exported(t)
	w := New(Config{Dir: dir})
	ch, err := w.AddOutOfScope(ctx, faq.Japanese, "ポイントの交換方法")
	if err != nil {
		t.Fatal(err)
	}
	if ch.File != faq.OutOfScopeFile || !strings.Contains(ch.Diff, "+  - ポイントの交換方法") {
		t.Errorf("change = %+v", ch)
	}
	c, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	qs := c.OutOfScope[faq.Japanese]
	if qs[len(qs)-1] != "ポイントの交換方法" {
		t.Errorf("last out-of-scope question = %q", qs[len(qs)-1])
	}
}

func TestEmbeddedIsNotEditable(t *testing.T) {
	w := New(Config{})
	if w.Mode() != Embedded {
		t.Fatalf("mode %s", w.Mode())
	}
	if _, err := w.AddPhrasing(context.Background(), "contact", faq.Japanese, "x"); err != ErrNotEditable ||
		!strings.Contains(err.Error(), "faqbot content export DIR") {
		t.Errorf("edit of embedded content: %v", err)
	}
}

func TestBundleRoundTrip(t *testing.T) {
	files, err := ReadTree(faq.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	data, err := encodeBundle(files)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(files, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := decodeBundle([]byte("not gzip")); err == nil {
		t.Error("a broken bundle decoded")
	}
	c, err := load(got, "content")
	if err != nil {
		t.Fatal(err)
	}
	emb, _ := faq.LoadEmbedded()
	if c.Version() != emb.Version() {
		t.Errorf("bundle version %s, embedded %s", c.Version(), emb.Version())
	}
}

// With a shared store, an edit on one replica is a draft bundle until it is published; then
// every replica — one that was running and one that starts later — loads that same version.
func TestBundlesAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	open := func() *redisstore.Store {
		s, err := redisstore.Open(srv.URL, redisstore.Options{Prefix: "faqbot-test:"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := New(Config{Store: open()}), New(Config{Store: open()}) // embedded content, shared bundles
	if a.Mode() != InBundles {
		t.Fatalf("mode %s", a.Mode())
	}
	if _, ok, err := b.Load(ctx); ok || err != nil {
		t.Fatalf("before any edit, a bundle loads: %v %v", ok, err)
	}
	ch, err := a.AddPhrasing(ctx, "leak-count", faq.Japanese, "去年の騒ぎの顛末")
	if err != nil || len(ch.Problems) > 0 {
		t.Fatalf("edit: %+v, %v", ch, err)
	}
	if !strings.HasPrefix(ch.Written, "draft bundle ") || b.Pending(ctx) != ch.Version {
		t.Errorf("written %q, pending on the other replica %q; want the draft %s", ch.Written, b.Pending(ctx), ch.Version)
	}
	// A second edit, made on the other replica, builds on the draft.
	ch2, err := b.AddOutOfScope(ctx, faq.Japanese, "ポイントの交換方法")
	if err != nil || len(ch2.Problems) > 0 {
		t.Fatalf("second edit: %+v, %v", ch2, err)
	}
	if _, ok, _ := a.Load(ctx); ok {
		t.Error("a draft was served before it was published")
	}
	if err := a.Publish(ctx, ch2.Version); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]*Workspace{"a": a, "b": b, "started later": New(Config{Store: open()})} {
		c, ok, err := w.Load(ctx)
		if err != nil || !ok || c.Version() != ch2.Version {
			t.Fatalf("replica %s loads %v %v, want version %s", name, ok, err, ch2.Version)
		}
		if qs := c.Entry("leak-count").Text[faq.Japanese].Questions; qs[len(qs)-1] != "去年の騒ぎの顛末" {
			t.Errorf("replica %s: the first edit is lost", name)
		}
	}
	if a.Pending(ctx) != "" {
		t.Errorf("pending after publish: %q", a.Pending(ctx))
	}
	if err := a.Publish(ctx, "000000000000"); err == nil {
		t.Error("a version never checked was published")
	}
}
