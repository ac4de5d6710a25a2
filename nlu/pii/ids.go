// Ids after keywords ([Account]): what follows 口座番号, お客様番号, "account number", "login id"
// and the like, unless it is a date.

package pii

import (
	"strings"
	"unicode/utf8"
)

// accountKeywords are lower-case. ASCII ends of a keyword must be word boundaries.
var accountKeywords = []string{
	"口座番号", "口座", "お客様番号", "お客さま番号", "顧客番号", "会員番号", "取引番号", "契約番号",
	"ログインid", "ユーザーid", "ユーザid", "会員id", "お客様id", "アカウントid", "アカウント", "ログイン名",
	"id", "userid", "loginid", "user id", "login id", "member id", "customer id",
	"account", "account number", "account no", "acct", "acct no",
	"customer number", "customer no", "member number", "membership number",
	"普通預金", "当座預金", "普通", "当座", "記号", "番号", "口座番号は", "支店番号", "店番", "bank account", "account no.",
	"お客様コード", "顧客コード", "会員コード", "customer code", "client id", "client number",
}

const (
	maxGap   = 10 // runes between a keyword and its id
	minIDLen = 5
	maxIDLen = 20
	minIDDig = 4
)

func isGapRune(r rune) bool {
	switch r {
	case ' ', '\t', '\u3000', '\u00a0', ':', '：', '#', '＃', '.', '．', '=', '＝', '、', ',', '，',
		'は', 'が', 'も', '「', '『', '【', '(', '（', '[', '"', '\'':
		return true
	}
	return isDash(r)
}

// appendKeywordIDs adds the id written after each account keyword.
func appendKeywordIDs(cs []cand, s string) []cand {
	lower := asciiLower(s)
	for _, kw := range accountKeywords {
		for from := 0; ; {
			i := strings.Index(lower[from:], kw)
			if i < 0 {
				break
			}
			ks := from + i
			ke := ks + len(kw)
			from = ks + 1
			if kw[0] < utf8.RuneSelf {
				if r, _ := runeBefore(s, ks); isWord(r) {
					continue
				}
			}
			if kw[len(kw)-1] < utf8.RuneSelf {
				if r, _ := runeAt(s, ke); isWord(r) {
					continue
				}
			}
			p := skipGap(s, lower, ke)
			if r, _ := runeAt(s, p); !isWord(r) {
				continue
			}
			end, runes, digits, _ := compoundForwardN(s, p, maxIDLen+1)
			if runes < minIDLen || runes > maxIDLen || digits < minIDDig || dateLike(s[p:end]) {
				// Digits written apart: "口座 1 2 3 4 5 6 7", "account number 1234 567".
				if e, ok := readDigitsN(5, maxIDLen)(s, p, false); ok && !dateLike(s[p:e]) {
					cs = append(cs, cand{p, e, kindRank(digitsKind(s, p, digitsIn(s[p:e]), nil, false))})
				}
				continue
			}
			cs = append(cs, cand{p, end, rankAccount})
		}
	}
	return cs
}

// skipGap skips the separators between a keyword and its id: punctuation, spaces, は/が and
// the gap words.
func skipGap(s, lower string, p int) int {
	for n := 0; n < maxGap && p < len(s); {
		r, w := runeAt(s, p)
		if isGapRune(r) {
			p += w
			n++
			continue
		}
		prev, _ := runeBefore(s, p)
		word := gapWord(lower[p:])
		if word == "" || r < utf8.RuneSelf && !isSpace(prev) {
			break
		}
		if next, _ := runeAt(s, p+len(word)); isWord(next) {
			break
		}
		p += len(word)
		n += utf8.RuneCountInString(word)
	}
	return p
}

// gapWords may stand between a keyword and its id; ASCII ones must follow a space.
var gapWords = []string{"is", "was", "普通預金", "当座預金", "普通", "当座", "預金"}

func gapWord(t string) string {
	for _, w := range gapWords {
		if strings.HasPrefix(t, w) {
			return w
		}
	}
	return ""
}

// dateLike reports ids that are dates: 2018-02-28, 28-02-2018, 2018-02.
func dateLike(t string) bool {
	var parts []string
	cur := strings.Builder{}
	for _, r := range t {
		switch {
		case isDash(r):
			parts = append(parts, cur.String())
			cur.Reset()
		case isDigit(r):
			cur.WriteByte(byte('0' + digitVal(r)))
		default:
			return false
		}
	}
	parts = append(parts, cur.String())
	short := func(p string) bool { return len(p) >= 1 && len(p) <= 2 }
	switch len(parts) {
	case 2:
		return len(parts[0]) == 4 && short(parts[1])
	case 3:
		return len(parts[0]) == 4 && short(parts[1]) && short(parts[2]) ||
			short(parts[0]) && short(parts[1]) && len(parts[2]) == 4
	}
	return false
}
