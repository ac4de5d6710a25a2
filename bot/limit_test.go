package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func TestTooLong(t *testing.T) {
	b := bot.New(engine(t), nil)
	ctx := context.Background()
	store := memstore.NewStore(time.Minute, nil)
	for _, tc := range []struct {
		name string
		text string
		long bool
		lang faq.Lang
	}{
		{"japanese at the limit", strings.Repeat("漏", bot.MaxText), false, faq.Japanese},
		{"japanese one over", strings.Repeat("漏", bot.MaxText+1), true, faq.Japanese},
		{"english one over", strings.Repeat("help ", bot.MaxText/5+1), true, faq.English},
		{"300 kB of id-", strings.Repeat("id-", 100_000), true, faq.English},
		{"ascii at the limit", strings.Repeat("x", bot.MaxText), false, faq.English},
		{"phone numbers past the limit", strings.Repeat("電話 090-1234-5678 ", 200), true, faq.Japanese},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, long := b.TooLong(tc.text)
			if long != tc.long {
				t.Fatalf("TooLong(%d runes) = %v, want %v", utf8.RuneCountInString(tc.text), long, tc.long)
			}
			got, err := b.Handle(ctx, "u-"+tc.name, tc.text, store)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.long {
				if got.Decision.Reason == "too_long" {
					t.Fatalf("Handle answered %q as too long", tc.name)
				}
				return
			}
			want := strings.ReplaceAll(engine(t).Content.Messages.TooLong.In(tc.lang), "{max}", "2,000")
			if got.Text != want || r.Text != want || got.Lang != tc.lang {
				t.Errorf("Handle = %q (%s), want %q (%s)", got.Text, got.Lang, want, tc.lang)
			}
			d := got.Decision
			if d.Action != nlu.DontKnow || d.Reason != "too_long" || d.Masked != "" || len(d.PII) != 0 {
				t.Errorf("decision %+v: want dont_know, too_long, nothing of the text", d)
			}
			if strings.Contains(got.Text, "090") {
				t.Errorf("the reply echoes the message: %q", got.Text)
			}
			if ask, _ := b.Ask(ctx, tc.text); ask.Text != want {
				t.Errorf("Ask = %q, want %q", ask.Text, want)
			}
		})
	}
}

// decisionBound is what one decision on a message of the capped length may take at most, with
// the race detector on a busy 2-core machine (it takes a few milliseconds without them).
const decisionBound = 2 * time.Second

// FuzzCappedDecision checks that a decision on any message of the capped length, made of any
// text repeated up to MaxText characters, stays under decisionBound; and that a message one
// character longer is not decided on.
func FuzzCappedDecision(f *testing.F) {
	for _, s := range []string{"id-", "a@", "0 9 0 ", "山田", "東京都渋谷区1-", "パスワードは", "と申します", "〇九〇",
		"my name is ", "taro at example dot ", "1,", "号室1", "\u200b1", "ﾏｲﾅﾝﾊﾞｰ"} {
		f.Add(s)
	}
	b := bot.New(engine(f), nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "")
		if s == "" {
			return
		}
		n := utf8.RuneCountInString(s)
		text := strings.Repeat(s, bot.MaxText/n+1)
		runes := []rune(text)[:bot.MaxText]
		capped := string(runes)
		start := time.Now()
		r, err := b.Ask(ctx, capped)
		if took := time.Since(start); took > decisionBound {
			t.Fatalf("deciding on %d characters of %q took %s, want at most %s", bot.MaxText, s, took, decisionBound)
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision.Reason == "too_long" {
			t.Fatalf("%d characters of %q answered as too long", bot.MaxText, s)
		}
		if _, long := b.TooLong(capped + "x"); !long {
			t.Fatalf("%d characters not too long", bot.MaxText+1)
		}
	})
}

// BenchmarkDecideCapped measures a decision on messages of the capped length made of the
// patterns that were slowest before the scan was made linear.
func BenchmarkDecideCapped(b *testing.B) {
	bt := bot.New(engine(b), nil)
	ctx := context.Background()
	for _, p := range []string{"id-", "a@", "0 9 0 ", "山田", "東京都渋谷区1-", "パスワードは", "電話 090-1234-5678 "} {
		text := string([]rune(strings.Repeat(p, bot.MaxText))[:bot.MaxText])
		b.Run(strings.TrimSpace(p), func(b *testing.B) {
			for b.Loop() {
				if _, err := bt.Ask(ctx, text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
