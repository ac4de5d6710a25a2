package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// rawRow is a row of a CSV or TSV source: its cells and the line it starts on.
type rawRow struct {
	line  int
	cells []string
}

// readCSV reads RFC 4180 CSV; a quoted cell may span lines. A syntax error ends the reading,
// since the rows after it cannot be told apart reliably.
func (r *reader) readCSV(text string) []record {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	var rows []rawRow
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.problem(pe.StartLine, "bad CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
			} else {
				r.problem(1, "bad CSV: %v", err)
			}
			return nil
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rawRow{line: line, cells: cells})
	}
	return r.table(rows)
}

// readTSV reads tab-separated rows. A cell that starts with '"' and whose closing '"' is
// followed by a tab or a line break is quoted (as Excel writes cells with tabs, quotes or line
// breaks; "" is a quote); any other '"' is text, so stray quotes never swallow rows.
func (r *reader) readTSV(text string) []record {
	var rows []rawRow
	line := 1
	for pos := 0; pos < len(text); {
		row := rawRow{line: line}
		for {
			cell, next, breaks := tsvCell(text, pos)
			row.cells = append(row.cells, cell)
			line += breaks
			pos = next
			if pos >= len(text) {
				break
			}
			if text[pos] == '\t' {
				pos++
				continue
			}
			pos++ // '\n'
			line++
			break
		}
		rows = append(rows, row)
	}
	return r.table(rows)
}

// tsvCell reads the cell at pos; next is the index of the tab or line break after it (or the
// end), breaks the number of line breaks inside it.
func tsvCell(text string, pos int) (cell string, next, breaks int) {
	if pos < len(text) && text[pos] == '"' {
		var b strings.Builder
		for i := pos + 1; i < len(text); i++ {
			c := text[i]
			if c != '"' {
				b.WriteByte(c)
				continue
			}
			if i+1 < len(text) && text[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			end := i + 1
			if end < len(text) && text[end] == '\r' && end+1 < len(text) && text[end+1] == '\n' {
				end++
			}
			if end == len(text) || text[end] == '\t' || text[end] == '\n' {
				s := b.String()
				return strings.ReplaceAll(s, "\r\n", "\n"), end, strings.Count(s, "\n")
			}
			break // a quote inside the text: the cell is not quoted
		}
	}
	end := strings.IndexAny(text[pos:], "\t\n")
	if end < 0 {
		end = len(text) - pos
	}
	return strings.TrimSuffix(text[pos:pos+end], "\r"), pos + end, 0
}

// table turns rows, the first of them a header, into records.
func (r *reader) table(rows []rawRow) []record {
	rows = slices.DeleteFunc(rows, func(row rawRow) bool {
		return !slices.ContainsFunc(row.cells, func(c string) bool { return strings.TrimSpace(c) != "" })
	})
	if len(rows) == 0 {
		return nil
	}
	cols, ok := r.header(rows[0].line, rows[0].cells)
	if !ok {
		return nil
	}
	var recs []record
	for _, row := range rows[1:] {
		rec := record{line: row.line}
		extra := false
		for i, c := range row.cells {
			switch {
			case i >= len(cols):
				extra = extra || strings.TrimSpace(c) != ""
			case cols[i] >= 0:
				rec.cells[cols[i]] = c
			}
		}
		if extra {
			r.problem(row.line, "row has %d cells, the header row names %d columns", len(row.cells), len(cols))
			continue
		}
		recs = append(recs, rec)
	}
	return recs
}

// readJSON reads an array of objects whose keys are column names. A value is a string, a
// number, a boolean, null, or (for alternates and keywords) a list of strings.
func (r *reader) readJSON(text string) []record {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		r.problem(lineAt([]byte(text), skipSpace(text, 0)), "expected a JSON array of objects")
		return nil
	}
	var recs []record
	ignored := map[string]bool{}
	for dec.More() {
		start := skipSpace(text, int(dec.InputOffset()))
		line := lineAt([]byte(text), start)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			r.jsonError(text, err, line)
			return nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			r.problem(line, "expected an object with question and answer")
			continue
		}
		rec, ok := r.object(line, obj, ignored)
		if ok {
			recs = append(recs, rec)
		}
	}
	if _, err := dec.Token(); err != nil {
		r.jsonError(text, err, lineAt([]byte(text), len(text)))
		return nil
	}
	if len(ignored) > 0 {
		keys := make([]string, 0, len(ignored))
		for k := range ignored {
			keys = append(keys, fmt.Sprintf("%q", k))
		}
		sort.Strings(keys)
		r.notes = append(r.notes, fmt.Sprintf("%s: ignored keys %s", r.name, strings.Join(keys, ", ")))
	}
	return recs
}

func (r *reader) object(line int, obj map[string]json.RawMessage, ignored map[string]bool) (record, bool) {
	rec := record{line: line}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	from := map[field]string{}
	ok := true
	for _, k := range keys {
		f, known := aliases[foldName(k)]
		if !known {
			ignored[k] = true
			continue
		}
		if prev, dup := from[f]; dup {
			r.problem(line, "keys %q and %q both mean %s", prev, k, names[f])
			ok = false
			continue
		}
		from[f] = k
		cell, valid := jsonCell(obj[k])
		if !valid {
			r.problem(line, "%q: expected a string, a number, true/false or a list of strings", k)
			ok = false
			continue
		}
		rec.cells[f] = cell
	}
	return rec, ok
}

// jsonCell turns a JSON value into the text of a cell; a list becomes one line per item.
func jsonCell(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case json.Number:
		return x.String(), true
	case []any:
		items := make([]string, len(x))
		for i, it := range x {
			s, ok := it.(string)
			if !ok {
				return "", false
			}
			items[i] = s
		}
		return strings.Join(items, "\n"), true
	}
	return "", false
}

func (r *reader) jsonError(text string, err error, line int) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line = lineAt([]byte(text), min(int(se.Offset), len(text)))
	}
	r.problem(line, "bad JSON: %v", err)
}

// skipSpace returns the index of the first byte at or after i that is not space or a comma.
func skipSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n,", s[i]) >= 0 {
		i++
	}
	return i
}
