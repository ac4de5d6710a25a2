package ireval

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var approx = cmpopts.EquateApprox(0, 1e-6)

func TestScore(t *testing.T) {
	tests := []struct {
		name    string
		ranking []string
		judged  map[string]int
		want    Metrics
	}{{
		// Relevant: b (grade 2, rank 2), d (grade 1, rank 4), z (grade 2, not ranked): 3 in all.
		//   SR@1 = 0 (a is not relevant), SR@5 = 1, MRR = 1/2.
		//   AP = (1/2 at b + 2/4 at d) / 3 = 1/3.
		//   P@5 = 2/5 = 0.4; R@10 = 2/3.
		//   DCG@10 = 2/log2(3) + 1/log2(5) = 1.261860 + 0.430677 = 1.692536.
		//   ideal: grades 2, 2, 1 at ranks 1-3 = 2/1 + 2/log2(3) + 1/2 = 3.761860.
		//   nDCG@10 = 1.692536 / 3.761860 = 0.449920.
		name:    "graded, one relevant not ranked",
		ranking: []string{"a", "b", "c", "d", "e", "f"},
		judged:  map[string]int{"b": 2, "d": 1, "z": 2, "a": 0},
		want:    Metrics{SR1: 0, SR5: 1, MRR: 0.5, AP: 1.0 / 3, P5: 0.4, R10: 2.0 / 3, NDCG10: 0.449920},
	}, {
		// The only relevant document first: every figure is 1 but P@5 = 1/5.
		name:    "perfect",
		ranking: []string{"x", "y"},
		judged:  map[string]int{"x": 2, "y": 0},
		want:    Metrics{SR1: 1, SR5: 1, MRR: 1, AP: 1, P5: 0.2, R10: 1, NDCG10: 1},
	}, {
		// Grade-1 document at rank 3 while a grade-2 one is missed:
		//   SR@1 = 0, SR@5 = 1, MRR = 1/3, AP = (1/3) / 2 = 1/6, P@5 = 1/5, R@10 = 1/2,
		//   DCG = 1/log2(4) = 0.5, ideal = 2/1 + 1/log2(3) = 2.630930, nDCG = 0.190047.
		name:    "related only",
		ranking: []string{"p", "q", "r"},
		judged:  map[string]int{"r": 1, "s": 2},
		want:    Metrics{SR5: 1, MRR: 1.0 / 3, AP: 1.0 / 6, P5: 0.2, R10: 0.5, NDCG10: 0.190047},
	}, {
		// Ranked 11th: beyond the cut-offs of SR, P, R and nDCG, but it counts in MRR and AP
		// (1/11 each) because the ranking given is 11 long.
		name:    "beyond ten",
		ranking: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "hit"},
		judged:  map[string]int{"hit": 1},
		want:    Metrics{MRR: 1.0 / 11, AP: 1.0 / 11},
	}, {
		name:    "nothing relevant ranked",
		ranking: []string{"p", "q"},
		judged:  map[string]int{"r": 1},
		want:    Metrics{},
	}, {
		name:    "no relevant document judged",
		ranking: []string{"p"},
		judged:  map[string]int{"p": 0},
		want:    Metrics{},
	}, {
		name:   "empty ranking",
		judged: map[string]int{"p": 2},
		want:   Metrics{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Score(tt.ranking, tt.judged), approx); diff != "" {
				t.Errorf("Score (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMean(t *testing.T) {
	// The first and second cases above: (0 + 1) / 2 for SR@1, (0.5 + 1) / 2 for MRR, …
	got := Mean([]Metrics{
		{SR1: 0, SR5: 1, MRR: 0.5, AP: 1.0 / 3, P5: 0.4, R10: 2.0 / 3, NDCG10: 0.449920},
		{SR1: 1, SR5: 1, MRR: 1, AP: 1, P5: 0.2, R10: 1, NDCG10: 1},
	})
	want := Metrics{SR1: 0.5, SR5: 1, MRR: 0.75, AP: 2.0 / 3, P5: 0.3, R10: 5.0 / 6, NDCG10: 0.724960}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("Mean (-want +got):\n%s", diff)
	}
	if got := Mean(nil); got != (Metrics{}) {
		t.Errorf("Mean(nil) = %+v", got)
	}
}

func TestReadFiles(t *testing.T) {
	qs, err := ReadQueries(strings.NewReader("qid\tquery\n0\t住民票がほしい\n5\tごみの日\r\n\n"), "q.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Query{{"0", "住民票がほしい"}, {"5", "ごみの日"}}, qs); diff != "" {
		t.Errorf("ReadQueries (-want +got):\n%s", diff)
	}
	qr, err := ReadQrels(strings.NewReader("qid\tid\tgrade\n0\t71\t2\n0\t469\t1\n5\t3\t0\n"), "r.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want := Qrels{"0": {"71": 2, "469": 1}, "5": {"3": 0}}
	if diff := cmp.Diff(want, qr); diff != "" {
		t.Errorf("ReadQrels (-want +got):\n%s", diff)
	}
	if n := qr.Relevant("0"); n != 2 {
		t.Errorf("Relevant(0) = %d, want 2", n)
	}
	if n := qr.Relevant("5"); n != 0 {
		t.Errorf("Relevant(5) = %d, want 0", n)
	}

	for _, bad := range []struct{ in, want string }{
		{"qid\tid\tgrade\n0\t71\ttwo\n", "r.tsv:2: grade"},
		{"qid\tid\tgrade\n0\t71\n", "r.tsv:2: want 3"},
	} {
		if _, err := ReadQrels(strings.NewReader(bad.in), "r.tsv"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ReadQrels(%q): err = %v, want %q", bad.in, err, bad.want)
		}
	}
	if _, err := ReadQueries(strings.NewReader("qid\tquery\n\tq\n"), "q.tsv"); err == nil {
		t.Error("ReadQueries accepted an empty query id")
	}
}

func TestWriteRun(t *testing.T) {
	var b strings.Builder
	// Ties and a rising score are written just below the previous score, so that an evaluator
	// that sorts by score keeps this order.
	err := WriteRun(&b, "7", []Ranked{{"12", 1.5}, {"3", 1.5}, {"40", 0.25}, {"5", 0.3}}, "faqbot")
	if err != nil {
		t.Fatal(err)
	}
	want := "7 Q0 12 1 1.500000 faqbot\n" +
		"7 Q0 3 2 1.499999 faqbot\n" +
		"7 Q0 40 3 0.250000 faqbot\n" +
		"7 Q0 5 4 0.249999 faqbot\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteRun (-want +got):\n%s", diff)
	}
}
