package ipadict

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// BenchmarkLoad measures loading the dictionary and tokenising a first sentence, and the heap
// the loaded dictionary keeps: the embedded flat files against kagome-dict/ipa's zip (read from
// the module cache, decoded as ipa.Dict decodes it).
func BenchmarkLoad(b *testing.B) {
	const s = "マイナンバーは漏えいしていないですか、念のため教えてください"
	b.Run("ipadict", func(b *testing.B) {
		report := heap(func() any {
			d, _ := open()
			return d
		})
		for b.Loop() {
			d, err := open()
			if err != nil {
				b.Fatal(err)
			}
			d.tok.Tokenize(s)
		}
		report(b)
	})
	b.Run("kagome-dict", func(b *testing.B) {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/ikawaha/kagome-dict/ipa").Output()
		if err != nil {
			b.Skipf("kagome-dict/ipa not in the module cache: %v", err)
		}
		path := filepath.Join(strings.TrimSpace(string(out)), "ipa.dict")
		load := func() *tokenizer.Tokenizer {
			d, err := dict.LoadDictFile(path)
			if err != nil {
				b.Fatal(err)
			}
			k, err := tokenizer.New(d, tokenizer.OmitBosEos())
			if err != nil {
				b.Fatal(err)
			}
			return k
		}
		report := heap(func() any { return load() })
		for b.Loop() {
			load().Tokenize(s)
		}
		report(b)
	})
}

// heap measures the live heap bytes and objects of what load returns; the function it returns
// reports them (after b.Loop, which resets reported metrics).
func heap(load func() any) func(*testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := load()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return func(b *testing.B) {
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MiB")
		b.ReportMetric(float64(int64(after.HeapObjects)-int64(before.HeapObjects)), "heap-objects")
	}
}
