package pii_test

import (
	"fmt"

	"golang.org/x/text/unicode/norm"

	"github.com/faqbot/faqbot/nlu/pii"
)

func ExampleDetector_Mask() {
	// The organisation's own desk number is public, not personal data.
	d := pii.New("0120-455-512")

	// Callers normalise user text with NFKC first: full-width digits become ASCII.
	in := norm.NFKC.String("私の電話番号は０９０－１２３４－５６７８、メールは taro@example.com です。" +
		"窓口 0120-455-512 にも電話しました。2018年2月28日の件です。")
	masked, kinds := d.Mask(in)
	fmt.Println(masked)
	fmt.Println(kinds)
	// Output:
	// 私の電話番号は<phone>、メールは <email> です。窓口 0120-455-512 にも電話しました。2018年2月28日の件です。
	// [email phone]
}

func ExampleDetector_Find() {
	d := pii.New()
	s := "Card 4111 1111 1111 1111, customer id AB12345"
	for _, m := range d.Find(s) {
		// Offsets are bytes into s; log kinds and offsets, never the text.
		fmt.Println(m.Kind, m.Start, m.End)
	}
	fmt.Println(pii.Mask(s, d.Find(s)))
	// Output:
	// card 5 24
	// account 38 45
	// Card <card>, customer id <account>
}
