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

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
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
func (d *Detector) Find(s string) []Match { return d.FindMemo(s, nil) }

// FindMemo is Find with the text's words tokenised through memo, which may remember them from
// another reader of the same text (or keep them for one).
func (d *Detector) FindMemo(s string, memo *ipadict.Memo) []Match {
	ms := d.detect(s, memo)
	if len(ms) == 0 {
		return nil
	}
	// Masking can change the surroundings of what is left (a rejected overlapping candidate
	// may leave a remnant that stands on its own once its neighbour is masked). Repeat the
	// detection on the masked text until it finds nothing, so that masking is final.
	for round := 0; round < maxRounds; round++ {
		masked, pieces := maskPieces(s, ms)
		extra := d.detect(masked, memo)
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
func (d *Detector) detect(s string, memo *ipadict.Memo) []Match {
	f := fold(s)
	t := f.t
	var cs []cand
	cs = appendEmails(cs, t)
	mixed, cs := scanCompounds(cs, t)
	cs = d.appendNumbers(cs, t, mixed)
	cs = appendKeywordIDs(cs, t)
	cs = appendKeywordSecrets(cs, t)
	mo := &morphs{t: t, memo: memo}
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
