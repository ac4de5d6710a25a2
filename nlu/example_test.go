package nlu_test

import (
	"context"
	"fmt"
	"log"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func ExampleMatcher_Decide() {
	c, err := faq.LoadEmbedded()
	if err != nil {
		log.Fatal(err)
	}
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		log.Fatal(err)
	}
	defer ix.Close()
	m := nlu.New(ix)
	for _, q := range []string{
		"ﾏｲﾅﾝﾊﾞｰは漏れましたか？",
		"私の住所は漏れましたか 090-1234-5678",
		"パスワードを変えたい",
		"今日の天気は？",
	} {
		d, err := m.Decide(context.Background(), q)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(nlu.Label(d), d.Action, d.PII, d.Masked)
	}
	// Output:
	// my-number answer [] マイナンバーは漏れましたか?
	// helpline handoff [phone] 私の住所は漏れましたか <phone>
	// change-password ask_back [] パスワードを変えたい
	// fallback dont_know [] 今日の天気は?
}
