package embed

import (
	"context"
	"math/rand/v2"
	"testing"
)

// faqSized returns a corpus the size of a large FAQ: 1,800 documents of 60 tokens (108,000
// tokens), words drawn from a Zipf distribution over 12,000 types of 1 to 4 runes (kanji and
// hiragana), as segmented Japanese looks.
func faqSized() [][]string {
	rng := rand.New(rand.NewPCG(1, 2))
	types := make([]string, 12000)
	for i := range types {
		rs := make([]rune, 1+rng.IntN(4))
		for j := range rs {
			if rng.IntN(3) == 0 {
				rs[j] = 0x3041 + rune(rng.IntN(80)) // hiragana
			} else {
				rs[j] = 0x4E00 + rune(rng.IntN(2500))
			}
		}
		types[i] = string(rs)
	}
	z := rand.NewZipf(rng, 1.1, 2, uint64(len(types)-1))
	docs := make([][]string, 1800)
	for i := range docs {
		d := make([]string, 60)
		for j := range d {
			d[j] = types[z.Uint64()]
		}
		docs[i] = d
	}
	return docs
}

// BenchmarkTrain trains with the defaults (Dim 100, 5 epochs, n-grams of 1 to 3 runes) on the
// FAQ-sized corpus: 4.0 s on one idle core of the 2-core development machine (-cpu 1).
func BenchmarkTrain(b *testing.B) {
	docs := faqSized()
	b.ResetTimer()
	for b.Loop() {
		m, err := Train(context.Background(), docs, Config{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Words()), "words")
		b.ReportMetric(float64(len(m.buckets)), "buckets")
	}
}

func BenchmarkEmbed(b *testing.B) {
	docs := faqSized()
	m, err := Train(context.Background(), docs, Config{Epochs: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	vs := make([][]float32, len(docs))
	for i, d := range docs {
		vs[i] = m.Embed(d)
	}
	m.RemovePC(vs)
	// A query of 8 tokens, two of them unseen.
	q := append(docs[7][:6:6], "未知の語", "ほげ")
	b.ResetTimer()
	for b.Loop() {
		m.Embed(q)
	}
}

func BenchmarkTrainLSA(b *testing.B) {
	docs := faqSized()
	b.ResetTimer()
	for b.Loop() {
		if _, err := TrainLSA(context.Background(), docs, LSAConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbedLSA(b *testing.B) {
	docs := faqSized()
	l, err := TrainLSA(context.Background(), docs, LSAConfig{Iterations: 1})
	if err != nil {
		b.Fatal(err)
	}
	q := append(docs[7][:6:6], "未知の語", "ほげ")
	b.ResetTimer()
	for b.Loop() {
		l.Embed(q)
	}
}
