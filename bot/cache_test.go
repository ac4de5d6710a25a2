package bot

import (
	"context"
	"reflect"
	"testing"

	"github.com/faqbot/faqbot/faq"
)

func TestDecisionCache(t *testing.T) {
	ctx := context.Background()
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.CacheDecisions(2)
	b := New(e, nil)
	for _, q := range []string{"マイナンバーは漏れましたか", "パスワードを変更したい", "How many records were leaked?", "私の住所は漏れましたか"} {
		want, err := e.Matcher.Decide(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			r, err := b.Ask(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Decision, want) {
				t.Errorf("%q, ask %d: decision %+v, want %+v", q, i+1, r.Decision, want)
			}
		}
		if _, ok := e.decisions.Peek(q); !ok {
			t.Errorf("%q not remembered", q)
		}
	}
	if n := e.decisions.Len(); n != 2 {
		t.Errorf("%d decisions remembered, want the last 2", n)
	}
	const personal = "電話番号 090-1234-5678 に電話が来ました"
	if _, err := b.Ask(ctx, personal); err != nil {
		t.Fatal(err)
	}
	for _, k := range e.decisions.Keys() {
		if k == personal {
			t.Error("a question holding a phone number was remembered")
		}
	}
	e.CacheDecisions(0)
	if _, err := b.Ask(ctx, "マイナンバーは漏れましたか"); err != nil || e.decisions != nil {
		t.Errorf("cache off: %v, cache %v", err, e.decisions)
	}
}
