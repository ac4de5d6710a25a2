package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// lineReplies plays LINE's Messaging API for several replicas and keeps the text of every
// reply, by reply token.
type lineReplies struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]string
}

func newLineReplies(t *testing.T) *lineReplies {
	l := &lineReplies{got: map[string][]string{}}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ReplyToken string `json:"replyToken"`
			Messages   []struct {
				Text string `json:"text"`
			} `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if r.URL.Path == "/v2/bot/message/reply" {
			var text []string
			for _, m := range req.Messages {
				text = append(text, m.Text)
			}
			l.mu.Lock()
			l.got[req.ReplyToken] = append(l.got[req.ReplyToken], strings.Join(text, "\n"))
			l.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"sentMessages":[{"id":"1"}]}`)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

// replies returns the replies sent with the token of event id.
func (l *lineReplies) replies(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got["reply-"+id]...)
}

// await waits for the reply to event id and returns it; it fails the test after 10 s.
func (l *lineReplies) await(t *testing.T, id string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if r := l.replies(id); len(r) > 0 {
			return r[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reply to event %s", id)
		}
	}
}

// metric returns the value of the metric line named (labels included) on base's /metrics.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// waitUntil polls cond for up to 15 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// readyzInfo is what /readyz says about the replicas.
type readyzInfo struct {
	Version     string `json:"version"`
	SharedState string `json:"shared_state"`
	Replica     string `json:"replica"`
	Degraded    bool   `json:"degraded"`
	Replicas    []struct {
		Replica string `json:"replica"`
		Version string `json:"version"`
	} `json:"replicas"`
}

// Two replicas in one process share one Redis: an event delivered to both is answered once, a
// conversation goes on from one to the other, a reindex on one is served by the other; with
// Redis stopped both keep answering, and once it is back, dedupe is shared again.
func TestReplicasShareRedis(t *testing.T) {
	redis := redistest.Start(t)
	content := newEditableContent(t)
	content.write(t, "版0", false)
	api := newLineReplies(t)
	const admin = "replicas-admin-token"
	env := map[string]string{
		"FAQBOT_ADDR":               "127.0.0.1:0",
		"FAQBOT_REDIS_URL":          redis.URL,
		"FAQBOT_REDIS_PREFIX":       "replicas-test:",
		"FAQBOT_CONTENT":            content.dir,
		"FAQBOT_ADMIN_TOKEN":        admin,
		"LINE_CHANNEL_SECRET":       e2eLineSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": "replicas-access-token",
		"FAQBOT_LINE_API_URL":       api.srv.URL,
		"FAQBOT_DEBUG_DECISIONS":    "true", // the test reads the answers in the decisions
	}
	a, logA := startServe(t, env)
	b, logB := startServe(t, env)
	for _, base := range []string{a, b} {
		if v := metric(t, base, "faqbot_shared_state_degraded"); v != 0 {
			t.Fatalf("%s starts degraded", base)
		}
	}

	// The same event delivered to both replicas at once: one reply.
	const user = "U0000000000000000000000000000a001"
	send := func(id, user, text string, bases ...string) {
		t.Helper()
		var wg sync.WaitGroup
		for _, base := range bases {
			wg.Go(func() { postLine(t, base, lineWebhook(id, user, text)) })
		}
		wg.Wait()
	}
	send("01HZREPLDUP", user, "流出した件数は？", a, b)
	api.await(t, "01HZREPLDUP")
	time.Sleep(300 * time.Millisecond) // time for a second reply, if any, to arrive
	if n := len(api.replies("01HZREPLDUP")); n != 1 {
		t.Errorf("event delivered to both replicas: %d replies, want 1", n)
	}

	// A conversation goes on across replicas: A asks which, B answers the choice.
	send("01HZREPLASK", user, "パスワードを変えたい", a)
	if r := api.await(t, "01HZREPLASK"); !strings.Contains(r, "アプリで変更") {
		t.Fatalf("A did not ask which way to change the password:\n%s", r)
	}
	// "PC" alone is answered in English; as the choice of a conversation held in Japanese, in
	// Japanese: only the state kept in Redis tells B which.
	send("01HZREPLCHOOSE", user, "PC", b)
	if r := api.await(t, "01HZREPLCHOOSE"); !strings.Contains(r, "PCの場合") {
		t.Errorf("B did not go on with A's conversation:\n%s", r)
	}
	send("01HZREPLFRESH", "U0000000000000000000000000000a002", "PC", b) // control: no conversation
	if r := api.await(t, "01HZREPLFRESH"); strings.Contains(r, "PCの場合") {
		t.Errorf("a fresh \"PC\" was answered as the follow-up; the test above proves nothing:\n%s", r)
	}

	// A reindex on A is served by B, and both say so in /readyz.
	content.write(t, "版1", false)
	req, _ := http.NewRequest(http.MethodPost, a+"/admin/reindex", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reindex on A: %d", res.StatusCode)
	}
	want := content.version(t)
	var rb readyzInfo
	waitUntil(t, "B serves the new version", func() bool {
		getJSON(t, b+"/readyz", &rb)
		return rb.Version == want
	})
	if !strings.Contains(logB.String(), `"via":"announcement"`) {
		t.Errorf("B's log does not say the reindex came from an announcement:\n%s", logB)
	}
	waitUntil(t, "/readyz lists both replicas at the new version", func() bool {
		var ra readyzInfo
		getJSON(t, a+"/readyz", &ra)
		n := 0
		for _, r := range ra.Replicas {
			if r.Version == want {
				n++
			}
		}
		return ra.SharedState == "redis" && len(ra.Replicas) == 2 && n == 2
	})
	if r, _, _ := ask(http.DefaultClient, b, "マイナンバーは漏れましたか"); !strings.Contains(r.Answer, "版1") {
		t.Errorf("B answers with the old content: %q", r.Answer)
	}

	// Redis stops: both keep answering, with per-process dedupe.
	redis.Stop()
	for i, base := range []string{a, b, a, b} {
		id := fmt.Sprintf("01HZREPLDOWN%d", i)
		send(id, user, "流出した件数は？", base)
		api.await(t, id)
	}
	send("01HZREPLDOWN0", user, "流出した件数は？", a) // a redelivery to the same replica
	for _, base := range []string{a, b} {
		waitUntil(t, "degraded shows in the metrics", func() bool { return metric(t, base, "faqbot_shared_state_degraded") == 1 })
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(api.replies("01HZREPLDOWN0")); n != 1 {
		t.Errorf("redelivery to the same replica without Redis: %d replies, want 1", n)
	}

	// Redis is back (empty): the replicas notice, and dedupe is shared again.
	redis.Restart(t)
	for _, base := range []string{a, b} {
		waitUntil(t, "the replicas use Redis again", func() bool { return metric(t, base, "faqbot_shared_state_degraded") == 0 })
	}
	send("01HZREPLBACK", user, "流出した件数は？", a, b)
	api.await(t, "01HZREPLBACK")
	time.Sleep(300 * time.Millisecond)
	if n := len(api.replies("01HZREPLBACK")); n != 1 {
		t.Errorf("event delivered to both replicas after Redis came back: %d replies, want 1", n)
	}

	for name, log := range map[string]*serveLog{"A": logA, "B": logB} {
		logs := log.String()
		if n := strings.Count(logs, "shared state unavailable"); n != 1 {
			t.Errorf("%s logged the outage %d times, want once", name, n)
		}
		if n := strings.Count(logs, "shared state is back"); n != 1 {
			t.Errorf("%s logged the recovery %d times, want once", name, n)
		}
		for _, s := range []string{user, "流出", "パスワード"} {
			if strings.Contains(logs, s) {
				t.Errorf("%s's log holds %q", name, s)
			}
		}
	}
}
