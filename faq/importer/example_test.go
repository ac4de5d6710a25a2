package importer_test

import (
	"fmt"

	"github.com/faqbot/faqbot/faq/importer"
)

func ExampleRead() {
	src := "id,質問,回答,language,alternates\n" +
		"hours,受付時間は？,\"平日9時から17時です。\n土日祝は休みです。\",ja,何時まで？|営業時間\n" +
		"hours,What are the opening hours?,\"9:00 to 17:00 on weekdays.\",en,\n"
	res, err := importer.Read("faq.csv", []byte(src), importer.Options{Format: importer.CSV})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range res.Entries {
		b, err := importer.EntryYAML(e)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(string(b))
	}
	fmt.Println("languages:", res.Languages, "encoding:", res.Encoding)
	// Output:
	// # imported from faq.csv:2
	// id: hours
	// handoff: false
	// holds_for_everyone: false
	// ja:
	//   title: 受付時間は？
	//   answer: |-
	//     平日9時から17時です。
	//     土日祝は休みです。
	//   questions:
	//     - 何時まで？
	//     - 営業時間
	// en:
	//   title: What are the opening hours?
	//   answer: 9:00 to 17:00 on weekdays.
	// languages: [ja en] encoding: utf-8
}
