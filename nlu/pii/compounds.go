// Compounds: words joined by single dashes ("AB-1234", "TEL090-1234-5678"); the digits of a
// compound that holds a letter belong to it and are not read as numbers.

package pii

import (
	"sort"
)

// scanCompounds finds compounds: words joined by single dashes ("AB-1234", "TEL090-1234-5678").
// It returns the spans of compounds that contain a letter ("mixed"); their digits belong to
// the compound and are not read as numbers. A mixed compound with ten or more digits is an
// account candidate.
func scanCompounds(cs []cand, s string) ([]span, []cand) {
	var mixed []span
	for p := 0; p < len(s); {
		r, w := runeAt(s, p)
		if !isWord(r) {
			p += w
			continue
		}
		start := p
		end, _, digits, letters := compoundForward(s, p)
		if letters {
			mixed = append(mixed, span{start, end})
			if digits >= 10 {
				cs = append(cs, cand{start, end, rankAccount})
			}
		}
		p = end
	}
	return mixed, cs
}

// compoundForward reads the compound starting at p and returns its end, its length in runes,
// its number of digits and whether it contains a non-digit word character.
func compoundForward(s string, p int) (end, runes, digits int, letters bool) {
	return compoundForwardN(s, p, len(s)+1)
}

// compoundForwardN is compoundForward that stops after limit runes (so that reading the id
// after each of many keywords stays linear in the text).
func compoundForwardN(s string, p, limit int) (end, runes, digits int, letters bool) {
	for {
		for p < len(s) && runes < limit {
			r, w := runeAt(s, p)
			if !isWord(r) {
				break
			}
			if isDigit(r) {
				digits++
			} else {
				letters = true
			}
			runes++
			p += w
		}
		if r, w := runeAt(s, p); w > 0 && isDash(r) && runes < limit {
			if r2, _ := runeAt(s, p+w); isWord(r2) {
				p += w
				runes++
				continue
			}
		}
		return p, runes, digits, letters
	}
}

// inMixed reports whether p lies in one of the sorted spans, and that span's end.
func inMixed(mixed []span, p int) (int, bool) {
	i := sort.Search(len(mixed), func(i int) bool { return mixed[i].end > p })
	if i < len(mixed) && mixed[i].start <= p {
		return mixed[i].end, true
	}
	return 0, false
}
