package nlu_test

import (
	"context"
	"testing"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// BenchmarkParts separates analysis and retrieval in a decision.
func BenchmarkParts(b *testing.B) {
	c, _ := faq.LoadEmbedded()
	ix, _ := faq.NewIndex(context.Background(), c, "")
	an := ix.Analyzer()
	qs := devQueries(b)
	b.Run("normalize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			analysis.Normalize(qs[i%len(qs)])
		}
	})
	b.Run("terms", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			an.Terms(qs[i%len(qs)])
		}
	})
	terms := make([]analysis.Terms, len(qs))
	for i, q := range qs {
		terms[i] = an.Terms(q)
	}
	b.Run("search", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ix.Search(context.Background(), terms[i%len(qs)], 8)
		}
	})
}
