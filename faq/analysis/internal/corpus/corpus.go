// Package corpus gives tests the texts faqbot analyses: every string of the shipped content
// (faq/content/**/*.yaml) and every field of the development evaluation sets
// (nlu/testdata/eval/dev*.tsv; never the held-out sets). It imports nothing of faqbot.
package corpus

import (
	"bufio"
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Texts returns the texts, each once, in a fixed order. It fails tb when the files cannot be
// read or hold fewer texts than a complete checkout.
func Texts(tb testing.TB) []string {
	tb.Helper()
	root := moduleRoot(tb)
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	content := filepath.Join(root, "faq", "content")
	err := filepath.WalkDir(content, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			return err
		}
		strs(v, add)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sets, err := filepath.Glob(filepath.Join(root, "nlu", "testdata", "eval", "dev*.tsv"))
	if err != nil || len(sets) == 0 {
		tb.Fatalf("no development sets under nlu/testdata/eval (%v)", err)
	}
	for _, path := range sets {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if line := sc.Text(); !strings.HasPrefix(line, "#") {
				for _, f := range strings.Split(line, "\t") {
					add(f)
				}
			}
		}
	}
	if len(out) < 2000 {
		tb.Fatalf("only %d texts under %s: incomplete checkout?", len(out), root)
	}
	return out
}

// strs calls f with every string in a decoded YAML value.
func strs(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			strs(x, f)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			f(k)
			strs(v[k], f)
		}
	}
}

func moduleRoot(tb testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
