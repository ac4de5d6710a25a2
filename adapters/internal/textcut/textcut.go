// Package textcut cuts text to the limits chat platforms set, counted in UTF-16 code units (as
// LINE counts them; Slack counts characters, which are never more).
package textcut

import (
	"strings"
	"unicode/utf16"
)

// Split cuts s into at most n parts of at most max UTF-16 units, at line breaks where it can.
// Text past n parts is cut off, the last part ending in "…".
func Split(s string, max, n int) []string {
	s = strings.TrimSpace(s)
	var parts []string
	for s != "" && len(parts) < n {
		if Len(s) <= max {
			parts = append(parts, s)
			return parts
		}
		if len(parts) == n-1 {
			parts = append(parts, Clip(s, max))
			return parts
		}
		cut := PrefixLen(s, max)
		if nl := strings.LastIndexByte(s[:cut], '\n'); nl > cut/2 {
			cut = nl
		}
		parts = append(parts, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return parts
}

// Clip shortens s to at most max UTF-16 units, ending in "…" when it cut.
func Clip(s string, max int) string {
	if Len(s) <= max {
		return s
	}
	return s[:PrefixLen(s, max-1)] + "…"
}

// PrefixLen is the byte length of the longest prefix of s of at most max UTF-16 units.
func PrefixLen(s string, max int) int {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r) // invalid UTF-8 ranges as U+FFFD, one unit
		if n+w > max {
			return i
		}
		n += w
	}
	return len(s)
}

// Len is the length of s in UTF-16 code units, as LINE and Slack count their limits.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
