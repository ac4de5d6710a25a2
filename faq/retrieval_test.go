package faq

import (
	"cmp"
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// smallFAQ is a Japanese-only content tree of a few municipal entries.
func smallFAQ(t *testing.T) *Content {
	t.Helper()
	manifest, err := fs.ReadFile(Embedded(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	tree := fstest.MapFS{
		ManifestFile: {Data: []byte(strings.Replace(string(manifest), "languages: [ja, en]", "languages: [ja]", 1))},
	}
	for id, qa := range map[string][2]string{
		"gomi":     {"粗大ごみの出し方を知りたい", "粗大ごみは事前に申し込みが必要です。収集日の前日までにお電話ください。"},
		"juminhyo": {"住民票の写しを取りたい", "市役所の窓口で申請できます。本人確認書類をお持ちください。"},
		"hikkoshi": {"引っ越しの手続きについて", "転入届は引っ越してから14日以内に提出してください。"},
	} {
		y := "id: " + id + "\nja:\n  title: " + qa[0] + "\n  answer: " + qa[1] + "\n"
		tree[EntriesDir+"/"+id+".yaml"] = &fstest.MapFile{Data: []byte(y)}
	}
	c, err := Load(tree, "small")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchAnswers(t *testing.T) {
	ctx := context.Background()
	ix, err := NewIndex(ctx, smallFAQ(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// search returns the hits in content order, as Search does, and the one that holds most of
	// the query (entry coverage, then phrase coverage): what any ranker would put first.
	search := func(q string) []Hit {
		t.Helper()
		hits, err := ix.Search(ctx, ix.Analyzer().Terms(q), 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(hits); i++ {
			if ix.Order(hits[i].Entry) <= ix.Order(hits[i-1].Entry) {
				t.Errorf("%s: hits not in content order", q)
			}
		}
		slices.SortStableFunc(hits, func(a, b Hit) int {
			return cmp.Or(cmp.Compare(b.EntryCoverage, a.EntryCoverage), cmp.Compare(b.Coverage, a.Coverage))
		})
		return hits
	}

	// 転入届 is in the answer of hikkoshi only: the entry is found, but the coverage of its
	// phrasings (which the matcher's similarity reads) stays that of phrasings sharing nothing.
	hits := search("転入届の期限")
	if len(hits) == 0 || hits[0].Entry.ID != "hikkoshi" {
		t.Fatalf("転入届の期限: got %v, want hikkoshi first", ids(hits))
	}
	h := hits[0]
	if h.AnswerScore <= 0 || h.Score != 0 || h.Coverage != 0 || h.Phrase == nil || h.TopAnswerScore < h.AnswerScore {
		t.Errorf("answer-only hit: answer score %v (top %v), score %v, coverage %v, phrase %v", h.AnswerScore, h.TopAnswerScore, h.Score, h.Coverage, h.Phrase)
	}
	if h.EntryCoverage <= 0 || h.EntryCoverage > 1 {
		t.Errorf("answer-only hit: entry coverage %v, want in (0, 1]", h.EntryCoverage)
	}

	// A question that its phrasing answers: similarity and entry coverage both count.
	hits = search("住民票の写しがほしい")
	if len(hits) == 0 || hits[0].Entry.ID != "juminhyo" {
		t.Fatalf("住民票の写し: got %v, want juminhyo first", ids(hits))
	}
	if h := hits[0]; h.Coverage <= 0 || h.Reverse <= 0 || h.Score <= 0 || h.EntryCoverage < h.Coverage {
		t.Errorf("phrase hit: coverage %v, reverse %v, score %v, entry coverage %v < coverage %v", h.Coverage, h.Reverse, h.Score, h.EntryCoverage, h.Coverage)
	}

	// Okurigana written differently (引越し, 引っ越し) is the same word.
	if hits := search("引越しをしました"); len(hits) == 0 || hits[0].Entry.ID != "hikkoshi" {
		t.Errorf("引越し: got %v, want hikkoshi first", ids(hits))
	}
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Entry.ID
	}
	return out
}
