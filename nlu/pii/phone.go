// Phone numbers ([Phone]): Japanese mobile, IP and landline numbers, international forms, and the
// business and public numbers that are not personal data.

package pii

import (
	"strings"
)

// phone reads groups i..j of ch as a phone number. It returns a business candidate for
// toll-free, navi-dial and public numbers.
func (d *Detector) phone(ch *chunk, i, j int, digits string) (cand, bool) {
	if len(digits) > 15 {
		return cand{}, false
	}
	// Parentheses must enclose exactly one group: "(03)1234-5678", "03(1234)5678",
	// "+81 (0)3 1234 5678". An unclosed leading "(" is not part of the number.
	lead, leadPos := false, -1
	if i == 0 && ch.parenPos >= 0 {
		lead, leadPos = true, ch.parenPos
	} else if i > 0 && ch.seps[i-1].open {
		lead, leadPos = true, ch.seps[i-1].openPos
	}
	useLead := false
	for k := i; k < j; k++ {
		openBefore := k > i && ch.seps[k-1].open
		if k == i {
			openBefore = lead && ch.seps[k].close
			useLead = openBefore
		}
		if openBefore != ch.seps[k].close {
			return cand{}, false
		}
	}
	if j > i && ch.seps[j-1].open {
		return cand{}, false
	}
	start, end := ch.groups[i].start, ch.groups[j].end
	if useLead {
		start = leadPos
	}
	plus := i == 0 && ch.plusPos >= 0
	if plus {
		start = ch.plusPos
	}

	groups := make([]string, 0, j-i+1)
	for k := i; k <= j; k++ {
		groups = append(groups, ch.groups[k].digits)
	}
	var ng []string
	intl := false
	switch {
	case plus && !strings.HasPrefix(digits, "81"):
		// Another country: E.164 allows at most 15 digits.
		if len(digits) >= 9 {
			if d.isPublic(digits) {
				return cand{start, end, rankBusiness}, true
			}
			return cand{start, end, rankPhone}, true
		}
		return cand{}, false
	case plus:
		if !strings.HasPrefix(groups[0], "81") {
			return cand{}, false // "+8 1…"
		}
		intl = true
		if len(groups[0]) == 2 {
			ng = groups[1:]
		} else {
			ng = append([]string{groups[0][2:]}, groups[1:]...)
		}
	case i < j && groups[0] == "81":
		intl = true
		ng = groups[1:]
	default:
		ng = groups
	}
	if len(ng) == 0 {
		return cand{}, false
	}
	if intl {
		switch {
		case ng[0] == "0" && len(ng) >= 2: // +81 (0)3 …
			ng = append([]string{"0" + ng[1]}, ng[2:]...)
		case ng[0][0] != '0':
			ng = append([]string{"0" + ng[0]}, ng[1:]...)
		}
	}
	national := strings.Join(ng, "")
	if national[0] != '0' {
		return cand{}, false
	}
	if isBusinessNumber(national) || d.isPublic(national) || d.isPublic(digits) {
		return cand{start, end, rankBusiness}, true
	}
	if !validJPNumber(national) || !phoneGrouping(ng) {
		return cand{}, false
	}
	return cand{start, end, rankPhone}, true
}

// isBusinessNumber reports toll-free (0120, 0800), navi-dial (0570) and other service
// numbers (0180, 0990), which belong to organisations, not persons.
func isBusinessNumber(n string) bool {
	switch len(n) {
	case 10:
		switch n[:4] {
		case "0120", "0570", "0180", "0990":
			return true
		}
	case 11:
		return n[:4] == "0800"
	}
	return false
}

// validJPNumber reports whether n (national form, leading 0) is a Japanese mobile, IP or
// landline number.
func validJPNumber(n string) bool {
	switch len(n) {
	case 11:
		switch n[:3] {
		case "070", "080", "090", "050":
			return true
		}
	case 10:
		// Landlines: 0 + area code + subscriber number, ten digits; 0X0 prefixes are not
		// geographic.
		return n[1] != '0' && n[2] != '0'
	}
	return false
}

// phoneGrouping reports whether national groups look like a Japanese phone number:
// "09012345678", "090-1234-5678", "03-1234-5678", "0123-45-6789", "090 12345678".
func phoneGrouping(ng []string) bool {
	k := len(ng)
	switch {
	case k == 1:
		return true
	case k > 4:
		return false
	}
	first, last := len(ng[0]), len(ng[k-1])
	if k == 2 {
		return last == 4 || first >= 2 && first <= 5
	}
	if first < 2 || first > 5 || last != 4 {
		return false
	}
	for _, g := range ng[1 : k-1] {
		if len(g) < 1 || len(g) > 4 {
			return false
		}
	}
	return true
}
