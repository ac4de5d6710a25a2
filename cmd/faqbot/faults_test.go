package main

// The fault suite: the real faqbot binary against a fake LINE and Slack that fail as the real
// ones do — hanging, answering 500 and 429 with Retry-After, resetting connections before or
// after carrying a request out —, with Redis killed and restarted under load, SIGTERM with
// work queued, a restart between a delivery and its redelivery, and replayed signed requests.
// Each test counts the replies per event and fails on any duplicate and on any acknowledged
// event left without a reply (except where the README says a reply may be lost: SIGTERM past
// the grace, which is then counted).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// fault is what the fake platform does with one attempt of a request.
type fault int

const (
	fOK           fault = iota
	f500                // 500, not carried out
	f429                // 429 with Retry-After: 1, not carried out
	fReset              // the connection is closed before anything is carried out
	fCarriedReset       // carried out, then the connection is closed before the answer
	fCarriedSlow        // carried out, answered after the clients' 10 s timeout
	fHang               // never answered until the test ends
)

// faultAPI plays LINE's Messaging API and Slack's Web API for the binary, failing each
// attempt as plan says, and counts what it carried out: replies per LINE user (reply token
// or push) and posts per Slack channel or response URL.
type faultAPI struct {
	srv     *httptest.Server
	plan    func(platform, key string, attempt int) fault
	release chan struct{} // closed when the test ends: hanging requests return

	mu       sync.Mutex
	attempts map[string]int
	used     map[string]bool   // LINE reply tokens used
	keys     map[string]bool   // LINE retry keys accepted
	line     map[string]int    // LINE replies and pushes carried out, per user
	perToken map[string]int    // LINE replies carried out, per reply token
	tokens   map[string]string // LINE reply token → user (set by the test)
	slack    map[string]int    // Slack posts carried out, per channel or response URL
	messages map[string][]json.RawMessage
	received int // requests received
}

func newFaultAPI(t *testing.T, plan func(platform, key string, attempt int) fault) *faultAPI {
	f := &faultAPI{plan: plan, release: make(chan struct{}), attempts: map[string]int{}, used: map[string]bool{},
		keys: map[string]bool{}, line: map[string]int{}, perToken: map[string]int{}, tokens: map[string]string{}, slack: map[string]int{},
		messages: map[string][]json.RawMessage{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() { close(f.release); f.srv.Close() })
	return f
}

func (f *faultAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	f.mu.Lock()
	f.received++
	f.mu.Unlock()
	switch {
	case path == "/v2/bot/message/reply":
		var req struct {
			ReplyToken string `json:"replyToken"`
		}
		json.Unmarshal(body, &req)
		f.attempt(w, "line", req.ReplyToken, func() (int, string) {
			if f.used[req.ReplyToken] {
				return http.StatusBadRequest, `{"message":"Invalid reply token"}`
			}
			f.used[req.ReplyToken] = true
			f.line[f.tokens[req.ReplyToken]]++
			f.perToken[req.ReplyToken]++
			return http.StatusOK, `{"sentMessages":[{"id":"1","quoteToken":"q"}]}`
		})
	case path == "/v2/bot/message/push":
		var req struct {
			To string `json:"to"`
		}
		json.Unmarshal(body, &req)
		key := r.Header.Get("X-Line-Retry-Key")
		f.attempt(w, "line", "push:"+key, func() (int, string) {
			if f.keys[key] {
				return http.StatusConflict, `{"message":"The retry key is already accepted"}`
			}
			f.keys[key] = true
			f.line[req.To]++
			return http.StatusOK, `{"sentMessages":[{"id":"2","quoteToken":"q"}]}`
		})
	case strings.HasPrefix(path, "/v2/bot/chat/loading"):
		io.WriteString(w, `{}`)
	case strings.HasSuffix(path, "/chat.postMessage"):
		v, _ := url.ParseQuery(string(body))
		ch := v.Get("channel")
		f.attempt(w, "slack", ch, func() (int, string) {
			f.slack[ch]++
			n := len(f.messages[ch])
			m, _ := json.Marshal(map[string]any{"type": "message", "ts": fmt.Sprintf("1800000000.%06d", n),
				"thread_ts": v.Get("thread_ts"), "metadata": json.RawMessage(cmpJSON(v.Get("metadata")))})
			f.messages[ch] = append(f.messages[ch], m)
			return http.StatusOK, fmt.Sprintf(`{"ok":true,"channel":%q,"ts":"1800000000.%06d"}`, ch, n)
		})
	case strings.HasSuffix(path, "/conversations.history"), strings.HasSuffix(path, "/conversations.replies"):
		v, _ := url.ParseQuery(string(body))
		if v.Get("channel") == "" {
			v = r.URL.Query()
		}
		f.mu.Lock()
		msgs := append([]json.RawMessage{}, f.messages[v.Get("channel")]...)
		f.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"ok": true, "messages": msgs, "has_more": false})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	case strings.HasPrefix(path, "/response/"):
		f.attempt(w, "slack", path, func() (int, string) {
			f.slack[path]++
			return http.StatusOK, `ok`
		})
	default:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}
}

func cmpJSON(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// attempt applies the plan to one attempt of a request: carry runs (with f.mu held) when the
// request is carried out, and gives the answer.
func (f *faultAPI) attempt(w http.ResponseWriter, platform, key string, carry func() (int, string)) {
	f.mu.Lock()
	n := f.attempts[platform+":"+key]
	f.attempts[platform+":"+key]++
	f.mu.Unlock()
	closeConn := func() {
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	}
	switch flt := f.plan(platform, key, n); flt {
	case fHang:
		<-f.release
		return
	case f500:
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"internal error"}`)
		return
	case f429:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok":false,"error":"ratelimited","message":"too many requests"}`)
		return
	case fReset:
		closeConn()
		return
	default:
		f.mu.Lock()
		status, answer := carry()
		f.mu.Unlock()
		switch flt {
		case fCarriedReset:
			closeConn()
			return
		case fCarriedSlow:
			select {
			case <-time.After(11 * time.Second):
			case <-f.release:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}
}

// lineReplies is the number of replies (reply or push) user got; slackPosts the number of
// posts carried out in channel (or to a response URL path).
func (f *faultAPI) lineReplies(user string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.line[user]
}

func (f *faultAPI) tokenReplies(token string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.perToken[token]
}

func (f *faultAPI) slackPosts(channel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slack[channel]
}

func (f *faultAPI) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.received
}

// faultEnv is the environment of a binary that talks to f.
func faultEnv(f *faultAPI) map[string]string {
	return map[string]string{
		"LINE_CHANNEL_SECRET": e2eLineSecret, "LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
		"FAQBOT_LINE_API_URL":  f.srv.URL,
		"SLACK_SIGNING_SECRET": e2eSlackSecret, "SLACK_BOT_TOKEN": "xoxb-e2e-token",
		"FAQBOT_SLACK_API_URL": f.srv.URL + "/api/",
	}
}

// lineEvent is a LINE webhook of one text message of user, redelivered or not; its reply token
// is registered with f.
func (f *faultAPI) lineEvent(id, user, text string, redelivery bool) []byte {
	token := "reply-" + id
	f.mu.Lock()
	f.tokens[token] = user
	f.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"destination": "U0", "events": []any{map[string]any{
		"type": "message", "mode": "active", "timestamp": time.Now().UnixMilli(), "webhookEventId": id,
		"source": map[string]any{"type": "user", "userId": user}, "deliveryContext": map[string]any{"isRedelivery": redelivery},
		"replyToken": token, "message": map[string]any{"id": id, "type": "text", "text": text, "quoteToken": "q"},
	}}})
	return b
}

// slackEvent is an Events API direct message of user in channel.
func slackEvent(id, user, channel, text string) []byte {
	b, _ := json.Marshal(map[string]any{"token": "t", "team_id": "T0000000001", "api_app_id": "A0000000001",
		"type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{"team_id": "T0000000001", "user_id": "UBOT0000001", "is_bot": true}},
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": channel, "user": user,
			"text": text, "ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000), "event_ts": "1700000000.000100"}})
	return b
}

// signedLine and signedSlack are requests signed as the platforms sign them; send sends one and
// returns its status. A request can be sent again as it is: a replay.
type signed struct {
	path   string
	body   []byte
	header http.Header
}

func signedLine(body []byte) signed {
	return signed{"/line/webhook", body, http.Header{"X-Line-Signature": {platformtest.SignLine(e2eLineSecret, body)},
		"Content-Type": {"application/json"}}}
}

func signedSlack(path, contentType string, body []byte) signed {
	ts := time.Now().Unix()
	return signed{path, body, http.Header{"Content-Type": {contentType}, "X-Slack-Request-Timestamp": {strconv.FormatInt(ts, 10)},
		"X-Slack-Signature": {platformtest.SignSlack(e2eSlackSecret, ts, body)}}}
}

func (s signed) send(t *testing.T, base string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+s.path, bytes.NewReader(s.body))
	for k, v := range s.header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", s.path, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func (s signed) mustSend(t *testing.T, base string) {
	t.Helper()
	if code := s.send(t, base); code != http.StatusOK {
		t.Fatalf("%s answered %d, want 200", s.path, code)
	}
}

// checkOnce fails unless every key has exactly one reply.
func checkOnce(t *testing.T, what string, keys []string, count func(string) int) {
	t.Helper()
	var missing, twice []string
	for _, k := range keys {
		switch n := count(k); {
		case n == 0:
			missing = append(missing, k)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s×%d", k, n))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s: %d of %d acknowledged events got no reply: %v", what, len(missing), len(keys), missing)
	}
	if len(twice) > 0 {
		t.Errorf("%s: %d of %d events answered more than once: %v", what, len(twice), len(keys), twice)
	}
	if len(missing) == 0 && len(twice) == 0 {
		t.Logf("%s: %d events, each answered once", what, len(keys))
	}
}

// awaitAll waits, for up to within, until every key has at least one reply.
func awaitAll(t *testing.T, what string, keys []string, count func(string) int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		done := 0
		for _, k := range keys {
			if count(k) > 0 {
				done++
			}
		}
		if done == len(keys) || time.Now().After(deadline) {
			return
		}
	}
}

// TestFaultsPlatformAPIs: LINE and Slack answer the binary's first attempt at a reply with a
// 500, a 429 with Retry-After, a reset connection, a reset after carrying the reply out, or
// only after the client's timeout: every event is answered exactly once.
func TestFaultsPlatformAPIs(t *testing.T) {
	faults := []fault{fOK, f500, f429, fReset, fCarriedReset, fCarriedSlow}
	f := newFaultAPI(t, func(platform, key string, attempt int) fault {
		if attempt > 0 {
			return fOK
		}
		i, _ := strconv.Atoi(key[len(key)-2:])
		return faults[i%len(faults)]
	})
	p := startBinary(t, faultEnv(f), "--user-every", "0")
	const n = 36
	var lineUsers, slackChannels, commands, atMostOnce []string
	for i := range n {
		user := fmt.Sprintf("U%030d%02d", i, i)
		lineUsers = append(lineUsers, user)
		id := fmt.Sprintf("01FAULTLINE%013d%02d", i, i)
		signedLine(f.lineEvent(id, user, "流出した件数は何件ですか", false)).mustSend(t, p.base)
		ch := fmt.Sprintf("D0FAULT%04d%02d", i, i)
		slackChannels = append(slackChannels, ch)
		signedSlack("/slack/events", "application/json", slackEvent(fmt.Sprintf("Ev0FAULT%04d", i), fmt.Sprintf("U0FAULT%04d", i), ch, "How many records were leaked?")).mustSend(t, p.base)
		// "/faq <question>", answered through its response URL: once when the URL answers
		// 500 or 429, at most once when it gives no answer (it cannot be looked up).
		resp := fmt.Sprintf("/response/T0000000001/%04d/%02d", i, i)
		if faults[i%len(faults)] == fOK || faults[i%len(faults)] == f500 || faults[i%len(faults)] == f429 {
			commands = append(commands, resp)
		} else {
			atMostOnce = append(atMostOnce, resp)
		}
		signedSlack("/slack/commands", "application/x-www-form-urlencoded", []byte(url.Values{
			"command": {"/faq"}, "text": {"How many records were leaked?"}, "user_id": {fmt.Sprintf("W0FAULT%04d", i)},
			"team_id": {"T0000000001"}, "channel_id": {"C0000000001"}, "response_url": {f.srv.URL + resp},
			"trigger_id": {fmt.Sprintf("1.2.fault%d", i)}}.Encode())).mustSend(t, p.base)
	}
	// The plan keys on the reply token and the channel, whose last two digits are the event's.
	awaitAll(t, "LINE", lineUsers, f.lineReplies, 40*time.Second)
	awaitAll(t, "Slack", slackChannels, f.slackPosts, 40*time.Second)
	awaitAll(t, "Slack commands", commands, f.slackPosts, 40*time.Second)
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, p.log)
	}
	checkOnce(t, "LINE", lineUsers, f.lineReplies)
	checkOnce(t, "Slack", slackChannels, f.slackPosts)
	checkOnce(t, "Slack response URLs that answered", commands, f.slackPosts)
	for _, r := range atMostOnce {
		if n := f.slackPosts(r); n > 1 {
			t.Errorf("%s: %d posts to a response URL that gave no answer, want at most 1", r, n)
		}
	}
	if !strings.Contains(p.log.String(), `"found_after_timeout":true`) {
		t.Error("no Slack post was looked up and found after a timeout")
	}
}

// TestFaultsRedisOutage: redis-server is killed while LINE events keep coming, and restarted
// (empty) later; each event is also delivered again, some across the outage: every event is
// answered exactly once.
func TestFaultsRedisOutage(t *testing.T) {
	redis := redistest.Start(t)
	f := newFaultAPI(t, func(string, string, int) fault { return fOK })
	p := startBinary(t, faultEnv(f), "--user-every", "0", "--redis", redis.URL)
	var users []string
	var sent []signed
	send := func(i int) {
		user := fmt.Sprintf("U%032d", 1000+i)
		users = append(users, user)
		id := fmt.Sprintf("01REDIS%019d", i)
		signedLine(f.lineEvent(id, user, "マイナンバーは漏れましたか", false)).mustSend(t, p.base)
		sent = append(sent, signedLine(f.lineEvent(id, user, "マイナンバーは漏れましたか", true)))
	}
	redeliver := func(from int) {
		for _, s := range sent[from:] {
			s.mustSend(t, p.base)
		}
	}
	for i := range 20 {
		send(i)
	}
	awaitAll(t, "before the outage", users, f.lineReplies, 20*time.Second)
	redeliver(0)
	redis.Stop()
	for i := 20; i < 40; i++ {
		send(i)
		time.Sleep(25 * time.Millisecond) // across the moment the outage is noticed
	}
	awaitAll(t, "during the outage", users, f.lineReplies, 20*time.Second)
	redeliver(10)
	redis.Restart(t)
	waitUntil(t, "the replica to use Redis again", func() bool {
		var r readyzInfo
		getJSON(t, p.base+"/readyz", &r)
		return !r.Degraded
	})
	for i := 40; i < 60; i++ {
		send(i)
	}
	redeliver(0) // every event again, Redis having lost the ids taken before
	awaitAll(t, "after the outage", users, f.lineReplies, 20*time.Second)
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, p.log)
	}
	checkOnce(t, "LINE across a Redis outage", users, f.lineReplies)
	if !strings.Contains(p.log.String(), "shared state is back") {
		t.Error("the outage was not noticed and recovered from")
	}
}

// TestFaultsSIGTERMWithQueuedWork: with LINE hanging on every reply and events queued, SIGTERM
// with a 2 s grace: /readyz and the webhooks answer 503 while the queues drain, the process
// exits within the grace plus a few seconds with status 1, and logs how many replies were not
// sent — all of them.
func TestFaultsSIGTERMWithQueuedWork(t *testing.T) {
	f := newFaultAPI(t, func(string, string, int) fault { return fHang })
	p := startBinary(t, faultEnv(f), "--user-every", "0", "--shutdown-grace", "2s")
	const n = 90 // more than the 64 workers: some are in flight, the rest queued
	for i := range n {
		signedLine(f.lineEvent(fmt.Sprintf("01TERM%020d", i), fmt.Sprintf("U%032d", 2000+i), "流出した件数は何件ですか", false)).mustSend(t, p.base)
	}
	waitUntil(t, "the replies to be in flight", func() bool { return f.requests() >= 60 })
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	waitUntil(t, "/readyz to answer 503", func() bool {
		res, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusServiceUnavailable
	})
	late := signedLine(f.lineEvent("01TERMLATE0000000000000000", "U0late", "流出した件数は何件ですか", false))
	if code := late.send(t, p.base); code != http.StatusServiceUnavailable {
		t.Errorf("a webhook while draining answered %d, want 503", code)
	}
	var err error
	select {
	case err = <-p.done:
		p.done <- err
	case <-time.After(2*time.Second + 10*time.Second):
		t.Fatal("faqbot serve did not exit within the 2 s grace plus 10 s")
	}
	took := time.Since(start)
	t.Logf("exited %s after SIGTERM", took.Round(10*time.Millisecond))
	if took > 2*time.Second+5*time.Second {
		t.Errorf("exited %s after SIGTERM, want within the 2 s grace plus 5 s", took)
	}
	if ee, isExit := err.(*exec.ExitError); !isExit || ee.ExitCode() != 1 {
		t.Errorf("exit %v, want status 1 (replies lost)", err)
	}
	logs := p.log.String()
	m := regexp.MustCompile(`"replies_not_sent":(\d+)`).FindStringSubmatch(logs)
	if m == nil || m[1] != strconv.Itoa(n) {
		t.Errorf("log says %v replies not sent, want %d:\n%s", m, n, logs)
	}
}

// TestFaultsRestartAndReplay: without Redis, the events a server answered are redelivered after
// it restarted (LINE's isRedelivery, Slack's retries), and signed requests are replayed byte for
// byte: nothing is answered twice, and new events still are answered.
func TestFaultsRestartAndReplay(t *testing.T) {
	f := newFaultAPI(t, func(string, string, int) fault { return fOK })
	data := t.TempDir()
	env := faultEnv(f)
	p := startBinary(t, env, "--user-every", "0", "--data", data)
	var users, channels []string
	var again []signed
	for i := range 10 {
		user, id := fmt.Sprintf("U%032d", 3000+i), fmt.Sprintf("01RESTART%017d", i)
		users = append(users, user)
		signedLine(f.lineEvent(id, user, "パスワードを変更したい", false)).mustSend(t, p.base)
		again = append(again, signedLine(f.lineEvent(id, user, "パスワードを変更したい", true)))
		ch := fmt.Sprintf("D0RESTART%03d", i)
		channels = append(channels, ch)
		ev := slackEvent(fmt.Sprintf("Ev0RESTART%03d", i), fmt.Sprintf("U0RESTART%03d", i), ch, "How many records were leaked?")
		signedSlack("/slack/events", "application/json", ev).mustSend(t, p.base)
		retry := signedSlack("/slack/events", "application/json", ev)
		retry.header.Set("X-Slack-Retry-Num", "1")
		retry.header.Set("X-Slack-Retry-Reason", "http_timeout")
		again = append(again, retry)
	}
	awaitAll(t, "LINE", users, f.lineReplies, 20*time.Second)
	awaitAll(t, "Slack", channels, f.slackPosts, 20*time.Second)
	if err := p.stop(t); err != nil {
		t.Fatalf("after SIGTERM: %v\n%s", err, p.log)
	}

	p = startBinary(t, env, "--user-every", "0", "--data", data) // the restart
	for _, s := range again {
		s.mustSend(t, p.base)
	}
	// Replays within the signature's five minutes: a webhook, an event, a command, a click.
	fresh := fmt.Sprintf("U%032d", 3999)
	users = append(users, fresh)
	webhook := signedLine(f.lineEvent("01RESTARTFRESH000000000000", fresh, "マイナンバーは漏れましたか", false))
	ch := "D0RESTARTFRSH"
	channels = append(channels, ch)
	event := signedSlack("/slack/events", "application/json", slackEvent("Ev0RESTARTFRSH", "U0RESTARTFRSH", ch, "How many records were leaked?"))
	respond := "/response/T0000000001/1/replay"
	channels = append(channels, respond)
	command := signedSlack("/slack/commands", "application/x-www-form-urlencoded", []byte(url.Values{
		"command": {"/faq"}, "text": {"How many records were leaked?"}, "user_id": {"U0REPLAY01"}, "team_id": {"T0000000001"},
		"channel_id": {"C0000000001"}, "response_url": {f.srv.URL + respond}, "trigger_id": {"1.2.replay"}}.Encode()))
	clickURL := "/response/T0000000001/2/click"
	channels = append(channels, clickURL)
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": "T0000000001"},
		"user": map[string]any{"id": "U0REPLAY02", "team_id": "T0000000001"}, "trigger_id": "1.2.click",
		"container":    map[string]any{"type": "message", "message_ts": "1800000000.000001", "channel_id": "C0000000001", "is_ephemeral": true},
		"response_url": f.srv.URL + clickURL,
		"actions":      []any{map[string]any{"action_id": "faq.entry", "value": "entry|leak-count|en", "action_ts": "1800000001.000001"}}})
	click := signedSlack("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
	for _, s := range []signed{webhook, event, command, click} {
		s.mustSend(t, p.base)
		s.mustSend(t, p.base)
	}
	awaitAll(t, "LINE", users, f.lineReplies, 20*time.Second)
	awaitAll(t, "Slack", channels, f.slackPosts, 20*time.Second)
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, p.log)
	}
	checkOnce(t, "LINE across a restart and replays", users, f.lineReplies)
	checkOnce(t, "Slack across a restart and replays", channels, f.slackPosts)
}

// TestFaultsLineBurst: 100 events of one user in one webhook, with the default rate limit (a
// burst of 10, then one a second): all acknowledged, each gets exactly one reply — its answer,
// or "slow down".
func TestFaultsLineBurst(t *testing.T) {
	f := newFaultAPI(t, func(string, string, int) fault { return fOK })
	p := startBinary(t, faultEnv(f))
	user := fmt.Sprintf("U%032d", 4000)
	var events []any
	var tokens []string
	for i := range 100 {
		id := fmt.Sprintf("01BURST%019d", i)
		var ev map[string]any
		json.Unmarshal(f.lineEvent(id, user, "流出した件数は何件ですか", false), &ev)
		events = append(events, ev["events"].([]any)[0])
		tokens = append(tokens, "reply-"+id)
	}
	body, _ := json.Marshal(map[string]any{"destination": "U0", "events": events})
	signedLine(body).mustSend(t, p.base)
	awaitAll(t, "the burst", tokens, f.tokenReplies, 30*time.Second)
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, p.log)
	}
	checkOnce(t, "LINE burst of one user", tokens, f.tokenReplies)
	if n := strings.Count(p.log.String(), `"action":"rate_limited"`); n < 80 || n > 90 {
		t.Errorf("%d slow-downs, want 90 or a few less (the limit refills one a second)", n)
	}
}
