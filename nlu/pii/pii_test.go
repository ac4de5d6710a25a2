package pii_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"

	"github.com/faqbot/faqbot/nlu/pii"
)

// found is a match as the text it covers, which makes expectations readable.
type found struct {
	Kind pii.Kind
	Text string
}

func texts(s string, ms []pii.Match) []found {
	var out []found
	for _, m := range ms {
		out = append(out, found{m.Kind, s[m.Start:m.End]})
	}
	return out
}

func ph(t string) found  { return found{pii.Phone, t} }
func em(t string) found  { return found{pii.Email, t} }
func mn(t string) found  { return found{pii.MyNumber, t} }
func cd(t string) found  { return found{pii.Card, t} }
func acc(t string) found { return found{pii.Account, t} }

// The organisation's own numbers, which are public.
var publicNumbers = []string{"0120-455-512", "03-3470-5050"}

type findCase struct {
	name string
	in   string
	// full marks full-width input: it is normalised with NFKC first, as the caller does.
	full bool
	want []found // texts are those of the normalised input
}

func phoneCases() []findCase {
	return []findCase{
		{name: "ja mobile no separators", in: "電話番号は09012345678です", want: []found{ph("09012345678")}},
		{name: "ja mobile hyphens", in: "携帯は090-1234-5678です。", want: []found{ph("090-1234-5678")}},
		{name: "mobile 080", in: "080-9876-5432にお願いします", want: []found{ph("080-9876-5432")}},
		{name: "mobile 070 spaces", in: "070 1234 5678 までお電話ください", want: []found{ph("070 1234 5678")}},
		{name: "mobile dots", in: "連絡先：090.1234.5678", want: []found{ph("090.1234.5678")}},
		{name: "mobile spaced hyphens", in: "090 - 1234 - 5678", want: []found{ph("090 - 1234 - 5678")}},
		{name: "mobile 3-8", in: "090-12345678", want: []found{ph("090-12345678")}},
		{name: "IP phone 050", in: "IP電話 050-1234-5678", want: []found{ph("050-1234-5678")}},
		{name: "landline Tokyo", in: "自宅は03-1234-5678です", want: []found{ph("03-1234-5678")}},
		{name: "landline Osaka no separators", in: "0612345678に電話", want: []found{ph("0612345678")}},
		{name: "landline 3-3-4", in: "045-123-4567", want: []found{ph("045-123-4567")}},
		{name: "landline 4-2-4", in: "0466-12-3456", want: []found{ph("0466-12-3456")}},
		{name: "landline 5-1-4", in: "01267-2-1234", want: []found{ph("01267-2-1234")}},
		{name: "parentheses around subscriber part", in: "03(1234)5678まで", want: []found{ph("03(1234)5678")}},
		{name: "parentheses around area code", in: "(03)1234-5678", want: []found{ph("(03)1234-5678")}},
		{name: "parentheses around mobile prefix", in: "(090) 1234-5678", want: []found{ph("(090) 1234-5678")}},
		{name: "whole number in parentheses", in: "担当者(090-1234-5678)", want: []found{ph("090-1234-5678")}},
		{name: "international mobile spaces", in: "+81 90 1234 5678", want: []found{ph("+81 90 1234 5678")}},
		{name: "international landline hyphens", in: "+81-3-1234-5678", want: []found{ph("+81-3-1234-5678")}},
		{name: "international with (0)", in: "Call +81 (0)3 1234 5678.", want: []found{ph("+81 (0)3 1234 5678")}},
		{name: "international no separators", in: "tel:+819012345678", want: []found{ph("+819012345678")}},
		{name: "81 without plus", in: "81-90-1234-5678", want: []found{ph("81-90-1234-5678")}},
		{name: "other country", in: "my US number is +1 415 555 2671", want: []found{ph("+1 415 555 2671")}},
		{name: "en sentence", in: "Please call me at 090-1234-5678 tomorrow.", want: []found{ph("090-1234-5678")}},
		{name: "two numbers", in: "09012345678 03-1234-5678", want: []found{ph("09012345678"), ph("03-1234-5678")}},
		{name: "after colon and before comma", in: "携帯:090 1234 5678、自宅:045-123-4567", want: []found{ph("090 1234 5678"), ph("045-123-4567")}},
		{name: "dash U+2010", in: "090‐1234‐5678", want: []found{ph("090‐1234‐5678")}},
		{name: "minus U+2212", in: "090−1234−5678", want: []found{ph("090−1234−5678")}},
		{name: "en dash", in: "090–1234–5678", want: []found{ph("090–1234–5678")}},
		{name: "em dash", in: "090—1234—5678", want: []found{ph("090—1234—5678")}},
		{name: "long vowel mark", in: "090ー1234ー5678です", want: []found{ph("090ー1234ー5678")}},
		{name: "full-width", in: "電話：０９０－１２３４－５６７８", full: true, want: []found{ph("090-1234-5678")}},
		{name: "full-width parentheses", in: "ＴＥＬ：０３（１２３４）５６７８", full: true, want: []found{ph("03(1234)5678")}},
		{name: "full-width spaces", in: "０９０　１２３４　５６７８", full: true, want: []found{ph("090 1234 5678")}},
		{name: "full-width international", in: "＋８１ ９０ １２３４ ５６７８", full: true, want: []found{ph("+81 90 1234 5678")}},
	}
}

func businessCases() []findCase {
	return []findCase{
		{name: "public toll-free", in: "お問い合わせ窓口 0120-455-512（受付時間 9:00～18:00）", want: nil},
		{name: "public toll-free without separators", in: "フリーダイヤル0120455512", want: nil},
		{name: "public toll-free full-width", in: "０１２０－４５５－５１２", full: true, want: nil},
		{name: "public landline", in: "報道関係の方は03-3470-5050へ", want: nil},
		{name: "public landline other format", in: "03 3470 5050", want: nil},
		{name: "public landline in parentheses", in: "(03)3470-5050", want: nil},
		{name: "public landline international", in: "+81-3-3470-5050", want: nil},
		{name: "other toll-free 0120", in: "0120-123-456", want: nil},
		{name: "toll-free 0800", in: "0800-123-4567", want: nil},
		{name: "navi-dial 0570", in: "ナビダイヤル 0570-064-370", want: nil},
		{name: "toll-free as id", in: "ID: 0120-123-456", want: nil},
		{name: "public and personal", in: "0120-455-512 または 090-1234-5678", want: []found{ph("090-1234-5678")}},
	}
}

func emailCases() []findCase {
	return []findCase{
		{name: "plain", in: "taro@example.com", want: []found{em("taro@example.com")}},
		{name: "ja sentence", in: "メールはtaro.yamada@mail.example.co.jpです", want: []found{em("taro.yamada@mail.example.co.jp")}},
		{name: "plus tag and case", in: "Taro.Yamada+faq@Example.COM", want: []found{em("Taro.Yamada+faq@Example.COM")}},
		{name: "upper case", in: "TARO@EXAMPLE.COM", want: []found{em("TARO@EXAMPLE.COM")}},
		{name: "en sentence trailing dot", in: "Email me at jane_doe-99@sub.example.org.", want: []found{em("jane_doe-99@sub.example.org")}},
		{name: "angle brackets", in: "<taro@example.com>", want: []found{em("taro@example.com")}},
		{name: "legacy mobile address", in: "foo.@docomo.ne.jp", want: []found{em("foo.@docomo.ne.jp")}},
		{name: "digits in domain", in: "x@0312345678.jp", want: []found{em("x@0312345678.jp")}},
		{name: "digits in local part", in: "09012345678@example.jp", want: []found{em("09012345678@example.jp")}},
		{name: "full-width", in: "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", full: true, want: []found{em("taro@example.com")}},
		{name: "after id keyword", in: "ログインID: taro1234@example.com", want: []found{em("taro1234@example.com")}},
		{name: "two addresses", in: "a@example.com, b@example.org", want: []found{em("a@example.com"), em("b@example.org")}},
		{name: "no tld", in: "taro@example", want: nil},
		{name: "one-letter tld", in: "a@b.c", want: nil},
		{name: "no local part", in: "@example.com", want: nil},
		{name: "numeric tld", in: "taro@example.123", want: nil},
	}
}

func myNumberCases() []findCase {
	return []findCase{
		{name: "valid check digit", in: "123456789018", want: []found{mn("123456789018")}},
		{name: "valid in ja sentence", in: "番号は987654321093です", want: []found{mn("987654321093")}},
		{name: "valid grouped hyphens", in: "1111-1111-1118", want: []found{mn("1111-1111-1118")}},
		{name: "valid grouped spaces", in: "8765 4321 0989", want: []found{mn("8765 4321 0989")}},
		{name: "keyword ja invalid check", in: "マイナンバーは 1234 5678 9012 です", want: []found{mn("1234 5678 9012")}},
		{name: "keyword 個人番号", in: "個人番号：1234-5678-9012", want: []found{mn("1234-5678-9012")}},
		{name: "keyword en", in: "My Number: 1234 5678 9012", want: []found{mn("1234 5678 9012")}},
		{name: "keyword en with is", in: "my number is 123456789012", want: []found{mn("123456789012")}},
		{name: "keyword glued", in: "mynumber=123456789012", want: []found{mn("123456789012")}},
		{name: "keyword full-width", in: "マイナンバー　１２３４　５６７８　９０１２", full: true, want: []found{mn("1234 5678 9012")}},
		{name: "keyword too far", in: "マイナンバーについて質問があります。123456789012", want: []found{acc("123456789012")}},
		{name: "invalid without keyword", in: "123456789012", want: []found{acc("123456789012")}},
		{name: "invalid grouped without keyword", in: "1234-5678-9012", want: []found{acc("1234-5678-9012")}},
		{name: "part of a longer run", in: "1234567890189", want: []found{acc("1234567890189")}},
		{name: "glued to letters", in: "A123456789018", want: []found{acc("A123456789018")}},
	}
}

func cardCases() []findCase {
	return []findCase{
		{name: "visa spaces", in: "カード番号は4111 1111 1111 1111です", want: []found{cd("4111 1111 1111 1111")}},
		{name: "visa hyphens", in: "4242-4242-4242-4242", want: []found{cd("4242-4242-4242-4242")}},
		{name: "mastercard plain", in: "5555555555554444", want: []found{cd("5555555555554444")}},
		{name: "amex 4-6-5", in: "Amex 3782 822463 10005", want: []found{cd("3782 822463 10005")}},
		{name: "amex plain", in: "378282246310005", want: []found{cd("378282246310005")}},
		{name: "diners 4-6-4", in: "3056 930902 5904", want: []found{cd("3056 930902 5904")}},
		{name: "jcb", in: "JCB 3530-1113-3330-0000", want: []found{cd("3530-1113-3330-0000")}},
		{name: "13 digits", in: "4222222222222", want: []found{cd("4222222222222")}},
		{name: "19 digits", in: "6304 0000 0000 0000 000", want: []found{cd("6304 0000 0000 0000 000")}},
		{name: "en sentence", in: "my card number is 4242 4242 4242 4242, exp 12/25", want: []found{cd("4242 4242 4242 4242"), cd("12/25")}},
		{name: "full-width", in: "４１１１　１１１１　１１１１　１１１１", full: true, want: []found{cd("4111 1111 1111 1111")}},
		{name: "luhn invalid is account", in: "4111 1111 1111 1112", want: []found{acc("4111 1111 1111 1112")}},
		{name: "luhn invalid plain is account", in: "4111111111111112", want: []found{acc("4111111111111112")}},
	}
}

func accountCases() []findCase {
	return []findCase{
		{name: "口座番号 colon", in: "口座番号: 1234567", want: []found{acc("1234567")}},
		{name: "口座番号は", in: "口座番号は1234567です", want: []found{acc("1234567")}},
		{name: "口座 普通", in: "口座 普通 1234567", want: []found{acc("1234567")}},
		{name: "お客様番号 with letters", in: "お客様番号は AB-12345 です", want: []found{acc("AB-12345")}},
		{name: "顧客番号 full-width colon", in: "顧客番号：C0012345", full: true, want: []found{acc("C0012345")}},
		{name: "会員番号", in: "会員番号が98765です", want: []found{acc("98765")}},
		{name: "アカウント", in: "アカウントmfx67890の登録情報", want: []found{acc("mfx67890")}},
		{name: "取引番号 hash", in: "取引番号#TX-2024-000123", want: []found{acc("TX-2024-000123")}},
		{name: "ログインID", in: "ログインIDはtaro_1234です", want: []found{acc("taro_1234")}},
		{name: "ユーザーID", in: "ユーザーID: user2024x", want: []found{acc("user2024x")}},
		{name: "ID alone", in: "ID: 12345", want: []found{acc("12345")}},
		{name: "customer id is", in: "my customer id is ab12345", want: []found{acc("ab12345")}},
		{name: "account number", in: "Account number: 00123456", want: []found{acc("00123456")}},
		{name: "acct hash", in: "acct #987654", want: []found{acc("987654")}},
		{name: "login id hyphen", in: "login id: taro-2018", want: []found{acc("taro-2018")}},
		{name: "user id equals", in: "user id = 00001234", want: []found{acc("00001234")}},
		{name: "full-width id", in: "ＩＤ：ＡＢ１２３４５", full: true, want: []found{acc("AB12345")}},
		{name: "long run", in: "お問い合わせ番号 12345678901 です", want: []found{acc("12345678901")}},
		{name: "hyphenated run", in: "1234-5678-90", want: []found{acc("1234-5678-90")}},
		{name: "ten digits not a phone", in: "0901234567", want: []found{acc("0901234567")}},
		{name: "glued prefix", in: "TEL09012345678", want: []found{acc("TEL09012345678")}},
		{name: "glued suffix", in: "090-1234-5678abc", want: []found{acc("090-1234-5678abc")}},
		{name: "code with letters", in: "order A1234567890 shipped", want: []found{acc("A1234567890")}},
		{name: "id longer than 20 then digits", in: "ID: ABCDEFGHIJKLMNO-1234 5678 9012 3456", want: []found{acc("ABCDEFGHIJKLMNO-1234"), acc("5678 9012 3456")}},
		{name: "two groups of four", in: "1234 5678", want: []found{acc("1234 5678")}},
		{name: "digits in pairs", in: "12 34 56 78 90", want: []found{acc("12 34 56 78 90")}},
		{name: "nine digits", in: "031234567", want: []found{acc("031234567")}},
		{name: "ip address", in: "192.168.100.200", want: []found{acc("192.168.100.200")}},
		{name: "keyword only", in: "会員番号を忘れました", want: nil},
		{name: "too short", in: "ID: 1234", want: nil},
		{name: "no digits", in: "ID: abcdefg", want: nil},
		{name: "year after id", in: "ID 2019", want: nil},
		{name: "date after account", in: "account 2018-02-28", want: nil},
		{name: "count after 口座", in: "口座は2つあります", want: nil},
		{name: "keyword inside a word", in: "I paid 12345 and had an idea 67890", want: nil},
		{name: "ordinary code", in: "予約番号 ABC123", want: nil},
	}
}

func overlapCases() []findCase {
	return []findCase{
		{name: "phone beats account after keyword", in: "会員番号 090-1234-5678", want: []found{ph("090-1234-5678")}},
		{name: "my number beats account after keyword", in: "口座番号 123456789018", want: []found{mn("123456789018")}},
		{name: "email beats everything inside", in: "連絡先 taro-0312345678@example.com", want: []found{em("taro-0312345678@example.com")}},
		{name: "mixed sentence", in: "電話は090-1234-5678、メールはtaro@example.com、カードは4111 1111 1111 1111、マイナンバーは123456789018です。",
			want: []found{ph("090-1234-5678"), em("taro@example.com"), cd("4111 1111 1111 1111"), mn("123456789018")}},
	}
}

func negativeCases() []findCase {
	return []findCase{
		{name: "incident notice", in: "2018年2月28日に発生した不正アクセスにより、最大112,364件のお客様情報が流出した可能性があります。", want: nil},
		{name: "counts", in: "クレジットカード情報2,455件、合計約11万2,364件", want: nil},
		{name: "year", in: "2017年7月31日から", want: nil},
		{name: "date slashes", in: "2018/02/28", want: nil},
		{name: "date hyphens", in: "2018-02-28", want: nil},
		{name: "date and time", in: "2018-02-28 09:00", want: nil},
		{name: "office hours", in: "受付時間 9:00~17:00（土日祝除く）", want: nil},
		{name: "office hours full-width", in: "受付時間　９：００～１７：００", full: true, want: nil},
		{name: "hotline", in: "消費者ホットライン188番", want: nil},
		{name: "hotline en", in: "call 188", want: nil},
		{name: "url", in: "詳しくは https://www.kokusen.go.jp/map/index.html をご覧ください", want: nil},
		{name: "money", in: "1,000,000円", want: nil},
		{name: "law article", in: "第3条第2項", want: nil},
		{name: "version", in: "v1.2.3", want: nil},
		{name: "words with digits", in: "COVID-19 iPhone15 ISO-8601", want: nil},
		{name: "list of years", in: "2017 2018 2019", want: nil},
		{name: "plus and short number", in: "+100", want: nil},
		{name: "empty", in: "", want: nil},
	}
}

func allFindCases() map[string][]findCase {
	return map[string][]findCase{
		"phone":    phoneCases(),
		"business": businessCases(),
		"email":    emailCases(),
		"mynumber": myNumberCases(),
		"card":     cardCases(),
		"account":  accountCases(),
		"overlap":  overlapCases(),
		"negative": negativeCases(),
	}
}

func TestFind(t *testing.T) {
	d := pii.New(publicNumbers...)
	for group, cases := range allFindCases() {
		t.Run(group, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					in := tc.in
					if tc.full {
						in = norm.NFKC.String(in)
					}
					got := texts(in, d.Find(in))
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("Find(%q) mismatch (-want +got):\n%s", in, diff)
					}
					checkMaskHidesData(t, d, in)
				})
			}
		})
	}
}

var digitRun = regexp.MustCompile(`[0-9]{3,}`)

// checkMaskHidesData checks that no digit run of matched data survives masking, unless the
// same run also occurs in text that was not matched.
func checkMaskHidesData(t *testing.T, d *pii.Detector, s string) {
	t.Helper()
	ms := d.Find(s)
	masked, _ := d.Mask(s)
	var rest strings.Builder
	pos := 0
	for _, m := range ms {
		rest.WriteString(s[pos:m.Start])
		rest.WriteString(" ")
		pos = m.End
	}
	rest.WriteString(s[pos:])
	for _, m := range ms {
		for _, run := range digitRun.FindAllString(s[m.Start:m.End], -1) {
			if strings.Contains(masked, run) && !strings.Contains(rest.String(), run) {
				t.Errorf("Mask(%q) = %q still contains %q of %s data", s, masked, run, m.Kind)
			}
		}
		if strings.Contains(masked, s[m.Start:m.End]) && !strings.Contains(rest.String(), s[m.Start:m.End]) {
			t.Errorf("Mask(%q) = %q still contains %q", s, masked, s[m.Start:m.End])
		}
	}
}

func TestPublicNumbers(t *testing.T) {
	tests := []struct {
		name   string
		public []string
		in     string
		want   []found
	}{
		{name: "not public without New arguments", in: "03-3470-5050", want: []found{ph("03-3470-5050")}},
		{name: "public national", public: []string{"03-3470-5050"}, in: "03-3470-5050", want: nil},
		{name: "compared by digits", public: []string{"03 (3470) 5050"}, in: "0334705050", want: nil},
		{name: "public given in international form", public: []string{"+81-3-3470-5050"}, in: "03-3470-5050", want: nil},
		{name: "public written in international form", public: []string{"03-3470-5050"}, in: "+81 3 3470 5050", want: nil},
		{name: "public mobile", public: []string{"090-0000-0000"}, in: "090-0000-0000 と 090-1234-5678", want: []found{ph("090-1234-5678")}},
		{name: "public full-width argument", public: []string{"０３－３４７０－５０５０"}, in: "03-3470-5050", want: nil},
		{name: "arguments without digits ignored", public: []string{"", "press desk"}, in: "03-3470-5050", want: []found{ph("03-3470-5050")}},
		{name: "toll-free is never reported", in: "0120-455-512", want: nil},
		{name: "public number inside longer run is reported", public: []string{"03-3470-5050"}, in: "03-3470-5050-1234", want: []found{acc("03-3470-5050-1234")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := pii.New(tc.public...)
			got := texts(tc.in, d.Find(tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("New(%q).Find(%q) mismatch (-want +got):\n%s", tc.public, tc.in, diff)
			}
		})
	}
}

// officialCheckDigit computes the My Number check digit as the law states it: P_n is the n-th
// digit counted from the right of the first eleven, Q_n = n+1 for n <= 6 and n-5 otherwise.
func officialCheckDigit(eleven string) byte {
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(eleven[11-n] - '0')
		q := n + 1
		if n > 6 {
			q = n - 5
		}
		sum += p * q
	}
	r := sum % 11
	if r <= 1 {
		return '0'
	}
	return byte('0' + 11 - r)
}

func TestMyNumberCheckDigit(t *testing.T) {
	d := pii.New()
	rng := rand.New(rand.NewPCG(7, 11))
	for range 200 {
		var b strings.Builder
		for range 11 {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		eleven := b.String()
		check := officialCheckDigit(eleven)
		for c := byte('0'); c <= '9'; c++ {
			s := eleven + string(c)
			ms := d.Find(s)
			if len(ms) != 1 || ms[0].Start != 0 || ms[0].End != 12 {
				t.Fatalf("Find(%q) = %+v; want one match over the whole input", s, ms)
			}
			if got, isMyNumber := ms[0].Kind, c == check; (got == pii.MyNumber) != isMyNumber {
				t.Errorf("Find(%q) kind = %s; check digit is %c", s, got, check)
			}
		}
	}
}

func TestMask(t *testing.T) {
	s := "tel 090-1234-5678 mail a@example.com"
	tests := []struct {
		name string
		ms   []pii.Match
		want string
	}{
		{name: "none", ms: nil, want: s},
		{name: "one", ms: []pii.Match{{pii.Phone, 4, 17}}, want: "tel <phone> mail a@example.com"},
		{name: "two", ms: []pii.Match{{pii.Phone, 4, 17}, {pii.Email, 23, 36}}, want: "tel <phone> mail <email>"},
		{name: "unsorted", ms: []pii.Match{{pii.Email, 23, 36}, {pii.Phone, 4, 17}}, want: "tel <phone> mail <email>"},
		{name: "overlapping", ms: []pii.Match{{pii.Phone, 4, 17}, {pii.Account, 10, 20}}, want: "tel <phone><account>il a@example.com"},
		{name: "contained", ms: []pii.Match{{pii.Phone, 4, 17}, {pii.Account, 5, 10}}, want: "tel <phone> mail a@example.com"},
		{name: "clamped", ms: []pii.Match{{pii.Email, 23, 99}}, want: "tel 090-1234-5678 mail <email>"},
		{name: "empty match", ms: []pii.Match{{pii.Card, 3, 3}}, want: s},
		{name: "every label", ms: []pii.Match{{pii.MyNumber, 0, 1}, {pii.Card, 1, 2}, {pii.Account, 2, 3}}, want: "<mynumber><card><account> 090-1234-5678 mail a@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pii.Mask(s, tc.ms); got != tc.want {
				t.Errorf("Mask(%q, %v) = %q; want %q", s, tc.ms, got, tc.want)
			}
		})
	}
}

func TestDetectorMask(t *testing.T) {
	d := pii.New(publicNumbers...)
	tests := []struct {
		name, in, want string
		kinds          []pii.Kind
	}{
		{
			name:  "ja",
			in:    "電話番号は090-1234-5678、メールはtaro@example.comです。窓口は0120-455-512ですか？",
			want:  "電話番号は<phone>、メールは<email>です。窓口は0120-455-512ですか?",
			kinds: []pii.Kind{pii.Email, pii.Phone},
		},
		{
			name:  "en",
			in:    "My card 4111 1111 1111 1111 and my number 1234 5678 9012 leaked? Customer ID: AB12345.",
			want:  "My card <card> and my number <mynumber> leaked? Customer ID: <account>.",
			kinds: []pii.Kind{pii.Account, pii.Card, pii.MyNumber},
		},
		{name: "nothing", in: "2017年7月31日の件について", want: "2017年7月31日の件について", kinds: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := norm.NFKC.String(tc.in)
			got, kinds := d.Mask(in)
			if got != tc.want {
				t.Errorf("Mask(%q) = %q; want %q", in, got, tc.want)
			}
			if diff := cmp.Diff(tc.kinds, kinds); diff != "" {
				t.Errorf("Mask(%q) kinds mismatch (-want +got):\n%s", in, diff)
			}
			if again := d.Find(got); len(again) != 0 {
				t.Errorf("Find(%q) = %v; want nothing", got, again)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		name string
		ms   []pii.Match
		want []pii.Kind
	}{
		{name: "none", ms: nil, want: nil},
		{name: "one", ms: []pii.Match{{Kind: pii.Phone}}, want: []pii.Kind{pii.Phone}},
		{
			name: "sorted and unique",
			ms: []pii.Match{
				{Kind: pii.Phone}, {Kind: pii.Email}, {Kind: pii.Phone}, {Kind: pii.MyNumber},
				{Kind: pii.Card}, {Kind: pii.Account}, {Kind: pii.Email},
			},
			want: []pii.Kind{pii.Account, pii.Card, pii.Email, pii.MyNumber, pii.Phone},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, pii.Kinds(tc.ms)); diff != "" {
				t.Errorf("Kinds(%v) mismatch (-want +got):\n%s", tc.ms, diff)
			}
		})
	}
}

func TestOffsets(t *testing.T) {
	d := pii.New()
	s := "電話番号は09012345678です"
	want := []pii.Match{{Kind: pii.Phone, Start: len("電話番号は"), End: len("電話番号は09012345678")}}
	if diff := cmp.Diff(want, d.Find(s)); diff != "" {
		t.Errorf("Find(%q) mismatch (-want +got):\n%s", s, diff)
	}
}

func TestZeroAndNilDetector(t *testing.T) {
	s := "03-3470-5050 0120-455-512"
	want := []found{ph("03-3470-5050")}
	var zero pii.Detector
	if diff := cmp.Diff(want, texts(s, zero.Find(s))); diff != "" {
		t.Errorf("zero Detector: Find(%q) mismatch (-want +got):\n%s", s, diff)
	}
	var nilDetector *pii.Detector
	if diff := cmp.Diff(want, texts(s, nilDetector.Find(s))); diff != "" {
		t.Errorf("nil Detector: Find(%q) mismatch (-want +got):\n%s", s, diff)
	}
}

func TestConcurrentUse(t *testing.T) {
	d := pii.New(publicNumbers...)
	inputs := []string{
		"電話番号は09012345678です",
		"taro@example.com 4111 1111 1111 1111",
		"マイナンバーは 1234 5678 9012 です",
		"口座番号: 1234567",
	}
	want := make([]string, len(inputs))
	for i, s := range inputs {
		want[i], _ = d.Mask(s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(inputs)
				if got, _ := d.Mask(inputs[i]); got != want[i] {
					t.Errorf("concurrent Mask(%q) = %q; want %q", inputs[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestRandomInputs checks the contract of FuzzDetector on many inputs built from pieces that
// exercise the rules together: digits, separators, keywords, labels and Japanese text.
func TestRandomInputs(t *testing.T) {
	pieces := []string{
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "09012345678", "0312345678", "81", "4111",
		"0120", "455", "512", "123456789018", "+", "(", ")", " ", "-", "ー", "−", ".", "@", "x.jp",
		"a", "Z", "_", "id", " id ", "ID:", "口座", "会員番号", "マイナンバー", "は", "、", "is ",
		"<", ">", "phone", "account", "１", "－", "　", "2017年", ",",
	}
	d := pii.New(publicNumbers...)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(14) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		checkContract(t, d, b.String())
	}
}

func BenchmarkFind(b *testing.B) {
	d := pii.New(publicNumbers...)
	s := strings.Repeat("電話番号は090-1234-5678、メールはtaro@example.comです。2018年2月28日に112,364件。", 10)
	b.SetBytes(int64(len(s)))
	d.Find(s) // loads the dictionary
	for b.Loop() {
		d.Find(s)
	}
}

// BenchmarkFindLong measures Find on 40,000 characters of patterns that once made it slow (an
// id after each of many keywords took seconds); the time per character stays the same
// whatever the length.
func BenchmarkFindLong(b *testing.B) {
	d := pii.New(publicNumbers...)
	for _, p := range []string{"id-", "a@", "0 9 0 ", "山田", "東京都渋谷区1-", "パスワードは"} {
		for _, n := range []int{10_000, 40_000} {
			s := string([]rune(strings.Repeat(p, n))[:n])
			b.Run(fmt.Sprintf("%s/%d", strings.TrimSpace(p), n), func(b *testing.B) {
				d.Find(s)
				for b.Loop() {
					d.Find(s)
				}
			})
		}
	}
}
