// Package pii finds and masks personal data in user text: phone numbers, e-mail addresses,
// My Numbers, card numbers, bank accounts and ids, passwords and PINs, personal names and
// postal addresses. It imports nothing of faqbot but faq/analysis/ipadict, the IPA dictionary
// with kagome's tokeniser, for the proper-noun tags of names and places.
//
// The rules read a folded form of the text (offsets are mapped back, so matches are always
// offsets into the text given): NFKC (full-width digits, letters, "@" and half-width katakana
// become their ordinary forms), invisible characters dropped (zero-width spaces and joiners,
// bidi controls, soft hyphens), kanji digits written among digits read as digits
// ("〇九〇の一二三四の五六七八"), and e-mail addresses written out ("taro at example dot com",
// "taro(at)example.jp", "taro アットマーク example.jp", "taro @@ example.jp") rewritten as
// addresses. Full-width spaces, hyphens and parentheses, and the dash variants "‐", "−", "–",
// "—" and "ー", are recognised between digits.
//
// Japanese characters are not word characters: "電話番号は09012345678です" contains a phone
// number. ASCII letters, digits and "_" are word characters, and a number glued to them (for
// example "TEL09012345678" or "090-1234-5678abc") is never cut out of its word: the whole
// word, together with any words joined to it by single hyphens, is reported as an [Account].
//
// The rules, in short:
//
//   - [Email]: local@domain with an alphabetic top-level domain of two or more letters (or an
//     "xn--" label, or a label in another script), subdomains, plus tags, any case; local parts
//     and labels may be in other scripts ("山田@例え.jp").
//   - [Phone]: Japanese mobile (070/080/090 and eight digits), IP (050 and eight digits) and
//     landline numbers (ten digits, 0 followed by an area code that is not 0X0), with any
//     separators or none, and their international forms ("+81 90 1234 5678", "81-90-…",
//     "+81 (0)3 1234 5678"); other numbers with a leading "+" and 9 to 15 digits. Business
//     numbers (toll-free 0120 and 0800, navi-dial 0570, 0180, 0990) and the public numbers given
//     to [New] are not personal data and are not reported as any kind.
//   - [Card]: 13 to 19 digits that pass the Luhn check, however grouped; the expiry and the
//     security code (CVV, CVC, セキュリティコード) written after their keywords in a text about a
//     card.
//   - [MyNumber]: 12 digits, however grouped, whose check digit is valid or that follow
//     "マイナンバー", "個人番号", "my number" or "mynumber" within ten characters.
//   - [Password]: what follows "パスワード", "暗証番号", "password", "PIN", "PW" and the like
//     ("パスワードは abc123 です", "暗証番号は1234"); a word of letters only when a marker
//     (":", "は", "is", a quote) introduces it and it is not an ordinary word ("password is
//     changed").
//   - [Account]: an id written after a keyword such as 口座番号, 普通, 当座, 記号, 番号,
//     お客様番号, 会員番号, ログインID, "customer id", "account number", "acct", "login id",
//     "username" (ids of 5 to 20 characters with four digits or more, or spaced digits; login
//     ids and user names need no digits), unless it is a date; and any run of seven digits or
//     more that no other rule took (see below).
//   - [Name]: names introduced as names (…と申します, …といいます, 名前は…, 氏名:…,
//     名義は…, "my name is …", sign-offs such as "Regards, …" at the end), and runs of words
//     kagome tags as person names (名詞,固有名詞,人名) written with a kanji, not part of a
//     longer word: "中村です。", "山田様".
//   - [Address]: postal codes after 〒, 郵便番号 or "zip" ("〒150-0041"), addresses from a
//     prefecture or a place kagome tags 地域 followed by 市, 区, 町, 村 or 郡, up to the last
//     block number, building and room ("東京都渋谷区神南1-2-3 ハイツ渋谷101号室"), room numbers
//     ("305号室"), and Latin-script addresses (a block number followed by a Japanese place,
//     "1-2-3 Jinnan, Shibuya-ku, Tokyo"; "apt 1203").
//
// Last, any run of seven digits or more that no rule took is masked, wherever it is: digits
// joined by up to three separator characters each (white space, dashes, dots, slashes,
// brackets, commas, "_", "+", "・", "*", "|", "=", "\", "'"), so that "0 9 0 1 2 3 4 5 6 7 8"
// is masked, as a [Phone]. Its kind is read from its digits (a phone, My Number or card number
// however grouped; "123-4567" a postal code, as an [Address]), or else [Account]. The parts of
// a run that are not personal are left: public and business numbers, dates (2018/02/28,
// 2018-2-28, 28.02.2018), amounts with thousands separators (1,234,567) and lists of years
// ("2016, 2017"). Times (9:00~17:00), counts (112,364件) and other short numbers are ordinary
// figures.
//
// When candidates overlap, the longest wins; between candidates of the same length a business
// number wins, then [Email], [Card], [MyNumber], [Phone], [Password], [Address], [Account] and
// [Name], in that order. Every rule is linear in the length of the text.
package pii

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of a piece of personal data.
type Kind string

// The kinds of personal data a Detector reports.
const (
	Phone    Kind = "phone"
	Email    Kind = "email"
	MyNumber Kind = "mynumber" // 12-digit Japanese individual number
	Card     Kind = "card"     // payment card number (13–19 digits, Luhn-valid)
	Account  Kind = "account"  // bank accounts; account, customer, member or login ids; other long numbers
	Password Kind = "password" // passwords and PINs given as such
	Name     Kind = "name"     // a person's name
	Address  Kind = "address"  // a postal address, postal code, building or room
)

// Match is one piece of personal data in a string. Start and End are byte offsets into the
// string passed to [Detector.Find]: the data is s[Start:End]. Both lie on rune boundaries.
type Match struct {
	Kind       Kind
	Start, End int
}

// Detector finds personal data. A Detector is immutable once built by [New], so it is safe for
// concurrent use by multiple goroutines. The zero value, and a nil *Detector, behave as a
// Detector without public numbers.
type Detector struct {
	public map[string]struct{}
}

// New returns a Detector that ignores the given public numbers (an organisation's own desk or
// press numbers, compared by digits only, e.g. "0120-455-512"), which are not personal data.
// A public number written in international form ("+81-3-3470-5050") also matches its
// national form and the other way round. Arguments without digits are ignored.
func New(public ...string) *Detector {
	d := &Detector{public: make(map[string]struct{})}
	for _, p := range public {
		var b strings.Builder
		for _, r := range p {
			if isDigit(r) {
				b.WriteByte(byte('0' + digitVal(r)))
			}
		}
		digits := b.String()
		if digits == "" {
			continue
		}
		d.public[digits] = struct{}{}
		trimmed := strings.TrimSpace(p)
		if (strings.HasPrefix(trimmed, "+") || strings.HasPrefix(trimmed, "＋")) && strings.HasPrefix(digits, "81") && len(digits) > 2 {
			national := digits[2:]
			if national[0] != '0' {
				national = "0" + national
			}
			d.public[national] = struct{}{}
		}
	}
	return d
}

// Find returns the personal data in s, sorted by offset and non-overlapping. Public and
// business numbers are not reported. The result is closed under masking: Find on
// Mask(s, Find(s)) returns nothing.
func (d *Detector) Find(s string) []Match {
	ms := d.detect(s)
	if len(ms) == 0 {
		return nil
	}
	// Masking can change the surroundings of what is left (a rejected overlapping candidate
	// may leave a remnant that stands on its own once its neighbour is masked). Repeat the
	// detection on the masked text until it finds nothing, so that masking is final.
	for round := 0; round < maxRounds; round++ {
		masked, pieces := maskPieces(s, ms)
		extra := d.detect(masked)
		if len(extra) == 0 {
			return ms
		}
		before := covered(ms)
		ms = mergeMatches(ms, mapBack(extra, pieces))
		if covered(ms) <= before {
			return ms
		}
	}
	return ms
}

// maxRounds bounds the detections Find repeats on its own masked text.
const maxRounds = 4

// Mask returns s with its personal data replaced by "<phone>", "<email>", … and the kinds
// found, sorted and without duplicates (nil when there are none).
func (d *Detector) Mask(s string) (masked string, kinds []Kind) {
	ms := d.Find(s)
	return Mask(s, ms), Kinds(ms)
}

// Mask replaces each match in s with its kind in angle brackets: "<phone>", "<email>",
// "<mynumber>", "<card>", "<account>", "<password>", "<name>" or "<address>". The matches need not be sorted; offsets are clamped
// to s, and where matches overlap the text is masked once.
func Mask(s string, ms []Match) string { return Replace(s, ms, label) }

// Replace returns s with each match replaced by with(kind); matches are taken in order of
// their start and clipped to s, as in Mask.
func Replace(s string, ms []Match, with func(Kind) string) string {
	if len(ms) == 0 {
		return s
	}
	sorted := slices.Clone(ms)
	slices.SortFunc(sorted, func(a, b Match) int { return a.Start - b.Start })
	var b strings.Builder
	b.Grow(len(s))
	pos := 0
	for _, m := range sorted {
		start, end := max(m.Start, pos), min(m.End, len(s))
		if end <= start {
			continue
		}
		b.WriteString(s[pos:start])
		b.WriteString(with(m.Kind))
		pos = end
	}
	b.WriteString(s[pos:])
	return b.String()
}

// Kinds returns the kinds of ms, sorted and without duplicates (nil when ms is empty).
func Kinds(ms []Match) []Kind {
	var ks []Kind
	for _, m := range ms {
		if !slices.Contains(ks, m.Kind) {
			ks = append(ks, m.Kind)
		}
	}
	slices.Sort(ks)
	return ks
}

func label(k Kind) string { return "<" + string(k) + ">" }

// Ranks order candidates of the same length; a lower rank wins.
const (
	rankBusiness = iota // a business or public number: blocks others, never reported
	rankEmail
	rankCard
	rankMyNumber
	rankPhone
	rankPassword
	rankAddress
	rankAccount
	rankName
)

var rankKind = [...]Kind{rankEmail: Email, rankCard: Card, rankMyNumber: MyNumber, rankPhone: Phone, rankPassword: Password,
	rankAccount: Account, rankAddress: Address, rankName: Name}

type cand struct {
	start, end, rank int
}

func (c cand) len() int { return c.end - c.start }

type span struct{ start, end int }

// detect runs every rule once on the folded text, resolves overlaps, masks what is left of
// long digit runs and maps the matches back to s.
func (d *Detector) detect(s string) []Match {
	f := fold(s)
	t := f.t
	var cs []cand
	cs = appendEmails(cs, t)
	mixed, cs := scanCompounds(cs, t)
	cs = d.appendNumbers(cs, t, mixed)
	cs = appendKeywordIDs(cs, t)
	cs = appendKeywordSecrets(cs, t)
	mo := &morphs{t: t}
	cs = appendAddresses(cs, t, mo)
	cs = appendNames(cs, t, mo)
	ms := d.appendLoose(t, resolve(t, cs))
	if len(ms) == 0 {
		return nil
	}
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		a, b := f.span(m.Start, m.End)
		if n := len(out); n > 0 && a < out[n-1].End {
			out[n-1].End = max(out[n-1].End, b)
			continue
		}
		out = append(out, Match{Kind: m.Kind, Start: a, End: b})
	}
	return out
}

// resolve keeps the longest candidates, then the best-ranked, then the leftmost, dropping
// those that overlap one already kept.
func resolve(s string, cs []cand) []Match {
	if len(cs) == 0 {
		return nil
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.len() != b.len() {
			return b.len() - a.len()
		}
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return a.start - b.start
	})
	used := make([]bool, len(s))
	var out []Match
next:
	for _, c := range cs {
		if c.start < 0 || c.end > len(s) || c.start >= c.end {
			continue
		}
		for i := c.start; i < c.end; i++ {
			if used[i] {
				continue next
			}
		}
		for i := c.start; i < c.end; i++ {
			used[i] = true
		}
		if c.rank != rankBusiness {
			out = append(out, Match{Kind: rankKind[c.rank], Start: c.start, End: c.end})
		}
	}
	slices.SortFunc(out, func(a, b Match) int { return a.Start - b.Start })
	return out
}

// piece maps a stretch of masked text back to the original.
type piece struct {
	mStart, mEnd, oStart, oEnd int
	label                      bool
}

func maskPieces(s string, ms []Match) (string, []piece) {
	var b strings.Builder
	var ps []piece
	pos := 0
	for _, m := range ms {
		if m.Start > pos {
			ps = append(ps, piece{b.Len(), b.Len() + m.Start - pos, pos, m.Start, false})
			b.WriteString(s[pos:m.Start])
		}
		l := label(m.Kind)
		ps = append(ps, piece{b.Len(), b.Len() + len(l), m.Start, m.End, true})
		b.WriteString(l)
		pos = m.End
	}
	if pos < len(s) {
		ps = append(ps, piece{b.Len(), b.Len() + len(s) - pos, pos, len(s), false})
		b.WriteString(s[pos:])
	}
	return b.String(), ps
}

// mapBack converts matches in masked text to offsets in the original text. A match touching a
// label grows to cover the label's original text.
func mapBack(ms []Match, ps []piece) []Match {
	find := func(p int) piece {
		i := sort.Search(len(ps), func(i int) bool { return ps[i].mEnd > p })
		return ps[min(i, len(ps)-1)]
	}
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		a, b := find(m.Start), find(m.End-1)
		start, end := a.oStart, b.oEnd
		if !a.label {
			start = a.oStart + m.Start - a.mStart
		}
		if !b.label {
			end = b.oStart + m.End - b.mStart
		}
		out = append(out, Match{Kind: m.Kind, Start: start, End: end})
	}
	return out
}

// mergeMatches combines two sorted match lists into one sorted, non-overlapping list.
func mergeMatches(a, b []Match) []Match {
	all := append(slices.Clone(a), b...)
	slices.SortStableFunc(all, func(x, y Match) int { return x.Start - y.Start })
	out := all[:0]
	for _, m := range all {
		if n := len(out); n > 0 && m.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, m.End)
			continue
		}
		out = append(out, m)
	}
	return out
}

func covered(ms []Match) int {
	n := 0
	for _, m := range ms {
		n += m.End - m.Start
	}
	return n
}

// ---- character classes ----

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

// ---- e-mail ----

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

// ---- words and compounds ----

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

// ---- numbers ----

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

// cardGrouping accepts groups of four (the last one may be shorter) and the 4-6-5 and 4-6-4
// groupings of American Express and Diners Club.
func cardGrouping(lens []int) bool {
	if len(lens) == 1 || slices.Equal(lens, []int{4, 6, 5}) || slices.Equal(lens, []int{4, 6, 4}) {
		return true
	}
	for _, l := range lens[:len(lens)-1] {
		if l != 4 {
			return false
		}
	}
	last := lens[len(lens)-1]
	return last >= 1 && last <= 4
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// validMyNumber checks the check digit of a 12-digit individual number: the first eleven
// digits are weighted 6,5,4,3,2,7,6,5,4,3,2 from the left; with r = sum mod 11 the check
// digit is 0 when r <= 1 and 11-r otherwise.
func validMyNumber(digits string) bool {
	if len(digits) != 12 {
		return false
	}
	weights := [11]int{6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	check := 0
	if r := sum % 11; r > 1 {
		check = 11 - r
	}
	return int(digits[11]-'0') == check
}

var myNumberKeywords = []string{"マイナンバー", "個人番号", "my number", "mynumber", "individual number"}

const myNumberWindow = 10 // runes between a keyword and the number

// myNumberKeyword reports whether a My Number keyword ends within myNumberWindow runes
// before offset start.
func myNumberKeyword(s string, start int) bool {
	w := start
	for c := 0; c < myNumberWindow && w > 0; c++ {
		_, n := runeBefore(s, w)
		w -= n
	}
	lo := w
	for c := 0; c < 20 && lo > 0; c++ {
		_, n := runeBefore(s, lo)
		lo -= n
	}
	region := asciiLower(s[lo:start])
	for _, kw := range myNumberKeywords {
		for from := 0; ; {
			i := strings.Index(region[from:], kw)
			if i < 0 {
				break
			}
			if lo+from+i+len(kw) >= w {
				return true
			}
			from += i + 1
		}
	}
	return false
}

// ---- ids after keywords ----

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
