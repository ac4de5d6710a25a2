package nlu_test

import (
	"context"
	"fmt"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func ExampleMatcher_Decide() {
	c, _ := faq.LoadEmbedded()
	ix, _ := faq.NewIndex(context.Background(), c, "")
	m := nlu.New(ix)
	for _, q := range []string{
		"ﾏｲﾅﾝﾊﾞｰは漏れましたか？",
		"私の住所は漏れましたか 090-1234-5678",
		"パスワードを変えたい",
		"今日の天気は？",
	} {
		d, _ := m.Decide(context.Background(), q)
		fmt.Println(nlu.Label(d), d.Action, d.PII, d.Masked)
	}
	// Output:
	// my-number answer [] マイナンバーは漏れましたか?
	// helpline handoff [phone] 私の住所は漏れましたか <phone>
	// change-password ask_back [] パスワードを変えたい
	// fallback dont_know [] 今日の天気は?
}
