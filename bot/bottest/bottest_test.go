package bottest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// The fixture is what its constants say: five entries, one of them with two follow-ups, one a
// hand-off, and its own brand; on disk it loads the same.
func TestFixture(t *testing.T) {
	c := Content(t)
	if len(c.Entries) != Entries {
		t.Fatalf("%d entries, want %d", len(c.Entries), Entries)
	}
	byID := map[string]*faq.Entry{}
	for _, e := range c.Entries {
		byID[e.ID] = e
	}
	if p := byID[Parent]; len(p.Followups) != 2 || p.Followups[0] != FollowupA || p.Followups[1] != FollowupB {
		t.Errorf("%s has follow-ups %v, want %s and %s", Parent, p.Followups, FollowupA, FollowupB)
	}
	if !byID[Handoff].Handoff || byID[Answer].Handoff {
		t.Errorf("%s hands off %v, %s %v", Handoff, byID[Handoff].Handoff, Answer, byID[Answer].Handoff)
	}
	shipped, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if c.Brand.Name.In(faq.English) == shipped.Brand.Name.In(faq.English) {
		t.Errorf("the fixture's brand is the shipped one, %q", c.Brand.Name.In(faq.English))
	}

	dir := Dir(t)
	if _, err := os.Stat(filepath.Join(dir, faq.EntriesDir, Answer+".yaml")); err != nil {
		t.Fatal(err)
	}
	d, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version() != c.Version() {
		t.Errorf("on disk the fixture is version %s, embedded %s", d.Version(), c.Version())
	}
}

// The questions named for each kind of entry get that kind of reply.
func TestQuestions(t *testing.T) {
	chat := Chat(t, "test")
	for i, c := range []struct {
		text  string
		kind  bot.ReplyKind
		entry string
	}{
		{AnswerQuestion, bot.KindAnswer, Answer},
		{ParentQuestion, bot.KindAskBack, Parent},
		{HandoffQuestion, bot.KindHandoff, Handoff},
	} {
		out, err := chat.Take(context.Background(), bot.Message{Kind: bot.MsgText, User: "u" + string(rune('0'+i)), Text: c.text})
		if err != nil {
			t.Fatal(err)
		}
		if out.Reply.Kind != c.kind || out.Reply.Entry != c.entry {
			t.Errorf("%q: %s of %q, want %s of %q", c.text, out.Reply.Kind, out.Reply.Entry, c.kind, c.entry)
		}
	}
}
