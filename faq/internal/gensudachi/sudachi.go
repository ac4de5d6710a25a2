package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The codes of Sudachi's synonym file (SudachiDict docs/synonyms.md). One line is
//
//	group,体言/用言,expansion,lexeme,form,abbreviation,variant,(domain/…),headword,,
//
// and the lines of a group are followed by an empty line.
const (
	expandAlways = 0 // always used for expansion
	expandTarget = 1 // never a trigger itself, only expanded to from the others
	expandNever  = 2 // never used (kept as a record of removed words)
)

// Form types, within one lexeme.
const (
	formTypical     = 0 // 代表語
	formTranslation = 1 // 対訳
	formAlias       = 2 // 別称
	formOldName     = 3 // 旧称
	formMisspelling = 4 // 間違い
)

// Abbreviation flags, within one form.
const (
	abbrevNone     = 0 // 代表語形
	abbrevAlphabet = 1 // 略語・略称 (アルファベット)
	abbrevOther    = 2 // 略語・略称
)

// Spelling-variant flags, within one form.
const (
	variantTypical     = 0 // 代表表記
	variantAlphabet    = 1 // アルファベット表記
	variantSpelling    = 2 // 異表記・表記ゆれ
	variantMisspelling = 3 // 間違い表記
)

// member is one line of Sudachi's synonym file.
type member struct {
	Group   string
	Yogen   bool // 用言 (a predicate); 体言 or undefined otherwise
	Expand  int
	Lexeme  int
	Form    int
	Abbrev  int
	Variant int
	Domains []string
	Head    string
}

// group is one synonym group, its members in file order.
type group struct {
	ID      string
	Members []member
}

// parseText reads Sudachi's synonym file format (synonyms.txt).
func parseText(r io.Reader) ([]group, error) {
	var groups []group
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) < 9 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 9", n, len(f))
		}
		m := member{Group: f[0], Yogen: f[1] == "2", Form: -1, Abbrev: -1, Variant: -1, Head: f[8]}
		for i, p := range []*int{&m.Expand, &m.Lexeme, &m.Form, &m.Abbrev, &m.Variant} {
			if f[2+i] == "" {
				continue // omitted: expansion and lexeme 0, the others undefined (-1)
			}
			v, err := strconv.Atoi(f[2+i])
			if err != nil {
				return nil, fmt.Errorf("line %d: field %d: %w", n, 3+i, err)
			}
			*p = v
		}
		if d := strings.Trim(f[7], "()"); d != "" {
			m.Domains = strings.Split(d, "/")
		}
		if len(groups) == 0 || groups[len(groups)-1].ID != m.Group {
			groups = append(groups, group{ID: m.Group})
		}
		g := &groups[len(groups)-1]
		g.Members = append(g.Members, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return groups, nil
}

// writeText writes groups in Sudachi's synonym file format; parseText reads them back.
func writeText(w io.Writer, groups []group) error {
	bw := bufio.NewWriter(w)
	for _, g := range groups {
		for _, m := range g.Members {
			flag := 1
			if m.Yogen {
				flag = 2
			}
			fmt.Fprintf(bw, "%s,%d,%d,%d,%s,%s,%s,(%s),%s,,\n", g.ID, flag, m.Expand, m.Lexeme, code(m.Form),
				code(m.Abbrev), code(m.Variant), strings.Join(m.Domains, "/"), m.Head)
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// code writes an undefined code (-1) as an omitted field.
func code(v int) string {
	if v < 0 {
		return ""
	}
	return strconv.Itoa(v)
}

// The npm package sudachi-synonyms-dictionary ships the same file as JSON, with the codes
// spelled out in Japanese.
type jsonGroup struct {
	ID    string `json:"id"`
	Items []struct {
		TaigenYogen      string   `json:"taigenYogen"`
		ExpandControl    int      `json:"expandControl"`
		VocabularyNumber int      `json:"vocabularyNumber"`
		GokeiSyubetsu    string   `json:"gokeiSyubetsu"`
		Ryakusyou        string   `json:"ryakusyou"`
		HyoukiYure       string   `json:"hyoukiYure"`
		Bunya            []string `json:"bunya"`
		Midashi          string   `json:"midashi"`
	} `json:"items"`
}

var (
	jsonForms    = map[string]int{"代表語": formTypical, "対訳": formTranslation, "別称": formAlias, "旧称": formOldName, "間違い": formMisspelling}
	jsonAbbrevs  = map[string]int{"代表語形": abbrevNone, "略語・略称/アルファベット": abbrevAlphabet, "略語・略称": abbrevOther}
	jsonVariants = map[string]int{"代表表記": variantTypical, "アルファベット表記": variantAlphabet, "異表記・表記ゆれ": variantSpelling, "間違い表記": variantMisspelling}
)

// parseJSON reads sudachi-synonyms-dictionary.json. A code the package leaves undefined
// ("未定義") becomes -1, which no filter keeps.
func parseJSON(r io.Reader) ([]group, error) {
	var raw []jsonGroup
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, err
	}
	lookup := func(m map[string]int, s string) int {
		if v, ok := m[s]; ok {
			return v
		}
		return -1 // 未定義
	}
	groups := make([]group, 0, len(raw))
	for _, rg := range raw {
		g := group{ID: rg.ID}
		for _, it := range rg.Items {
			g.Members = append(g.Members, member{
				Group: rg.ID, Yogen: it.TaigenYogen == "用言", Expand: it.ExpandControl,
				Lexeme: it.VocabularyNumber, Form: lookup(jsonForms, it.GokeiSyubetsu),
				Abbrev: lookup(jsonAbbrevs, it.Ryakusyou), Variant: lookup(jsonVariants, it.HyoukiYure),
				Domains: it.Bunya, Head: it.Midashi,
			})
		}
		groups = append(groups, g)
	}
	return groups, nil
}
