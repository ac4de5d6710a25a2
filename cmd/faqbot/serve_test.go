package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// serveLog is a buffer safe for concurrent writes, for the server's log.
type serveLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe starts the server of "faqbot serve args..." with the environment env, as cmdServe
// does, and stops it when the test ends; it returns the server's base URL and its log.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *serveLog) {
	t.Helper()
	log := &serveLog{}
	m := newMain(t, env, log, args...)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("serve returned %v:\n%s", err, log)
	}
	t.Cleanup(func() {
		select {
		case err := <-m.Err():
			t.Errorf("the server stopped serving: %v", err)
		default:
		}
		if err := m.Close(); err != nil {
			t.Errorf("serve stopped with %v", err)
		}
		if !strings.Contains(log.String(), `"msg":"stopped"`) {
			t.Errorf("serve did not log its stop:\n%s", log)
		}
	})
	return "http://" + m.Addr().String(), log
}

// get returns the status of GET url.
func get(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestServeLineOff(t *testing.T) {
	// The flag wins over FAQBOT_ADDR.
	base, log := startServe(t, map[string]string{"FAQBOT_ADDR": "not an address"}, "--addr", "127.0.0.1:0")
	if code := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz: %d, want 200", code)
	}
	res, err := http.Post(base+"/line/webhook", "application/json", strings.NewReader(`{"events":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("POST /line/webhook with LINE off: %d, want 404", res.StatusCode)
	}
	if !strings.Contains(log.String(), `"msg":"LINE is off`) {
		t.Errorf("the log does not say that LINE is off:\n%s", log)
	}
}

func TestServeLine(t *testing.T) {
	const secret, token = "serve-test-channel-secret", "serve-test-access-token"
	replies := make(chan string, 10)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ReplyToken string `json:"replyToken"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if r.URL.Path == "/v2/bot/message/reply" && r.Header.Get("Authorization") == "Bearer "+token {
			replies <- req.ReplyToken
		}
		io.WriteString(w, `{"sentMessages":[]}`)
	}))
	defer api.Close()
	base, log := startServe(t, map[string]string{
		"FAQBOT_ADDR":               "127.0.0.1:0",
		"LINE_CHANNEL_SECRET":       secret,
		"LINE_CHANNEL_ACCESS_TOKEN": token,
		"FAQBOT_LINE_API_URL":       api.URL,
	})

	body := []byte(`{"destination":"U0","events":[{"type":"message","mode":"active","timestamp":1,` +
		`"source":{"type":"user","userId":"U00000000000000000000000000000001"},"webhookEventId":"01HZSERVE",` +
		`"deliveryContext":{"isRedelivery":false},"replyToken":"serve-reply-token",` +
		`"message":{"id":"1","type":"text","text":"流出した件数は？","quoteToken":"q"}}]}`)
	for _, tc := range []struct {
		sig  string
		want int
	}{
		{"", http.StatusBadRequest},
		{platformtest.SignLine(secret, body), http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodPost, base+"/line/webhook", bytes.NewReader(body))
		req.Header.Set("X-Line-Signature", tc.sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("webhook with signature %q: %d, want %d", tc.sig, res.StatusCode, tc.want)
		}
	}
	select {
	case got := <-replies:
		if got != "serve-reply-token" {
			t.Errorf("reply with token %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no reply reached the API:\n%s", log)
	}
	if code := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz: %d, want 200", code)
	}
	logs := log.String()
	if !strings.Contains(logs, `"msg":"LINE is on"`) {
		t.Errorf("the log does not say that LINE is on:\n%s", logs)
	}
	for _, s := range []string{secret, token, "流出", "U00000000000000000000000000000001"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q:\n%s", s, logs)
		}
	}
}

func TestServeDebugAddr(t *testing.T) {
	var errb bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--debug-addr", "0.0.0.0:0"},
		func(string) string { return "" }, strings.NewReader(""), io.Discard, &errb)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("serve with profiles on a public address: %v, want refused", err)
	}
	base, log := startServe(t, map[string]string{"FAQBOT_DEBUG_ADDR": "127.0.0.1:0"}, "--addr", "127.0.0.1:0")
	if code := get(t, base+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("profiles on the main port: %d, want 404", code)
	}
	m := regexp.MustCompile(`"msg":"profiles on".*?"addr":"([^"]+)"`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no profiles address in the log:\n%s", log)
	}
	if code := get(t, "http://"+m[1]+"/debug/pprof/"); code != http.StatusOK {
		t.Errorf("profiles on the debug port: %d", code)
	}
}

// A platform with one of its two variables set stays off and the log names the one missing;
// the log says which URL to open; "faqbot reindex" against a server without an admin token
// says that its admin API is off.
func TestServeHalfConfigured(t *testing.T) {
	base, log := startServe(t, map[string]string{
		"FAQBOT_ADDR":          "127.0.0.1:0",
		"LINE_CHANNEL_SECRET":  "only-the-secret",
		"SLACK_SIGNING_SECRET": "only-the-signing-secret",
	})
	for _, want := range []string{
		`"msg":"LINE is off: LINE_CHANNEL_SECRET is set but LINE_CHANNEL_ACCESS_TOKEN is missing".*"missing":"LINE_CHANNEL_ACCESS_TOKEN"`,
		`"msg":"Slack is off: SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing".*"missing":"SLACK_BOT_TOKEN"`,
		`"msg":"open the web chat in a browser".*"url":"` + regexp.QuoteMeta(base) + `/"`,
	} {
		if !regexp.MustCompile(want).MatchString(log.String()) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"reindex", "--server", base}, func(k string) string {
		return map[string]string{"FAQBOT_ADMIN_TOKEN": "client-side-token"}[k]
	}, strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "the admin API of "+base+" is off: start the server with FAQBOT_ADMIN_TOKEN set") {
		t.Errorf("reindex against a server without admin token: %v\n%s", err, stderr.String())
	}
}

// The web chat shows the decision behind its replies only with --debug-decisions (or
// FAQBOT_DEBUG_DECISIONS): without it, no one is an editor.
func TestServeDebugDecisions(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"default", nil, nil, false},
		{"flag", nil, []string{"--debug-decisions"}, true},
		{"environment", map[string]string{"FAQBOT_DEBUG_DECISIONS": "1"}, nil, true},
		{"flag wins", map[string]string{"FAQBOT_DEBUG_DECISIONS": "1"}, []string{"--debug-decisions=false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "HOME": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			base, log := startServe(t, env, tc.args...)
			res, err := http.Post(base+"/api/ask", "application/json", strings.NewReader(`{"query":"流出した件数は何件ですか"}`))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var m map[string]json.RawMessage
			if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			_, action := m["action"]
			_, score := m["score"]
			if action != tc.want || score != tc.want || string(m["entry"]) != `"leak-count"` {
				t.Errorf("/api/ask: action %v, score %v, entry %s; want the decision %v", action, score, m["entry"], tc.want)
			}
			page, err := http.Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			if got := strings.Contains(string(body), `id="show-decision"`); got != tc.want {
				t.Errorf("page has the decision switch: %v, want %v", got, tc.want)
			}
			if warned := strings.Contains(log.String(), "--debug-decisions"); warned != tc.want {
				t.Errorf("log warns of the decisions shown: %v, want %v", warned, tc.want)
			}
		})
	}
}

// Every way of setting part of a platform's variables keeps it off and logs the one missing by
// name (the "missing" attribute), never the value of what is set.
func TestPlatformOffNamesMissing(t *testing.T) {
	const value = "value-that-must-not-be-logged"
	tests := []struct {
		name    string
		log     func(*slog.Logger)
		msg     string
		missing string
	}{
		{"LINE secret only", func(l *slog.Logger) { lineOff(l, value, "") },
			"LINE is off: LINE_CHANNEL_SECRET is set but LINE_CHANNEL_ACCESS_TOKEN is missing", "LINE_CHANNEL_ACCESS_TOKEN"},
		{"LINE token only", func(l *slog.Logger) { lineOff(l, "", value) },
			"LINE is off: LINE_CHANNEL_ACCESS_TOKEN is set but LINE_CHANNEL_SECRET is missing", "LINE_CHANNEL_SECRET"},
		{"LINE neither", func(l *slog.Logger) { lineOff(l, "", "") },
			"LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to turn it on", ""},
		{"Slack bot token only", func(l *slog.Logger) { slackOff(l, value, "", "") },
			"Slack is off: SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (Events API) nor SLACK_APP_TOKEN (Socket Mode)",
			"SLACK_SIGNING_SECRET or SLACK_APP_TOKEN"},
		{"Slack signing secret only", func(l *slog.Logger) { slackOff(l, "", value, "") },
			"Slack is off: SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing", "SLACK_BOT_TOKEN"},
		{"Slack app token only", func(l *slog.Logger) { slackOff(l, "", "", value) },
			"Slack is off: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is missing", "SLACK_BOT_TOKEN"},
		{"Slack signing secret and app token", func(l *slog.Logger) { slackOff(l, "", value, value) },
			"Slack is off: SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing", "SLACK_BOT_TOKEN"},
		{"Slack none", func(l *slog.Logger) { slackOff(l, "", "", "") },
			"Slack is off: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (Events API) or SLACK_APP_TOKEN (Socket Mode) to turn it on", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(slog.NewJSONHandler(&buf, nil)))
			var rec struct {
				Level, Msg, Missing string
			}
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("log %q: %v", buf.String(), err)
			}
			if rec.Level != "WARN" || rec.Msg != tt.msg || rec.Missing != tt.missing {
				t.Errorf("logged %s, want WARN %q with missing %q", buf.String(), tt.msg, tt.missing)
			}
			if strings.Contains(buf.String(), value) {
				t.Errorf("the log holds the value of a variable: %s", buf.String())
			}
		})
	}
}

// The URL serve logs to open: localhost for a listener on every interface, the address itself
// otherwise, IPv6 in brackets.
func TestBrowseURL(t *testing.T) {
	for _, tt := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080/"}, // ":8080"
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080/"},        // "0.0.0.0:8080"
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 18999}, "http://127.0.0.1:18999/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080/"},
	} {
		if got := browseURL(tt.addr); got != tt.want {
			t.Errorf("browseURL(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
