package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func TestMentionAnsweredInThread(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t))
	h.event(t, mention("Ev0MENTION01", "U0ASKER001", "C0SUPPORT1", "1717462800.000100", "How many records were leaked?"))
	h.drain(t)
	posts := h.api.Accepted(pathPost)
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != "C0SUPPORT1" || p.ThreadTS != "1717462800.000100" {
		t.Errorf("posted to %s thread %q, want C0SUPPORT1 in the thread of the mention", p.Channel, p.ThreadTS)
	}
	answer := h.bot.Engine().Content.Entry("leak-count").Text[faq.English].Answer
	all := p.All()
	for _, want := range []string{strings.TrimSpace(answer), "`leak-count`", "Source: Q2", "Was this answer helpful?", "日本語で表示"} {
		if !strings.Contains(all, want) {
			t.Errorf("the reply lacks %q:\n%s", want, all)
		}
	}
	want := []string{"faq.yes yes|leak-count|en", "faq.no no|leak-count|en", "faq.lang lang|entry:leak-count|ja"}
	if diff := cmp.Diff(want, p.Buttons()); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	if p.Text == "" {
		t.Error("no fallback text")
	}
	if s := h.a.Stats(); s.Accepted != 1 || s.Replied != 1 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestDirectMessage(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t))
	h.event(t, dm("Ev0DM0000001", "U0ASKER001", "D0DIRECT01", "1717462800.000200", "パスワードを変更したい"))
	h.drain(t)
	posts := h.api.Accepted(pathPost)
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != "D0DIRECT01" || p.ThreadTS != "" {
		t.Errorf("posted to %s thread %q, want the DM, unthreaded", p.Channel, p.ThreadTS)
	}
	// An ask-back: the follow-ups as buttons, and the source of the parent entry.
	want := []string{
		"faq.entry.0 entry|change-password-pc|ja", "faq.entry.1 entry|change-password-app|ja",
		"faq.lang lang|entry:change-password|en",
	}
	if diff := cmp.Diff(want, p.Buttons()); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	if !strings.Contains(p.All(), "出典: Q7 · `change-password`") {
		t.Errorf("no source line:\n%s", p.All())
	}
}

func TestIgnoredEvents(t *testing.T) {
	h := newHarness(t)
	own := dm("Ev0IGNORE001", botUser, "D0DIRECT01", "1717462800.000301", "answer text")
	ownBot := dm("Ev0IGNORE002", "", "D0DIRECT01", "1717462800.000302", "answer text")
	ownBot["event"].(map[string]any)["bot_id"] = "B0FAQBOT01"
	otherBot := mention("Ev0IGNORE003", "U0OTHERBOT", "C0SUPPORT1", "1717462800.000303", "hello")
	otherBot["event"].(map[string]any)["bot_id"] = "B0OTHER001"
	edit := dm("Ev0IGNORE004", "U0ASKER001", "D0DIRECT01", "1717462800.000304", "")
	edit["event"].(map[string]any)["subtype"] = "message_changed"
	editedMention := mention("Ev0IGNORE005", "U0ASKER001", "C0SUPPORT1", "1717462800.000305", "How many records?")
	editedMention["event"].(map[string]any)["edited"] = map[string]any{"user": "U0ASKER001", "ts": "1717462810.000000"}
	channelMessage := dm("Ev0IGNORE006", "U0ASKER001", "C0SUPPORT1", "1717462800.000306", "How many records?")
	channelMessage["event"].(map[string]any)["channel_type"] = "channel"
	for _, env := range []envelope{own, ownBot, otherBot, edit, editedMention, channelMessage} {
		h.event(t, env)
	}
	h.drain(t)
	if n := len(h.api.Attempts(pathPost)); n != 0 {
		t.Errorf("%d posts, want none", n)
	}
	if s := h.a.Stats(); s.Ignored != 6 || s.Accepted != 0 {
		t.Errorf("stats %+v, want 6 ignored", s)
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := h.do(EventsPath, body)
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("status %d body %q, want the challenge", w.Code, w.Body.String())
	}
	r := platformtest.SlackRequest(EventsPath, body, "wrong-secret", time.Now().Unix())
	w = httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "3eZbrw") {
		t.Errorf("forged verification: status %d body %q, want 401 without the challenge", w.Code, w.Body.String())
	}
}

// TestSignature sends forged, stale and unsigned requests to every endpoint: all get 401 and
// nothing is posted.
func TestSignature(t *testing.T) {
	h := newHarness(t)
	ev := mention("Ev0SIG000001", "U0ASKER001", "C0SUPPORT1", "1717462800.000400", "How many records were leaked?").body()
	cmd := commandForm("U0ASKER001", "How many records were leaked?", h.api.ResponseURL(1))
	click := interactionForm("U0ASKER001", post{Channel: "C0SUPPORT1"}, platformtest.SlackElement{ActionID: "faq.yes", Value: "yes|leak-count|en"}, h.api.ResponseURL(2))
	now := time.Now().Unix()
	for _, ep := range []struct {
		path string
		body []byte
	}{{EventsPath, ev}, {CommandsPath, cmd}, {InteractionsPath, click}} {
		for _, tc := range []struct {
			name string
			req  func() *http.Request
		}{
			{"wrong secret", func() *http.Request { return platformtest.SlackRequest(ep.path, ep.body, "not-the-secret", now) }},
			{"stale", func() *http.Request { return platformtest.SlackRequest(ep.path, ep.body, testSecret, now-6*60) }},
			{"future", func() *http.Request { return platformtest.SlackRequest(ep.path, ep.body, testSecret, now+6*60) }},
			{"tampered body", func() *http.Request {
				r := platformtest.SlackRequest(ep.path, ep.body, testSecret, now)
				r2 := platformtest.SlackRequest(ep.path, append(slices.Clone(ep.body), ' '), testSecret, now)
				r2.Header = r.Header
				return r2
			}},
			{"other timestamp", func() *http.Request {
				r := platformtest.SlackRequest(ep.path, ep.body, testSecret, now)
				r.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(now-1))
				return r
			}},
			{"no signature", func() *http.Request {
				r := platformtest.SlackRequest(ep.path, ep.body, testSecret, now)
				r.Header.Del("X-Slack-Signature")
				return r
			}},
			{"no timestamp", func() *http.Request {
				r := platformtest.SlackRequest(ep.path, ep.body, testSecret, now)
				r.Header.Del("X-Slack-Request-Timestamp")
				return r
			}},
			{"not hex", func() *http.Request {
				r := platformtest.SlackRequest(ep.path, ep.body, testSecret, now)
				r.Header.Set("X-Slack-Signature", "v0=zz")
				return r
			}},
		} {
			t.Run(ep.path+"/"+tc.name, func(t *testing.T) {
				w := httptest.NewRecorder()
				h.mux.ServeHTTP(w, tc.req())
				if w.Code != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", w.Code)
				}
			})
		}
	}
	h.drain(t)
	if n := len(h.api.Attempts("")) + len(h.api.Attempts(pathPost)) + len(h.api.Attempts(pathRespond)); n != 0 {
		t.Errorf("%d posts after forged requests, want none", n)
	}
	if s := h.a.Stats(); s.Accepted != 0 || s.Rejected != 24 {
		t.Errorf("stats %+v, want 24 rejected", s)
	}
}

func TestRequestRefused(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBody = 4096 })
	big := mention("Ev0BIG000001", "U0ASKER001", "C0SUPPORT1", "1717462800.000500", strings.Repeat("あ", 2000)).body()
	for name, tc := range map[string]struct {
		path string
		body []byte
		want int
	}{
		"too large":         {EventsPath, big, http.StatusRequestEntityTooLarge},
		"not json":          {EventsPath, []byte(`{"type":`), http.StatusBadRequest},
		"bad form":          {CommandsPath, []byte("text=%zz"), http.StatusBadRequest},
		"no payload":        {InteractionsPath, []byte("x=1"), http.StatusBadRequest},
		"rate limited note": {EventsPath, []byte(`{"type":"app_rate_limited","minute_rate_limited":1518467820}`), http.StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			if w := h.do(tc.path, tc.body); w.Code != tc.want {
				t.Errorf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, EventsPath, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", w.Code)
	}
}

// TestRetriedEventAnsweredOnce: Slack's retries of an event, and the two events of one message,
// get one answer; a retry whose first delivery never arrived gets its answer.
func TestRetriedEventAnsweredOnce(t *testing.T) {
	h := newHarness(t)
	ev := mention("Ev0RETRY0001", "U0ASKER001", "C0SUPPORT1", "1717462800.000600", "How many records were leaked?")
	h.event(t, ev)
	h.event(t, ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	h.event(t, ev, "X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_timeout")
	// A mention in a direct message comes as message.im and as app_mention.
	h.event(t, dm("Ev0RETRY0002", "U0ASKER002", "D0DIRECT02", "1717462800.000601", "<@"+botUser+"> What information was leaked?"))
	h.event(t, mention("Ev0RETRY0003", "U0ASKER002", "D0DIRECT02", "1717462800.000601", "What information was leaked?"))
	// The first delivery of this one never arrived.
	h.event(t, mention("Ev0RETRY0004", "U0ASKER003", "C0SUPPORT1", "1717462800.000602", "Has My Number been leaked?"),
		"X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_error")
	h.drain(t)
	posts := h.api.Accepted(pathPost)
	var got []string
	for _, p := range posts {
		got = append(got, p.Channel+" "+p.ThreadTS)
	}
	slices.Sort(got)
	want := []string{"C0SUPPORT1 1717462800.000600", "C0SUPPORT1 1717462800.000602", "D0DIRECT02 "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if s := h.a.Stats(); s.Duplicates != 3 {
		t.Errorf("%d duplicates, want 3", s.Duplicates)
	}
}

func TestSlashCommand(t *testing.T) {
	h := newHarness(t)
	ack := h.command(t, "U0ASKER001", "How many records were leaked?")
	if ack.ResponseType != "ephemeral" || ack.Text != "Looking that up…" {
		t.Errorf("ack %+v, want an ephemeral \"Looking that up…\"", ack)
	}
	h.drain(t)
	posts := h.api.Accepted(pathRespond)
	if len(posts) != 1 || len(h.api.Attempts(pathPost)) != 0 {
		t.Fatalf("%d response URL posts and %d channel posts, want 1 and 0", len(posts), len(h.api.Attempts(pathPost)))
	}
	p := posts[0]
	if p.ResponseType != "ephemeral" || p.Replace {
		t.Errorf("response type %q replace %v, want an ephemeral new message", p.ResponseType, p.Replace)
	}
	if !strings.Contains(p.All(), "`leak-count`") {
		t.Errorf("the answer lacks the entry:\n%s", p.All())
	}
}

func TestSlashCommandUsage(t *testing.T) {
	h := newHarness(t)
	c := h.bot.Engine().Content
	for _, text := range []string{"", "  ", "help"} {
		ack := h.command(t, "U0ASKER001", text)
		if ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, "/faq") {
			t.Errorf("%q: ack %q, want the usage", text, ack.Text)
		}
		p := post{}
		if err := jsonUnmarshal(ack.Blocks, &p.Blocks); err != nil {
			t.Fatal(err)
		}
		all := p.All()
		var topics []string
		for _, e := range c.Entries {
			if e.Parent == "" && !e.OutOfScope {
				topics = append(topics, "entry|"+e.ID+"|ja")
				if !strings.Contains(all, e.Text[faq.Japanese].Title) {
					t.Errorf("%q: the usage lacks the topic %q", text, e.Text[faq.Japanese].Title)
				}
			}
		}
		var got []string
		for _, b := range p.Buttons() {
			if _, v, _ := strings.Cut(b, " "); strings.HasPrefix(v, "entry|") {
				got = append(got, v)
			}
		}
		if diff := cmp.Diff(topics, got); diff != "" {
			t.Errorf("%q: topic buttons (-want +got):\n%s", text, diff)
		}
		if !strings.Contains(all, "使い方: /faq") || !strings.Contains(all, "Show in English") {
			t.Errorf("%q: usage:\n%s", text, all)
		}
		checkLimits(t, p.Blocks)
	}
	h.drain(t)
	if n := len(h.api.Attempts(pathRespond)); n != 0 {
		t.Errorf("%d response URL posts, want none: the usage is the ack", n)
	}
}

func TestButtons(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t))
	h.event(t, mention("Ev0BUTTON001", "U0ASKER001", "C0SUPPORT1", "1717462800.000700", "パスワードを変更したい"))
	platformtest.WaitFor(t, "the ask-back", func() bool { return len(h.api.Accepted(pathPost)) == 1 })
	askBack := h.api.Accepted(pathPost)[0]

	// A follow-up: answered in the same thread.
	h.click(t, "U0ASKER001", askBack, askBack.Button(t, "entry|change-password-app|"))
	platformtest.WaitFor(t, "the follow-up", func() bool { return len(h.api.Accepted(pathPost)) == 2 })
	answer := h.api.Accepted(pathPost)[1]
	if answer.Channel != "C0SUPPORT1" || answer.ThreadTS != "1717462800.000700" || !strings.Contains(answer.All(), "`change-password-app`") {
		t.Errorf("follow-up posted to %s thread %q:\n%s", answer.Channel, answer.ThreadTS, answer.All())
	}

	// Helpful: recorded once per user and message, thanked each time, privately.
	yes := answer.Button(t, "yes|change-password-app|ja")
	h.click(t, "U0ASKER001", answer, yes)
	h.click(t, "U0ASKER001", answer, yes)
	h.click(t, "U0ASKER002", answer, answer.Button(t, "no|change-password-app|ja"))
	platformtest.WaitFor(t, "the thanks", func() bool { return len(h.api.Accepted(pathRespond)) == 3 })
	if y, n := h.feedback.Counts("change-password-app"); y != 1 || n != 1 {
		t.Errorf("feedback %d yes %d no, want 1 and 1", y, n)
	}
	for _, p := range h.api.Accepted(pathRespond) {
		if p.ResponseType != "ephemeral" || !strings.Contains(p.All(), "ご回答ありがとうございました") {
			t.Errorf("thanks %q (%s)", p.All(), p.ResponseType)
		}
	}
	if !regexp.MustCompile(`"msg":"feedback".*"entry":"change-password-app","helpful":"yes"`).MatchString(h.logs.String()) {
		t.Errorf("no feedback log line:\n%s", h.logs)
	}

	// Language: the same entry in English, in place of the message.
	h.click(t, "U0ASKER001", answer, answer.Button(t, "lang|entry:change-password-app|en"))
	platformtest.WaitFor(t, "the English version", func() bool { return len(h.api.Accepted(pathRespond)) == 4 })
	en := h.api.Accepted(pathRespond)[3]
	want := strings.TrimSpace(h.bot.Engine().Content.Entry("change-password-app").Text[faq.English].Answer)
	if !en.Replace || !strings.Contains(en.All(), want[:40]) || !strings.Contains(en.All(), "日本語で表示") {
		t.Errorf("English version (replace %v):\n%s", en.Replace, en.All())
	}
	if st, ok, _ := h.a.cfg.Store.Get(context.Background(), "slack:"+testTeam+":U0ASKER001"); !ok || st.Lang != faq.English {
		t.Errorf("conversation language %q, want en", st.Lang)
	}
	// And back.
	h.click(t, "U0ASKER001", en, en.Button(t, "lang|entry:change-password-app|ja"))
	platformtest.WaitFor(t, "the Japanese version", func() bool { return len(h.api.Accepted(pathRespond)) == 5 })
	if ja := h.api.Accepted(pathRespond)[4]; !ja.Replace || !strings.Contains(ja.All(), "Show in English") {
		t.Errorf("Japanese version:\n%s", ja.All())
	}

	// Usage topics and their language switch, from an ephemeral message.
	ack := h.command(t, "U0ASKER001", "")
	usage := post{Path: pathRespond}
	jsonUnmarshal(ack.Blocks, &usage.Blocks)
	h.click(t, "U0ASKER001", usage, usage.Button(t, "lang|usage|en"))
	h.click(t, "U0ASKER001", usage, usage.Button(t, "entry|my-number|ja"))
	platformtest.WaitFor(t, "the usage clicks", func() bool { return len(h.api.Accepted(pathRespond)) == 7 })
	var sawUsage, sawEntry bool
	for _, p := range h.api.Accepted(pathRespond)[5:] {
		sawUsage = sawUsage || p.Replace && strings.Contains(p.All(), "Usage: /faq")
		sawEntry = sawEntry || !p.Replace && p.ResponseType == "ephemeral" && strings.Contains(p.All(), "`my-number`")
	}
	if !sawUsage || !sawEntry {
		t.Errorf("usage in English %v, topic answered privately %v", sawUsage, sawEntry)
	}
	h.drain(t)
	if n := len(h.api.Accepted(pathPost)); n != 2 {
		t.Errorf("%d channel posts, want 2 (the clicks on ephemeral messages are answered privately)", n)
	}
}

// contentDir copies the shipped content into a temporary directory and returns it.
func contentDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, faq.Embedded()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReindex(t *testing.T) {
	good, broken := contentDir(t), contentDir(t)
	// The good tree answers a new question; the broken one has a YAML error on line 3.
	file := filepath.Join(good, "entries", "leak-count.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), "section: \"Q2\"", "section: \"Q2 (revised)\"", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "id: leak-count\nsection: \"Q2\"\nhandoff: false\n") {
		t.Fatalf("leak-count.yaml starts %q", b[:60])
	}
	bad := strings.Replace(string(b), "handoff: false", "handoff: perhaps", 1)
	if err := os.WriteFile(filepath.Join(broken, "entries", "leak-count.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}

	var (
		mu  sync.Mutex
		dir = good
		bb  *bot.Bot // set before the first command
	)
	h := newHarnessOver(t, shippedBot(t), func(c *Config) {
		c.Editors = []string{"U0EDITOR01", " U0EDITOR02 "}
		c.Reindex = func(ctx context.Context) (string, error) {
			mu.Lock()
			d := dir
			mu.Unlock()
			return reindexer(bb, d)(ctx)
		}
	})
	bb = h.bot
	reindex := func(user string, from string) ackMessage {
		mu.Lock()
		dir = from
		mu.Unlock()
		return h.command(t, user, "reindex")
	}
	before := h.bot.Engine()

	if ack := reindex("U0ASKER001", good); !strings.Contains(ack.Text, "Only content editors") {
		t.Errorf("non-editor: ack %q", ack.Text)
	}
	if h.bot.Engine() != before {
		t.Fatal("a non-editor's reindex swapped the engine")
	}

	if ack := reindex("U0EDITOR02", broken); !strings.Contains(ack.Text, "Reindexing") {
		t.Errorf("editor: ack %q", ack.Text)
	}
	platformtest.WaitFor(t, "the failure report", func() bool { return len(h.api.Accepted(pathRespond)) == 1 })
	report := h.api.Accepted(pathRespond)[0].All()
	if want := filepath.Join(broken, "entries", "leak-count.yaml") + ":3:"; !strings.Contains(report, want) || !strings.Contains(report, "previous content keeps serving") {
		t.Errorf("the report lacks %q:\n%s", want, report)
	}
	if h.bot.Engine() != before {
		t.Fatal("a broken reindex swapped the engine")
	}
	h.event(t, mention("Ev0REINDEX01", "U0ASKER001", "C0SUPPORT1", "1717462800.000800", "How many records were leaked?"))
	platformtest.WaitFor(t, "the answer after the failed reindex", func() bool { return len(h.api.Accepted(pathPost)) == 1 })
	if all := h.api.Accepted(pathPost)[0].All(); !strings.Contains(all, "Source: Q2 ·") {
		t.Errorf("after the failed reindex:\n%s", all)
	}

	reindex("U0EDITOR01", good)
	platformtest.WaitFor(t, "the success report", func() bool { return len(h.api.Accepted(pathRespond)) == 2 })
	if report := h.api.Accepted(pathRespond)[1].All(); !strings.Contains(report, "Reindexed") || !strings.Contains(report, "entries") {
		t.Errorf("success report:\n%s", report)
	}
	if h.bot.Engine() == before {
		t.Fatal("the editor's reindex did not swap the engine")
	}
	h.event(t, mention("Ev0REINDEX02", "U0ASKER001", "C0SUPPORT1", "1717462800.000801", "How many records were leaked?"))
	h.drain(t)
	if all := h.api.Accepted(pathPost)[1].All(); !strings.Contains(all, "Source: Q2 (revised)") {
		t.Errorf("after the reindex:\n%s", all)
	}
	h.bot.Swap(before)
}

func TestReindexUnavailable(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Editors = []string{"U0EDITOR01"} })
	if ack := h.command(t, "U0EDITOR01", "reindex"); !strings.Contains(ack.Text, "not available") {
		t.Errorf("ack %q", ack.Text)
	}
}

func TestServerErrorRetried(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if n <= 2 {
			return []int{http.StatusInternalServerError, http.StatusServiceUnavailable}[n-1], nil
		}
		return 0, nil
	}
	h.event(t, mention("Ev0RETRY5XX1", "U0ASKER001", "C0SUPPORT1", "1717462800.000900", "How many records were leaked?"))
	h.command(t, "U0ASKER001", "What information was leaked?")
	h.drain(t)
	for _, path := range []string{pathPost, pathRespond} {
		if a, ok := len(h.api.Attempts(path)), len(h.api.Accepted(path)); a != 3 || ok != 1 {
			t.Errorf("%s: %d attempts, %d accepted; want 3 and 1", path, a, ok)
		}
	}
	if s := h.a.Stats(); s.Replied != 2 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestTooManyRequestsHonoursRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if n == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		}
		return 0, nil
	}
	h.event(t, mention("Ev0RETRY4291", "U0ASKER001", "C0SUPPORT1", "1717462800.001000", "How many records were leaked?"))
	h.drain(t)
	all := h.api.Attempts(pathPost)
	if len(all) != 2 || all[1].Status != http.StatusOK {
		t.Fatalf("%d attempts, want 2 ending in success", len(all))
	}
	if gap := all[1].At.Sub(all[0].At); gap < time.Second {
		t.Errorf("retried after %v, want at least Retry-After's 1 s", gap)
	}
}

// TestTooManyRequestsHonoursRetryAfterDate: the SDK reads Retry-After in seconds only; one
// given as an HTTP date is honoured all the same, on a channel post and on a response URL.
func TestTooManyRequestsHonoursRetryAfterDate(t *testing.T) {
	h := newHarness(t)
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if n == 1 {
			at := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			return http.StatusTooManyRequests, http.Header{"Retry-After": {at}}
		}
		return 0, nil
	}
	h.event(t, mention("Ev0RETRY429D", "U0ASKER001", "C0SUPPORT1", "1717462800.001050", "How many records were leaked?"))
	h.command(t, "U0ASKER001", "What information was leaked?")
	h.drain(t)
	for _, path := range []string{pathPost, pathRespond} {
		all := h.api.Attempts(path)
		if len(all) != 2 || all[1].Status != http.StatusOK {
			t.Fatalf("%s: %d attempts, want 2 ending in success", path, len(all))
		}
		if gap := all[1].At.Sub(all[0].At); gap < time.Second {
			t.Errorf("%s: retried after %v, want at least the second the Retry-After date is away", path, gap)
		}
	}
}

func TestGivesUp(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxAttempts = 3 })
	h.api.Fail = func(path string, _ int) (int, http.Header) {
		if path == pathPost {
			return http.StatusBadGateway, nil
		}
		return 0, nil
	}
	h.event(t, mention("Ev0GIVEUP001", "U0ASKER001", "C0SUPPORT1", "1717462800.001100", "How many records were leaked?"))
	h.drain(t)
	if n := len(h.api.Attempts(pathPost)); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	// A 502 may hide a post carried out: each retry looks for it first.
	if n := len(h.api.Attempts(pathReplies)); n != 2 {
		t.Errorf("%d lookups, want 2", n)
	}
	if s := h.a.Stats(); s.Failed != 1 {
		t.Errorf("stats %+v, want 1 failed", s)
	}
	if !strings.Contains(h.logs.String(), `"error":"slack: chat.postMessage: status 502 (gave up after 3 attempts)"`) {
		t.Errorf("no failure log:\n%s", h.logs)
	}
}

func TestResponseURLElsewhereRefused(t *testing.T) {
	h := newHarness(t)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a reply went to %s", r.URL)
	}))
	defer evil.Close()
	w := h.do(CommandsPath, commandForm("U0ASKER001", "How many records were leaked?", evil.URL+"/hook"))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	h.drain(t)
	if s := h.a.Stats(); s.Failed != 1 {
		t.Errorf("stats %+v, want 1 failed", s)
	}
	for _, u := range []string{"https://hooks.slack.com/commands/T1/1/x", "https://hooks.slack-gov.com/actions/T1/1/x", h.api.ResponseURL(1)} {
		if !h.a.api.allowed(target{responseURL: u}) {
			t.Errorf("%s refused", u)
		}
	}
	for _, u := range []string{"http://hooks.slack.com/commands/T1/1/x", "https://hooks.slack.com.evil.example/x", "https://user:pw@hooks.slack.com/x", "://"} {
		if h.a.api.allowed(target{responseURL: u}) {
			t.Errorf("%s allowed", u)
		}
	}
}

func TestSlowDown(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limiter = memstore.NewLimiter(time.Hour, 1, nil) })
	h.event(t, dm("Ev0SLOW00001", "U0ASKER001", "D0DIRECT01", "1717462800.001201", "How many records were leaked?"))
	h.event(t, dm("Ev0SLOW00002", "U0ASKER001", "D0DIRECT01", "1717462800.001202", "What information was leaked?"))
	h.event(t, dm("Ev0SLOW00003", "U0ASKER002", "D0DIRECT02", "1717462800.001203", "What information was leaked?"))
	h.drain(t)
	posts := h.api.Accepted(pathPost)
	if len(posts) != 3 {
		t.Fatalf("%d posts, want 3", len(posts))
	}
	slow := h.bot.Engine().Content.Messages.SlowDown.In(faq.English)
	var slowed []string
	for _, p := range posts {
		if strings.Contains(p.All(), slow) {
			slowed = append(slowed, p.Channel)
		}
	}
	if len(slowed) != 1 || slowed[0] != "D0DIRECT01" {
		t.Errorf("slowed down in %v, want the second message of the first user", slowed)
	}
	if s := h.a.Stats(); s.Limited != 1 {
		t.Errorf("stats %+v", s)
	}
}

type countingObserver struct {
	mu     sync.Mutex
	events []string
}

func (o *countingObserver) Replied(platform string, r bot.Reply, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, platform+" replied "+string(r.Decision.Action))
}

func (o *countingObserver) Refused(platform, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, platform+" refused "+reason)
}

func TestObserver(t *testing.T) {
	o := &countingObserver{}
	h := newHarness(t, func(c *Config) {
		c.Observer = o
		c.Limiter = memstore.NewLimiter(time.Hour, 2, nil)
	})
	h.event(t, mention("Ev0OBSERVE01", "U0ASKER001", "C0SUPPORT1", "1717462800.001300", "How many records were leaked?"))
	h.event(t, mention("Ev0OBSERVE02", "U0ASKER001", "C0SUPPORT1", "1717462800.001301", "パスワードを変更したい"))
	h.command(t, "U0ASKER002", "")
	platformtest.WaitFor(t, "the answers", func() bool { return len(h.api.Accepted(pathPost)) == 2 })
	p := h.api.Accepted(pathPost)[0]
	h.click(t, "U0ASKER001", p, p.Button(t, "yes|")) // over the limit
	h.command(t, "U0ASKER001", "Has My Number been leaked?")
	h.drain(t)
	h.do(EventsPath, dm("Ev0OBSERVE03", "U0ASKER001", "D0DIRECT01", "1717462800.001302", "hello").body())
	slices.Sort(o.events)
	want := []string{"slack refused rate_limited", "slack refused rate_limited", "slack refused shutting_down", "slack replied answer", "slack replied ask_back"}
	if diff := cmp.Diff(want, o.events); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}

// TestBusy: with the only worker held, events fill its queue, then the busy lane (answered
// "busy"); once that has no room, they are refused with 503 for Slack to retry, never
// acknowledged and dropped.
func TestBusy(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Workers, c.Queue = 1, 1 })
	h.api.Hold = make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(h.api.Hold) }) }
	defer release()
	refused := 0
	for i := range 16 {
		env := dm(fmt.Sprintf("Ev0BUSY%05d", i), "U0ASKER001", "D0DIRECT01", fmt.Sprintf("1717462800.0014%02d", i), "How many records were leaked?")
		switch w := h.do(EventsPath, env.body()); w.Code {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			refused++
		default:
			t.Fatalf("event %d answered %d", i, w.Code)
		}
	}
	release()
	h.drain(t)
	busy := h.bot.Engine().Content.Messages.Busy.In(faq.English)
	n := 0
	for _, p := range h.api.Accepted(pathPost) {
		if strings.Contains(p.All(), busy) {
			n++
		}
	}
	s := h.a.Stats()
	if s.Busy == 0 || refused == 0 || s.Refused != int64(refused) || int64(n) != s.Busy || s.Dropped != 0 || s.Accepted+s.Busy+int64(refused) != 16 || s.Replied != s.Accepted+s.Busy {
		t.Errorf("%d busy replies, %d refused, stats %+v", n, refused, s)
	}
}

func TestShutdown(t *testing.T) {
	h := newHarness(t)
	for i := range 20 {
		h.event(t, dm(fmt.Sprintf("Ev0SHUTDOWN%04d", i), fmt.Sprintf("U0ASKER%03d", i), "D0DIRECT01", fmt.Sprintf("1717462800.0015%02d", i), "How many records were leaked?"))
	}
	h.drain(t)
	if n := len(h.api.Accepted(pathPost)); n != 20 {
		t.Errorf("%d replies after Shutdown, want all 20", n)
	}
	w := h.do(EventsPath, dm("Ev0SHUTDOWN9999", "U0ASKER001", "D0DIRECT01", "1717462800.001599", "hello").body())
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: status %d, want 503", w.Code)
	}
	if w := h.do(CommandsPath, commandForm("U0ASKER001", "hello", h.api.ResponseURL(1))); w.Code != http.StatusServiceUnavailable {
		t.Errorf("command after Shutdown: status %d, want 503", w.Code)
	}
}

func TestShutdownBoundedByContext(t *testing.T) {
	h := newHarness(t)
	h.api.Hold = make(chan struct{})
	defer close(h.api.Hold)
	h.event(t, dm("Ev0SDCTX0001", "U0ASKER001", "D0DIRECT01", "1717462800.001600", "How many records were leaked?"))
	platformtest.WaitFor(t, "the post in flight", func() bool { return h.a.Stats().Queued == 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.a.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline", err)
	}
}

func TestNew(t *testing.T) {
	b := bottest.New(t)
	for name, cfg := range map[string]Config{
		"no bot token":         {SigningSecret: testSecret},
		"no secret, no socket": {BotToken: testBotToken},
	} {
		if _, err := New(b, cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	a, err := New(b, Config{AppToken: testAppToken, BotToken: testBotToken, APIURL: "http://127.0.0.1:9/api"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if a.cfg.APIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("API URL %q, want a trailing /", a.cfg.APIURL)
	}
	// Without a signing secret (Socket Mode only), every HTTP request is refused.
	mux := http.NewServeMux()
	a.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, platformtest.SlackRequest(EventsPath, []byte(`{"type":"url_verification","challenge":"c"}`), "", time.Now().Unix()))
	if w.Code != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", w.Code)
	}

	var sb strings.Builder
	fmt.Fprint(&sb, Config{SigningSecret: testSecret, BotToken: testBotToken, AppToken: testAppToken, Editors: []string{"U0EDITOR01"}}.LogValue())
	for _, secret := range []string{testSecret, testBotToken, testAppToken, "U0EDITOR01"} {
		if strings.Contains(sb.String(), secret) {
			t.Errorf("LogValue shows %q: %s", secret, sb.String())
		}
	}
	if !strings.Contains(sb.String(), "bot_token=set") || !strings.Contains(sb.String(), "api_url=https://slack.com/api/") {
		t.Errorf("LogValue: %s", sb.String())
	}
}

func TestPlainQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"<@U0BOT00001> How many records?":                               "How many records?",
		"<@U0BOT00001|faqbot>   漏えい件数は？":                                "漏えい件数は？",
		"my mail is <mailto:hanako@example.co.jp|hanako@example.co.jp>": "my mail is hanako@example.co.jp",
		"call <tel:09031415926|090-3141-5926> please":                   "call 090-3141-5926 please",
		"<tel:09031415926>":                                             "09031415926",
		"see <https://example.com/faq> &amp; <#C0SUPPORT1|support>":     "see https://example.com/faq & #support",
		"<!here> 1 &lt; 2 &gt; 0":                                       "1 < 2 > 0",
		"unclosed <@U0BOT00001":                                         "unclosed <@U0BOT00001",
		"":                                                              "",
	} {
		if got := plainQuestion(in); got != want {
			t.Errorf("plainQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLimitsEveryEntry checks Block Kit's limits on the reply to every entry of the shipped
// content, in both languages, and on the bot's other replies.
func TestLimitsEveryEntry(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t))
	c := h.bot.Engine().Content
	n := 0
	for _, e := range c.Entries {
		for _, lang := range []faq.Lang{faq.Japanese, faq.English} {
			t.Run(e.ID+"/"+string(lang)+"/tap", func(t *testing.T) {
				r, ok := h.bot.EntryReply(e.ID, lang)
				if !ok {
					t.Fatal("no reply")
				}
				blocks := wireBlocks(t, replyBlocks(r, h.bot.Messages(), switchEntry+e.ID))
				checkLimits(t, blocks)
				p := post{Blocks: blocks}
				if got := len(p.Buttons()); got < len(e.Followups)+1 {
					t.Errorf("%d buttons for %d follow-ups and the language", got, len(e.Followups))
				}
				if !strings.Contains(p.All(), "`"+e.ID+"`") || !strings.Contains(p.All(), e.Section) {
					t.Errorf("no entry id or source:\n%s", p.All())
				}
			})
			n++
			h.event(t, dm(fmt.Sprintf("Ev0LIMITS%04d", n), fmt.Sprintf("U0LIMITS%03d", n), "D0DIRECT01", fmt.Sprintf("1717462800.%06d", n), e.Text[lang].Title))
		}
	}
	for _, lang := range []faq.Lang{faq.Japanese, faq.English} {
		t.Run("usage/"+string(lang), func(t *testing.T) {
			checkLimits(t, wireBlocks(t, usageBlocks(usageReply(t, h, lang), h.bot.Messages(), h.bot.Messages().Usage.In(lang))))
		})
	}
	h.drain(t)
	for i, p := range h.api.Accepted(pathPost) {
		t.Run(fmt.Sprintf("asked/%d", i), func(t *testing.T) { checkLimits(t, p.Blocks) })
	}
	if got := len(h.api.Accepted(pathPost)); got != n {
		t.Errorf("%d replies to %d titles", got, n)
	}

	dk := bot.Reply{
		Body: c.Messages.Fallback.In(faq.English) + "\n\n" + c.Messages.Suggestions.In(faq.English), Lang: faq.English,
		Choices:  []bot.Choice{{EntryID: "leak-count", Label: "How many records"}, {EntryID: "contact", Label: "Contact us"}},
		Decision: nlu.Decision{Action: nlu.DontKnow, Lang: faq.English},
	}
	ho, _ := h.bot.Ask(context.Background(), "オペレーターと話したい")
	long := bot.Reply{Body: strings.Repeat("長い本文。\n", 30000), Lang: faq.Japanese, Choices: manyChoices(60),
		Decision: nlu.Decision{Action: nlu.Answer, Entry: c.Entry("leak-count")}, Kind: bot.KindAnswer,
		Entry: "leak-count", Section: strings.Repeat("節", 4000),
		Offers: bot.Offers{Helpful: &bot.HelpfulOffer{Entry: "leak-count", Ask: "役に立ちましたか？", Yes: "はい", No: "いいえ"}}}
	for name, r := range map[string]bot.Reply{
		"welcome": h.bot.Welcome(faq.Japanese, nil, bot.WelcomeChoices), "dont-know": dk, "handoff": ho, "long": long,
	} {
		t.Run(name, func(t *testing.T) { checkLimits(t, wireBlocks(t, replyBlocks(r, h.bot.Messages(), switchWelcome))) })
	}
	dkPost := post{Blocks: wireBlocks(t, replyBlocks(dk, h.bot.Messages(), ""))}
	if diff := cmp.Diff([]string{"faq.entry.0 entry|leak-count|en", "faq.entry.1 entry|contact|en"}, dkPost.Buttons()); diff != "" {
		t.Errorf("don't know: suggestions (-want +got):\n%s", diff)
	}

	// A hand-off shows the desk's number, its hours and whether it is open now.
	if !ho.Handoff {
		t.Fatalf("%v is not a hand-off", ho)
	}
	all := post{Blocks: wireBlocks(t, replyBlocks(ho, h.bot.Messages(), ""))}.All()
	for _, want := range []string{c.Desk.Phone, c.Desk.Hours.In(faq.Japanese), c.Messages.DeskOpen.In(faq.Japanese)} {
		if !strings.Contains(all, want) {
			t.Errorf("hand-off lacks %q:\n%s", want, all)
		}
	}
	closed := bot.New(h.bot.Engine(), func() time.Time { return time.Date(2024, 6, 8, 10, 0, 0, 0, bot.JST) }) // a Saturday
	r, _ := closed.EntryReply("am-i-affected", faq.English)
	all = post{Blocks: wireBlocks(t, replyBlocks(r, h.bot.Messages(), ""))}.All()
	if !strings.Contains(all, "The desk is closed now; it opens again Monday 10 June at 09:00") || !strings.Contains(all, c.Desk.Phone) {
		t.Errorf("hand-off when closed:\n%s", all)
	}
}

func manyChoices(n int) []bot.Choice {
	var cs []bot.Choice
	for i := range n {
		cs = append(cs, bot.Choice{EntryID: fmt.Sprintf("entry-%d", i), Label: strings.Repeat("ラ", 60+i)})
	}
	return cs
}

// TestLogsHoldNoPersonalData drives every path that logs and checks that no message text, user,
// channel or team id, response URL or credential reaches the logs.
func TestLogsHoldNoPersonalData(t *testing.T) {
	h := newHarnessOver(t, shippedBot(t), func(c *Config) {
		c.Limiter = memstore.NewLimiter(time.Hour, 4, nil)
		c.Editors = []string{"U0EDITOR01"}
		c.Reindex = func(context.Context) (string, error) { return "", errors.New("content/x.yaml:1: bad") }
	})
	const (
		phone    = "090-3141-5926"
		email    = "hanako.yamada@example.co.jp"
		myNumber = "123456789018"
		account  = "口座番号 4820-1193-77"
		sentence = "私の口座番号は漏れていますか"
	)
	u := "U0PRIVATE77"
	h.api.Fail = func(path string, n int) (int, http.Header) {
		if n == 1 {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	}
	secret := sentence + " " + phone + " <mailto:" + email + "|" + email + "> " + myNumber + " " + account
	h.event(t, mention("Ev0LOGS00001", u, "C0PRIVATE77", "1717462800.001701", secret))
	h.event(t, mention("Ev0LOGS00001", u, "C0PRIVATE77", "1717462800.001701", secret), "X-Slack-Retry-Num", "1")
	h.event(t, dm("Ev0LOGS00002", u, "D0PRIVATE77", "1717462800.001702", "my e-mail is "+email+", call me at "+phone))
	h.command(t, u, "My Number "+myNumber+" account "+account)
	h.command(t, u, "reindex")
	h.command(t, "U0EDITOR01", "reindex")
	platformtest.WaitFor(t, "the answers", func() bool { return len(h.api.Accepted(pathPost)) == 2 })
	p := h.api.Accepted(pathPost)[0]
	h.click(t, u, p, platformtest.SlackElement{ActionID: "faq.no", Value: "no|contact|ja"})
	h.click(t, u, p, platformtest.SlackElement{ActionID: "faq.entry.0", Value: "entry|leak-count|ja"})
	h.click(t, u, p, platformtest.SlackElement{ActionID: "faq.entry.0", Value: "entry|leak-count|ja"}) // over the limit
	h.do(EventsPath, dm("Ev0LOGS00003", u, "D0PRIVATE77", "1717462800.001703", phone).body(), "X-Slack-Signature", "v0=forged")
	h.do(CommandsPath, []byte("text="+email+"&user_id="+u), "X-Slack-Request-Timestamp", "1")
	h.drain(t)
	logs := h.logs.String()
	for _, want := range []string{`"msg":"replied"`, `"msg":"feedback"`, `"msg":"rejected request"`, `"msg":"repeated event ignored"`, `"msg":"reindex refused"`, `"msg":"reindex failed"`, `"action":"slow_down"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %s:\n%s", want, logs)
		}
	}
	for _, s := range []string{
		phone, "3141", "5926", email, "hanako", myNumber, "4820", sentence, "口座", "e-mail is", "My Number",
		u, "C0PRIVATE77", "D0PRIVATE77", testTeam, "secrethooktoken", testSecret, testBotToken, "xoxb",
	} {
		if platformtest.Holds(logs, s) {
			t.Errorf("the logs hold %q:\n%s", s, logs)
		}
	}
}

// usageReply is the bot's usage in lang, as "/faq" alone shows it.
func usageReply(t *testing.T, h *harness, lang faq.Lang) bot.Reply {
	t.Helper()
	out, err := h.a.chat.Take(context.Background(), bot.Message{Kind: bot.MsgUsage, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return out.Reply
}

// A direct message with a file and a question answers the question; a file alone gets the
// notice naming what the bot cannot read.
func TestDirectMessageWithFile(t *testing.T) {
	h := newHarness(t)
	withFile := func(env envelope) envelope {
		ev := env["event"].(map[string]any)
		ev["subtype"] = "file_share"
		ev["files"] = []any{map[string]any{"id": "F0FILE0001", "name": "screenshot.png", "mimetype": "image/png"}}
		return env
	}
	h.event(t, withFile(dm("Ev0FILE0001", "U0ASKER001", "D0DIRECT01", "1717462800.000401", "How many records were leaked?")))
	h.event(t, withFile(dm("Ev0FILE0002", "U0ASKER002", "D0DIRECT02", "1717462800.000402", "")))
	h.drain(t)
	posts := h.api.Accepted(pathPost)
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	byChannel := map[string]string{}
	for _, p := range posts {
		byChannel[p.Channel] = p.All()
	}
	if !strings.Contains(byChannel["D0DIRECT01"], "`leak-count`") {
		t.Errorf("a file with a question:\n%s\nwant the answer of leak-count", byChannel["D0DIRECT01"])
	}
	msgs := h.bot.Messages()
	want := strings.ReplaceAll(msgs.NonText.In(faq.Japanese), "{media}", msgs.MediaNames["file"].In(faq.Japanese))
	if !strings.Contains(byChannel["D0DIRECT02"], want) {
		t.Errorf("a file alone:\n%s\nwant %q", byChannel["D0DIRECT02"], want)
	}
}
