package faq_test

import (
	"context"
	"fmt"

	"github.com/faqbot/faqbot/faq"
)

func ExampleLoadEmbedded() {
	c, err := faq.LoadEmbedded()
	if err != nil {
		fmt.Println(err) // every problem as file:line: message
		return
	}
	e := c.Entry("change-password")
	fmt.Println(len(c.Entries), e.Followups, c.Entry("change-password-pc").Parent)
	// Output: 12 [change-password-pc change-password-app] change-password
}

func ExampleIndex_Search() {
	c, _ := faq.LoadEmbedded()
	ix, _ := faq.NewIndex(context.Background(), c, "")
	defer ix.Close()
	hits, _ := ix.Search(context.Background(), ix.Analyzer().Terms("何件漏れたの"), 1)
	fmt.Println(hits[0].Entry.ID, hits[0].Similarity > 0.5)
	// Output: leak-count true
}
