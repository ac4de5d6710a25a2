package nlu

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/faqbot/faqbot/faq"
)

// builtFrom builds the index of the shipped FAQ in dir ("" in memory) and its matcher, and
// reports what was read from the cache beside the index.
func builtFrom(t *testing.T, dir string) (*Matcher, map[string]string) {
	t.Helper()
	ix := indexIn(t, dir)
	return New(ix), ix.CacheReport()
}

// indexIn is the index of the shipped FAQ in dir ("" in memory), closed when the test ends.
func indexIn(t *testing.T, dir string) *faq.Index {
	t.Helper()
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.NewIndex(context.Background(), c, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// decisionLines are the decisions of m on every question of the development sets, one line
// each, with every field of a Decision (entries by id, numbers bit for bit).
func decisionLines(t *testing.T, m *Matcher) []string {
	t.Helper()
	ids := func(es []*faq.Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	id := func(e *faq.Entry) string {
		if e == nil {
			return ""
		}
		return e.ID
	}
	var lines []string
	for _, file := range []string{"dev.tsv", "dev2.tsv", "dev3.tsv"} {
		f, err := os.Open(filepath.Join("testdata", "eval", file))
		if err != nil {
			t.Fatal(err)
		}
		cases, err := ReadCases(f, file)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			d, err := m.Decide(context.Background(), c.Query)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(struct {
				A                    Action
				E, Also              string
				Choices, Suggestions []string
				Lang                 faq.Lang
				Confidence, Score    uint64
				PII                  any
				Masked, Reason       string
				Greeting, Vague      bool
				Signals              Signals
			}{d.Action, id(d.Entry), id(d.Also), ids(d.Choices), ids(d.Suggestions), d.Lang,
				math.Float64bits(d.Confidence), math.Float64bits(d.Signals.Score), d.PII, d.Masked, d.Reason, d.Greeting, d.Vague, d.Signals})
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, file+"\t"+c.Query+"\t"+string(b))
		}
	}
	return lines
}

// sameModels fails unless a and b have the same intent model and hand-off classifier, bit for
// bit (the classes compared by entry id).
func sameModels(t *testing.T, what string, a, b *Matcher) {
	t.Helper()
	ids := func(m *intentModel) []string {
		var out []string
		for _, e := range m.classes {
			out = append(out, e.ID)
		}
		return out
	}
	switch {
	case a.intent == nil || b.intent == nil:
		t.Fatalf("%s: an intent model is missing", what)
	case !reflect.DeepEqual(ids(a.intent), ids(b.intent)):
		t.Errorf("%s: classes differ", what)
	case !reflect.DeepEqual(a.intent.vocab, b.intent.vocab):
		t.Errorf("%s: features differ", what)
	case !reflect.DeepEqual(a.intent.w, b.intent.w) || !reflect.DeepEqual(a.intent.b, b.intent.b):
		t.Errorf("%s: intent weights differ", what)
	case !reflect.DeepEqual(a.handoff, b.handoff):
		t.Errorf("%s: hand-off weights differ", what)
	}
}

// An engine built from the cache beside an on-disk index decides every question of the
// development sets exactly as one built afresh in memory, and as the first build on disk (which
// analysed, trained and wrote the cache).
func TestCachedMatcherDecidesAsFresh(t *testing.T) {
	fresh, report := builtFrom(t, "")
	if len(report) != 0 {
		t.Errorf("an index in memory reports a cache: %v", report)
	}
	dir := t.TempDir()
	cold, report := builtFrom(t, dir)
	if report["models"] != "built: cache: missing" {
		t.Errorf("first build on disk: cache report %v, want the models built for a missing cache", report)
	}
	warm, report := builtFrom(t, dir)
	if want := map[string]string{"analyses": faq.CacheRead, "models": faq.CacheRead}; !reflect.DeepEqual(report, want) {
		t.Fatalf("second build on disk: cache report %v, want %v", report, want)
	}
	sameModels(t, "cold", fresh, cold)
	sameModels(t, "cached", fresh, warm)
	want := decisionLines(t, fresh)
	for name, m := range map[string]*Matcher{"first build on disk": cold, "built from the cache": warm} {
		got := decisionLines(t, m)
		if len(got) != len(want) {
			t.Fatalf("%s: %d decisions, want %d", name, len(got), len(want))
		}
		bad := 0
		for i := range want {
			if got[i] != want[i] && bad < 5 {
				bad++
				t.Errorf("%s decides otherwise:\n got %s\nwant %s", name, got[i], want[i])
			}
		}
	}
	if len(want) < 1000 {
		t.Errorf("only %d questions in the development sets", len(want))
	}
}

// A cache file that is damaged, truncated or of another key is never read: the part is built
// again (and the cache written again, so that the next build reads it), and the matcher decides
// as a fresh one.
func TestDamagedCacheIsBuiltAgain(t *testing.T) {
	fresh, _ := builtFrom(t, "")
	want := decisionLines(t, fresh)
	dir := t.TempDir()
	first, _ := builtFrom(t, dir)
	files, err := filepath.Glob(filepath.Join(first.ix.Dir(), "cache-*.bin"))
	if err != nil || len(files) != 2 {
		t.Fatalf("cache files %v (%v), want the analyses' and the models'", files, err)
	}
	damage := map[string]func([]byte) []byte{
		"truncated":        func(b []byte) []byte { return b[:len(b)/2] },
		"one byte flipped": func(b []byte) []byte { b[len(b)/3] ^= 0x40; return b },
		"empty":            func([]byte) []byte { return nil },
		"not a cache":      func(b []byte) []byte { return []byte(strings.Repeat("x", len(b))) },
	}
	for name, spoil := range damage {
		t.Run(name, func(t *testing.T) {
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, spoil(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, report := builtFrom(t, dir)
			for _, part := range []string{"analyses", "models"} {
				if !strings.HasPrefix(report[part], "built: cache: damaged") {
					t.Errorf("%s: %q, want it built for a damaged cache", part, report[part])
				}
			}
			sameModels(t, name, fresh, m)
			got := decisionLines(t, m)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the matcher built after a %s cache decides otherwise", name)
			}
			if _, report := builtFrom(t, dir); report["analyses"] != faq.CacheRead || report["models"] != faq.CacheRead {
				t.Errorf("the cache was not written again: the next build reports %v", report)
			}
		})
	}
}

// Other settings of the matcher (a sweep of the learning settings) are not served the models
// trained with the content's.
func TestCacheKeyedBySettings(t *testing.T) {
	dir := t.TempDir()
	builtFrom(t, dir)
	ix := indexIn(t, dir)
	cfg := ix.Content().Matcher
	cfg.Learning.Epochs++
	NewWithConfig(ix, cfg)
	if got := ix.CacheReport()["models"]; got != "built: cache: for another build or content" {
		t.Errorf("models trained with other settings: %q, want them built again", got)
	}
}
