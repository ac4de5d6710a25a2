package bot_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

func heapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// BenchmarkStartup reports where the memory of a serving process goes and how long the
// start takes: the Japanese dictionary (loaded once per process), then the content and its
// index. Run it with -benchtime=1x: the dictionary is loaded only once.
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		base := heapMiB()
		start := time.Now()
		analysis.Warm()
		dictTime := time.Since(start)
		dict := heapMiB()
		c, err := faq.LoadEmbedded()
		if err != nil {
			b.Fatal(err)
		}
		eng, err := bot.NewEngine(context.Background(), c, "")
		if err != nil {
			b.Fatal(err)
		}
		total := time.Since(start)
		idx := heapMiB()
		b.ReportMetric(dict-base, "dict-MiB")
		b.ReportMetric(idx-dict, "content+index-MiB")
		b.ReportMetric(float64(dictTime.Milliseconds()), "dict-ms")
		b.ReportMetric(float64(total.Milliseconds()), "ready-ms")
		eng.Close()
	}
}
