package nlu

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// The intent model learns, when the matcher is built, which entry a question asks for from every
// entry's title and alternate questions in both languages (and the out-of-scope examples as a
// class of their own), the way Rasa or Dialogflow learn from training phrases: a multinomial
// logistic regression over sparse features of the analysed text — content words, their readings,
// character n-grams, reading bigrams and English stems, and pairs of neighbouring English stems.
// Training is seeded and deterministic: the same content gives the same model on every build.

// intentFeatures returns the features of an analysed text, unique and sorted. Each kind has its
// own prefix so that, say, the word 番号 and the bigram 番号 are different features.
func intentFeatures(an analysis.Analysis) []string {
	t := an.Terms
	fs := make([]string, 0, len(t[analysis.JA])*2+len(t[analysis.Gram])+len(t[analysis.Yomi])+2*len(t[analysis.EN]))
	for _, w := range t[analysis.JA] {
		fs = append(fs, "w:"+w)
	}
	for _, r := range an.Readings {
		fs = append(fs, "r:"+r)
	}
	for _, g := range t[analysis.Gram] {
		fs = append(fs, "g:"+g)
	}
	for _, y := range t[analysis.Yomi] {
		fs = append(fs, "y:"+y)
	}
	en := t[analysis.EN]
	for i, s := range en {
		fs = append(fs, "e:"+s)
		if i > 0 {
			fs = append(fs, "e2:"+en[i-1]+"_"+s)
		}
	}
	slices.Sort(fs)
	return slices.Compact(fs)
}

// example is one training phrase: its feature ids and its class.
type example struct {
	ids   []int32
	class int
}

// intentModel is a trained multinomial logistic regression. It is immutable once trained and
// safe for concurrent use.
type intentModel struct {
	classes []*faq.Entry // class i is classes[i]; the out-of-scope class has the pseudo-entry
	vocab   map[string]int32
	w       [][]float32 // w[feature][class]
	b       []float32   // bias per class
}

// vectorize returns the ids of the known features of an analysed text, unique and sorted: the
// features of intentFeatures, looked up without building their strings.
func (m *intentModel) vectorize(an analysis.Analysis) []int32 {
	t := an.Terms
	ids := make([]int32, 0, 64)
	var key []byte
	look := func(prefix string, parts ...string) {
		key = append(key[:0], prefix...)
		for i, p := range parts {
			if i > 0 {
				key = append(key, '_')
			}
			key = append(key, p...)
		}
		if id, ok := m.vocab[string(key)]; ok {
			ids = append(ids, id)
		}
	}
	for _, w := range t[analysis.JA] {
		look("w:", w)
	}
	for _, r := range an.Readings {
		look("r:", r)
	}
	for _, g := range t[analysis.Gram] {
		look("g:", g)
	}
	for _, y := range t[analysis.Yomi] {
		look("y:", y)
	}
	en := t[analysis.EN]
	for i, s := range en {
		look("e:", s)
		if i > 0 {
			look("e2:", en[i-1], s)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// probs returns the probability of every class for a feature vector (each feature weighs
// 1/sqrt(n), so that long and short texts are on one scale).
func (m *intentModel) probs(ids []int32) []float64 {
	p := make([]float64, len(m.classes))
	m.scores(ids, p)
	softmax(p)
	return p
}

func (m *intentModel) scores(ids []int32, out []float64) {
	x := featureValue(len(ids))
	for c := range out {
		out[c] = float64(m.b[c])
	}
	for _, id := range ids {
		for c, w := range m.w[id] {
			out[c] += float64(w) * x
		}
	}
}

func featureValue(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

func softmax(p []float64) {
	top := math.Inf(-1)
	for _, v := range p {
		top = max(top, v)
	}
	var sum float64
	for i, v := range p {
		p[i] = math.Exp(v - top)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// train fits a model to examples by stochastic gradient descent with L2 regularisation
// (applied to the weights an example touches), in a seeded order.
func train(classes []*faq.Entry, vocab map[string]int32, examples []example, cfg faq.Learning) *intentModel {
	m := &intentModel{classes: classes, vocab: vocab, w: make([][]float32, len(vocab)), b: make([]float32, len(classes))}
	flat := make([]float32, len(vocab)*len(classes))
	for i := range m.w {
		m.w[i] = flat[i*len(classes) : (i+1)*len(classes) : (i+1)*len(classes)]
	}
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	p := make([]float64, len(classes))
	for epoch := range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := cfg.Rate / (1 + float64(epoch)/4)
		for _, i := range order {
			ex := examples[i]
			m.scores(ex.ids, p)
			softmax(p)
			x := featureValue(len(ex.ids))
			for c := range p {
				g := p[c]
				if c == ex.class {
					g--
				}
				m.b[c] -= float32(rate * g)
				p[c] = g
			}
			decay := float32(1 - rate*cfg.L2)
			for _, id := range ex.ids {
				row := m.w[id]
				for c, g := range p {
					row[c] = row[c]*decay - float32(rate*g*x)
				}
			}
		}
	}
	return m
}

// intentData is the training data of the intent model, with the analysis of every phrase.
type intentData struct {
	classes  []*faq.Entry
	vocab    map[string]int32
	examples []example
	analyses []analysis.Analysis // of each example, for the hand-off classifier
}

// intentTraining numbers the features of every indexed phrase (entries' titles and alternate
// questions, and the out-of-scope examples), as the index analysed them.
func intentTraining(phrases []faq.Phrase) intentData {
	d := intentData{vocab: map[string]int32{}}
	class := map[*faq.Entry]int{}
	for i := range phrases {
		p := &phrases[i]
		c, ok := class[p.Entry]
		if !ok {
			c = len(d.classes)
			class[p.Entry] = c
			d.classes = append(d.classes, p.Entry)
		}
		fs := intentFeatures(p.Analysis)
		ids := make([]int32, 0, len(fs))
		for _, f := range fs {
			id, ok := d.vocab[f]
			if !ok {
				id = int32(len(d.vocab))
				d.vocab[f] = id
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		d.examples = append(d.examples, example{ids: ids, class: c})
		d.analyses = append(d.analyses, p.Analysis)
	}
	return d
}

// crossValidated returns, for every example, the class probabilities of a model trained
// without it: folds models, each trained on the examples of the other folds (fold of example i:
// i mod folds), in parallel.
func crossValidated(d intentData, cfg faq.Learning) [][]float64 {
	out := make([][]float64, len(d.examples))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for f := range cfg.Folds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var rest []example
			for i, ex := range d.examples {
				if i%cfg.Folds != f {
					rest = append(rest, ex)
				}
			}
			m := train(d.classes, d.vocab, rest, cfg)
			for i := f; i < len(d.examples); i += cfg.Folds {
				out[i] = m.probs(d.examples[i].ids)
			}
		})
	}
	wg.Wait()
	return out
}
