package nlu

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/faq"
)

// The intent model learns which features mark which class: on a synthetic corpus where each
// class has its own words and all share noise words, a text of one class's words (unseen as a
// whole) is given to that class, and shared words alone give no class a clear lead.
func TestTrainLearns(t *testing.T) {
	classes := []*faq.Entry{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	vocab := map[string]int32{}
	id := func(f string) int32 {
		if v, ok := vocab[f]; ok {
			return v
		}
		vocab[f] = int32(len(vocab))
		return vocab[f]
	}
	own := [][]string{{"a1", "a2", "a3", "a4"}, {"b1", "b2", "b3", "b4"}, {"c1", "c2", "c3", "c4"}}
	noise := []string{"n1", "n2", "n3"}
	var examples []example
	for c, words := range own {
		for i := range words {
			// each example: two of the class's words and one noise word
			ids := []int32{id(words[i]), id(words[(i+1)%len(words)]), id(noise[(i+c)%len(noise)])}
			slices.Sort(ids)
			examples = append(examples, example{ids: ids, class: c})
		}
	}
	cfg := faq.Learning{Epochs: 30, Rate: 1, L2: 0.001}
	m := train(classes, vocab, examples, cfg)
	for c, words := range own {
		p := m.probs([]int32{id(words[0]), id(words[2])}) // a pair no example had
		if best := argmax(p); best != c || p[c] < 0.6 {
			t.Errorf("class %s words: probabilities %.2f, want %s clearly first", classes[c].ID, p, classes[c].ID)
		}
	}
	p := m.probs([]int32{id("n1"), id("n2"), id("n3")})
	if top := p[argmax(p)]; top > 0.6 {
		t.Errorf("noise words alone: probabilities %.2f, want no clear winner", p)
	}
	// Seeded: the same data train the same model.
	if diff := cmp.Diff(m.w, train(classes, vocab, examples, cfg).w); diff != "" {
		t.Errorf("two trainings differ:\n%s", diff)
	}
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// The hand-off classifier learns a signal that separates the classes and ignores one that
// does not.
func TestTrainHandoff(t *testing.T) {
	var xs [][]float64
	var ys []bool
	for i := range 200 {
		x := make([]float64, len(handoffFeatures))
		x[0] = 1
		subject := i%2 == 0
		if subject {
			x[1] = 1 // first_person
		}
		x[6] = float64(i % 3 % 2) // leak: unrelated to the label
		xs, ys = append(xs, x), append(ys, subject)
	}
	h := trainHandoff(xs, ys, faq.Learning{HandoffEpochs: 300, HandoffRate: 1, HandoffL2: 0.001})
	if h.w[1] < 2 || h.w[6] > 0.5 || h.w[6] < -0.5 {
		t.Errorf("weights %v: want first_person strongly positive, leak near 0", h.w)
	}
	on, off := slices.Clone(xs[0]), slices.Clone(xs[1])
	if h.prob(on) < 0.8 || h.prob(off) > 0.2 {
		t.Errorf("prob with the signal %.2f, without %.2f", h.prob(on), h.prob(off))
	}
	if never := trainHandoff(xs[1:2], ys[1:2], faq.Learning{HandoffEpochs: 10, HandoffRate: 1}); never.prob(on) > 0.01 {
		t.Errorf("a classifier without positive examples hands off with probability %.2f", never.prob(on))
	}
}

func TestSentencesAndClauses(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"マイナンバーは漏れた?", []string{"マイナンバーは漏れた?"}},
		{"先日知りました。私も口座があります。何件漏れたの?", []string{"先日知りました。", "私も口座があります。", "何件漏れたの?"}},
		{"i got a letter. was my number leaked?", []string{"i got a letter.", "was my number leaked?"}},
		{"v1.2 is out", []string{"v1.2 is out"}},
		{"。。?", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, sentences(tt.in)); diff != "" {
			t.Errorf("sentences(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if got := clauses("パスワードの変え方、あとマイナンバーは大丈夫?"); len(got) != 2 || got[1] != "マイナンバーは大丈夫?" {
		t.Errorf("clauses: %q", got)
	}
	if got := clauses("あとで電話します"); len(got) != 1 {
		t.Errorf("clauses split a sentence that starts with あと: %q", got)
	}
	for q, want := range map[string]bool{"何件漏れたの?": true, "知りたいです": true, "私も口座があります。": false,
		"how many records leaked": true, "i got a letter.": false, "教えてください": true} {
		if asks(q) != want {
			t.Errorf("asks(%q) = %v, want %v", q, !want, want)
		}
	}
}

func TestStrip(t *testing.T) {
	tests := map[string]string{
		"<@U0ABC123> customer asks `was my PW leaked?`": "  customer asks  was my PW leaked? ",
		"see <https://example.com/faq|the FAQ> please":  "see  the FAQ  please",
		"お客様から「住所は漏れた?」と聞かれました":                         "お客様から 住所は漏れた? と聞かれました",
		"plain text": "plain text",
	}
	for in, want := range tests {
		if got := strip(in); got != want {
			t.Errorf("strip(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChoiceNumber(t *testing.T) {
	tests := map[string]int{"2": 2, "２": 2, "2番": 2, "2番目": 2, "２つ目で": 2, "1番でお願いします": 1, "#1": 1,
		"no. 2": 2, "二番": 2, "ひとつ目": 1}
	for in, want := range tests {
		if got, ok := choiceNumber(in); !ok || got != want {
			t.Errorf("choiceNumber(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2016年", "パスワード", "123", "二回目の攻撃"} {
		if n, ok := choiceNumber(in); ok {
			t.Errorf("choiceNumber(%q) = %d, want no number", in, n)
		}
	}
}

// vectorize finds exactly the known features intentFeatures lists.
func TestVectorize(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	an := c.Analyzer()
	m := &intentModel{vocab: map[string]int32{}}
	for i, f := range intentFeatures(an.Analyze("マイナンバーは漏れた? my number leaked")) {
		if i%2 == 0 { // a vocabulary that knows half of them
			m.vocab[f] = int32(len(m.vocab))
		}
	}
	want := make([]int32, 0, len(m.vocab))
	for _, id := range m.vocab {
		want = append(want, id)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, m.vectorize(an.Analyze("マイナンバーは漏れた? my number leaked"))); diff != "" {
		t.Errorf("vectorize (-want +got):\n%s", diff)
	}
}
