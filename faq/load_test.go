package faq

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestLoadEmbedded(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatalf("embedded content is invalid:\n%v", err)
	}
	want := []string{"am-i-affected", "change-password-app", "change-password-pc", "change-password",
		"changed-password", "contact", "leak-count", "leaked-fields", "my-number", "no-notice",
		"suspicious-contact", "which-details"}
	var got []string
	for _, e := range c.Entries {
		got = append(got, e.ID)
		for _, l := range Langs {
			if e.Text[l] == nil || e.Text[l].Answer == "" || len(e.Text[l].Questions) == 0 {
				t.Errorf("%s: %s text, answer or questions missing", e.ID, l)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entry ids (-want +got):\n%s", diff)
	}
	for _, id := range []string{"am-i-affected", "which-details"} {
		if !c.Entry(id).Handoff {
			t.Errorf("%s is not a hand-off entry", id)
		}
	}
	for _, id := range []string{"change-password-pc", "change-password-app"} {
		if p := c.Entry(id).Parent; p != "change-password" {
			t.Errorf("%s has parent %q, want change-password", id, p)
		}
	}
}

// TestContentFaithful checks that the shipped answers keep the official figures, numbers,
// hours and URLs, in both languages.
func TestContentFaithful(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	must := map[string][]string{
		"leaked-fields":       {"2017", "2016", "7月31日"},
		"leak-count":          {"2,455", "112,364"},
		"am-i-affected":       {"0120-455-512", "9:00", "17:00"},
		"no-notice":           {"0120-455-512"},
		"which-details":       {"0120-455-512"},
		"change-password-pc":  {"お客様情報", "パスワード", "マイページ"},
		"change-password-app": {"ポケトラ", "メニュー", "登録内容変更", "マネースクエアFX"},
		"suspicious-contact": {"188", "https://www.kokusen.go.jp/map/index.html",
			"https://www.caa.go.jp/policies/policy/local_cooperation/local_consumer_administration/hotline/",
			"https://www.dekyo.or.jp/", "https://www.dekyo.or.jp/soudan/index.html"},
		"contact": {"0120-455-512", "03-3470-5050", "03-3470-5053", "ir@m2hd.co.jp", "2018年2月28日"},
	}
	for id, facts := range must {
		e := c.Entry(id)
		for _, f := range facts {
			if !strings.Contains(e.Text[Japanese].Answer, f) {
				t.Errorf("%s (ja) lacks %q", id, f)
			}
			if isASCIIish(f) && !strings.Contains(e.Text[English].Answer, f) {
				t.Errorf("%s (en) lacks %q", id, f)
			}
		}
	}
}

func isASCIIish(s string) bool {
	for _, r := range s {
		if r > 0x7f {
			return false
		}
	}
	return true
}

const goodEntry = `id: a
ja:
  title: 質問
  answer: 回答
  questions: [別の聞き方]
en:
  title: question
  answer: answer
`

func tree(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{}
	for name, data := range files {
		fs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fs
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"duplicate id", map[string]string{
			"entries/a.yaml": goodEntry,
			"entries/b.yaml": strings.Replace(goodEntry, "title: 質問", "title: 別", 1),
		}, []string{`c/entries/b.yaml:1: duplicate id "a" (also in c/entries/a.yaml:1)`}},
		{"missing language", map[string]string{
			"faqbot.yaml":    manifestWith("languages: [ja, en]"),
			"entries/a.yaml": "id: a\nja:\n  title: 質問\n  answer: 回答\n",
		}, []string{`c/entries/a.yaml:1: entry "a": missing language "en" (faqbot.yaml requires ja, en)`}},
		{"no language at all", map[string]string{
			"entries/a.yaml": "id: a\nsection: x\n",
		}, []string{`c/entries/a.yaml:1: entry "a" has no language (add a ja: or en: block)`}},
		{"unknown follow-up", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "id: a\n", "id: a\nfollowups:\n  - nope\n", 1),
		}, []string{`c/entries/a.yaml:3: unknown follow-up "nope"`}},
		{"empty answer", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "answer: 回答", `answer: ""`, 1),
		}, []string{`c/entries/a.yaml:4: ja: empty answer`}},
		{"bad encoding", map[string]string{
			"entries/a.yaml": "id: a\nja:\n  title: \x8e\xbf\x96\xe2\n  answer: x\n", // Shift_JIS 質問
		}, []string{`c/entries/a.yaml:3: not valid UTF-8 (save the file as UTF-8; Shift_JIS files can be converted with faqbot import)`}},
		{"yaml syntax", map[string]string{
			"entries/a.yaml": "id: a\nja:\n  title: [unclosed\n",
		}, []string{"c/entries/a.yaml:2: did not find expected"}},
		{"unknown field", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "en:\n", "anwser: x\nen:\n", 1),
		}, []string{`c/entries/a.yaml:6: unknown field "anwser" (expected one of id, section, handoff, holds_for_everyone, followups, ja, en)`}},
		{"unknown field in a language block, the entry still checked", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "  answer: 回答\n", "  answer: \"\"\n  qestions: [x]\n", 1),
		}, []string{`c/entries/a.yaml:4: ja: empty answer`,
			`c/entries/a.yaml:5: unknown field "qestions" (expected one of title, label, answer, questions, keywords)`}},
		{"unknown fields and a type error", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "id: a\n", "id: a\nhandoff: maybe\ntags: [x]\n", 1),
		}, []string{"c/entries/a.yaml:2: cannot unmarshal", `c/entries/a.yaml:3: unknown field "tags"`}},
		{"unknown field at the top of faqbot.yaml", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    manifestWith("languages: [ja, en]\nlanguage: [ja]"),
		}, []string{fmt.Sprintf(`c/faqbot.yaml:%d: unknown field "language" (expected one of languages, desk, brand, messages)`,
			lineOfText(manifestWith("languages: [ja, en]\nlanguage: [ja]"), "language:"))}},
		{"unknown field in the desk and in a closure", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml": strings.NewReplacer("  phone: ", "  fone: x\n  phone: ", `      to: "01-03"`, `      to: "01-03"`+"\n      until: x").
				Replace(manifestWith("languages: [ja, en]")),
		}, []string{`c/faqbot.yaml:10: unknown field "fone" (expected one of name, phone, hours, open, close, closures)`,
			`c/faqbot.yaml:26: unknown field "until" (expected one of name, from, to)`}},
		{"unknown message", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(manifestWith("languages: [ja, en]"), "messages:\n", "messages:\n  handof:\n    ja: x\n", 1),
		}, []string{fmt.Sprintf(`c/faqbot.yaml:%d: unknown field "handof" (expected one of handoff, `, lineOfText(manifestWith(""), "messages:")+1)}},
		{"matcher tunable misspelt", map[string]string{
			"entries/a.yaml": goodEntry,
			"matcher.yaml":   strings.Replace(embeddedFile("content/matcher.yaml"), "  max_clauses: 4", "  max_clause: 4", 1),
		}, []string{
			fmt.Sprintf("c/matcher.yaml:%d: retrieval: max_clauses is missing", lineOfText(embeddedFile("content/matcher.yaml"), "retrieval:")),
			fmt.Sprintf(`c/matcher.yaml:%d: unknown field "max_clause" (expected one of max_df, max_clauses, `, lineOfText(embeddedFile("content/matcher.yaml"), "  max_clauses:")),
		}},
		{"unknown section of matcher.yaml", map[string]string{
			"entries/a.yaml": goodEntry,
			"matcher.yaml":   embeddedFile("content/matcher.yaml") + "weights:\n  x: 1\n",
		}, []string{fmt.Sprintf(`c/matcher.yaml:%d: unknown field "weights" (expected one of thresholds, rank, retrieval, learning, vectors, boosts, signals)`,
			strings.Count(embeddedFile("content/matcher.yaml"), "\n")+1)}},
		{"unknown language in synonyms and out-of-scope", map[string]string{
			"entries/a.yaml":    goodEntry,
			"synonyms.yaml":     "ja:\n  - [漏洩, 流出]\nfr:\n  - [fuite, perte]\n",
			"out-of-scope.yaml": "ja: [今日の天気]\nde: [Wetter]\n",
		}, []string{`c/out-of-scope.yaml:2: unknown field "de" (expected one of ja, en)`,
			`c/synonyms.yaml:3: unknown field "fr" (expected one of ja, en)`}},
		{"long label", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "  answer: 回答\n", "  answer: 回答\n  label: この ラベルは 二十文字を 超えて しまって いる\n", 1),
		}, []string{`c/entries/a.yaml:5: ja: label has 25 characters (at most 20 fit a button)`}},
		{"bad id", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "id: a", "id: Bad ID", 1),
		}, []string{`c/entries/a.yaml:1: id "Bad ID": use lowercase letters, digits and '-'`}},
		{"no entries", map[string]string{"synonyms.yaml": "ja: []\n"},
			[]string{"c/entries: no entries (expected entries/*.yaml)"}},
		{"colloquial row of one form", map[string]string{
			"entries/a.yaml": goodEntry,
			"normalize.yaml": "colloquial:\n  - [てへん, ていない]\n  - [とる]\n",
		}, []string{`c/normalize.yaml:3: want [from, to]`}},
		{"colloquial form twice, and one that rewrites to itself", map[string]string{
			"entries/a.yaml": goodEntry,
			"normalize.yaml": "colloquial:\n  - [てへん, ていない]\n  - [てへん, ていません]\n  - [ほんま, ほんまに]\n",
		}, []string{`c/normalize.yaml:3: "てへん" is already rewritten at line 2`, `c/normalize.yaml:4: "ほんま" is rewritten to a text that contains it`}},
		{"matcher tunable missing", map[string]string{
			"entries/a.yaml": goodEntry,
			"matcher.yaml":   strings.Replace(embeddedFile("content/matcher.yaml"), "  max_clauses: 4", "", 1),
		}, []string{fmt.Sprintf("c/matcher.yaml:%d: retrieval: max_clauses is missing", lineOfText(embeddedFile("content/matcher.yaml"), "retrieval:"))}},
		{"vectors: no subsampling threshold, and a minimum count of 0", map[string]string{
			"entries/a.yaml": goodEntry,
			"matcher.yaml":   strings.NewReplacer("  sample: 1e-4", "  sample: 0", "  min_count: 1", "  min_count: 0").Replace(embeddedFile("content/matcher.yaml")),
		}, []string{fmt.Sprintf("c/matcher.yaml:%d: retrieval, learning and vectors: counts must be at least 1 (folds at least 2), rate positive, l2 not negative", lineOfText(embeddedFile("content/matcher.yaml"), "  intent_weight:"))}}, // the line of the learning section's first key
		{"a message left empty", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    withoutClarify("  clarify:\n    ja: \"\"\n"),
		}, []string{`c/faqbot.yaml:`}},
		{"a text of the web page left empty", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(embeddedFile("content/faqbot.yaml"), "  web_send:\n    ja: 送信\n    en: Send\n", "  web_send:\n    ja: \"\"\n", 1),
		}, []string{fmt.Sprintf("c/faqbot.yaml:%d: messages: web_send is empty", lineOfText(embeddedFile("content/faqbot.yaml"), "  web_send:")+1)}}, // the line of its text
		{"unknown placeholder in a one-line message", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    withoutClarify("  clarify:\n    ja: お電話は{phon}へ\n    en: Call {desk} at {phone}\n"),
		}, []string{fmt.Sprintf("c/faqbot.yaml:%d: messages: clarify (ja): unknown placeholder {phon} (this message can use {desk}, {phone}, {hours})",
			lineOfText(withoutClarify("  clarify:\n    ja: お電話は{phon}へ\n"), "    ja: お電話は"))}},
		{"the non-text notice names the media, nothing else", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(embeddedFile("content/faqbot.yaml"), "{media}にはお答えできません", "{medium}にはお答えできません", 1),
		}, []string{fmt.Sprintf("c/faqbot.yaml:%d: messages: non_text (ja): unknown placeholder {medium} (this message can use {media})",
			lineOfText(embeddedFile("content/faqbot.yaml"), "    ja: 申し訳ございません。{media}"))}},
		{"placeholder of another message, in a block", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    withoutClarify("  clarify:\n    ja: |-\n      一行目\n      次は{next}\n    en: x\n"),
		}, []string{fmt.Sprintf("c/faqbot.yaml:%d: messages: clarify (ja): unknown placeholder {next}",
			lineOfText(withoutClarify("  clarify:\n    ja: |-\n      一行目\n      次は{next}\n"), "      次は"))}},
		{"closure of mixed forms", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(manifestWith("languages: [ja, en]"), `to: "01-03"`, `to: "2027-01-03"`, 1),
		}, []string{fmt.Sprintf(`c/faqbot.yaml:%d: desk: closures: from "12-31" and to "2027-01-03" must both be MM-DD or both YYYY-MM-DD`,
			lineOfText(manifestWith(""), "    - name:"))}},
		{"closure of no date", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(manifestWith("languages: [ja, en]"), `from: "12-31"`, `from: "13-01"`, 1),
		}, []string{`c/faqbot.yaml:`}},
		{"dated closure running backwards", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml": strings.Replace(manifestWith("languages: [ja, en]"), `from: "12-31"
      to: "01-03"`, `from: "2027-01-03"
      to: "2026-12-31"`, 1),
		}, []string{fmt.Sprintf(`c/faqbot.yaml:%d: desk: closures: "2026-12-31" ends before it starts ("2027-01-03")`,
			lineOfText(manifestWith(""), "    - name:"))}},
		{"closure with a key of its own", map[string]string{
			"entries/a.yaml": goodEntry,
			"faqbot.yaml":    strings.Replace(manifestWith("languages: [ja, en]"), `to: "01-03"`, `until: "01-03"`, 1),
		}, []string{fmt.Sprintf(`c/faqbot.yaml:%d: unknown field "until" (expected one of name, from, to)`,
			lineOfText(manifestWith(""), `      to: "01-03"`))}},
		{"several problems in several files", map[string]string{
			"entries/a.yaml": strings.Replace(goodEntry, "answer: 回答", `answer: ""`, 1),
			"entries/b.yaml": strings.Replace(goodEntry, "id: a\n", "id: b\nfollowups: [zz]\n", 1),
		}, []string{`c/entries/a.yaml:4: ja: empty answer`, `c/entries/b.yaml:2: unknown follow-up "zz"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tree(tt.files), "c")
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(ps[i].String(), w) {
					t.Errorf("problem %d = %q, want prefix %q", i, ps[i].String(), w)
				}
			}
		})
	}
}

// lineOfText is the 1-based line of text that starts with prefix (0 when none does).
func lineOfText(text, prefix string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	return 0
}

func embeddedFile(name string) string {
	data, err := embedded.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func manifestWith(langs string) string {
	data, err := embedded.ReadFile("content/faqbot.yaml")
	if err != nil {
		panic(err)
	}
	return strings.Replace(string(data), "languages: [ja, en]", langs, 1)
}

// The shipped content has every text of the web page in both languages.
func TestShippedWebTexts(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range WebTexts {
		for _, l := range []Lang{Japanese, English} {
			if c.Messages.Web[k][l] == "" {
				t.Errorf("messages: web_%s has no %s text", k, l)
			}
		}
	}
	if len(c.Messages.Web) != len(WebTexts) {
		t.Errorf("%d web texts, want %d", len(c.Messages.Web), len(WebTexts))
	}
}

// A tree written for an older faqbot, without a message added since, takes the shipped text.
func TestLoadOlderManifest(t *testing.T) {
	c, err := Load(tree(map[string]string{"entries/a.yaml": goodEntry, "faqbot.yaml": withoutClarify("")}), "c")
	if err != nil {
		t.Fatal(err)
	}
	emb, _ := LoadEmbedded()
	if c.Messages.Clarify.In(Japanese) == "" || c.Messages.Clarify.In(Japanese) != emb.Messages.Clarify.In(Japanese) {
		t.Errorf("clarify = %q, want the shipped text", c.Messages.Clarify.In(Japanese))
	}
}

// withoutClarify is the shipped faqbot.yaml with its clarify message replaced by with.
func withoutClarify(with string) string {
	manifest := manifestWith("languages: [ja, en]")
	i := strings.Index(manifest, "  clarify:")
	j := strings.Index(manifest, "  ask_back:")
	return manifest[:i] + with + manifest[j:]
}

func TestLoadJapaneseOnly(t *testing.T) {
	c, err := Load(tree(map[string]string{
		"faqbot.yaml":    manifestWith("languages: [ja]"),
		"entries/a.yaml": "id: a\nja:\n  title: 質問\n  answer: 回答\n",
	}), "c")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Entry("a").Text[Japanese].Answer; got != "回答" {
		t.Errorf("answer = %q", got)
	}
	if len(c.Messages.Handoff) == 0 || c.Matcher.MinConfidence == 0 {
		t.Error("faqbot.yaml or matcher.yaml defaults were not taken from the embedded content")
	}
}

// TestLoadBrand checks the brand section of faqbot.yaml: the shipped values, faithful to the
// official Q&A, and every bad value reported at its line.
func TestLoadBrand(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	b := c.Brand
	if b.Name.In(Japanese) != "株式会社マネースクエア" || b.Name.In(English) != "Money Square, Inc." {
		t.Errorf("brand name %v", b.Name)
	}
	if b.Color != "#1f4e79" {
		t.Errorf("brand colour %q", b.Color)
	}
	// The official Q&A gives no address of the notice page: none is made up.
	if b.NoticeURL != "" {
		t.Errorf("notice_url %q, but the official Q&A names no address", b.NoticeURL)
	}
	if s := b.Notice.In(Japanese); !strings.Contains(s, "自動") || !strings.Contains(s, "情報漏えいについてお客様からお寄せいただいたご質問ならびに回答") {
		t.Errorf("ja notice %q: want automated answers from the official Q&A, by its title", s)
	}
	if s := b.Notice.In(English); !strings.Contains(s, "automatically") || !strings.Contains(s, "official Q&A") {
		t.Errorf("en notice %q", s)
	}

	shipped := manifestWith("languages: [ja, en]")
	with := func(old, new string) string {
		t.Helper()
		if !strings.Contains(shipped, old) {
			t.Fatalf("the shipped faqbot.yaml no longer holds %q", old)
		}
		return strings.Replace(shipped, old, new, 1)
	}
	colorLine := lineOfText(shipped, `  color: "#1f4e79"`)
	nameLine := lineOfText(shipped, "brand:") + 1 // "  name:"
	tests := []struct {
		name     string
		manifest string
		want     []string
	}{
		{"a colour name", with(`color: "#1f4e79"`, "color: navy"),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: color must be a hex colour such as "#1f4e79" or "#148", got "navy"`, colorLine)}},
		{"five hex digits", with(`color: "#1f4e79"`, `color: "#1f4e7"`),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: color must be a hex colour`, colorLine)}},
		{"not hex", with(`color: "#1f4e79"`, `color: "#1g4e79"`),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: color must be a hex colour`, colorLine)}},
		{"unquoted, so a comment", with(`color: "#1f4e79"`, `color: #1f4e79`),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: color is empty (a hex colour in quotes, such as "#1f4e79")`, colorLine)}},
		{"no English name", with("    en: Money Square, Inc.\n", ""),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: name: missing language "en" (faqbot.yaml requires ja, en)`, nameLine+1)}},
		{"an address that is not absolute", with(`  color: "#1f4e79"`, "  color: \"#1f4e79\"\n  notice_url: www.example.com/notice"),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: notice_url must be an absolute http or https address, got "www.example.com/notice"`, colorLine+1)}},
		{"a script address", with(`  color: "#1f4e79"`, "  color: \"#1f4e79\"\n  notice_url: javascript:alert(1)"),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: notice_url must be an absolute http or https address`, colorLine+1)}},
		{"a misspelt key", with(`  color: "#1f4e79"`, "  colour: \"#1f4e79\""),
			[]string{fmt.Sprintf(`c/faqbot.yaml:%d: brand: color is missing`, nameLine-1), fmt.Sprintf(`c/faqbot.yaml:%d: unknown field "colour"`, colorLine)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tree(map[string]string{"entries/a.yaml": goodEntry, "faqbot.yaml": tt.manifest}), "c")
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(ps[i].String(), w) {
					t.Errorf("problem %d = %q, want prefix %q", i, ps[i].String(), w)
				}
			}
		})
	}

	t.Run("short colour and an address", func(t *testing.T) {
		m := strings.Replace(with(`color: "#1f4e79"`, `color: "#FA0"`), "  notice:", "  notice_url: https://www.example.co.jp/news/20170731.html\n  notice:", 1)
		c, err := Load(tree(map[string]string{"entries/a.yaml": goodEntry, "faqbot.yaml": m}), "c")
		if err != nil {
			t.Fatal(err)
		}
		if c.Brand.Color != "#ffaa00" || c.Brand.NoticeURL != "https://www.example.co.jp/news/20170731.html" {
			t.Errorf("brand %+v", c.Brand)
		}
	})
	t.Run("a manifest without a brand", func(t *testing.T) {
		i, j := strings.Index(shipped, "brand:"), strings.Index(shipped, "messages:")
		c, err := Load(tree(map[string]string{"entries/a.yaml": goodEntry, "faqbot.yaml": shipped[:i] + shipped[j:]}), "c")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Brand, Brand{}) {
			t.Errorf("brand %+v, want none", c.Brand)
		}
	})
}
