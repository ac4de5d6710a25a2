package pii_test

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/faqbot/faqbot/faq/analysis"
	"github.com/faqbot/faqbot/nlu/pii"
)

// corpusLine is one message of testdata/corpus.tsv.
type corpusLine struct {
	line    int
	kinds   []pii.Kind
	msg     string
	secrets []string
}

func readCorpus(t testing.TB) []corpusLine {
	t.Helper()
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		parts := strings.Split(l, "\t")
		if len(parts) != 3 {
			t.Fatalf("corpus.tsv:%d: %d fields, want 3", n, len(parts))
		}
		c := corpusLine{line: n, msg: parts[1]}
		for _, k := range strings.Split(parts[0], ",") {
			if k != "" {
				c.kinds = append(c.kinds, pii.Kind(k))
			}
		}
		for _, s := range strings.Split(parts[2], "|") {
			if s != "" {
				c.secrets = append(c.secrets, s)
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpus masks every message of the corpus, as typed and as the matcher normalises it, and
// checks that the kinds are reported and that nothing of the personal data survives: neither
// its text nor the digits of any of its runs. The messages without personal data must come
// back unchanged.
func TestCorpus(t *testing.T) {
	d := pii.New(publicNumbers...)
	lines := readCorpus(t)
	personal := 0
	for _, c := range lines {
		if len(c.kinds) > 0 {
			personal++
		}
		for _, in := range []string{c.msg, analysis.Normalize(c.msg)} {
			masked, kinds := d.Mask(in)
			if len(c.kinds) == 0 {
				if masked != in {
					t.Errorf("corpus.tsv:%d: Mask(%q) = %q %v; want it unchanged", c.line, in, masked, kinds)
				}
				continue
			}
			for _, k := range c.kinds {
				if !slices.Contains(kinds, k) {
					t.Errorf("corpus.tsv:%d: Mask(%q) = %q, kinds %v; want %s among them", c.line, in, masked, kinds, k)
				}
			}
			for _, s := range c.secrets {
				for _, form := range []string{s, analysis.Normalize(s)} {
					if strings.Contains(masked, form) {
						t.Errorf("corpus.tsv:%d: Mask(%q) = %q still holds %q", c.line, in, masked, form)
					}
				}
				if ds := digitsOf(s); len(ds) >= 4 {
					for _, run := range digitRuns(masked) {
						if strings.Contains(run.digits, ds) {
							t.Errorf("corpus.tsv:%d: Mask(%q) = %q still holds the digits %s", c.line, in, masked, ds)
						}
					}
				}
			}
		}
	}
	if personal < 300 {
		t.Errorf("the corpus has %d messages with personal data; want at least 300", personal)
	}
}

// The test's own reading of digits and runs, written apart from the detector's: a run is
// digits (ASCII, full-width or kanji) joined by at most three separator characters each
// (white space, dashes, dots, slashes, brackets, commas, "_", "+", "・", "*", "|", "=", "\",
// "'", and invisible characters).
var kanjiDigits = map[rune]byte{'〇': '0', '一': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9'}

func digitOf(r rune) (byte, bool) {
	switch {
	case '0' <= r && r <= '9':
		return byte(r), true
	case '０' <= r && r <= '９':
		return byte('0' + r - '０'), true
	}
	b, ok := kanjiDigits[r]
	return b, ok
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if c, ok := digitOf(r); ok {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isRunSep(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Pd, r) ||
		strings.ContainsRune("ー－ｰ−.．/／()（）[]［］,，_+＋・･*|｜=\\'", r)
}

type run struct {
	text, digits string
	groups       []string // digits between separators
	seps         []string
}

// digitRuns returns the runs of digits in s.
func digitRuns(s string) []run {
	rs := []rune(s)
	var out []run
	for i := 0; i < len(rs); {
		if _, ok := digitOf(rs[i]); !ok {
			i++
			continue
		}
		start := i
		var cur run
		g := ""
		for i < len(rs) {
			if c, ok := digitOf(rs[i]); ok {
				g += string(c)
				i++
				continue
			}
			j := i
			for j < len(rs) && j-i < 3 && isRunSep(rs[j]) {
				j++
			}
			if j > i && j < len(rs) {
				if _, ok := digitOf(rs[j]); ok {
					cur.groups = append(cur.groups, g)
					cur.seps = append(cur.seps, string(rs[i:j]))
					g = ""
					i = j
					continue
				}
			}
			break
		}
		cur.groups = append(cur.groups, g)
		cur.text = string(rs[start:i])
		cur.digits = strings.Join(cur.groups, "")
		out = append(out, cur)
	}
	return out
}

var (
	dateRe   = regexp.MustCompile(`^(19|20)\d\d([/.\-])(0?[1-9]|1[0-2])([/.\-](0?[1-9]|[12]\d|3[01]))?$`)
	dmyRe    = regexp.MustCompile(`^(0?[1-9]|[12]\d|3[01])([/.\-])(0?[1-9]|[12]\d|3[01])[/.\-](19|20)\d\d$`)
	amountRe = regexp.MustCompile(`^[1-9]\d{0,2}(,\d{3}){1,3}$`)
	yearsRe  = regexp.MustCompile(`^((19|20)\d\d)([ ,/・、]+(19|20)\d\d)+$`)
)

// exempt reports whether a run may stay in masked text: it reads, as a whole or in parts
// split at its separators, as public numbers, dates, amounts with thousands separators and
// lists of years, with fewer than seven digits left over between them.
func exempt(r run, public map[string]bool) bool {
	n := len(r.groups)
	// ok[i]: groups[:i] can be read with no stretch of seven digits or more; left[i]: the
	// fewest digits of the stretch still open at the end of that reading.
	ok := make([]bool, n+1)
	left := make([]int, n+1) // digits of the trailing non-exempt stretch
	ok[0] = true
	for i := 0; i < n; i++ {
		if !ok[i] {
			continue
		}
		// Group i not exempt: extend the stretch.
		if l := left[i] + len(r.groups[i]); l < 7 && (!ok[i+1] || l < left[i+1]) {
			ok[i+1], left[i+1] = true, l
		}
		// Groups i..j exempt as one figure.
		for j := i; j < n && j < i+5; j++ {
			text := r.groups[i]
			for k := i; k < j; k++ {
				text += r.seps[k] + r.groups[k+1]
			}
			digits := strings.Join(r.groups[i:j+1], "")
			if public[digits] || businessNumber(digits) || dateRe.MatchString(text) || dmyRe.MatchString(text) || amountRe.MatchString(text) || yearsRe.MatchString(text) {
				ok[j+1], left[j+1] = true, 0
			}
		}
	}
	return ok[n]
}

// publicDigits are the numbers runs may keep: the public numbers given to the detector, in
// national and international form.
func publicDigits(public []string) map[string]bool {
	m := map[string]bool{}
	for _, p := range public {
		ds := digitsOf(p)
		m[ds] = true
		if strings.HasPrefix(ds, "0") {
			m["81"+ds[1:]] = true
			m["810"+ds[1:]] = true
		}
	}
	return m
}

// businessNumber reports toll-free and navi-dial numbers, which belong to organisations.
func businessNumber(ds string) bool {
	if strings.HasPrefix(ds, "81") {
		ds = "0" + strings.TrimPrefix(ds[2:], "0")
	}
	return len(ds) == 10 && slices.Contains([]string{"0120", "0570", "0180", "0990"}, ds[:4]) || len(ds) == 11 && ds[:4] == "0800"
}

// checkNoDigitRuns fails when masked holds a run of seven digits or more that is not exempt.
func checkNoDigitRuns(t *testing.T, in, masked string, public map[string]bool) {
	t.Helper()
	for _, r := range digitRuns(masked) {
		if len(r.digits) < 7 || exempt(r, public) || businessRun(r) {
			continue
		}
		t.Fatalf("Mask(%q) = %q keeps the run %q (%d digits)", in, masked, r.text, len(r.digits))
	}
}

func businessRun(r run) bool {
	if businessNumber(r.digits) {
		return true
	}
	return false
}
