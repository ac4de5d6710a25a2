package pii

import (
	"strings"
	"unicode/utf8"
)

// A keyword rule: what follows a keyword (across the separators skipGap skips) is read by
// a token reader, and reported with a rank.
type keywordRule struct {
	keywords []string // lower case; ASCII ends must be word boundaries
	read     func(t string, p int, marked bool) (end int, ok bool)
	rank     int
	// context, when set, must occur somewhere in the text for the rule to apply.
	context []string
}

var keywordRules = []keywordRule{
	{ // passwords
		keywords: []string{"パスワード", "ログインパスワード", "password", "passwd", "passcode", "pass word", "pw", "pwd", "パスコード"},
		read:     readSecret, rank: rankPassword,
	},
	{ // PINs
		keywords: []string{"暗証番号", "暗証", "pin", "pinコード", "pin code", "pin number"},
		read:     readPIN, rank: rankPassword,
	},
	{ // login ids, which need not hold digits
		keywords: []string{"ログインid", "ユーザーid", "ユーザid", "ユーザー名", "ユーザ名", "ログイン名", "login id", "loginid",
			"user id", "userid", "username", "user name", "login name", "お客様id", "会員id", "顧客id"},
		read: readLogin, rank: rankAccount,
	},
	{ // card security codes
		keywords: []string{"cvv", "cvv2", "cvc", "cvc2", "cid", "セキュリティコード", "セキュリティーコード", "security code", "カード裏の番号"},
		read:     readDigitsN(3, 4), rank: rankCard,
	},
	{ // card expiry dates, in a text about a card
		keywords: []string{"有効期限", "期限", "expiry", "expiry date", "expiration", "expiration date", "exp", "expires", "valid thru", "valid through", "good thru"},
		read:     readExpiry, rank: rankCard,
		context: []string{"カード", "card", "visa", "master", "amex", "jcb", "cvv", "cvc", "セキュリティコード", "クレジット"},
	},
}

// appendKeywordSecrets adds what follows the keywords of keywordRules.
func appendKeywordSecrets(cs []cand, s string) []cand {
	lower := asciiLower(s)
	for _, kr := range keywordRules {
		if kr.context != nil && !containsAny(lower, kr.context) {
			continue
		}
		for _, kw := range kr.keywords {
			for from := 0; ; {
				i := strings.Index(lower[from:], kw)
				if i < 0 {
					break
				}
				ks := from + i
				ke := ks + len(kw)
				from = ke
				if !keywordBounded(s, ks, ke, kw) {
					continue
				}
				p := skipGap(s, lower, ke)
				if end, ok := kr.read(s, p, gapMarked(lower[ke:p])); ok && end > p {
					cs = append(cs, cand{p, end, kr.rank})
				}
			}
		}
	}
	return cs
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// keywordBounded reports whether the keyword at s[ks:ke] stands as a word at its ASCII ends.
func keywordBounded(s string, ks, ke int, kw string) bool {
	if kw[0] < utf8.RuneSelf {
		if r, _ := runeBefore(s, ks); isWord(r) {
			return false
		}
	}
	if kw[len(kw)-1] < utf8.RuneSelf {
		if r, _ := runeAt(s, ke); isWord(r) {
			return false
		}
	}
	return true
}

// gapMarked reports whether the gap between a keyword and what follows says that a value
// follows: ":", "=", "は", "が", "is", a quote.
func gapMarked(gap string) bool {
	return strings.ContainsAny(gap, ":：=＝「『\"'#＃") || strings.Contains(gap, "は") || strings.Contains(gap, "が") ||
		strings.Contains(gap, " is")
}

// notSecrets are words that follow "password" without being one.
var notSecrets = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`already probably really definitely maybe never always actually a an and also again any are as at be been being but by can cannot can't change changed
		changes compromised correct could did didn't different do does doesn't done encrypted expired exposed fine for forgot
		forgotten from had has hashed have here how i if in incorrect invalid is isn't it its just known leak leaked leaking
		lost manager may me must my need needed needs new no not now of ok okay old on or our please policy protected
		reset required requirements safe same secure set shared should stolen still strong that the their then there
		they this to too unsafe update updated used was wasn't we weak were what when where which will with wrong yes
		you your reuse reused changing resetting recovery hint length rules setting settings screen page field box`) {
		notSecrets[w] = true
	}
}

// readSecret reads a password: a run of ASCII characters other than spaces and closing
// punctuation (3 or more of them), or what stands inside 「」 or quotes (at most 64). A word of letters only
// counts when the gap marked a value ("password: letmein", "password is letmein") and is not
// an ordinary word ("password is changed").
func readSecret(t string, p int, marked bool) (int, bool) {
	if r, _ := runeBefore(t, p); r == '「' || r == '『' {
		closer := "」"
		if r == '『' {
			closer = "』"
		}
		if i := strings.Index(t[p:], closer); i > 0 && utf8.RuneCountInString(t[p:p+i]) <= 64 {
			return p + i, true
		}
	}
	end := p
	for end < len(t) { // a run longer than a password is masked whole: no tail of it stays
		c := t[end]
		if c >= utf8.RuneSelf || c <= ' ' || strings.IndexByte("」』、。\"'", c) >= 0 {
			break
		}
		end++
	}
	for end > p && strings.IndexByte(".,!?;:)]}", t[end-1]) >= 0 {
		end--
	}
	tok := t[p:end]
	if len(tok) < 3 || notSecrets[asciiLower(tok)] || hasLabel(tok) {
		return 0, false
	}
	letters := true
	for i := 0; i < len(tok); i++ {
		if !isASCIILetter(rune(tok[i])) {
			letters = false
		}
	}
	if letters && !marked {
		return 0, false
	}
	return end, true
}

// readPIN reads 3 to 12 digits, single spaces or dashes allowed between them.
func readPIN(t string, p int, _ bool) (int, bool) { return readDigitsN(3, 12)(t, p, false) }

// readDigitsN returns a reader of lo to hi digits, with single spaces, dashes or dots between
// them, not followed by another digit or a word character.
func readDigitsN(lo, hi int) func(string, int, bool) (int, bool) {
	return func(t string, p int, _ bool) (int, bool) {
		n, end, q := 0, p, p
		for q < len(t) {
			if isASCIIDigit(t[q]) {
				n++
				q++
				end = q
				continue
			}
			r, w := runeAt(t, q)
			if (isSpace(r) || isDash(r) || isDot(r)) && q+w < len(t) && isASCIIDigit(t[q+w]) && n > 0 {
				q += w
				continue
			}
			break
		}
		if n < lo || n > hi {
			return 0, false
		}
		if r, _ := runeAt(t, end); isWord(r) {
			return 0, false
		}
		return end, true
	}
}

// readLogin reads a login id: 3 to 64 letters, digits and "._@+-"; one of letters only must
// follow a marked gap and not be an ordinary word.
func readLogin(t string, p int, marked bool) (int, bool) {
	end := p
	for end < len(t) && end-p < 64 && (isWordByte(t[end]) || strings.IndexByte("._@+-", t[end]) >= 0) {
		end++
	}
	for end > p && strings.IndexByte(".-", t[end-1]) >= 0 {
		end--
	}
	tok := t[p:end]
	if len(tok) < 3 || notSecrets[asciiLower(tok)] {
		return 0, false
	}
	digits := false
	for i := 0; i < len(tok); i++ {
		digits = digits || isASCIIDigit(tok[i])
	}
	if !digits && !marked {
		return 0, false
	}
	return end, true
}

// readExpiry reads a card's expiry: 12/27, 12-2027, 1227, 2027年12月, 27年12月.
func readExpiry(t string, p int, _ bool) (int, bool) {
	q := p
	digitsRun := func() int {
		n := 0
		for q < len(t) && isASCIIDigit(t[q]) {
			q++
			n++
		}
		return n
	}
	a := digitsRun()
	if a == 0 {
		return 0, false
	}
	if q < len(t) && (t[q] == '/' || t[q] == '-' || t[q] == '.') {
		q++
		if b := digitsRun(); b >= 2 && b <= 4 && a <= 2 {
			return q, true
		}
		return 0, false
	}
	if strings.HasPrefix(t[q:], "年") {
		q += len("年")
		if b := digitsRun(); b >= 1 && b <= 2 && strings.HasPrefix(t[q:], "月") {
			return q + len("月"), true
		}
		return 0, false
	}
	if a == 4 {
		return q, true
	}
	return 0, false
}

// hasLabel reports whether tok holds a mask label ("<password>"): text already masked is not
// read again as a password.
func hasLabel(tok string) bool {
	if !strings.Contains(tok, "<") {
		return false
	}
	for _, k := range rankKind {
		if k != "" && strings.Contains(tok, label(k)) {
			return true
		}
	}
	return false
}
