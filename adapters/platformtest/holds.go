package platformtest

import "strings"

// Holds reports whether text read back from the bot (its logs, a store's dump) holds secret. A
// secret of six characters or more counts anywhere. A shorter one made of lower-case letters
// alone, or of digits alone, counts only standing on its own — a letter secret not inside a run
// of letters, digits, '-' or '_', a digit secret not inside a run of digits — for random ids,
// hashes, timestamps and scores spell four letters or digits by chance ("2026-…T17:50:02.314146Z"
// holds 3141); the parts of a phone number between its dashes still count.
func Holds(text, secret string) bool {
	var inRun func(byte) bool
	switch {
	case len(secret) >= 6 || secret == "":
		return strings.Contains(text, secret)
	case every(secret, isLower):
		inRun = func(c byte) bool { return isLower(c) || isDigit(c) || c == '-' || c == '_' }
	case every(secret, isDigit):
		inRun = isDigit
	default:
		return strings.Contains(text, secret)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], secret)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(secret)
		if (j == 0 || !inRun(text[j-1])) && (end == len(text) || !inRun(text[end])) {
			return true
		}
		i = j + 1
	}
}

func every(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
