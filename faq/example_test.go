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
	c, err := faq.LoadEmbedded()
	if err != nil {
		fmt.Println(err)
		return
	}
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ix.Close()
	hits, err := ix.Search(context.Background(), ix.Analyzer().Terms("何件漏れたの"), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	best := hits[0] // hits come in content order; ranking them is the matcher's job
	for _, h := range hits {
		if h.Coverage > best.Coverage {
			best = h
		}
	}
	fmt.Println(best.Entry.ID, best.Coverage == 1)
	// Output: leak-count true
}
