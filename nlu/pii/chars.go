// Character classes of the folded text: digits (ASCII and full-width), letters, word characters,
// dashes, spaces and brackets, and stepping over runes.

package pii

import (
	"unicode/utf8"
)

func isDigit(r rune) bool { return '0' <= r && r <= '9' || '０' <= r && r <= '９' }

func digitVal(r rune) int {
	if r >= '０' {
		return int(r - '０')
	}
	return int(r - '0')
}

func isASCIILetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// isWord reports whether r is a word character: ASCII (or full-width) letters and digits and
// "_". Japanese characters are not word characters.
func isWord(r rune) bool {
	return isDigit(r) || isASCIILetter(r) || r == '_' ||
		'Ａ' <= r && r <= 'Ｚ' || 'ａ' <= r && r <= 'ｚ' || r == '＿'
}

func isDash(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', 'ー', '－', 'ｰ', '﹣':
		return true
	}
	return false
}

func isSpace(r rune) bool { return r == ' ' || r == '\u3000' || r == '\u00a0' }
func isDot(r rune) bool   { return r == '.' || r == '．' }
func isOpen(r rune) bool  { return r == '(' || r == '（' }
func isClose(r rune) bool { return r == ')' || r == '）' }
func isPlus(r rune) bool  { return r == '+' || r == '＋' }

func runeAt(s string, p int) (rune, int) {
	if p >= len(s) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRuneInString(s[p:])
}

func runeBefore(s string, p int) (rune, int) {
	if p <= 0 {
		return utf8.RuneError, 0
	}
	return utf8.DecodeLastRuneInString(s[:p])
}

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
