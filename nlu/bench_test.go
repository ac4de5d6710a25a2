package nlu_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

// devQueries returns the queries of the development set, the load of the latency benchmarks.
func devQueries(b *testing.B) []string {
	f, err := os.Open("testdata/eval/dev.tsv")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cases, err := nlu.ReadCases(f, "dev.tsv")
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]string, len(cases))
	for i, c := range cases {
		qs[i] = c.Query
	}
	return qs
}

// benchDecide measures Decide over the queries, warm, and reports the latency percentiles; on
// Linux also those of the CPU time of the deciding thread (cpu-p50-µs, cpu-p99-µs), which other
// work on the machine does not inflate as it does the wall-clock time (the collector's work on
// other threads is not in it).
func benchDecide(b *testing.B, m *nlu.Matcher, queries []string) {
	ctx := context.Background()
	for _, q := range queries { // warm up
		m.Decide(ctx, q)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0, ok := threadCPU()
		start := time.Now()
		if _, err := m.Decide(ctx, queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if c1, _ := threadCPU(); ok {
			cpu = append(cpu, time.Duration(c1-c0))
		}
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		slices.Sort(d)
		return float64(d[int(p*float64(len(d)-1))].Microseconds())
	}
	b.ReportMetric(pct(lat, 0.50), "p50-µs")
	b.ReportMetric(pct(lat, 0.99), "p99-µs")
	if len(cpu) > 0 {
		b.ReportMetric(pct(cpu, 0.50), "cpu-p50-µs")
		b.ReportMetric(pct(cpu, 0.99), "cpu-p99-µs")
	}
}

// BenchmarkDecide: the shipped FAQ, the development queries.
func BenchmarkDecide(b *testing.B) {
	benchDecide(b, matcher(b), devQueries(b))
}

// BenchmarkDecide10k: a synthetic FAQ of 10,000 entries (three phrasings each, built from the
// vocabulary of a Japanese FX broker's help pages) plus the shipped entries.
func BenchmarkDecide10k(b *testing.B) {
	c, err := faq.Load(syntheticFAQ(10000), "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed %d phrases in %v", ix.Phrases(), time.Since(start))
	benchDecide(b, nlu.New(ix), devQueries(b))
}

var synthNouns = strings.Fields(`口座 入金 出金 振込 取引 注文 決済 証拠金 スワップ 通貨 ドル 円 ユーロ 豪ドル ポンド
レート チャート 手数料 税金 確定申告 報告書 書類 本人確認 住所 氏名 電話番号 メール 暗証番号 パスワード ログイン
アプリ パソコン スマホ マイページ 画面 設定 通知 メンテナンス 障害 約定 指値 成行 ロスカット 追証 残高 利益 損失
年間 取引報告 口座開設 解約 名義 変更 登録 審査 マイナンバー 身分証 免許証 保険証 キャンペーン ポイント 紹介
サポート 窓口 営業時間 休日 祝日 年末年始 セミナー 動画 レポート 相場 為替 金利 自動売買 トラップ リピート
ロット 数量 上限 下限 期限 有効期限 履歴 明細 出金先 銀行 ネットバンク 振替 法人 個人 家族 相続 代理人`)

var synthTemplates = []string{
	"%sの%sについて教えてください", "%sで%sはできますか", "%sの%sを確認したい",
	"%sと%sの違いは何ですか", "%sが%sできない場合はどうすればいいですか", "%sの%sの手続き方法",
}

// syntheticFAQ returns a content tree of n generated entries with the shipped manifest.
func syntheticFAQ(n int) fstest.MapFS {
	r := rand.New(rand.NewPCG(1, 2))
	fs := fstest.MapFS{}
	word := func() string { return synthNouns[r.IntN(len(synthNouns))] }
	for i := 0; i < n; i++ {
		var qs []string
		for j := 0; j < 3; j++ {
			qs = append(qs, fmt.Sprintf(synthTemplates[r.IntN(len(synthTemplates))], word(), word()))
		}
		y := fmt.Sprintf("id: s%d\nja:\n  title: %s\n  answer: 回答%dです。\n  questions: [%s, %s]\n", i, qs[0], i, qs[1], qs[2])
		fs[fmt.Sprintf("entries/s%05d.yaml", i)] = &fstest.MapFile{Data: []byte(y)}
	}
	emb := faq.Embedded()
	for _, name := range []string{"faqbot.yaml", "matcher.yaml", "synonyms.yaml"} {
		data, _ := readFS(emb, name)
		if name == "faqbot.yaml" {
			data = []byte(strings.Replace(string(data), "languages: [ja, en]", "languages: [ja]", 1))
		}
		fs[name] = &fstest.MapFile{Data: data}
	}
	return fs
}

// BenchmarkBuild: what a reindex of the shipped FAQ costs — the index and the matcher, with the
// intent model and the hand-off classifier (cross-validation included) trained.
func BenchmarkBuild(b *testing.B) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	nlu.New(mustIndex(b, ctx, c)) // the dictionary loads once per process: not part of a reindex
	b.ResetTimer()
	for range b.N {
		ix := mustIndex(b, ctx, c)
		nlu.New(ix)
		b.StopTimer()
		ix.Close()
		b.StartTimer()
	}
}

func mustIndex(b *testing.B, ctx context.Context, c *faq.Content) *faq.Index {
	ix, err := faq.NewIndex(ctx, c, "")
	if err != nil {
		b.Fatal(err)
	}
	return ix
}
