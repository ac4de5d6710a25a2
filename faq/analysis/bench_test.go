package analysis

import (
	"testing"

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
)

// BenchmarkKagome separates the cost of morphology (kagome, IPA) from the rest of the analysis.
func BenchmarkKagome(b *testing.B) {
	Warm()
	s := "マイナンバーは漏えいしていないですか、念のため教えてください"
	b.Run("tokenize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ipadict.Tokenize(s)
		}
	})
	b.Run("japanese", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			japanese(s)
		}
	})
	a := New(Synonyms{})
	b.Run("terms", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			a.Terms(s)
		}
	})
}
