package faq

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	index "github.com/blevesearch/bleve_index_api"

	text "github.com/faqbot/faqbot/faq/analysis"
)

// normBM25 is the BM25 of bm25 as it was first written: every posting read with its norm, the
// document's length taken from the norm, every document sorted. bm25 must score exactly as it
// does.
func (ix *Index) normBM25(ctx context.Context, clauses []clause) (map[int32]float64, error) {
	sum := map[int32]float64{}
	r := ix.content.Matcher.Retrieval
	var d index.TermFieldDoc
	for _, c := range clauses {
		st := ix.stats[c.field]
		b := r.B
		if strings.HasPrefix(c.field, "answer_") {
			b = r.AnswerB
		}
		tfr, err := ix.reader.TermFieldReader(ctx, []byte(c.term), c.field, true, true, false)
		if err != nil {
			return nil, err
		}
		df := float64(tfr.Count())
		idf := math.Log(1 + (st.docs-df+0.5)/(df+0.5))
		for {
			td, err := tfr.Next(&d)
			if err != nil {
				return nil, err
			}
			if td == nil {
				break
			}
			doc := ix.docOf[td.ID.Value()]
			tf := float64(td.Freq)
			length := 1.0
			if td.Norm > 0 {
				length = math.Round(1 / (td.Norm * td.Norm))
			}
			norm := 1.0
			if st.avgLen > 0 {
				norm = 1 - b + b*length/st.avgLen
			}
			sum[doc] += c.boost * idf * tf * (r.K1 + 1) / (tf + r.K1*norm)
		}
		tfr.Close()
	}
	return sum, nil
}

// TestBM25Lean: the search that reads term frequencies alone, with the documents' lengths kept
// by faqbot and the best documents found by a heap, scores every document exactly (bit for bit)
// as the search that read bleve's norms and sorted every document, and returns the same best
// documents in the same order: on the shipped FAQ, a synthetic FAQ of 1,500 entries, and
// LocalgovFAQ when ../shared holds it.
func TestBM25Lean(t *testing.T) {
	ctx := context.Background()
	type fixture struct {
		name    string
		content func(t *testing.T) *Content
		queries func(ix *Index) []string
	}
	phrasings := func(ix *Index) []string {
		var qs []string
		for _, p := range ix.phrases {
			qs = append(qs, p.Text)
		}
		for i, a := range ix.answers { // the first sentence of some answers
			if i%3 == 0 {
				qs = append(qs, strings.SplitN(a.entry.Text[a.lang].Answer, "。", 2)[0])
			}
		}
		return qs
	}
	fixtures := []fixture{
		{"shipped", func(t *testing.T) *Content {
			c, err := LoadEmbedded()
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, phrasings},
		{"synthetic", func(t *testing.T) *Content { return syntheticContent(t, 1500) }, func(ix *Index) []string {
			qs := phrasings(ix)
			return qs[:min(len(qs), 400)]
		}},
		{"localgovfaq", localgovContent, func(ix *Index) []string {
			qs := localgovQueries()
			return append(qs, phrasings(ix)[:200]...)
		}},
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			c := fx.content(t)
			ix, err := NewIndex(ctx, c, "")
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			docs := len(ix.phrases) + len(ix.answers)
			queries, compared, cut := fx.queries(ix), 0, 0
			for _, q := range queries {
				cl := ix.clauses(ix.an.Terms(q))
				if len(cl) == 0 {
					continue
				}
				want, err := ix.normBM25(ctx, cl)
				if err != nil {
					t.Fatal(err)
				}
				all, err := ix.bm25(ctx, cl, docs)
				if err != nil {
					t.Fatal(err)
				}
				if len(all.top) != len(want) {
					t.Errorf("%s: %d documents found, want %d", q, len(all.top), len(want))
				}
				for _, doc := range all.top {
					if all.sum[doc] != want[doc] {
						t.Errorf("%s: document %d scored %v, want %v", q, doc, all.sum[doc], want[doc])
					}
				}
				for i := 1; i < len(all.top); i++ {
					if a, b := all.top[i-1], all.top[i]; want[a] < want[b] || want[a] == want[b] && a > b {
						t.Errorf("%s: documents %d and %d out of order", q, a, b)
					}
				}
				ranked := append([]int32(nil), all.top...)
				ix.releaseScores(all)
				const size = 20
				some, err := ix.bm25(ctx, cl, size)
				if err != nil {
					t.Fatal(err)
				}
				if len(ranked) > size {
					cut++
				}
				if got, w := fmt.Sprint(some.top), fmt.Sprint(ranked[:min(size, len(ranked))]); got != w {
					t.Errorf("%s: best %d documents %s, want %s", q, size, got, w)
				}
				ix.releaseScores(some)
				compared++
			}
			if compared < len(queries)/2 || cut == 0 {
				t.Fatalf("%d of %d queries compared, %d with more than the best documents: the test compares too little", compared, len(queries), cut)
			}
		})
	}
}

// TestBM25ReadersReused: a search reuses bleve's term field readers instead of opening new ones
// per clause, so that its allocations do not grow with its clauses.
func TestBM25ReadersReused(t *testing.T) {
	ctx := context.Background()
	ix := shippedIndex(t)
	cl := ix.clauses(ix.an.Terms("ログインパスワードを忘れた場合の再設定方法"))
	if len(cl) < 3 {
		t.Fatalf("%d clauses: the query is too short to tell", len(cl))
	}
	search := func() {
		s, err := ix.bm25(ctx, cl, 20)
		if err != nil {
			t.Fatal(err)
		}
		ix.releaseScores(s)
	}
	search()
	if n := testing.AllocsPerRun(50, search); n > float64(3*len(cl)) {
		t.Errorf("%v allocations for %d clauses, want at most 3 a clause (a postings list and its iterator, decoded by roaring)", n, len(cl))
	}
}

var synthWords = strings.Fields(`口座 入金 出金 振込 取引 注文 決済 証拠金 通貨 レート 手数料 税金 確定申告 報告書
書類 本人確認 住所 氏名 電話番号 メール 暗証番号 パスワード ログイン アプリ 画面 設定 通知 障害 残高 利益
解約 名義 変更 登録 審査 免許証 保険証 ポイント 窓口 営業時間 休日 祝日 年末年始 履歴 明細 銀行 法人 家族
相続 代理人 粗大ごみ 住民票 転入届 印鑑 証明書 保育園 予防接種 図書館 駐車場 水道 下水道 国民健康保険`)

var synthForms = []string{
	"%sの%sについて教えてください", "%sで%sはできますか", "%sの%sを確認したい",
	"%sと%sの違いは何ですか", "%sが%sできない場合はどうすればいいですか", "%sの%sの手続き方法",
}

// syntheticContent is a Japanese content tree of n generated entries, each with three
// phrasings and an answer of a few sentences.
func syntheticContent(t *testing.T, n int) *Content {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string { return synthWords[r.IntN(len(synthWords))] }
	phrase := func() string { return fmt.Sprintf(synthForms[r.IntN(len(synthForms))], word(), word()) }
	tree := jaTree(t)
	for i := range n {
		answer := fmt.Sprintf("%sは%sで受け付けています。%sと%sをお持ちください。", word(), word(), word(), word())
		y := fmt.Sprintf("id: s%d\nja:\n  title: %s\n  answer: %s\n  questions: [%s, %s]\n", i, phrase(), answer, phrase(), phrase())
		tree[fmt.Sprintf("%s/s%05d.yaml", EntriesDir, i)] = &fstest.MapFile{Data: []byte(y)}
	}
	c, err := Load(tree, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jaTree is a content tree without entries: the shipped manifest in Japanese alone, and the
// shipped matcher.yaml without word vectors, which BM25 does not read and which take most of a
// large index's build.
func jaTree(t *testing.T) fstest.MapFS {
	t.Helper()
	manifest, err := fs.ReadFile(Embedded(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	matcher, err := fs.ReadFile(Embedded(), MatcherFile)
	if err != nil {
		t.Fatal(err)
	}
	noVectors := strings.Replace(string(matcher), "min_entries: 200", "min_entries: 1000000", 1)
	if noVectors == string(matcher) {
		t.Fatal("matcher.yaml: no vectors.min_entries to raise")
	}
	return fstest.MapFS{
		ManifestFile: {Data: []byte(strings.Replace(string(manifest), "languages: [ja, en]", "languages: [ja]", 1))},
		MatcherFile:  {Data: []byte(noVectors)},
	}
}

// localgovDir holds LocalgovFAQ beside the project, when it is there (it is not part of the
// project: read it, never copy it).
const localgovDir = "../../shared/benchmarks/localgovfaq"

// localgovContent is LocalgovFAQ's entries as a content tree; the test skips without them.
func localgovContent(t *testing.T) *Content {
	t.Helper()
	rows := tsvRows(localgovDir + "/faq.tsv")
	if rows == nil {
		t.Skip("LocalgovFAQ is not in " + localgovDir)
	}
	tree := jaTree(t)
	for i, row := range rows {
		if len(row) < 3 {
			continue
		}
		y := fmt.Sprintf("id: l%d\nja:\n  title: %q\n  answer: %q\n", i, row[1], row[2])
		tree[fmt.Sprintf("%s/l%05d.yaml", EntriesDir, i)] = &fstest.MapFile{Data: []byte(y)}
	}
	c, err := Load(tree, "localgovfaq")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// localgovQueries is LocalgovFAQ's development queries (qid divisible by 5).
func localgovQueries() []string {
	var qs []string
	for _, row := range tsvRows(localgovDir + "/queries.tsv") {
		if qid, err := strconv.Atoi(row[0]); err == nil && len(row) == 2 && qid%5 == 0 {
			qs = append(qs, row[1])
		}
	}
	return qs
}

// tsvRows reads a tab-separated file after its header line; nil when it cannot be read.
func tsvRows(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		if !first {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	return rows
}

// TestSearchConcurrent: searches at once on one index (sharing its reused term field readers
// and its pools of scratch space) find what the same searches find one at a time.
func TestSearchConcurrent(t *testing.T) {
	ctx := context.Background()
	ix := shippedIndex(t)
	var queries []text.Terms
	for i, p := range ix.phrases {
		if i%12 == 0 {
			queries = append(queries, ix.an.Terms(p.Text))
		}
	}
	search := func(q text.Terms) string {
		hits, err := ix.Search(ctx, q, 8)
		if err != nil {
			t.Error(err)
		}
		var b strings.Builder
		for _, h := range hits {
			fmt.Fprintf(&b, "%s %v %v %v %v;", h.Entry.ID, h.Score, h.AnswerScore, h.Coverage, h.EntryCoverage)
		}
		return b.String()
	}
	want := make([]string, len(queries))
	for i, q := range queries {
		want[i] = search(q)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for round := range 2 {
				for i := range queries {
					j := (i*7 + w + round) % len(queries)
					if got := search(queries[j]); got != want[j] {
						t.Errorf("query %d searched concurrently: %s, alone: %s", j, got, want[j])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// shippedIndex is the index of the embedded content, closed when tb ends.
func shippedIndex(tb testing.TB) *Index {
	tb.Helper()
	c, err := LoadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := NewIndex(context.Background(), c, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}
