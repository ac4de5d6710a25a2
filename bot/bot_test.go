package bot_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

var shippedEngine = sync.OnceValues(func() (*bot.Engine, error) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return bot.NewEngine(context.Background(), c, "")
})

func engine(t testing.TB) *bot.Engine {
	t.Helper()
	e, err := shippedEngine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func jst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, bot.JST)
	if err != nil {
		panic(err)
	}
	return t
}

// hoursCase is a time (Japan), whether the desk is open then, and when it opens next.
type hoursCase struct {
	at   string
	open bool
	next string
}

func checkHours(t *testing.T, h *bot.DeskHours, tests []hoursCase) {
	t.Helper()
	for _, tt := range tests {
		at := jst(tt.at)
		if got := h.Open(at); got != tt.open {
			t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.open)
		}
		if got := h.NextOpen(at); !got.Equal(jst(tt.next)) {
			t.Errorf("NextOpen(%s) = %s, want %s", tt.at, got.Format("2006-01-02 15:04"), tt.next)
		}
	}
}

func TestDeskHours(t *testing.T) {
	h := bot.NewDeskHours(faq.Desk{Open: "09:00", Close: "17:00"})
	tests := []hoursCase{
		{"2026-11-25 10:00", true, "2026-11-25 10:00"},  // Wednesday
		{"2026-11-25 08:59", false, "2026-11-25 09:00"}, // before opening
		{"2026-11-25 17:30", false, "2026-11-26 09:00"}, // after closing
		{"2026-11-28 11:00", false, "2026-11-30 09:00"}, // Saturday
		{"2026-11-23 11:00", false, "2026-11-24 09:00"}, // 勤労感謝の日, a Monday
		{"2027-01-01 11:00", false, "2027-01-04 09:00"}, // 元日 (Friday), then the weekend
		{"2026-11-25 09:00", true, "2026-11-25 09:00"},  // opening time itself is open
		{"2026-05-01 17:00", false, "2026-05-07 09:00"}, // Golden Week: 5/3 is a Sunday, so 5/6 (Wed) is 振替休日
		{"2026-09-21 10:00", false, "2026-09-24 09:00"}, // 敬老の日, 国民の休日 (9/22), 秋分の日 (9/23)
	}
	checkHours(t, h, tests)
	if h.Open(jst("2026-11-25 09:00").Add(-time.Second)) {
		t.Error("08:59:59 should be closed")
	}
	// Any time zone: 01:00 UTC is 10:00 in Japan.
	if !h.Open(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)) {
		t.Error("10:00 JST given in UTC should be open")
	}
}

// Open remembers its last minute's answer: asked again and again, and out of order, it says
// what a desk that never answered before says, second by second around opening and closing
// times, across a weekend, a holiday and a closure.
func TestDeskHoursOpenRemembersOnlyItsMinute(t *testing.T) {
	d := faq.Desk{Open: "09:07", Close: "16:53", Closures: []faq.Closure{{From: "11-26", To: "11-26"}}}
	h := bot.NewDeskHours(d)
	var times []time.Time
	for day := jst("2026-11-21 00:00"); day.Before(jst("2026-11-28 00:00")); day = day.AddDate(0, 0, 1) {
		for _, at := range []time.Duration{9*time.Hour + 7*time.Minute, 16*time.Hour + 53*time.Minute, 12 * time.Hour} {
			for s := -90; s <= 90; s += 7 {
				times = append(times, day.Add(at+time.Duration(s)*time.Second))
			}
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(times)/2, func(i, j int) { times[i], times[j] = times[j], times[i] })
	for _, at := range times {
		want := bot.NewDeskHours(d).Open(at)
		if got := h.Open(at); got != want {
			t.Fatalf("Open(%s) = %v after other calls, want %v", at.Format("2006-01-02 15:04:05"), got, want)
		}
	}
}

// Closing time itself is closed; the company's closures (an annual span over the new year, a
// dated day) keep the desk closed and are named in the hand-off's next opening.
func TestDeskClosures(t *testing.T) {
	h := bot.NewDeskHours(faq.Desk{Open: "09:00", Close: "17:00", Closures: []faq.Closure{
		{Name: faq.Localized{"ja": "年末年始休業", "en": "New Year holidays"}, From: "12-31", To: "01-03"},
		{Name: faq.Localized{"ja": "臨時休業"}, From: "2026-12-01", To: "2026-12-01"},
		{Name: faq.Localized{"ja": "創立記念日"}, From: "2027-05-06", To: "2027-05-06"},
	}})
	tests := []hoursCase{
		{"2027-05-05 18:00", false, "2027-05-07 09:00"}, // こどもの日, then the dated closure (a Thursday)
		{"2028-01-03 16:00", false, "2028-01-04 09:00"}, // the closure's last day is closed (a Monday) …
		{"2028-01-04 09:00", true, "2028-01-04 09:00"},  // … and the next morning open
		{"2026-11-25 16:59", true, "2026-11-25 16:59"},
		{"2026-11-25 17:00", false, "2026-11-26 09:00"},
		{"2026-12-01 10:00", false, "2026-12-02 09:00"}, // the dated closure (a Tuesday)
		{"2027-12-01 10:00", true, "2027-12-01 10:00"},  // not again the next year
		{"2026-12-30 17:30", false, "2027-01-04 09:00"}, // 12-31 (Thu) to 01-03, then Monday
		{"2027-12-30 10:00", true, "2027-12-30 10:00"},
		{"2027-12-31 10:00", false, "2028-01-04 09:00"}, // every year
	}
	checkHours(t, h, tests)
	if !h.Open(jst("2026-11-25 17:00").Add(-time.Second)) {
		t.Error("16:59:59 should be open")
	}
	// An annual closure on 02-29 closes leap years' 29 February only, not 1 March.
	leap := bot.NewDeskHours(faq.Desk{Open: "09:00", Close: "17:00", Closures: []faq.Closure{{From: "02-29", To: "02-29"}}})
	checkHours(t, leap, []hoursCase{
		{"2028-02-29 10:00", false, "2028-03-01 09:00"}, // a Tuesday
		{"2027-03-01 10:00", true, "2027-03-01 10:00"},  // a Monday
	})
	// The closure that keeps the desk closed until it opens is named; the night, a weekend or a
	// public holiday alone are not a closure.
	for _, tt := range []struct{ at, want string }{
		{"2026-12-30 17:30", "年末年始休業"},
		{"2027-05-05 18:00", "創立記念日"},
		{"2026-11-30 17:00", "臨時休業"},  // the night, then the dated closure
		{"2027-04-30 18:00", "創立記念日"}, // a weekend and Golden Week, then the closure: named
		{"2026-11-26 17:00", ""},      // the night only
		{"2027-01-08 18:00", ""},      // a Friday evening: the weekend, then 成人の日 (1/11)
	} {
		at := jst(tt.at)
		name, ok := h.Closure(at, h.NextOpen(at))
		if got := name.In(faq.Japanese); ok != (tt.want != "") || got != tt.want {
			t.Errorf("Closure(%s) = %q, %v, want %q", tt.at, got, ok, tt.want)
		}
	}
	// The shipped content closes over the new year, and says so in the hand-off.
	b := bot.New(engine(t), func() time.Time { return jst("2026-12-30 18:00") })
	r, err := b.Ask(context.Background(), "私の住所は漏れましたか")
	if err != nil {
		t.Fatal(err)
	}
	if want := "次の受付は1月4日(月)9:00(年末年始休業)からです。"; !strings.Contains(r.Text, want) {
		t.Errorf("hand-off on 12/30 evening lacks %q:\n%s", want, r.Text)
	}
	r, err = b.Ask(context.Background(), "Was my address leaked?")
	if err != nil {
		t.Fatal(err)
	}
	if want := "it opens again Monday 4 January at 09:00 (New Year holidays)."; !r.Handoff || !strings.Contains(r.Text, want) {
		t.Errorf("English hand-off on 12/30 evening lacks %q:\n%s", want, r.Text)
	}
}

func TestHandoffSaysWhetherDeskIsOpen(t *testing.T) {
	for _, tt := range []struct {
		at, want string
	}{
		{"2026-11-25 10:00", "ただいま受付時間内です。"},
		{"2026-11-28 11:00", "ただいま受付時間外です。次の受付は11月30日(月)9:00からです。"},
		{"2026-11-25 18:00", "次の受付は明日9:00からです。"},
	} {
		b := bot.New(engine(t), func() time.Time { return jst(tt.at) })
		r, err := b.Ask(context.Background(), "私の住所は漏れましたか")
		if err != nil {
			t.Fatal(err)
		}
		if !r.Handoff || !strings.Contains(r.Text, "0120-455-512") || !strings.Contains(r.Text, tt.want) {
			t.Errorf("at %s: handoff=%v text %q, want it to contain %q", tt.at, r.Handoff, r.Text, tt.want)
		}
	}
}

func TestReplies(t *testing.T) {
	b := bot.New(engine(t), func() time.Time { return jst("2026-11-25 10:00") })
	ctx := context.Background()

	r, _ := b.Ask(ctx, "パスワードを変えたい")
	if len(r.Choices) != 2 || r.Choices[0].EntryID != "change-password-pc" || strings.Contains(r.Body, "・") {
		t.Errorf("ask-back: choices %v, body %q", r.Choices, r.Body)
	}
	r, _ = b.Ask(ctx, "090-1234-5678です。マイナンバーは漏れましたか")
	if !strings.HasPrefix(r.Text, "※お客様の安全のため") || strings.Contains(r.Text, "5678") {
		t.Errorf("personal data advice missing or data echoed: %q", r.Text)
	}
	r, _ = b.Ask(ctx, "How many records were leaked?")
	if r.Lang != faq.English || !strings.Contains(r.Text, "112,364") {
		t.Errorf("English answer: %q", r.Text)
	}
	r, _ = b.Ask(ctx, "こんにちは")
	if r.Handoff || len(r.Choices) != 0 || !strings.Contains(r.Text, "お答えします") {
		t.Errorf("greeting: %q", r.Text)
	}
	if _, ok := b.EntryReply("no-such-entry", faq.Japanese); ok {
		t.Error("EntryReply of an unknown id succeeded")
	}
}

func TestSwap(t *testing.T) {
	e := engine(t)
	b := bot.New(e, nil)
	c2, _ := faq.LoadEmbedded()
	e2, err := bot.NewEngine(context.Background(), c2, "")
	if err != nil {
		t.Fatal(err)
	}
	if old := b.Swap(e2); old != e || b.Engine() != e2 {
		t.Error("Swap did not install the new engine")
	}
	e2.Close()
}

func ExampleBot_Ask() {
	c, err := faq.LoadEmbedded()
	if err != nil {
		log.Fatal(err)
	}
	e, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	b := bot.New(e, nil)
	r, err := b.Ask(context.Background(), "何件漏れたの?")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Decision.Entry.ID, r.Handoff)
	fmt.Println(strings.SplitN(r.Text, "\n", 2)[0])
	// Output:
	// leak-count false
	// 2017年サイバー攻撃においては2,455件、2016年サイバー攻撃においては112,364件の情報が漏えいしたことが判明しております。
}
