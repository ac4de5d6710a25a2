package bot_test

import (
	"context"
	"testing"

	"github.com/faqbot/faqbot/bot"
)

// A brief message that asks nothing never gets an entry: a greeting is greeted, a few words
// resembling an entry in part, or a bare word the FAQ has nothing for, are asked what they
// mean; short questions, keywords an entry matches surely, and requests the FAQ does not cover
// are decided as before.
func TestBriefMessages(t *testing.T) {
	b := convBot(t)
	for _, c := range []struct {
		text string
		want bot.ReplyKind
	}{
		{"test message", bot.KindClarify},
		{"テストメッセージ", bot.KindClarify},
		{"text message", bot.KindClarify},
		{"good morning", bot.KindWelcome},
		{"Thanks a lot!", bot.KindWelcome},
		{"こんにちは", bot.KindWelcome},
		{"hello", bot.KindWelcome},
		{"message", bot.KindClarify},
		{"メッセージ", bot.KindClarify},
		{"test", bot.KindClarify},
		{"テスト", bot.KindClarify},
		{"テストです", bot.KindClarify},
		{"just testing", bot.KindClarify},
		{"sample", bot.KindClarify},
		{"パスワードを忘れた", bot.KindDontKnow},
		{"forgot password", bot.KindDontKnow},
		{"ログインできない", bot.KindDontKnow},
		{"マイナンバー", bot.KindAnswer},
		{"contact", bot.KindAnswer},
		{"phishing", bot.KindAnswer},
		{"漏洩規模", bot.KindAnswer},
		{"PW", bot.KindAskBack},
		{"How many records were leaked?", bot.KindAnswer},
	} {
		r, err := b.Ask(context.Background(), c.text)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != c.want {
			t.Errorf("%q: %s (%s, %s), want %s", c.text, r.Kind, r.Entry, r.Decision.Reason, c.want)
		}
	}
}
