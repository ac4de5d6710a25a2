package importer

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faqbot/faqbot/faq"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// encodeIn returns s in an encoding, failing the test if it cannot hold s.
func encodeIn(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func ja(title, answer string, questions ...string) map[faq.Lang]*faq.Text {
	return map[faq.Lang]*faq.Text{faq.Japanese: {Title: title, Answer: answer, Questions: questions}}
}

func en(title, answer string, questions ...string) map[faq.Lang]*faq.Text {
	return map[faq.Lang]*faq.Text{faq.English: {Title: title, Answer: answer, Questions: questions}}
}

// ignoreFile compares entries without their provenance.
var ignoreFile = cmpopts.IgnoreFields(faq.Entry{}, "File", "Parent")

func TestRead(t *testing.T) {
	// A CP932 file as Excel in Japan writes it: ① and 髙 are not in JIS X 0208.
	sjis := "番号\t質問\t回答\r\n" +
		"1\t髙橋さんの窓口は？\t①本庁舎１階です。\r\n" +
		"2\t開庁時間は？\t平日８時４５分～１７時３０分\r\n"
	tests := []struct {
		name    string
		format  Format
		enc     string
		lang    faq.Lang
		src     []byte
		want    []*faq.Entry
		langs   []faq.Lang
		encUsed string
	}{{
		name:   "csv with every column, quoted line breaks",
		format: CSV,
		src: []byte("ID,Question,Answer,Lang,Alternate questions,Hand-off,Section\n" +
			"Card-1,How do I renew my card?,\"Bring the old card.\n\nIt takes a week.  \",en,\"Renew card|Card renewal\nNew card?\",no,Q1\n" +
			"card-2,Who can I call?,Call the desk.,English,,yes,\n"),
		want: []*faq.Entry{
			{ID: "card-1", Section: "Q1", Text: en("How do I renew my card?", "Bring the old card.\n\nIt takes a week.", "Renew card", "Card renewal", "New card?")},
			{ID: "card-2", Handoff: true, Text: en("Who can I call?", "Call the desk.")},
		},
		langs: []faq.Lang{faq.English}, encUsed: "utf-8",
	}, {
		name:   "csv utf-8 with BOM, ja and en rows merge",
		format: CSV,
		src: []byte("\ufeffid,question,answer,language\n" +
			"hours,受付時間は？,9時から17時です。,ja\n" +
			"hours,What are the hours?,9:00 to 17:00.,en\n"),
		want: []*faq.Entry{{ID: "hours", Text: map[faq.Lang]*faq.Text{
			faq.Japanese: {Title: "受付時間は？", Answer: "9時から17時です。"},
			faq.English:  {Title: "What are the hours?", Answer: "9:00 to 17:00."},
		}}},
		langs: faq.Langs, encUsed: "utf-8",
	}, {
		name:   "japanese header, no id: ids derived from the question",
		format: CSV,
		src:    []byte("質問,回答,言い換え,有人対応\n住所を変えたい,窓口へ,住所変更|引っ越し,はい\n"),
		want: []*faq.Entry{{ID: "q-" + hash("住所を変えたい"), Handoff: true,
			Text: ja("住所を変えたい", "窓口へ", "住所変更", "引っ越し")}},
		langs: []faq.Lang{faq.Japanese}, encUsed: "utf-8",
	}, {
		name:   "shift_jis detected",
		format: TSV,
		src:    encodeIn(t, japanese.ShiftJIS, sjis),
		want: []*faq.Entry{
			{ID: "1", Text: ja("髙橋さんの窓口は？", "①本庁舎１階です。")},
			{ID: "2", Text: ja("開庁時間は？", "平日８時４５分～１７時３０分")},
		},
		langs: []faq.Lang{faq.Japanese}, encUsed: "shift_jis",
	}, {
		name:   "cp932 given",
		format: TSV,
		enc:    "cp932",
		src:    encodeIn(t, japanese.ShiftJIS, sjis),
		want: []*faq.Entry{
			{ID: "1", Text: ja("髙橋さんの窓口は？", "①本庁舎１階です。")},
			{ID: "2", Text: ja("開庁時間は？", "平日８時４５分～１７時３０分")},
		},
		langs: []faq.Lang{faq.Japanese}, encUsed: "cp932",
	}, {
		name:    "euc-jp detected",
		format:  TSV,
		src:     encodeIn(t, japanese.EUCJP, "id\tquestion\tanswer\nzei\t住民税の納付方法は？\t口座振替、コンビニ、窓口で納められます。\n"),
		want:    []*faq.Entry{{ID: "zei", Text: ja("住民税の納付方法は？", "口座振替、コンビニ、窓口で納められます。")}},
		langs:   []faq.Lang{faq.Japanese},
		encUsed: "euc-jp",
	}, {
		name:    "utf-16 with BOM (Excel's unicode text)",
		format:  TSV,
		src:     encodeIn(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "id\tquestion\tanswer\r\na\t質問\t回答\r\n"),
		want:    []*faq.Entry{{ID: "a", Text: ja("質問", "回答")}},
		langs:   []faq.Lang{faq.Japanese},
		encUsed: "utf-16",
	}, {
		name:   "tsv quoting: quoted tabs and line breaks, stray quotes are text",
		format: TSV,
		src: []byte("id\tquestion\tanswer\textra\n" +
			"q1\t\"Tabs\tand \"\"quotes\"\"\"\t\"line one\nline two\"\tignored\n" +
			"q2\t\"Quoted\" word first\t5\" screen\t\n"),
		want: []*faq.Entry{
			{ID: "q1", Text: en("Tabs\tand \"quotes\"", "line one\nline two")},
			{ID: "q2", Text: en("\"Quoted\" word first", "5\" screen")},
		},
		langs: []faq.Lang{faq.English}, encUsed: "utf-8",
	}, {
		name:   "json: lists, booleans, numbers, null",
		format: JSON,
		src: []byte(`[
  {"id": 7, "question": "How do I pay?", "answer": "By card.", "alternates": ["Payment", "Can I pay by card?"], "handoff": false, "section": null},
  {"ID": "Q_8", "質問": "支払い方法は？", "回答": "カードで。", "handoff": true, "note": "x"}
]`),
		want: []*faq.Entry{
			{ID: "7", Text: en("How do I pay?", "By card.", "Payment", "Can I pay by card?")},
			{ID: "q-8", Handoff: true, Text: ja("支払い方法は？", "カードで。")},
		},
		encUsed: "utf-8",
	}, {
		name:   "--lang for rows without a language",
		format: CSV,
		lang:   faq.English,
		src:    []byte("id,question,answer\nx,ＰＩＮ？,Four digits.\n"),
		want:   []*faq.Entry{{ID: "x", Text: en("ＰＩＮ？", "Four digits.")}},
		langs:  []faq.Lang{faq.English}, encUsed: "utf-8",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read("faq."+string(tt.format), tt.src, Options{Format: tt.format, Encoding: tt.enc, Lang: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Entries, ignoreFile, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.langs, res.Languages, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("languages (-want +got):\n%s", diff)
			}
			if res.Encoding != tt.encUsed {
				t.Errorf("encoding %q, want %q", res.Encoding, tt.encUsed)
			}
		})
	}
}

func hash(q string) string { return strings.TrimPrefix(mustID(q), "q-") }

func mustID(q string) string {
	id, _ := (&reader{}).entryID("", q)
	return id
}

func TestDerivedIDStable(t *testing.T) {
	a, b := mustID("住所を変えたい"), mustID("住所を変えたい")
	if a != b || a == mustID("住所を変えたいです") {
		t.Errorf("derived ids %q, %q", a, b)
	}
	if !regexp.MustCompile(`^q-[0-9a-f]{10}$`).MatchString(a) {
		t.Errorf("derived id %q, want q- and 10 hex digits", a)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		enc    string
		src    string
		want   []string
	}{{
		name:   "missing column",
		format: CSV,
		src:    "id,question,回答文x\n1,q,a\n",
		want:   []string{`f:1: missing column "answer" (the header row names "id", "question", "回答文x")`},
	}, {
		name:   "two columns for one field",
		format: CSV,
		src:    "question,質問,answer\n",
		want:   []string{`f:1: columns "question" and "質問" both mean question`},
	}, {
		name:   "every bad row, at the line it starts on",
		format: CSV,
		src: "id,question,answer,lang,handoff\n" +
			"a,\"multi\nline\nquestion\",,ja,\n" + // lines 2-4: empty answer
			"b,,answer,en,\n" + // 5
			"c,q,a,fr,\n" + // 6
			"d,q,a,en,maybe\n" + // 7
			"a,\"again\",x,ja,\n" + // 8: a/ja has failed, so this is the first a/ja
			"a,\"again\nand again\",x,ja,\n" + // 9
			"e,q,a,en,\n",
		want: []string{
			"f:2: empty answer",
			"f:5: empty question",
			`f:6: unknown language "fr" (faqbot speaks ja and en)`,
			`f:7: handoff "maybe": use true/false, yes/no or 1/0`,
			`f:9: duplicate id "a" in ja (also at line 8)`,
		},
	}, {
		name:   "merged rows disagree",
		format: TSV,
		src:    "id\tquestion\tanswer\tlang\thandoff\tsection\nx\t質問\t回答\tja\tyes\tA\nx\tq\ta\ten\tno\tB\n",
		want: []string{
			`f:3: handoff differs from line 2 (same id "x")`,
			`f:3: section differs from line 2 (same id "x")`,
		},
	}, {
		name:   "ids that differ only in spelling",
		format: TSV,
		src:    "id\tquestion\tanswer\nQ_1\tq\ta\nq-1\tr\tb\n",
		want:   []string{`f:3: duplicate id "q-1": id "Q_1" at line 2 is written the same way`},
	}, {
		name:   "same question twice without id",
		format: TSV,
		src:    "question\tanswer\nq\ta\nq\tb\n",
		want:   []string{"f:3: duplicate question (also at line 2)"},
	}, {
		name:   "label too long, extra cells",
		format: TSV,
		src:    "question\tanswer\tlabel\nq\ta\t一二三四五六七八九十一二三四五六七八九十一\nr\tb\t\tsurplus\n",
		want: []string{
			"f:2: label has 21 characters (at most 20 fit a button)",
			"f:3: row has 4 cells, the header row names 3 columns",
		},
	}, {
		name:   "bad csv quoting",
		format: CSV,
		src:    "question,answer\nq,a\n\"r\n\"x,b\n",
		want:   []string{`f:3: bad CSV at line 4, column 1: extraneous or missing " in quoted-field`},
	}, {
		name:   "invalid utf-8 when utf-8 is given",
		format: CSV,
		enc:    "utf-8",
		src:    "question,answer\nq,a\n\x8e\xbf,b\n",
		want:   []string{"f:3: not valid UTF-8 (name the file's encoding with --encoding)"},
	}, {
		name:   "not shift_jis when shift_jis is given",
		format: CSV,
		enc:    "shift_jis",
		src:    "question,answer\nq,a\n\x81,b\n",
		want:   []string{"f:3: not valid shift_jis (name the file's encoding with --encoding)"},
	}, {
		name:   "no encoding fits",
		format: CSV,
		src:    "question,answer\nq,a\n\xff\xff,b\n",
		want:   []string{"f:3: not UTF-8, Shift_JIS or EUC-JP text (name the file's encoding with --encoding)"},
	}, {
		name:   "empty file",
		format: CSV,
		src:    "\ufeff\n",
		want:   []string{"f:1: no rows (expected a header row and one row per question)"},
	}, {
		name:   "json not an array",
		format: JSON,
		src:    "\n{\"question\": \"q\"}",
		want:   []string{"f:2: expected a JSON array of objects"},
	}, {
		name:   "json objects",
		format: JSON,
		src: "[\n  {\"question\": \"q\", \"answer\": \"a\"},\n  {\"question\": \"q2\"},\n" +
			"  {\"question\": \"q3\", \"answer\": {\"x\": 1}},\n  {\"question\": \"q4\", \"answer\": \"a\", \"回答\": \"b\"},\n  7\n]",
		want: []string{
			"f:3: empty answer",
			`f:4: "answer": expected a string, a number, true/false or a list of strings`,
			`f:5: keys "answer" and "回答" both mean answer`,
			"f:6: expected an object with question and answer",
		},
	}, {
		name:   "json syntax",
		format: JSON,
		src:    "[\n  {\"question\": \"q\", \"answer\": \"a\"},\n  {\"question\": \"q2\" \"answer\": \"b\"}\n]",
		want:   []string{"f:3: bad JSON: invalid character '\"' after object key:value pair"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read("f", []byte(tt.src), Options{Format: tt.format, Encoding: tt.enc})
			var ps faq.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Read = %v, %v; want problems", res, err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadBadOptions(t *testing.T) {
	for _, opt := range []Options{{Format: "xlsx"}, {Format: CSV, Encoding: "latin1"}, {Format: CSV, Lang: "fr"}} {
		_, err := Read("f", []byte("question,answer\nq,a\n"), opt)
		var ps faq.Problems
		if err == nil || errors.As(err, &ps) {
			t.Errorf("%+v: err = %v, want an option error", opt, err)
		}
	}
}

// TestRoundTrip imports a file, writes it, loads it with faq.LoadDir and compares the entries.
func TestRoundTrip(t *testing.T) {
	src := encodeIn(t, japanese.ShiftJIS, "番号,質問,回答,言語,言い換え,有人対応,分類,ラベル,キーワード\r\n"+
		"tax-1,住民税はいつ払いますか？,\"６月、８月、１０月、翌年１月の年４回です。\r\n\r\n①納付書\r\n②口座振替\",ja,\"住民税の納期\r\n住民税 いつ\",,税,住民税の納期,\"納期,住民税\"\r\n"+
		"tax-1,When do I pay resident tax?,\"Four times a year.\r\n\r\n- by slip\",en,When is resident tax due?|Resident tax dates,,税,Tax dates,\r\n"+
		"desk-2,髙橋課長に相談したい,担当窓口までお電話ください。,ja,,yes,窓口,,\r\n"+
		"desk-2,I want to talk to Mr Takahashi,Please call the desk.,en,,1,窓口,,\r\n")
	res, err := Read("faq.csv", src, Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	want := []*faq.Entry{{
		ID: "tax-1", Section: "税",
		Text: map[faq.Lang]*faq.Text{
			faq.Japanese: {Title: "住民税はいつ払いますか？", Label: "住民税の納期", Answer: "６月、８月、１０月、翌年１月の年４回です。\n\n①納付書\n②口座振替",
				Questions: []string{"住民税の納期", "住民税 いつ"}, Keywords: []string{"納期", "住民税"}},
			faq.English: {Title: "When do I pay resident tax?", Label: "Tax dates", Answer: "Four times a year.\n\n- by slip",
				Questions: []string{"When is resident tax due?", "Resident tax dates"}},
		},
	}, {
		ID: "desk-2", Section: "窓口", Handoff: true,
		Text: map[faq.Lang]*faq.Text{
			faq.Japanese: {Title: "髙橋課長に相談したい", Answer: "担当窓口までお電話ください。"},
			faq.English:  {Title: "I want to talk to Mr Takahashi", Answer: "Please call the desk."},
		},
	}}
	if diff := cmp.Diff(want, res.Entries, ignoreFile, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("read (-want +got):\n%s", diff)
	}
	out := filepath.Join(t.TempDir(), "content")
	if err := Write(out, res, false); err != nil {
		t.Fatal(err)
	}
	c, err := faq.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	// LoadDir orders entries by file name.
	if diff := cmp.Diff([]*faq.Entry{want[1], want[0]}, c.Entries, ignoreFile, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("loaded (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(out, faq.ManifestFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ja+en content has its own %s (err %v); the embedded one fits", faq.ManifestFile, err)
	}
	b, err := os.ReadFile(filepath.Join(out, faq.EntriesDir, "tax-1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# imported from faq.csv:2\n", "  answer: |-\n    ６月、８月、１０月、翌年１月の年４回です。\n\n    ①納付書\n", "section: 税\n"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("tax-1.yaml lacks %q:\n%s", s, b)
		}
	}
}

func TestWriteJapaneseOnly(t *testing.T) {
	res, err := Read("faq.tsv", []byte("id\tquestion\tanswer\n0\t質問\t回答\n1\t別の質問\t別の回答\n"), Options{Format: TSV})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "lgf")
	if err := Write(out, res, false); err != nil {
		t.Fatal(err)
	}
	c, err := faq.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]faq.Lang{faq.Japanese}, c.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	if e := c.Entry("0"); e == nil || e.Text[faq.Japanese].Answer != "回答" {
		t.Errorf("entry 0 = %+v", e)
	}
	if c.Desk.Phone == "" || c.Messages.Fallback.In(faq.Japanese) == "" {
		t.Errorf("manifest lost the desk or the messages: %+v", c.Desk)
	}
}

func TestWriteExisting(t *testing.T) {
	res, err := Read("f.csv", []byte("id,question,answer\nnew,q,a\n"), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	content := filepath.Join(parent, "content")
	os.MkdirAll(filepath.Join(content, faq.EntriesDir), 0o755)
	os.WriteFile(filepath.Join(content, faq.EntriesDir, "old.yaml"), []byte("id: old\n"), 0o644)
	other := filepath.Join(parent, "home")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("keep"), 0o644)
	empty := filepath.Join(parent, "empty")
	os.MkdirAll(empty, 0o755)

	if err := Write(content, res, false); !errors.Is(err, ErrExists) {
		t.Errorf("without replace: %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(content, faq.EntriesDir, "old.yaml")); err != nil {
		t.Errorf("old content touched: %v", err)
	}
	if err := Write(other, res, true); err == nil || !strings.Contains(err.Error(), "does not look like content") {
		t.Errorf("replacing a directory that is not content: %v", err)
	}
	if err := Write(empty, res, false); err != nil {
		t.Errorf("an empty directory: %v", err)
	}
	if err := Write(content, res, true); err != nil {
		t.Fatal(err)
	}
	got, _ := filepath.Glob(filepath.Join(content, faq.EntriesDir, "*"))
	if len(got) != 1 || filepath.Base(got[0]) != "new.yaml" {
		t.Errorf("replaced content has %v", got)
	}
	left, _ := os.ReadDir(parent)
	var names []string
	for _, d := range left {
		names = append(names, d.Name())
	}
	if diff := cmp.Diff([]string{"content", "empty", "home"}, names); diff != "" {
		t.Errorf("left in the parent (-want +got):\n%s", diff)
	}
}

func TestManifest(t *testing.T) {
	if m, err := Manifest(faq.Langs); err != nil || m != nil {
		t.Errorf("Manifest(ja, en) = %q, %v; want none", m, err)
	}
	m, err := Manifest([]faq.Lang{faq.Japanese})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m), "\nlanguages: [ja]\n") || !strings.Contains(string(m), "カスタマーデスク") {
		t.Errorf("manifest:\n%s", m)
	}
}

// FuzzRead checks that Read never panics, and that what it accepts round-trips through Write
// and faq.LoadDir.
func FuzzRead(f *testing.F) {
	f.Add("id,question,answer\n1,q,\"a\nb\"\n")
	f.Add("質問\t回答\n\"q\t\"x\t\"\"\n")
	f.Add(`[{"question": "q", "answer": ["a"], "handoff": 1}]`)
	f.Fuzz(func(t *testing.T, src string) {
		for _, format := range []Format{CSV, TSV, JSON} {
			res, err := Read("f", []byte(src), Options{Format: format})
			if err != nil {
				continue
			}
			if len(res.Entries) == 0 {
				t.Fatalf("%s: no error and no entries", format)
			}
			// What reads without problems must write content that loads as it was read.
			out := filepath.Join(t.TempDir(), "out")
			if err := Write(out, res, false); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			c, err := faq.LoadDir(out)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			for _, e := range res.Entries {
				if diff := cmp.Diff(e, c.Entry(e.ID), ignoreFile, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("%s: entry %s (-read +loaded):\n%s", format, e.ID, diff)
				}
			}
		}
	})
}
