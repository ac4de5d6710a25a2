package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/faq"
)

func readGroups(t *testing.T, path string) []group {
	t.Helper()
	groups, err := readSource(path)
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// fixtureContent is a content tree whose words are メールアドレス, リーク, 申し込み, 変更 and
// leak; 請求書 is not among them.
func fixtureContent(t *testing.T) *faq.Content {
	t.Helper()
	c, err := faq.Load(fstest.MapFS{
		"entries/a.yaml": {Data: []byte(`id: a
ja:
  title: メールアドレスがリークしましたか
  answer: 申し込みの内容の変更はできます。
en:
  title: Did my email leak?
  answer: Yes.
`)},
	}, "c")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGenerate(t *testing.T) {
	res := generate(readGroups(t, "testdata/fixture.txt"), newVocabulary(fixtureContent(t)))
	got := map[string][][]string{}
	for _, o := range res.JA {
		got["ja"] = append(got["ja"], o.Terms)
	}
	for _, o := range res.EN {
		got["en"] = append(got["en"], o.Terms)
	}
	// 申込ミ is never expanded (2), 旧申込 is an old name, エントリー an alias: left out; the
	// misspelling 申し混み is kept. リーケージ is another lexeme than リーク (a near-synonym,
	// not a variant) and 漏洩/漏えい are "only expanded to" (1): リーク has no variant left.
	want := map[string][][]string{
		"ja": {{"メールアドレス", "メアド", "メルアド"}, {"申し込み", "申し混み", "申込"}},
		"en": {{"leak", "leaks"}},
	}
	// 変更: へんこう is in two Sudachi groups (ambiguous), 変 is too short: nothing left.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generated groups (-want +got):\n%s", diff)
	}
	if res.Groups != 4 {
		t.Errorf("%d groups share a word with the content, want 4 (all but 請求書)", res.Groups)
	}
	var ids []string
	for _, g := range res.Extract {
		ids = append(ids, g.ID)
	}
	// 010001 shares へんこう with a kept group; 020000 shares nothing.
	if diff := cmp.Diff([]string{"000817", "007396", "008272", "010000", "010001"}, ids); diff != "" {
		t.Errorf("extract (-want +got):\n%s", diff)
	}
}

func TestTextRoundTrip(t *testing.T) {
	groups := readGroups(t, "testdata/fixture.txt")
	var b bytes.Buffer
	if err := writeText(&b, groups); err != nil {
		t.Fatal(err)
	}
	back, err := parseText(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(groups, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestParseJSON(t *testing.T) {
	// The shape of the npm package's sudachi-synonyms-dictionary.json.
	const js = `[{"id":"000817","items":[
{"taigenYogen":"体言","expandControl":0,"vocabularyNumber":1,"gokeiSyubetsu":"代表語","ryakusyou":"代表語形","hyoukiYure":"代表表記","bunya":[],"midashi":"メールアドレス"},
{"taigenYogen":"体言","expandControl":0,"vocabularyNumber":1,"gokeiSyubetsu":"代表語","ryakusyou":"代表語形","hyoukiYure":"アルファベット表記","bunya":[],"midashi":"mail address"},
{"taigenYogen":"体言","expandControl":0,"vocabularyNumber":1,"gokeiSyubetsu":"代表語","ryakusyou":"略語・略称","hyoukiYure":"代表表記","bunya":[],"midashi":"メルアド"},
{"taigenYogen":"体言","expandControl":0,"vocabularyNumber":1,"gokeiSyubetsu":"代表語","ryakusyou":"略語・略称","hyoukiYure":"代表表記","bunya":[],"midashi":"メアド"}]}]`
	got, err := parseJSON(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	want := readGroups(t, "testdata/fixture.txt")[:1]
	if diff := cmp.Diff(want, got, cmp.Transformer("nilDomains", func(d []string) []string {
		if len(d) == 0 {
			return nil
		}
		return d
	})); diff != "" {
		t.Errorf("JSON and text disagree (-text +json):\n%s", diff)
	}
}

// TestGeneratedFileIsCurrent regenerates faq/content/synonyms-sudachi.yaml from the extract
// in testdata and the content as it is now. It fails when the file was edited by hand, when the
// generator changed, or when the content changed in a way that changes the kept groups; run
// gen.sh then. (A word new to the content can select a Sudachi group outside the extract: only
// gen.sh, with the whole dictionary, finds those.)
func TestGeneratedFileIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "content", faq.SudachiSynonymsFile)
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`sudachi-synonyms-dictionary@(\S+)`).FindSubmatch(committed)
	if m == nil {
		t.Fatalf("%s: no package version in the header", path)
	}
	c, err := loadHandWritten(filepath.Join("..", "..", "content"))
	if err != nil {
		t.Fatal(err)
	}
	res := generate(readGroups(t, "testdata/"+extractFile), newVocabulary(c))
	got, err := render(res, string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(committed), string(got)); diff != "" {
		t.Errorf("%s is not what the generator makes of the content (-committed +regenerated); run faq/internal/gensudachi/gen.sh:\n%s", path, diff)
	}
	// The kept groups' source lines are all in the extract, so the extract regenerates itself.
	var ext bytes.Buffer
	if err := writeText(&ext, res.Extract); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile("testdata/" + extractFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, ext.Bytes()) {
		t.Error("the extract is not what the generator keeps of itself; run gen.sh")
	}
}

func TestRenderLoads(t *testing.T) {
	res := generate(readGroups(t, "testdata/fixture.txt"), newVocabulary(fixtureContent(t)))
	data, err := render(res, "0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := faq.Load(fstest.MapFS{
		faq.SudachiSynonymsFile: {Data: data},
		"entries/a.yaml":        {Data: []byte("id: a\nja:\n  title: 質問\n  answer: 回答\nen:\n  title: q\n  answer: a\n")},
	}, "c")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"メールアドレス", "メアド", "メルアド"}, {"申し込み", "申し混み", "申込"}}, c.Synonyms.JA); diff != "" {
		t.Errorf("loaded groups (-want +got):\n%s", diff)
	}
}

// TestExpansions: the candidate expansions are the groups that share a word with the content,
// all their lexemes' Japanese words (aliases and misspellings too), those Sudachi only expands
// to apart; never-expanded members, old names and Latin words are left out; the file written
// loads as the content's expansions.
func TestExpansions(t *testing.T) {
	list := expansions(readGroups(t, "testdata/fixture.txt"), newVocabulary(fixtureContent(t)))
	var got []faq.ExpansionGroup
	for _, e := range list {
		got = append(got, e.ExpansionGroup)
	}
	want := []faq.ExpansionGroup{
		{Words: []string{"メールアドレス", "メルアド", "メアド"}},
		{Words: []string{"リーケージ", "リーク"}, To: []string{"漏洩", "漏えい"}},
		{Words: []string{"申し込み", "申込", "エントリー", "申し混み"}},
		{Words: []string{"変更", "へんこう", "変"}},
	} // not 変更点 (not a word of the content) nor 請求書
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expansions (-want +got):\n%s", diff)
	}
	data, err := renderExpansions(list, "0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := faq.Load(fstest.MapFS{
		faq.ExpansionsFile: {Data: data},
		"entries/a.yaml":   {Data: []byte("id: a\nja:\n  title: 質問\n  answer: 回答\nen:\n  title: q\n  answer: a\n")},
	}, "c")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, c.Expansions); diff != "" {
		t.Errorf("loaded expansions (-want +got):\n%s", diff)
	}
}
