package pii

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minLooseDigits is the fewest digits of a run that is masked whatever its shape.
const minLooseDigits = 7

// maxRunSep is the most separator characters between two digits of one run.
const maxRunSep = 3

// runSep reports the characters that may stand between the digits of one number: white
// space, dashes (and "ー"), dots, slashes, brackets, commas, "_", "+", "・", "*", "|", "=",
// "\" and "'". Invisible characters are already gone (see fold).
func runSep(r rune) bool {
	if isSpace(r) || isDash(r) || isDot(r) || isOpen(r) || isClose(r) || unicode.IsSpace(r) {
		return true
	}
	switch r {
	case '/', '／', '[', ']', '［', '］', ',', '，', '_', '+', '＋', '・', '･', '*', '|', '=', '\\', '\'', '｜':
		return true
	}
	return false
}

func isASCIIDigit(b byte) bool { return '0' <= b && b <= '9' }

// lgroup is a group of digits of a run, and the separators after it.
type lgroup struct {
	start, end int
	sep        string // the separators between this group and the next
}

// appendLoose masks what the rules left of any run of seven digits or more: digits joined by
// up to three separators each, wherever they are (inside a word too), except the stretches
// that are known not to be personal: public and business numbers, dates, amounts with
// thousands separators ("1,234,567") and lists of years. A run glued to ASCII letters is
// masked with its word. Its kind is read from its digits (a phone, My Number or card number
// however it is grouped; "123-4567" is a postal code), or else [Account].
func (d *Detector) appendLoose(t string, ms []Match) []Match {
	var extra []Match
	covered := func(p int) bool {
		i := sort.Search(len(ms), func(i int) bool { return ms[i].End > p })
		return i < len(ms) && ms[i].Start <= p
	}
	for p := 0; p < len(t); {
		if !isASCIIDigit(t[p]) || covered(p) {
			p++
			continue
		}
		var gs []lgroup
		for {
			g := lgroup{start: p}
			for p < len(t) && isASCIIDigit(t[p]) && !covered(p) {
				p++
			}
			g.end = p
			q, n := p, 0
			for q < len(t) && n < maxRunSep {
				r, w := runeAt(t, q)
				if !runSep(r) {
					break
				}
				q += w
				n++
			}
			if q > p && q < len(t) && isASCIIDigit(t[q]) && !covered(q) {
				g.sep = t[p:q]
				gs = append(gs, g)
				p = q
				continue
			}
			gs = append(gs, g)
			break
		}
		extra = d.looseRun(extra, t, gs, covered)
	}
	if len(extra) == 0 {
		return ms
	}
	return mergeMatches(ms, extra)
}

// looseRun adds the stretches of one run that must be masked.
func (d *Detector) looseRun(out []Match, t string, gs []lgroup, covered func(int) bool) []Match {
	digits := func(i, j int) string { // groups i..j-1
		var b strings.Builder
		for _, g := range gs[i:j] {
			b.WriteString(t[g.start:g.end])
		}
		return b.String()
	}
	total := 0
	for _, g := range gs {
		total += g.end - g.start
	}
	if total < minLooseDigits {
		return out
	}
	exempt := make([]bool, len(gs))
	for i := 0; i < len(gs); {
		if n := d.exemptAt(t, gs, i); n > 0 {
			for k := i; k < i+n; k++ {
				exempt[k] = true
			}
			i += n
			continue
		}
		i++
	}
	for i := 0; i < len(gs); {
		if exempt[i] {
			i++
			continue
		}
		j := i
		for j < len(gs) && !exempt[j] {
			j++
		}
		ds := digits(i, j)
		if len(ds) >= minLooseDigits {
			start, end := gs[i].start, gs[j-1].end
			glued := false
			for start > 0 && isWordByte(t[start-1]) && !covered(start-1) {
				start--
				glued = true
			}
			for end < len(t) && isWordByte(t[end]) && !covered(end) {
				end++
				glued = true
			}
			plus := false
			if r, _ := runeBefore(t, gs[i].start); isPlus(r) {
				plus = true
			}
			lens := make([]int, 0, j-i)
			for _, g := range gs[i:j] {
				lens = append(lens, g.end-g.start)
			}
			k := Account
			if !glued {
				k = digitsKind(t, gs[i].start, ds, lens, plus)
				if k == Address && (j-i != 2 || !isDashSep(gs[i].sep)) {
					k = Account // 123-4567 is a postal code; 123.4567 is not
				}
			}
			out = append(out, Match{Kind: k, Start: start, End: end})
		}
		i = j
	}
	return out
}

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}

// exemptAt returns how many groups from i form a figure that is not personal data: a public or
// business number, a date, an amount with thousands separators, a list of years.
func (d *Detector) exemptAt(t string, gs []lgroup, i int) int {
	g := func(k int) string { return t[gs[k].start:gs[k].end] }
	// Public and business numbers, over up to five groups.
	var b strings.Builder
	for k := i; k < len(gs) && k < i+5; k++ {
		b.WriteString(g(k))
		ds := b.String()
		if d.isPublic(ds) || isBusinessNumber(ds) {
			return k - i + 1
		}
		if strings.HasPrefix(ds, "81") && len(ds) > 9 {
			n := ds[2:]
			if n[0] != '0' {
				n = "0" + n
			}
			if d.isPublic(n) || isBusinessNumber(n) {
				return k - i + 1
			}
		}
		if k+1 < len(gs) && len(gs[k].sep) > 3 {
			break
		}
	}
	// Dates: 2018/02/28, 2018-2-28, 2018.02.28, 28/02/2018, and 2018/02.
	if n := dateAt(t, gs, i); n > 0 {
		return n
	}
	// Amounts: 1,234,567 (a first group of 1–3 digits not starting with 0, then groups of
	// three after single commas; at most four groups).
	if l := len(g(i)); l >= 1 && l <= 3 && g(i)[0] != '0' {
		k := i
		for k+1 < len(gs) && k-i < 3 && isComma(gs[k].sep) && len(g(k+1)) == 3 {
			k++
		}
		if k > i {
			return k - i + 1
		}
	}
	// A list of years: 2016, 2017 and 2018.
	if year(g(i)) {
		k := i
		for k+1 < len(gs) && year(g(k+1)) && listSep(gs[k].sep) {
			k++
		}
		if k > i {
			return k - i + 1
		}
	}
	return 0
}

func isDashSep(sep string) bool {
	r, w := utf8.DecodeRuneInString(sep)
	return w == len(sep) && isDash(r)
}

func isComma(sep string) bool { return sep == "," || sep == "，" }

func listSep(sep string) bool {
	return strings.Trim(sep, " ,，/・、") == "" && sep != ""
}

func year(s string) bool { return len(s) == 4 && (s[:2] == "19" || s[:2] == "20") }

func dateAt(t string, gs []lgroup, i int) int {
	g := func(k int) string { return t[gs[k].start:gs[k].end] }
	sepOK := func(k int) bool {
		s := gs[k].sep
		return s == "/" || s == "-" || s == "." || s == "／"
	}
	num := func(s string, lo, hi int) bool {
		if len(s) < 1 || len(s) > 2 {
			return false
		}
		v := 0
		for i := 0; i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		return lo <= v && v <= hi
	}
	if i+2 < len(gs) && sepOK(i) && gs[i+1].sep == gs[i].sep {
		if year(g(i)) && num(g(i+1), 1, 12) && num(g(i+2), 1, 31) {
			return 3
		}
		if num(g(i), 1, 31) && num(g(i+1), 1, 31) && year(g(i+2)) {
			return 3
		}
	}
	if i+1 < len(gs) && sepOK(i) && year(g(i)) && num(g(i+1), 1, 12) {
		return 2
	}
	return 0
}

// digitsIn returns the ASCII digits of s.
func digitsIn(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isASCIIDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// kindRank is the rank of candidates of kind k.
func kindRank(k Kind) int {
	for r, rk := range rankKind {
		if rk == k && r != rankBusiness {
			return r
		}
	}
	return rankAccount
}

// digitsKind reads the kind of a run's digits (ds, starting at offset start of t), however
// they were grouped (lens: the lengths of the groups; plus: written after a "+").
func digitsKind(t string, start int, ds string, lens []int, plus bool) Kind {
	national := ds
	if strings.HasPrefix(ds, "81") && (plus || len(ds) >= 11) {
		national = ds[2:]
		if national != "" && national[0] != '0' {
			national = "0" + national
		}
	}
	switch {
	case national != "" && national[0] == '0' && validJPNumber(national):
		return Phone
	case plus && len(ds) >= 9 && len(ds) <= 15:
		return Phone
	case len(ds) == 12 && (validMyNumber(ds) || myNumberKeyword(t, start)):
		return MyNumber
	case len(ds) >= 13 && len(ds) <= 19 && luhn(ds):
		return Card
	case len(lens) == 2 && lens[0] == 3 && lens[1] == 4:
		return Address // a postal code, 123-4567
	}
	return Account
}
