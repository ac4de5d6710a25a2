package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// piiMessage is a message of the personal-data corpus of nlu/pii.
type piiMessage struct {
	text     string
	personal bool
	secrets  []string
}

func readPIICorpus(t *testing.T) []piiMessage {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "nlu", "pii", "testdata", "corpus.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []piiMessage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := strings.Split(l, "\t")
		if len(p) != 3 {
			t.Fatalf("corpus line %q: want 3 fields", l)
		}
		m := piiMessage{text: p[1], personal: p[0] != ""}
		for _, s := range strings.Split(p[2], "|") {
			if s != "" {
				m.secrets = append(m.secrets, s)
			}
		}
		out = append(out, m)
	}
	return out
}

// Ids of the platforms' users, teams and channels, which must never reach Redis in clear.
const (
	e2eTeam    = "T0E2ETEAM7"
	e2eChannel = "D0E2ECHAN7"
)

func e2eSlackUser(i int) string { return fmt.Sprintf("U0E2EUSR%04d", i) }
func e2eLineUser(i int) string  { return fmt.Sprintf("Ue2e%028x", i+0xabc000) }

// TestE2EPersonalDataNeverStored sends every message of the personal-data corpus through every
// entry point of the binary — the web console, LINE messages and postbacks, Slack direct
// messages, /faq and button payloads — once with Redis and once with the on-disk journal, and
// a message over the length cap through each; then reads back everything the service wrote:
// its log at debug level, /metrics, the API's answers, the replies the platforms received,
// every Redis key and value (streams included), the journal's files, and "faqbot report" as
// text and JSON. None may hold the personal data of the corpus: no digit run of it (digits
// joined by separators, as typed, full-width or in kanji) and none of its names or secrets.
// Redis must not hold a platform id in clear.
func TestE2EPersonalDataNeverStored(t *testing.T) {
	corpus := readPIICorpus(t)
	for _, store := range []string{"redis", "journal"} {
		t.Run(store, func(t *testing.T) {
			var srv *redistest.Server
			data := t.TempDir()
			env := map[string]string{
				"LINE_CHANNEL_SECRET": e2eLineSecret, "LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
				"SLACK_SIGNING_SECRET": e2eSlackSecret, "SLACK_BOT_TOKEN": "xoxb-e2e-token",
				"FAQBOT_DATA_DIR": data,
			}
			if store == "redis" {
				srv = redistest.Start(t)
				env["FAQBOT_REDIS_URL"] = srv.URL
			}
			f := newFakePlatforms(t, 0)
			env["FAQBOT_LINE_API_URL"] = f.line.URL
			env["FAQBOT_SLACK_API_URL"] = f.slack.URL + "/api/"
			// With the decisions shown, /api/ask answers the masked question too: checked below.
			p := startBinary(t, env, "--log-level", "debug", "--ip-every", "0", "--user-every", "0", "--debug-decisions")
			// The index and its cache in the data directory are made of the content before any
			// message comes: checked unchanged below, and not searched for what users typed.
			index := filepath.Join(data, "index")
			indexBefore := dirBytes(t, index)
			var api bytes.Buffer // every answer of /api/ask
			var queries []string // their "query" fields
			client := &http.Client{Timeout: 10 * time.Second}
			texts, rated := 0, 0
			sent := time.Now()
			for i, m := range corpus {
				body, q := askRaw(t, client, p.base, m.text)
				api.Write(withoutConversation(body))
				queries = append(queries, q)
				rated += rateUnhelpful(t, client, p.base, body) // the rating carries the question it rates
				postLine(t, p.base, lineWebhook("EPII"+store[:1]+letters(int64(i)), e2eLineUser(i), m.text))
				postSlack(t, p.base, "/slack/events", "application/json", slackDMFrom("EvPII"+store[:1]+letters(int64(i)), e2eSlackUser(i), m.text))
				postSlack(t, p.base, "/slack/commands", "application/x-www-form-urlencoded", slashCommand(f, e2eSlackUser(i), m.text))
				texts++
				if i%8 == 0 { // the same data in button payloads, as if a client forged them
					postLine(t, p.base, linePostback("EPB"+store[:1]+letters(int64(i)), e2eLineUser(i), "entry="+url.QueryEscape(m.text)+"&lang=ja"))
					postSlack(t, p.base, "/slack/interactions", "application/x-www-form-urlencoded", slackButton(f, e2eSlackUser(i), i, "entry|"+m.text+"|ja"))
					postSlack(t, p.base, "/slack/interactions", "application/x-www-form-urlencoded", slackButton(f, e2eSlackUser(i), i+100000, "yes|"+m.text+"|en"))
				}
			}
			// Over the cap: answered politely, in the user's language, and not decided on.
			long := strings.Repeat("私の電話番号は090-8888-7777です。", 120)
			longEN := strings.Repeat("my phone number is 090-8888-7777. ", 70)
			secrets := []string{"090-8888-7777"}
			for k, text := range []string{long, longEN} {
				body, _ := askRaw(t, client, p.base, text)
				api.Write(withoutConversation(body))
				postLine(t, p.base, lineWebhook("ELONG"+store[:1]+letters(int64(k)), e2eLineUser(90000+k), text))
				postSlack(t, p.base, "/slack/events", "application/json", slackDMFrom("EvLONG"+store[:1]+letters(int64(k)), e2eSlackUser(9000+k), text))
				postSlack(t, p.base, "/slack/commands", "application/x-www-form-urlencoded", slashCommand(f, e2eSlackUser(9000+k), text))
				texts++
			}
			t.Logf("%d messages sent through each entry point in %s; %d answers rated unhelpful on the web", texts, time.Since(sent).Round(time.Millisecond), rated)
			if rated == 0 {
				t.Error("no answer was rated: the ratings' questions are not checked")
			}
			waitUntil(t, "every message is answered", func() bool {
				return f.lineReplies.Load() >= int64(texts) && f.slackPosts.Load() >= int64(texts) && f.slackResponses.Load() >= int64(texts)
			})
			t.Logf("answered after %s", time.Since(sent).Round(time.Millisecond))
			metrics := getBody(t, p.base+"/metrics")
			if err := p.stop(t); err != nil {
				t.Errorf("after SIGTERM: %v, want exit status 0", err)
			}

			written := map[string]string{
				"log":     p.log.String(),
				"metrics": metrics,
				"api":     api.String(),
				"replies": platformBodies(f),
			}
			stored := map[string]string{"api query": strings.Join(queries, "\n")}
			reportArgs := []string{"--data", data}
			if srv != nil {
				dump := redisDump(t, srv.URL)
				stored["redis"] = dump
				for _, id := range []string{e2eTeam, e2eChannel, e2eSlackUser(1), e2eSlackUser(9000), e2eLineUser(1), e2eLineUser(90000)} {
					if strings.Contains(dump, id) {
						t.Errorf("Redis holds the platform id %s in clear", id)
					}
				}
				if !strings.Contains(dump, "<phone>") {
					t.Errorf("Redis holds no masked question: the check reads the wrong place\n%.2000s", dump)
				}
				reportArgs = []string{"--redis", srv.URL}
			} else {
				if dirBytes(t, index) != indexBefore {
					t.Errorf("the index in the data directory changed while messages were answered")
				}
				if err := os.RemoveAll(index); err != nil {
					t.Fatal(err)
				}
				j := dirBytes(t, data)
				stored["journal"] = j
				if !strings.Contains(j, "<phone>") && !strings.Contains(j, `\u003cphone\u003e`) {
					t.Errorf("the journal holds no masked question: the check reads the wrong place")
				}
			}
			for _, args := range [][]string{reportArgs, append(reportArgs, "--json")} {
				out := reportBinary(t, append([]string{"--since", "1h", "--top", "1000"}, args...)...)
				stored["report "+strings.Join(args, " ")] = out
				if !strings.Contains(out, "<phone>") && !strings.Contains(out, `\u003cphone\u003e`) {
					t.Errorf("report %v shows no masked question:\n%.2000s", args, out)
				}
			}

			hay := map[string]haystack{}
			for _, texts := range []map[string]string{stored, written} {
				for where, text := range texts {
					hay[where] = newHaystack(text)
				}
			}
			for i, m := range corpus {
				// Each message's own masked question holds none of its data, however short
				// (a PIN, a CVV).
				for _, s := range m.secrets {
					if strings.Contains(queries[i], s) || strings.Contains(queries[i], analysis.Normalize(s)) {
						t.Errorf("/api/ask answered %q with the query %q: it holds %q", m.text, queries[i], s)
					}
				}
			}
			for _, m := range append(corpus, piiMessage{personal: true, secrets: secrets}) {
				if !m.personal {
					continue
				}
				for _, s := range m.secrets {
					for where, h := range hay {
						if leak := leaks(h, s); leak != "" {
							t.Errorf("%s holds %s of %q: …%s…", where, leak, s, around(h.lower, strings.ToLower(s)))
						}
					}
				}
			}
			replies := written["replies"]
			for _, lang := range []faq.Lang{faq.Japanese, faq.English} {
				c, err := faq.LoadEmbedded()
				if err != nil {
					t.Fatal(err)
				}
				want := strings.ReplaceAll(c.Messages.TooLong.In(lang), "{max}", "2,000")
				if n := strings.Count(replies, want); n < 3 {
					t.Errorf("the too-long reply in %s reached the platforms %d times, want 3 (LINE, Slack message, /faq)", lang, n)
				}
				if !strings.Contains(api.String(), want) {
					t.Errorf("/api/ask did not answer the too-long message in %s", lang)
				}
			}
		})
	}
}

// leaks reports how s shows in text ("" when it does not): as typed or normalised, also in
// JSON's escapes, when it has a letter or five characters or more (shorter figures, such as a
// PIN, are found in any text full of numbers: they are checked in each message's own masked
// question instead); and, when it has seven digits or more, as the digits of a run.
func leaks(h haystack, s string) string {
	if len([]rune(s)) >= 5 || strings.ContainsFunc(s, unicode.IsLetter) {
		for _, form := range []string{s, analysis.Normalize(s)} {
			if platformtest.Holds(h.lower, strings.ToLower(form)) || platformtest.Holds(h.lower, strings.ToLower(jsonText(form))) {
				return "the text"
			}
		}
	}
	if ds := digitString(s); len(ds) >= 7 && strings.Contains(h.runs, ds) {
		return "the digits"
	}
	return ""
}

// haystack is a text read back, prepared for leaks.
type haystack struct{ lower, runs string }

// timestamps are RFC 3339 times (of logs, events, reports), whose fractions of a second would
// otherwise make up any digit run.
var timestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?`)

// unixNanos are times the journal writes as nanoseconds since 1970 (19 digits, from 2020 on):
// like the fractions of timestamps, they would otherwise make up any digit run.
var unixNanos = regexp.MustCompile(`1[6-9]\d{17}`)

func newHaystack(text string) haystack {
	return haystack{lower: strings.ToLower(text), runs: runDigits(unixNanos.ReplaceAllString(timestamps.ReplaceAllString(text, "T"), "T"))}
}

// jsonText is s as encoding/json writes it, without the quotes.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

var e2eKanjiDigits = strings.NewReplacer("〇", "0", "一", "1", "二", "2", "三", "3", "四", "4", "五", "5", "六", "6", "七", "7", "八", "8", "九", "9")

func digitString(s string) string {
	s = e2eKanjiDigits.Replace(analysis.Normalize(s))
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// runDigits returns the digits of every run of text — digits joined by up to three separator
// characters — each run after a "|".
func runDigits(text string) string {
	text = e2eKanjiDigits.Replace(analysis.Normalize(text))
	var b strings.Builder
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			i++
			continue
		}
		b.WriteByte('|')
		for i < len(rs) {
			if '0' <= rs[i] && rs[i] <= '9' {
				b.WriteRune(rs[i])
				i++
				continue
			}
			j := i
			for j < len(rs) && j-i < 3 && (unicode.IsSpace(rs[j]) || unicode.Is(unicode.Cf, rs[j]) || strings.ContainsRune("-ー‐−.()/[],_+・*|='\\", rs[j])) {
				j++
			}
			if j > i && j < len(rs) && '0' <= rs[j] && rs[j] <= '9' {
				i = j
				continue
			}
			break
		}
	}
	return b.String()
}

func askRaw(t *testing.T, client *http.Client, base, query string) (body []byte, masked string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"query": query})
	res, err := client.Post(base+"/api/ask", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/api/ask: %d %s", res.StatusCode, body)
	}
	var r struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("/api/ask: %v", err)
	}
	return body, r.Query
}

// around is the text about the first place of s in h (empty when s is not there as typed), so
// that a failure says where it is.
func around(h, s string) string {
	i := strings.Index(h, s)
	if i < 0 {
		return ""
	}
	return strings.ToValidUTF8(h[max(0, i-60):min(len(h), i+len(s)+60)], "")
}

// withoutConversation is an answer of /api/ask with its conversation id, 22 random letters
// the server made (which would, once in a few dozen runs, spell a short secret of the corpus:
// "taro"), shown as "<conversation>".
func withoutConversation(body []byte) []byte {
	var r struct{ Conversation string }
	if json.Unmarshal(body, &r) != nil || r.Conversation == "" {
		return body
	}
	return bytes.ReplaceAll(body, []byte(r.Conversation), []byte("<conversation>"))
}

// rateUnhelpful rates the answer of /api/ask's body "not helpful", by the button, when it
// answered an entry, and returns how many it rated (0 or 1).
func rateUnhelpful(t *testing.T, client *http.Client, base string, body []byte) int {
	t.Helper()
	var r struct {
		Conversation, Entry, Lang string
		Helpful                   *struct{} `json:"helpful"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Helpful == nil || r.Entry == "" {
		return 0
	}
	b, _ := json.Marshal(map[string]any{"conversation": r.Conversation, "entry": r.Entry, "helpful": false, "lang": r.Lang})
	res, err := client.Post(base+"/api/feedback", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/api/feedback: %d", res.StatusCode)
	}
	return 1
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func slackDMFrom(id, user, text string) []byte {
	b, _ := json.Marshal(map[string]any{"token": "t", "team_id": e2eTeam, "api_app_id": "A0000000001",
		"type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": e2eChannel, "user": user,
			"text": text, "ts": fmt.Sprintf("%d.000100", time.Now().UnixNano()), "event_ts": "1700000000.000100"}})
	return b
}

// triggers numbers the slash commands: Slack gives each its own trigger_id, and a repeated one
// is a replay, answered once.
var triggers atomic.Int64

// letters writes n in the letters a–z. Event ids and trigger ids are written so: the journal
// keeps them, and digits there would read as the corpus's numbers.
func letters(n int64) string {
	b := []byte("a")
	for ; n > 0; n /= 26 {
		b = append(b, byte('a'+n%26))
	}
	return string(b)
}

func slashCommand(f *fakePlatforms, user, text string) []byte {
	return []byte(url.Values{"command": {"/faq"}, "text": {text}, "user_id": {user}, "team_id": {e2eTeam},
		"channel_id": {"C0E2ECHAN8"}, "response_url": {f.slack.URL + "/commands/response"}, "trigger_id": {"trig-" + letters(triggers.Add(1))}}.Encode())
}

func slackButton(f *fakePlatforms, user string, i int, value string) []byte {
	b, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": e2eTeam},
		"user": map[string]any{"id": user, "team_id": e2eTeam}, "response_url": f.slack.URL + "/commands/response",
		"trigger_id": fmt.Sprintf("9.%d", i), "container": map[string]any{"channel_id": e2eChannel, "message_ts": "1700000000.000300"},
		"actions": []any{map[string]any{"action_id": "faq.entry.0", "value": value, "action_ts": fmt.Sprintf("1700000001.%06d", i)}}})
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

func linePostback(id, user, data string) []byte {
	b, _ := json.Marshal(map[string]any{"destination": "U0", "events": []any{map[string]any{
		"type": "postback", "mode": "active", "timestamp": time.Now().UnixMilli(), "webhookEventId": id,
		"source": map[string]any{"type": "user", "userId": user}, "deliveryContext": map[string]any{"isRedelivery": false},
		"replyToken": "reply-" + id, "postback": map[string]any{"data": data},
	}}})
	return b
}

// platformBodies is what the fake platforms received, also with form encoding undone (the
// Slack client posts forms).
func platformBodies(f *fakePlatforms) string {
	f.bodies.Lock()
	raw := f.bodies.b.String()
	f.bodies.Unlock()
	dec, err := url.QueryUnescape(strings.ReplaceAll(raw, "+", "%20"))
	if err != nil {
		dec = ""
	}
	return raw + "\n" + dec
}

// hashedKeyPart is the last part of a key that names a user or an event by its hash (128 bits,
// base64url): random letters that would, once in a few dozen runs, spell a short secret of the
// corpus ("taro"). The hash is not the id (the ids in clear are looked for separately).
var hashedKeyPart = regexp.MustCompile(`:[A-Za-z0-9_-]{22}$`)

// redisDump returns every key of the Redis at u with its value, streams included; the hashed
// part of a key is shown as "<hash>".
func redisDump(t *testing.T, u string) string {
	t.Helper()
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	defer c.Close()
	ctx := context.Background()
	var b strings.Builder
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	n := 0
	for iter.Next(ctx) {
		k := iter.Val()
		n++
		fmt.Fprintf(&b, "%s = ", hashedKeyPart.ReplaceAllString(k, ":<hash>"))
		switch typ := c.Type(ctx, k).Val(); typ {
		case "string":
			b.WriteString(c.Get(ctx, k).Val())
		case "stream":
			for _, m := range c.XRange(ctx, k, "-", "+").Val() {
				fmt.Fprintf(&b, "%v ", m.Values)
			}
		case "hash":
			fmt.Fprint(&b, c.HGetAll(ctx, k).Val())
		case "list":
			fmt.Fprint(&b, c.LRange(ctx, k, 0, -1).Val())
		case "set":
			fmt.Fprint(&b, c.SMembers(ctx, k).Val())
		case "zset":
			fmt.Fprint(&b, c.ZRange(ctx, k, 0, -1).Val())
		default:
			fmt.Fprintf(&b, "(%s)", typ)
		}
		b.WriteByte('\n')
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("Redis holds no keys: the check reads the wrong server")
	}
	return b.String()
}

// dirBytes returns the contents of every file under dir.
func dirBytes(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		c, err := os.ReadFile(path)
		b.Write(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// reportBinary runs "faqbot report args..." and returns its standard output.
func reportBinary(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(faqbotBinary(t), append([]string{"report"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("faqbot report %v: %v\n%s", args, err, errb.String())
	}
	return out.String() + errb.String()
}
