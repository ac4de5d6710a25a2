package admin

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/journal"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/faq"
)

const testToken = "correct-horse-battery-staple-0123456789"

// unansweredQuestion is a question the shipped FAQ does not answer, and the entry the tests
// add it to.
const (
	unansweredQuestion = "攻撃した犯人は捕まりましたか"
	phrasingEntry      = "suspicious-contact"
	// unhelpfulQuestion is a question whose answer (leak-count's) a user rated unhelpful.
	unhelpfulQuestion = "何件漏れたの"
)

// testNow is a Tuesday morning in Japan.
func testNow() time.Time { return time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST) }

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a console over an editable copy of the shipped content in a directory, with the
// events of a journal, a live bot and a reloader that reindexes it from the directory.
type fixture struct {
	console   *Console
	bot       *bot.Bot
	dir       string
	journal   *journal.Journal
	clock     *clock
	logs      *platformtest.SyncBuffer
	reindexes bot.ReindexLog
}

func newFixture(t testing.TB, edit func(*Config)) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if _, err := editor.Export(dir); err != nil {
		t.Fatal(err)
	}
	c, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: dir, clock: &clock{t: testNow()}, logs: &platformtest.SyncBuffer{}}
	f.bot = bot.New(eng, f.clock.Now)
	t.Cleanup(func() { f.bot.Engine().Close() })
	f.journal, err = journal.Open(t.TempDir(), journal.Options{Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rl := &bot.Reloader{Bot: f.bot, Load: func(context.Context) (*faq.Content, error) { return faq.LoadDir(dir) }}
	cfg := Config{
		Token:     testToken,
		Bot:       f.bot,
		Workspace: editor.New(editor.Config{Dir: dir}),
		Source:    f.journal,
		Reindex: func(ctx context.Context, via string) (bot.ReloadResult, error) {
			res, err := rl.Reload(ctx)
			f.reindexes.Add(ctx, bot.NewReindex(f.clock.Now(), via, res, err))
			return res, err
		},
		Reindexes: f.reindexes.Last,
		Logger:    slog.New(slog.NewJSONHandler(f.logs, nil)),
		Now:       f.clock.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	f.console, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// seed records a few days of events: answers on every platform, hand-offs, feedback and the
// unanswered question, twice.
func (f *fixture) seed(t testing.TB) {
	t.Helper()
	now := f.clock.Now()
	var evs []record.Event
	add := func(ago time.Duration, e record.Event) {
		e.At = now.Add(-ago)
		evs = append(evs, e)
	}
	for i := range 6 {
		add(time.Duration(i)*24*time.Hour+time.Hour, record.Event{Kind: record.Answered, Platform: "web", Entry: "leak-count"})
		add(time.Duration(i)*24*time.Hour+2*time.Hour, record.Event{Kind: record.Answered, Platform: "line", Entry: "contact"})
	}
	add(3*time.Hour, record.Event{Kind: record.AskedBack, Platform: "slack", Entry: "change-password"})
	add(4*time.Hour, record.Event{Kind: record.Handoff, Platform: "line", Entry: "am-i-affected"})
	add(28*time.Hour, record.Event{Kind: record.Handoff, Platform: "web", Reason: "identity-specific question"})
	add(5*time.Hour, record.Event{Kind: record.Unanswered, Platform: "web", Text: unansweredQuestion, Lang: "ja"})
	add(50*time.Hour, record.Event{Kind: record.Unanswered, Platform: "line", Text: unansweredQuestion, Lang: "ja"})
	add(6*time.Hour, record.Event{Kind: record.Unanswered, Platform: "web", Text: "電話番号<phone>に折り返してほしい", Lang: "ja"})
	for i := range 5 {
		ev := record.Event{Kind: record.Feedback, Platform: "web", Entry: "leak-count", Helpful: i != 0}
		if i == 0 {
			ev.Text = unhelpfulQuestion
		}
		add(time.Duration(i)*time.Hour+30*time.Minute, ev)
	}
	add(time.Hour, record.Event{Kind: record.Feedback, Platform: "line", Entry: "contact", Helpful: false})
	add(2*time.Hour, record.Event{Kind: record.Feedback, Platform: "line", Entry: "leak-count", Helpful: false, Text: unhelpfulQuestion + "？"})
	if err := f.journal.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

// do sends a request to the console with the cookies given.
func (f *fixture) do(t testing.TB, method, target string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = "192.0.2.1:5555"
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.console.ServeHTTP(w, r)
	return w.Result()
}

func cookieOf(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf is the CSRF token of the first form of a page.
func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

// signIn signs in with the token and returns the session cookie and the session's CSRF token.
func (f *fixture) signIn(t testing.TB) (*http.Cookie, string) {
	t.Helper()
	form := f.do(t, "GET", "/admin/", nil)
	pre := cookieOf(form, signInCookie)
	if pre == nil {
		t.Fatal("the sign-in form set no cookie")
	}
	res := f.do(t, "POST", "/admin/signin", url.Values{"csrf": {csrfOf(t, readBody(t, form))}, "token": {testToken}}, pre)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d, want 303:\n%s", res.StatusCode, readBody(t, res))
	}
	s := cookieOf(res, SessionCookie)
	if s == nil {
		t.Fatal("sign-in set no session cookie")
	}
	page := f.do(t, "GET", "/admin/", nil, s)
	return s, csrfOf(t, readBody(t, page))
}
