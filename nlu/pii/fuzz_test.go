package pii_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/faqbot/faqbot/nlu/pii"
)

var fuzzSeeds = []string{
	"",
	"電話番号は09012345678です",
	"090-1234-5678 と 03(1234)5678 と +81 (0)3 1234 5678",
	"mail: Taro.Yamada+faq@mail.example.co.jp です",
	"マイナンバーは 1234 5678 9012 です",
	"4111 1111 1111 1111 / 4111111111111112",
	"口座番号: 1234567、お客様番号は AB-12345",
	"customer id is ab12345 and acct #987654321",
	"2017年7月31日 9:00~17:00 112,364件 2,455件 188番",
	"https://www.kokusen.go.jp/map/index.html",
	"TEL09012345678 090-1234-5678abc",
	"ID: ABCDEFGHIJKLMNO-1234 5678 9012 3456",
	"窓口 0120-455-512 または 03-3470-5050",
	"０９０－１２３４－５６７８",
	"a@b@c.com x@y.jp0312345678",
	"(03 1234 5678) 03-1234-(5678) 1.0312345678",
	"+1 415 555 2671, +44 20 7946 0958",
	"\xff090-1234-5678\xfe",
}

var fuzzPublic = publicDigits(append([]string{"0120-455-512", "03-3470-5050"}, publicNumbers...))

// FuzzDetector checks the contract of Find and Mask on arbitrary input: no panics, matches in
// range, sorted, non-overlapping and on rune boundaries, masking is final, and the masked text
// keeps no run of seven digits or more of the input (digits with up to three separators
// between them count as one run), except public and business numbers, dates, amounts with
// thousands separators and lists of years.
func FuzzDetector(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	d := pii.New("0120-455-512", "03-3470-5050")
	f.Fuzz(func(t *testing.T, s string) {
		checkContract(t, d, s)
		if n := norm.NFKC.String(s); n != s {
			checkContract(t, d, n)
		}
	})
}

func checkContract(t *testing.T, d *pii.Detector, s string) {
	t.Helper()
	ms := d.Find(s)
	boundary := make(map[int]bool, len(s)+1)
	for i := range s {
		boundary[i] = true
	}
	boundary[len(s)] = true
	valid := []pii.Kind{pii.Phone, pii.Email, pii.MyNumber, pii.Card, pii.Account, pii.Password, pii.Name, pii.Address}
	prevEnd := 0
	for i, m := range ms {
		if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
			t.Fatalf("Find(%q)[%d] = %+v: out of range", s, i, m)
		}
		if m.Start < prevEnd {
			t.Fatalf("Find(%q): %+v overlaps or precedes the match before it: %+v", s, m, ms)
		}
		prevEnd = m.End
		if !boundary[m.Start] || !boundary[m.End] {
			t.Fatalf("Find(%q)[%d] = %+v: not on rune boundaries", s, i, m)
		}
		if !slices.Contains(valid, m.Kind) {
			t.Fatalf("Find(%q)[%d] = %+v: unknown kind", s, i, m)
		}
	}
	masked := pii.Mask(s, ms)
	if again := d.Find(masked); len(again) != 0 {
		t.Fatalf("Find(Mask(%q)) = %+v on %q; want nothing", s, again, masked)
	}
	m2, kinds := d.Mask(s)
	if m2 != masked {
		t.Fatalf("Detector.Mask(%q) = %q; want %q", s, m2, masked)
	}
	if !slices.IsSorted(kinds) || len(slices.Compact(slices.Clone(kinds))) != len(kinds) {
		t.Fatalf("Detector.Mask(%q) kinds = %v: not sorted and unique", s, kinds)
	}
	if len(ms) == 0 && masked != s {
		t.Fatalf("Mask(%q, nil) = %q; want the input", s, masked)
	}
	if len(ms) > 0 && !strings.Contains(masked, "<") {
		t.Fatalf("Mask(%q) = %q: no label", s, masked)
	}
	checkNoDigitRuns(t, s, masked, fuzzPublic)
}
