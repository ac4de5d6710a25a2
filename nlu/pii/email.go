// E-mail addresses ([Email]): the local part before "@" and the domain after it.

package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func isLocalByte(c byte) bool {
	return isASCIILetter(rune(c)) || '0' <= c && c <= '9' || strings.IndexByte("._%+-", c) >= 0
}

func isDomainByte(c byte) bool {
	return isASCIILetter(rune(c)) || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// appendEmails adds every local@domain around an "@". Local part and domain are taken whole
// (maximal runs of their characters), so an address is never cut out of a longer word. Local
// parts and domain labels may be written in other scripts ("山田@例え.jp"); a label is all
// ASCII or all not, so "taro@example.comです" ends at "com".
func appendEmails(cs []cand, s string) []cand {
	for from := 0; ; {
		i := strings.IndexByte(s[from:], '@')
		if i < 0 {
			return cs
		}
		at := from + i
		from = at + 1
		ls := localStart(s, at)
		if ls == at {
			continue
		}
		if de, ok := domainEnd(s, at+1); ok {
			cs = append(cs, cand{ls, de, rankEmail})
		}
	}
}

// localStart returns where the local part ending at at starts (at when there is none).
func localStart(s string, at int) int {
	ls := at
	for ls > 0 && isLocalByte(s[ls-1]) {
		ls--
	}
	if ls == at {
		// A local part in another script: letters and digits back to a particle or a
		// non-letter, at most 64 of them.
		for n := 0; n < 64 && ls > 0; n++ {
			r, w := runeBefore(s, ls)
			if r < utf8.RuneSelf && !isLocalByte(byte(r)) || r >= utf8.RuneSelf && !(unicode.IsLetter(r) || unicode.IsDigit(r)) || isParticle(r) {
				break
			}
			ls -= w
		}
	}
	for ls < at && s[ls] == '.' {
		ls++
	}
	return ls
}

// isParticle reports the hiragana that end the word before an address ("メールは山田@…").
func isParticle(r rune) bool { return strings.ContainsRune("はがをのにでもとへや", r) }

// domainEnd reads the domain starting at p: labels separated by single dots, each all ASCII
// letters, digits and "-", or all letters and digits of other scripts. ok is false when it is
// not a domain (fewer than two labels, a label starting or ending with "-", a top-level
// domain that is neither alphabetic of two letters or more, "xn--…" nor in another script).
func domainEnd(s string, p int) (end int, ok bool) {
	labels := 0
	var last string
	for {
		ls := p
		r, _ := runeAt(s, p)
		ascii := r < utf8.RuneSelf
		for p < len(s) {
			r, w := runeAt(s, p)
			if ascii && !(r < utf8.RuneSelf && isDomainByte(byte(r)) && r != '.') ||
				!ascii && !(r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) && p-ls < 63*4) {
				break
			}
			p += w
		}
		l := s[ls:p]
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return 0, false
		}
		labels++
		last = l
		if p+1 < len(s) && s[p] == '.' {
			if r2, _ := runeAt(s, p+1); r2 < utf8.RuneSelf && isDomainByte(byte(r2)) && r2 != '.' && r2 != '-' || r2 >= utf8.RuneSelf && unicode.IsLetter(r2) {
				p++
				continue
			}
		}
		break
	}
	if labels < 2 {
		return 0, false
	}
	tld := asciiLower(last)
	if last[0] >= utf8.RuneSelf || strings.HasPrefix(tld, "xn--") && len(tld) > 4 {
		return p, true
	}
	if len(tld) < 2 {
		return 0, false
	}
	for i := 0; i < len(tld); i++ {
		if !isASCIILetter(rune(tld[i])) {
			return 0, false
		}
	}
	return p, true
}
