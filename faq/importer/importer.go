// Package importer converts a spreadsheet-style FAQ (CSV, TSV or JSON rows with an id, a
// question, an answer and optionally a language, alternate questions, a hand-off flag and a
// section) into a faqbot content tree that faq.LoadDir accepts.
//
// importer builds on faq only; it must not import nlu, bot, adapters or any chat SDK.
package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq"
	"golang.org/x/text/unicode/norm"
)

// Format is the layout of a source file.
type Format string

// The formats Read understands.
const (
	CSV  Format = "csv"  // comma-separated, RFC 4180 quoting (as Excel writes it)
	TSV  Format = "tsv"  // tab-separated; a field may be quoted to hold tabs or line breaks
	JSON Format = "json" // an array of objects keyed like the header of a CSV file
)

// Options say how to read a source.
type Options struct {
	Format Format
	// Encoding is "utf-8", "shift_jis", "cp932", "euc-jp", or "" (or "auto") to detect it:
	// UTF-8 with or without BOM, UTF-16 with BOM, else Shift_JIS (CP932) or EUC-JP.
	Encoding string
	// Lang is the language of rows without a language cell; "" takes it from the row's text
	// (Japanese when the question has kana or kanji, English otherwise).
	Lang faq.Lang
}

// Result is a converted FAQ.
type Result struct {
	Entries []*faq.Entry // in the order of their first row; File is "FILE:line" of that row
	// Languages are the languages every entry has, in faq.Langs order.
	Languages []faq.Lang
	Encoding  string   // the encoding the source was read in
	Notes     []string // things worth knowing that are not errors (ignored columns, rewritten ids)
}

// Read converts src, the contents of the file called name. Bad rows are reported as
// faq.Problems, every one of them, each at the line of name where its row starts; any other
// error is an unknown format or encoding.
func Read(name string, src []byte, opt Options) (*Result, error) {
	if opt.Lang != "" && opt.Lang != faq.Japanese && opt.Lang != faq.English {
		return nil, fmt.Errorf("importer: unknown language %q (faqbot speaks ja and en)", opt.Lang)
	}
	r := &reader{name: name, opt: opt, byID: map[string]*pending{}}
	text, enc, err := decode(src, opt.Encoding)
	if err != nil {
		if p, ok := err.(*encodingError); ok {
			return nil, faq.Problems{{File: name, Line: p.line, Msg: p.msg}}
		}
		return nil, err
	}
	var recs []record
	switch opt.Format {
	case CSV:
		recs = r.readCSV(text)
	case TSV:
		recs = r.readTSV(text)
	case JSON:
		recs = r.readJSON(text)
	default:
		return nil, fmt.Errorf("importer: unknown format %q (use csv, tsv or json)", opt.Format)
	}
	if len(r.problems) == 0 && len(recs) == 0 {
		r.problem(1, "no rows (expected a header row and one row per question)")
	}
	for _, rec := range recs {
		r.add(rec)
	}
	if len(r.problems) > 0 {
		sort.SliceStable(r.problems, func(i, j int) bool { return r.problems[i].Line < r.problems[j].Line })
		return nil, r.problems
	}
	res := &Result{Encoding: enc, Notes: r.notes}
	if r.renamed > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d ids rewritten to lowercase letters, digits and '-' (e.g. %s)", r.renamed, r.renamedExample))
	}
	for _, p := range r.order {
		res.Entries = append(res.Entries, p.entry)
	}
	for _, l := range faq.Langs {
		if !slices.ContainsFunc(res.Entries, func(e *faq.Entry) bool { return e.Text[l] == nil }) {
			res.Languages = append(res.Languages, l)
		}
	}
	return res, nil
}

// field is a column of the source.
type field int

const (
	fID field = iota
	fQuestion
	fAnswer
	fLang
	fAlternates
	fHandoff
	fSection
	fLabel
	fKeywords
	fEveryone
	nFields
)

// names are the canonical column names, as printed in messages.
var names = [nFields]string{"id", "question", "answer", "language", "alternates", "handoff", "section", "label", "keywords", "holds_for_everyone"}

// aliases maps a column name, folded by foldName, to its field.
var aliases = map[string]field{}

func init() {
	for f, list := range map[field][]string{
		fID:         {"id", "faqid", "entryid", "no", "番号", "管理番号", "質問番号", "識別子"},
		fQuestion:   {"question", "title", "q", "質問", "質問文", "質問内容", "問い", "タイトル", "見出し"},
		fAnswer:     {"answer", "a", "reply", "response", "回答", "回答文", "回答内容", "答え"},
		fLang:       {"lang", "language", "locale", "言語"},
		fAlternates: {"alternates", "alternate", "alternatequestions", "alternativequestions", "alternatives", "questions", "paraphrases", "variants", "言い換え", "類似質問", "別の質問", "別の聞き方", "質問例", "関連質問"},
		fHandoff:    {"handoff", "handover", "escalate", "有人対応", "引き継ぎ", "引継ぎ", "窓口案内"},
		fSection:    {"section", "category", "source", "セクション", "カテゴリ", "カテゴリー", "分類", "区分", "出典"},
		fLabel:      {"label", "buttonlabel", "ラベル", "ボタン", "ボタン名"},
		fKeywords:   {"keywords", "keyword", "キーワード"},
		fEveryone:   {"holdsforeveryone", "everyone", "全員共通"},
	} {
		for _, a := range list {
			aliases[foldName(a)] = f
		}
	}
}

// foldName folds a column name: width (NFKC), case, and spaces, '_', '-', '.' dropped.
func foldName(s string) string {
	s = strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, s)
}

// record is one row of the source: its cells by field, and the line it starts on.
type record struct {
	line  int
	cells [nFields]string
}

// pending is an entry being assembled from its rows.
type pending struct {
	entry  *faq.Entry
	line   int              // of the first row
	langs  map[faq.Lang]int // line of the row that gave each language
	set    map[field]int    // line of the row that set handoff, section, everyone
	source string           // the id as written in the source
}

type reader struct {
	name           string
	opt            Options
	problems       faq.Problems
	notes          []string
	byID           map[string]*pending
	order          []*pending
	renamed        int
	renamedExample string
}

func (r *reader) problem(line int, format string, args ...any) {
	r.problems = append(r.problems, faq.Problem{File: r.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// header maps the columns of a header row to fields (-1 for ignored columns); it reports a
// missing required column.
func (r *reader) header(line int, cells []string) ([]field, bool) {
	cols := make([]field, len(cells))
	seen := map[field]string{}
	ok := true
	var ignored []string
	for i, c := range cells {
		f, known := aliases[foldName(c)]
		if !known {
			cols[i] = -1
			if strings.TrimSpace(c) != "" {
				ignored = append(ignored, fmt.Sprintf("%q", strings.TrimSpace(c)))
			}
			continue
		}
		if prev, dup := seen[f]; dup {
			r.problem(line, "columns %q and %q both mean %s", prev, strings.TrimSpace(c), names[f])
			ok = false
		}
		seen[f] = strings.TrimSpace(c)
		cols[i] = f
	}
	for _, f := range []field{fQuestion, fAnswer} {
		if _, has := seen[f]; !has {
			r.problem(line, "missing column %q (the header row names %s)", names[f], listCells(cells))
			ok = false
		}
	}
	if ok && len(ignored) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("%s:%d: ignored columns %s", r.name, line, strings.Join(ignored, ", ")))
	}
	return cols, ok
}

func listCells(cells []string) string {
	var q []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			q = append(q, fmt.Sprintf("%q", c))
		}
	}
	if len(q) == 0 {
		return "no columns"
	}
	return strings.Join(q, ", ")
}

// add checks one record and merges it into its entry.
func (r *reader) add(rec record) {
	c := &rec.cells
	before := len(r.problems)
	question := strings.TrimSpace(c[fQuestion])
	answer := cleanAnswer(c[fAnswer])
	if question == "" {
		r.problem(rec.line, "empty question")
	}
	if answer == "" {
		r.problem(rec.line, "empty answer")
	}
	lang := r.opt.Lang
	if s := strings.TrimSpace(c[fLang]); s != "" {
		if l, ok := parseLang(s); ok {
			lang = l
		} else {
			r.problem(rec.line, "unknown language %q (faqbot speaks ja and en)", s)
		}
	}
	if lang == "" {
		lang = detectLang(question)
	}
	handoff, hasHandoff := r.flag(rec.line, "handoff", c[fHandoff])
	everyone, hasEveryone := r.flag(rec.line, "holds_for_everyone", c[fEveryone])
	label := strings.TrimSpace(c[fLabel])
	if n := utf8.RuneCountInString(label); n > 20 {
		r.problem(rec.line, "label has %d characters (at most 20 fit a button)", n)
	}
	source := strings.TrimSpace(c[fID])
	id, derived := r.entryID(source, question)
	if len(r.problems) > before || id == "" {
		return
	}
	p := r.byID[id]
	if p == nil {
		p = &pending{entry: &faq.Entry{ID: id, Text: map[faq.Lang]*faq.Text{}, File: fmt.Sprintf("%s:%d", r.name, rec.line)},
			line: rec.line, langs: map[faq.Lang]int{}, set: map[field]int{}, source: source}
		r.byID[id] = p
		r.order = append(r.order, p)
	} else if p.source != source {
		r.problem(rec.line, "duplicate id %q: id %q at line %d is written the same way", id, p.source, p.line)
		return
	}
	if first, dup := p.langs[lang]; dup {
		if derived {
			r.problem(rec.line, "duplicate question (also at line %d)", first)
		} else {
			r.problem(rec.line, "duplicate id %q in %s (also at line %d)", source, lang, first)
		}
		return
	}
	e := p.entry
	if hasHandoff && r.agree(p, rec.line, fHandoff, e.Handoff != handoff) {
		e.Handoff = handoff
	}
	if hasEveryone && r.agree(p, rec.line, fEveryone, e.HoldsForEveryone != everyone) {
		e.HoldsForEveryone = everyone
	}
	if s := strings.TrimSpace(c[fSection]); s != "" && r.agree(p, rec.line, fSection, e.Section != s) {
		e.Section = s
	}
	if len(r.problems) > before {
		return
	}
	p.langs[lang] = rec.line
	e.Text[lang] = &faq.Text{Title: question, Label: label, Answer: answer,
		Questions: alternates(c[fAlternates], question), Keywords: split(c[fKeywords], "\n|,、")}
}

// agree reports whether a row may set a field of an entry that other rows of the same id
// share: it may when no earlier row set it, or set it alike.
func (r *reader) agree(p *pending, line int, f field, differs bool) bool {
	if first, set := p.set[f]; set {
		if differs {
			r.problem(line, "%s differs from line %d (same id %q)", names[f], first, p.entry.ID)
		}
		return false
	}
	p.set[f] = line
	return true
}

// flag parses a yes/no cell; an empty cell is not set.
func (r *reader) flag(line int, name, s string) (value, set bool) {
	switch strings.ToLower(strings.TrimSpace(norm.NFKC.String(s))) {
	case "":
		return false, false
	case "true", "yes", "y", "1", "はい", "○", "◯":
		return true, true
	case "false", "no", "n", "0", "いいえ", "×":
		return false, true
	}
	r.problem(line, "%s %q: use true/false, yes/no or 1/0", name, strings.TrimSpace(s))
	return false, false
}

func parseLang(s string) (faq.Lang, bool) {
	switch strings.ToLower(strings.ReplaceAll(norm.NFKC.String(s), "_", "-")) {
	case "ja", "jp", "jpn", "ja-jp", "japanese", "日本語":
		return faq.Japanese, true
	case "en", "eng", "en-us", "en-gb", "english", "英語":
		return faq.English, true
	}
	return "", false
}

// detectLang is Japanese when s has kana or kanji, English otherwise.
func detectLang(s string) faq.Lang {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return faq.Japanese
		}
	}
	return faq.English
}

// entryID returns the content id of a row: its id cell made valid (lowercase letters, digits
// and '-'), or, without one, an id derived from the question, so that importing the same file
// again gives the same ids.
func (r *reader) entryID(source, question string) (id string, derived bool) {
	if source == "" {
		if question == "" {
			return "", true
		}
		sum := sha256.Sum256([]byte(question))
		return "q-" + hex.EncodeToString(sum[:5]), true
	}
	id = slug(source)
	if id != source {
		r.renamed++
		if r.renamedExample == "" {
			r.renamedExample = fmt.Sprintf("%q → %q", source, id)
		}
	}
	return id, false
}

// slug makes an id valid: NFKC, lowercase, runs of other characters become one '-'. An id with
// letters outside ASCII becomes "id-" and a hash of it, so that distinct ids stay distinct.
func slug(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	dash := false
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		case c > unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			sum := sha256.Sum256([]byte(s))
			return "id-" + hex.EncodeToString(sum[:5])
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		sum := sha256.Sum256([]byte(s))
		return "id-" + hex.EncodeToString(sum[:5])
	}
	return b.String()
}

// cleanAnswer trims an answer and the spaces at the ends of its lines, which no reader sees and
// which would force YAML to quote the whole answer.
func cleanAnswer(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u3000")
	}
	return strings.Join(lines, "\n")
}

// alternates splits a cell of alternate questions (one per line, or separated by '|'), without
// blanks, repeats and the question itself.
func alternates(cell, question string) []string {
	var out []string
	for _, q := range split(cell, "\n|") {
		if q != question && !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return out
}

// split splits s at any of the separators and drops blank parts.
func split(s, seps string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
