package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu/ireval"
)

// retrievalFixture writes a Japanese-only content tree of three entries, five queries (ids 0
// and 5 are the dev split) and their judgments.
func retrievalFixture(t *testing.T) (content, queries, qrels string) {
	t.Helper()
	dir := t.TempDir()
	content = filepath.Join(dir, "content")
	os.MkdirAll(filepath.Join(content, faq.EntriesDir), 0o755)
	manifest, err := os.ReadFile(filepath.Join("..", "..", "faq", "content", faq.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(content, faq.ManifestFile),
		[]byte(strings.Replace(string(manifest), "languages: [ja, en]", "languages: [ja]", 1)), 0o644)
	for id, qa := range map[string][2]string{
		"10": {"粗大ごみの出し方を教えてください。", "粗大ごみ受付センターに電話で申し込んでください。"},
		"11": {"住民票の写しはどこで取れますか？", "市役所の市民課の窓口で取れます。"},
		"12": {"犬の登録はどうすればいいですか？", "生活衛生課で登録してください。狂犬病の予防注射も必要です。"},
	} {
		y := "id: \"" + id + "\"\nja:\n  title: " + qa[0] + "\n  answer: " + qa[1] + "\n"
		os.WriteFile(filepath.Join(content, faq.EntriesDir, id+".yaml"), []byte(y), 0o644)
	}
	queries = filepath.Join(dir, "queries.tsv")
	os.WriteFile(queries, []byte("qid\tquery\n"+
		"0\t住民票がほしい\n"+
		"1\t粗大ごみを捨てたい\n"+
		"2\t狂犬病の注射\n"+
		"3\t図書館の開館時間\n"+
		"5\t犬を飼い始めた\n"), 0o644)
	qrels = filepath.Join(dir, "qrels.tsv")
	os.WriteFile(qrels, []byte("qid\tid\tgrade\n"+
		"0\t11\t2\n"+
		"1\t10\t2\n"+
		"2\t12\t1\n"+
		"3\t11\t1\n"+
		"5\t12\t2\n"+
		"5\t10\t1\n"), 0o644)
	return content, queries, qrels
}

func TestEvalRetrieval(t *testing.T) {
	content, queries, qrels := retrievalFixture(t)
	run := filepath.Join(t.TempDir(), "run.txt")
	stdout, stderr, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries,
		"--qrels", qrels, "--run", run, "--tag", "test")
	if err != nil {
		t.Fatalf("eval-retrieval: %v\n%s", err, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if len(lines) < 3 || lines[0] != "5 queries (split all)" || !strings.HasPrefix(lines[1], "SR@1") {
		t.Fatalf("eval-retrieval printed:\n%s", stdout)
	}
	for _, want := range []string{"index: 3 entries, 3 phrases, built in ", "query latency: p50 "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}

	// The run file holds the rankings in TREC format; the printed figures are those of the file.
	f, err := os.Open(run)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rankings := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 6 || fs[1] != "Q0" || fs[5] != "test" {
			t.Fatalf("run line %q: want qid Q0 id rank score tag", sc.Text())
		}
		rankings[fs[0]] = append(rankings[fs[0]], fs[2])
	}
	if len(rankings) != 4 || rankings["3"] != nil {
		t.Errorf("run file ranks %d queries, want 4 (nothing matches 図書館の開館時間)", len(rankings))
	}
	judged, _ := readFile(qrels, ireval.ReadQrels)
	var ms []ireval.Metrics
	for _, qid := range []string{"0", "1", "2", "3", "5"} {
		ms = append(ms, ireval.Score(rankings[qid], judged[qid]))
	}
	m := ireval.Mean(ms)
	if m.SR1 < 0.6 {
		t.Errorf("SR@1 = %.3f: the three obvious queries should find their entry first", m.SR1)
	}
	var b strings.Builder
	printRetrieval(&b, m, 5, 0, "all")
	if want := strings.Join(lines[:3], "\n") + "\n"; b.String() != want {
		t.Errorf("printed figures differ from the run file's:\n%s\nwant\n%s", want, b.String())
	}
}

func TestEvalRetrievalSplit(t *testing.T) {
	content, queries, qrels := retrievalFixture(t)
	stdout, _, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries, "--qrels", qrels, "--split", "dev")
	if err != nil || !strings.HasPrefix(stdout, "2 queries (split dev)\n") {
		t.Errorf("dev: %v\n%s", err, stdout)
	}
	stdout, _, err = runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries, "--qrels", qrels, "--split", "test")
	if err != nil || !strings.HasPrefix(stdout, "3 queries (split test)\n") {
		t.Errorf("test: %v\n%s", err, stdout)
	}

	var ex exitError
	if _, _, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries, "--qrels", qrels, "--split", "train"); !errors.As(err, &ex) || ex != 2 {
		t.Errorf("unknown split: err = %v, want exit status 2", err)
	}
	if _, _, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries); !errors.As(err, &ex) || ex != 2 {
		t.Errorf("no qrels: err = %v, want exit status 2", err)
	}
	named := filepath.Join(t.TempDir(), "q.tsv")
	os.WriteFile(named, []byte("qid\tquery\nq1\t住民票\n"), 0o644)
	if _, _, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", named, "--qrels", qrels, "--split", "dev"); err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Errorf("non-numeric id with a split: err = %v", err)
	}
}

// TestEvalRetrievalSweep: --sweep prints one row per setting of the grid, the first (matcher.yaml)
// with the figures printed above it, and leaves the index with the content's settings.
func TestEvalRetrievalSweep(t *testing.T) {
	content, queries, qrels := retrievalFixture(t)
	stdout, stderr, err := runCmd(t, "", "eval-retrieval", "--content", content, "--queries", queries, "--qrels", qrels, "--sweep")
	if err != nil {
		t.Fatalf("eval-retrieval --sweep: %v\n%s", err, stderr)
	}
	lines := strings.Split(stdout, "\n")
	at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "sweep (") })
	if at < 0 || len(lines) < at+2+len(retrievalGrid()) {
		t.Fatalf("no sweep of %d settings printed:\n%s", len(retrievalGrid()), stdout)
	}
	if got, want := strings.Fields(lines[at+1]), append([]string{"matcher.yaml"}, strings.Fields(lines[2])...); !slices.Equal(got, want) {
		t.Errorf("sweep's first row %q, want the figures printed %q", got, want)
	}
	for i, s := range retrievalGrid() {
		if l := lines[at+2+i]; !strings.HasPrefix(l, s.name+" ") || len(strings.Fields(l)) != len(strings.Fields(s.name))+7 {
			t.Errorf("row %d: %q, want %s and seven figures", i, l, s.name)
		}
	}

	c, err := faq.LoadDir(content)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	want := c.Matcher
	qs, _ := readFile(queries, ireval.ReadQueries)
	judged, _ := readFile(qrels, ireval.ReadQrels)
	if err := sweepRetrieval(context.Background(), io.Discard, ix, qs, judged); err != nil {
		t.Fatal(err)
	}
	if got := ix.Content().Matcher; !reflect.DeepEqual(got, want) {
		t.Errorf("after the sweep the index searches with %+v, want %+v", got, want)
	}
}
