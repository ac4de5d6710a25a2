package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

var prefectures = strings.Fields(`北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都
	神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県
	奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県
	大分県 宮崎県 鹿児島県 沖縄県`)

// Buildings: a name ending with one of these, before or after the block number.
var buildingWords = []string{"マンション", "ハイツ", "コーポ", "ビル", "荘", "アパート", "レジデンス", "タワー", "ハウス", "棟", "ヒルズ", "パレス", "コート", "メゾン", "寮"}

// Latin place words (lower case) that make a block number an address.
var latinPlaces = []string{"-ku", "-shi", "-ken", "-cho", "-machi", "-gun", "-mura", " ward", " prefecture", " chome", "-chome",
	"tokyo", "osaka", "kyoto", "yokohama", "nagoya", "sapporo", "fukuoka", "kobe", "kawasaki", "saitama", "chiba",
	"kanagawa", "hokkaido", "aichi", "hyogo", "sendai", "hiroshima", "japan"}

// appendAddresses adds postal addresses: postal codes after 〒 or 郵便番号, Japanese addresses
// (a prefecture, or a place kagome tags 地域 with a 市, 区, 町, 村 or 郡, followed by a block
// number, up to the building and room), room numbers (101号室), and Latin addresses (a block
// number followed by a Japanese place name: "1-2-3 Jinnan, Shibuya-ku, Tokyo").
func appendAddresses(cs []cand, t string, mo *morphs) []cand {
	// Postal codes.
	for _, kw := range []string{"〒", "郵便番号", "postal code", "zip code", "zip", "post code"} {
		lower := asciiLower(t)
		for from := 0; ; {
			i := strings.Index(lower[from:], kw)
			if i < 0 {
				break
			}
			p := from + i + len(kw)
			from = p
			p = skipGap(t, lower, p)
			if e, ok := postalCode(t, p); ok {
				cs = append(cs, cand{p, e, rankAddress})
			}
		}
	}
	if hasJapanese(t) {
		var starts []int
		for _, pf := range prefectures {
			for from := 0; ; {
				i := strings.Index(t[from:], pf)
				if i < 0 {
					break
				}
				starts = append(starts, from+i)
				from += i + len(pf)
			}
		}
		if strings.ContainsAny(t, "市区町村郡") {
			ms := mo.get()
			for k := 0; k+1 < len(ms); k++ {
				if ms[k].place() && ms[k+1].placeSuffix() && ms[k+1].start == ms[k].end {
					starts = append(starts, ms[k].start)
				}
			}
		}
		for _, s := range starts {
			if e := addressEnd(t, s); e > s {
				cs = append(cs, cand{s, e, rankAddress})
			}
		}
		for from := 0; ; {
			i := strings.Index(t[from:], "号室")
			if i < 0 {
				break
			}
			p := from + i
			from = p + len("号室")
			s := p
			for s > 0 && isASCIIDigit(t[s-1]) {
				s--
			}
			if s == p {
				continue
			}
			s = buildingBefore(t, s)
			cs = append(cs, cand{s, from, rankAddress})
		}
	}
	cs = appendLatinAddresses(cs, t)
	return cs
}

func postalCode(t string, p int) (int, bool) {
	q := p
	n := 0
	for q < len(t) && isASCIIDigit(t[q]) {
		q++
		n++
	}
	if n == 7 {
		return q, true
	}
	if n != 3 {
		return 0, false
	}
	r, w := runeAt(t, q)
	if !isDash(r) {
		return 0, false
	}
	q += w
	m := 0
	for q < len(t) && isASCIIDigit(t[q]) {
		q++
		m++
	}
	return q, m == 4
}

// addressRune reports the characters of a Japanese address: kanji, katakana, digits (also
// kanji numerals), dashes, の, ヶ and single spaces before more of them.
func jaAddressRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Katakana, r) || r == 'ー' || '0' <= r && r <= '9' ||
		isDash(r) || r == 'の' || r == 'ヶ' || r == 'ケ' || r == '々' || isASCIILetter(r) || r == '#'
}

func kanjiNumeral(r rune) bool {
	return strings.ContainsRune("〇一二三四五六七八九十百", r)
}

// addressEnd returns the end of the address starting at s: the last block number (digits,
// or kanji numerals before 丁目, 番 or 号), room or building within 60 characters of address,
// or s when there is no block number.
func addressEnd(t string, s int) int {
	end := s
	p := s
	for n := 0; p < len(t) && n < 60; n++ {
		r, w := runeAt(t, p)
		if isSpace(r) {
			if r2, _ := runeAt(t, p+w); !jaAddressRune(r2) {
				break
			}
			p += w
			continue
		}
		if !jaAddressRune(r) {
			break
		}
		p += w
		switch {
		case '0' <= r && r <= '9':
			end = p
		case kanjiNumeral(r):
			if rest := t[p:]; strings.HasPrefix(rest, "丁目") || strings.HasPrefix(rest, "番") || strings.HasPrefix(rest, "号") {
				end = p
			}
		case strings.HasSuffix(t[:p], "丁目") || strings.HasSuffix(t[:p], "番地") || strings.HasSuffix(t[:p], "号室") ||
			strings.HasSuffix(t[:p], "番") && end == p-len("番") || strings.HasSuffix(t[:p], "号") && end == p-len("号") ||
			strings.HasSuffix(t[:p], "階") && end == p-len("階"):
			if end > s {
				end = p
			}
		default:
			for _, bw := range buildingWords {
				if strings.HasSuffix(t[:p], bw) && end > s {
					end = p
				}
			}
		}
	}
	return end
}

// buildingBefore extends a room number back over the building's name ("ハイツ渋谷 101号室").
func buildingBefore(t string, s int) int {
	q := s
	if r, w := runeBefore(t, q); isSpace(r) {
		q -= w
	}
	b := q
	for n := 0; n < 20 && b > 0; n++ {
		r, w := runeBefore(t, b)
		if !(unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Han, r) || r == 'ー' || isASCIILetter(r)) {
			break
		}
		b -= w
	}
	name := t[b:q]
	for _, bw := range buildingWords {
		if strings.Contains(name, bw) {
			return b
		}
	}
	return s
}

// appendLatinAddresses adds block numbers followed, within 60 characters of words, commas and
// spaces, by a Japanese place name, and "apt 101", "room 101", "unit 101", "#101".
func appendLatinAddresses(cs []cand, t string) []cand {
	lower := asciiLower(t)
	if !containsAny(lower, latinPlaces) && !containsAny(lower, []string{"apt", "apartment", "room", "unit", "#"}) {
		return cs
	}
	for p := 0; p < len(lower); p++ {
		if !isASCIIDigit(lower[p]) || p > 0 && (isASCIIDigit(lower[p-1]) || isASCIILetter(rune(lower[p-1]))) {
			continue
		}
		// A block number: 1-2-3, 2-chome 4-9, 123.
		q := p
		for q < len(lower) && (isASCIIDigit(lower[q]) || lower[q] == '-' && q+1 < len(lower) && isASCIIDigit(lower[q+1])) {
			q++
		}
		if !strings.Contains(lower[p:q], "-") {
			continue
		}
		end := 0
		for e := q; e < len(lower) && e-q < 60; e++ {
			c := lower[e]
			if !(isASCIILetter(rune(c)) || isASCIIDigit(c) || strings.IndexByte(" ,-.#", c) >= 0) {
				break
			}
			for _, pl := range latinPlaces {
				if strings.HasPrefix(lower[e:], pl) {
					pe := e + len(pl)
					if pe < len(lower) && isASCIILetter(rune(lower[pe])) && pl[0] != '-' && pl[0] != ' ' {
						continue
					}
					if pe < len(lower) && isASCIILetter(rune(lower[pe])) {
						continue
					}
					end = pe
				}
			}
		}
		if end > 0 {
			// A postal code right after the place belongs to the address.
			if e2 := skipSpaces(t, end); e2 < len(t) {
				if pe, ok := postalCode(t, e2); ok {
					end = pe
				}
			}
			cs = append(cs, cand{p, end, rankAddress})
			p = end - 1
		}
	}
	for _, kw := range []string{"apt", "apartment", "room", "unit", "#", "flat", "suite"} {
		for from := 0; ; {
			i := strings.Index(lower[from:], kw)
			if i < 0 {
				break
			}
			ks := from + i
			from = ks + len(kw)
			if kw != "#" && !keywordBounded(t, ks, from, kw) {
				continue
			}
			p := from
			for p < len(t) && (t[p] == ' ' || t[p] == '.' || t[p] == '#') && p-from < 3 {
				p++
			}
			q := p
			for q < len(t) && isASCIIDigit(t[q]) {
				q++
			}
			if q-p >= 2 && q-p <= 5 {
				if r, _ := runeAt(t, q); r >= utf8.RuneSelf || !isWord(r) {
					cs = append(cs, cand{ks, q, rankAddress})
				}
			}
		}
	}
	return cs
}
