// Numbers: chunks of digit groups and their separators outside mixed compounds, split into
// segments, each read as the number of some kind it forms.

package pii

import (
	"slices"
	"strings"
)

type sep struct {
	space, dash, dot, open, close bool
	openPos                       int // offset of "(" when open
}

// plainDash reports whether the separator is a single dash.
func (p sep) plainDash() bool { return p.dash && !p.space && !p.dot && !p.open && !p.close }

// plain reports whether the separator is a single dash or a single space.
func (p sep) plain() bool {
	return p.plainDash() || p.space && !p.dash && !p.dot && !p.open && !p.close
}

type group struct {
	start, end int
	digits     string
}

// chunk is a maximal sequence of digit groups joined by separators.
type chunk struct {
	groups   []group
	seps     []sep // seps[k] lies between groups[k] and groups[k+1]
	plusPos  int   // offset of a leading "+", or -1
	parenPos int   // offset of a leading "(", or -1
}

// parseSep reads a separator between digit groups at p: an optional space, an optional ")"
// and space, an optional dash or dot and space, and an optional "(". It must be followed by a
// digit; next is that digit's offset.
func parseSep(s string, p int) (f sep, next int, ok bool) {
	q := p
	take := func(pred func(rune) bool) bool {
		r, w := runeAt(s, q)
		if w > 0 && pred(r) {
			q += w
			return true
		}
		return false
	}
	if take(isSpace) {
		f.space = true
	}
	if take(isClose) {
		f.close = true
		if take(isSpace) {
			f.space = true
		}
	}
	if r, w := runeAt(s, q); w > 0 && (isDash(r) || isDot(r)) {
		q += w
		if isDash(r) {
			f.dash = true
		} else {
			f.dot = true
		}
		if take(isSpace) {
			f.space = true
		}
	}
	if r, w := runeAt(s, q); w > 0 && isOpen(r) {
		f.open, f.openPos = true, q
		q += w
	}
	if q == p {
		return f, 0, false
	}
	if r, _ := runeAt(s, q); !isDigit(r) {
		return f, 0, false
	}
	return f, q, true
}

// appendNumbers reads every chunk of digits outside mixed compounds and adds candidates
// for its segments.
func (d *Detector) appendNumbers(cs []cand, s string, mixed []span) []cand {
	for p := 0; p < len(s); {
		r, w := runeAt(s, p)
		if !isDigit(r) {
			p += w
			continue
		}
		if e, ok := inMixed(mixed, p); ok {
			p = e
			continue
		}
		ch := chunk{plusPos: -1, parenPos: -1}
		if rb, wb := runeBefore(s, p); isPlus(rb) {
			if r2, _ := runeBefore(s, p-wb); !isWord(r2) {
				ch.plusPos = p - wb
			}
		} else if isOpen(rb) {
			ch.parenPos = p - wb
		}
		for {
			g := group{start: p}
			var b []byte
			for {
				r, w := runeAt(s, p)
				if w == 0 || !isDigit(r) {
					break
				}
				b = append(b, byte('0'+digitVal(r)))
				p += w
			}
			g.end, g.digits = p, string(b)
			ch.groups = append(ch.groups, g)
			f, next, ok := parseSep(s, p)
			if !ok {
				break
			}
			if _, in := inMixed(mixed, next); in {
				break
			}
			ch.seps = append(ch.seps, f)
			p = next
		}
		cs = d.segment(cs, s, &ch)
	}
	return cs
}

const (
	minSegDigits = 9 // no rule reads fewer digits as a number (E.164 has at least 9)
	maxSegGroups = 8
	maxSegDigits = 19
)

// segment splits a chunk from the left: at each group it takes the longest run of groups that
// forms a number of some kind, or skips the group when none does. Whether a run of groups
// forms a number depends only on the run itself (and on the text before it), never on the
// groups after it.
func (d *Detector) segment(cs []cand, s string, ch *chunk) []cand {
	n := len(ch.groups)
	cum := make([]int, n+1)
	for k, g := range ch.groups {
		cum[k+1] = cum[k] + len(g.digits)
	}
	dashEnd := make([]int, n)
	dashEnd[n-1] = n - 1
	for k := n - 2; k >= 0; k-- {
		dashEnd[k] = k
		if ch.seps[k].plainDash() {
			dashEnd[k] = dashEnd[k+1]
		}
	}
	for i := 0; i < n; {
		jmax := min(n-1, i+maxSegGroups-1)
		for jmax > i && cum[jmax+1]-cum[i] > maxSegDigits {
			jmax--
		}
		best, found, bestJ := cand{}, false, -1
		if jd := dashEnd[i]; jd > jmax {
			best, found = d.classify(s, ch, i, jd, cum)
			bestJ = jd
		}
		for j := jmax; !found && j >= i && cum[j+1]-cum[i] >= minSegDigits; j-- {
			best, found = d.classify(s, ch, i, j, cum)
			bestJ = j
		}
		if !found {
			i++
			continue
		}
		cs = append(cs, best)
		i = bestJ + 1
	}
	return cs
}

// classify returns the best reading of groups i..j of ch.
func (d *Detector) classify(s string, ch *chunk, i, j int, cum []int) (cand, bool) {
	nd := cum[j+1] - cum[i]
	var b strings.Builder
	b.Grow(nd)
	lens := make([]int, 0, j-i+1)
	for k := i; k <= j; k++ {
		b.WriteString(ch.groups[k].digits)
		lens = append(lens, len(ch.groups[k].digits))
	}
	digits := b.String()
	single := i == j
	plain, allDash := true, true
	for k := i; k < j; k++ {
		plain = plain && ch.seps[k].plain()
		allDash = allDash && ch.seps[k].plainDash()
	}
	start, end := ch.groups[i].start, ch.groups[j].end

	var best cand
	found := false
	consider := func(c cand) {
		if !found || c.len() > best.len() || c.len() == best.len() && c.rank < best.rank {
			best, found = c, true
		}
	}
	if c, ok := d.phone(ch, i, j, digits); ok {
		consider(c)
	}
	if d.isPublic(digits) {
		consider(cand{start, end, rankBusiness})
	}
	// A card or My Number that fails its check is still an account number (a typo must not
	// reveal it), unless its groups are a list of years ("2017 2018 2019").
	years := !single && yearList(ch, i, j)
	if nd >= 13 && nd <= maxSegDigits && (single || plain && cardGrouping(lens)) {
		if luhn(digits) {
			consider(cand{start, end, rankCard})
		} else if !years {
			consider(cand{start, end, rankAccount})
		}
	}
	if nd == 12 && (single || plain && (slices.Equal(lens, []int{4, 4, 4}) || slices.Equal(lens, []int{6, 6}) || slices.Equal(lens, []int{3, 4, 5}))) {
		if validMyNumber(digits) || myNumberKeyword(s, start) {
			consider(cand{start, end, rankMyNumber})
		} else if !years {
			consider(cand{start, end, rankAccount})
		}
	}
	if nd >= 10 && (single || allDash) {
		consider(cand{start, end, rankAccount})
	}
	return best, found
}

// yearList reports whether groups i..j are all years from 1900 to 2099.
func yearList(ch *chunk, i, j int) bool {
	for _, g := range ch.groups[i : j+1] {
		if len(g.digits) != 4 || g.digits[:2] != "19" && g.digits[:2] != "20" {
			return false
		}
	}
	return true
}

func (d *Detector) isPublic(digits string) bool {
	if d == nil {
		return false
	}
	_, ok := d.public[digits]
	return ok
}
