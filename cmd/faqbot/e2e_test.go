package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// The end-to-end tests run the real faqbot binary, built once, as an operator would.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// faqbotBinary builds the faqbot command (without the race detector: these tests time real
// work) and returns its path.
func faqbotBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "faqbot-e2e-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "faqbot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// process is a running faqbot serve.
type process struct {
	cmd  *exec.Cmd
	base string
	log  *serveLog
	done chan error
}

// startBinary starts "faqbot serve args..." with env (and nothing else of the test's
// environment but PATH), waits until it is ready and returns it; the test's cleanup
// kills it if it still runs.
func startBinary(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	p := &process{log: &serveLog{}, done: make(chan error, 1)}
	p.cmd = exec.Command(faqbotBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	// A HOME of its own: the server keeps its journal of feedback under it.
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr = p.log
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	listening := regexp.MustCompile(`"msg":"listening".*?"addr":"([^"]+)"`)
	for deadline := time.Now().Add(60 * time.Second); ; {
		logs := p.log.String()
		if m := listening.FindStringSubmatch(logs); m != nil && strings.Contains(logs, `"msg":"ready"`) {
			p.base = "http://" + m[1]
			t.Logf("faqbot serve ready in %s", time.Since(start).Round(time.Millisecond))
			return p
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("faqbot serve exited: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("faqbot serve not ready:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit error (nil: exit status 0).
func (p *process) stop(t *testing.T) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("faqbot serve did not stop within 30 s of SIGTERM")
		return nil
	}
}

// readyz returns the content version /readyz reports.
func (p *process) readyz(t *testing.T) string {
	t.Helper()
	var r struct {
		Ready   bool   `json:"ready"`
		Version string `json:"version"`
	}
	if code := getJSON(t, p.base+"/readyz", &r); code != http.StatusOK || !r.Ready {
		t.Fatalf("GET /readyz: %d %+v", code, r)
	}
	return r.Version
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	json.NewDecoder(res.Body).Decode(v)
	return res.StatusCode
}

// ask posts query to /api/ask; the answer is the decision JSON of ask --json (of a server
// that shows the decisions: --debug-decisions).
func ask(client *http.Client, base, query string) (bot.Explanation, int, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	res, err := client.Post(base+"/api/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		return bot.Explanation{}, 0, err
	}
	defer res.Body.Close()
	var r bot.Explanation
	err = json.NewDecoder(res.Body).Decode(&r)
	return r, res.StatusCode, err
}

// editableContent is a copy of the embedded content whose my-number answer carries a marker.
type editableContent struct {
	dir, file string
	orig      string
}

const myNumberAnswer = "マイナンバーが漏えいしていないことは確認しております。"

func newEditableContent(t *testing.T) *editableContent {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, faq.Embedded()); err != nil {
		t.Fatal(err)
	}
	c := &editableContent{dir: dir, file: filepath.Join(dir, "entries", "my-number.yaml")}
	b, err := os.ReadFile(c.file)
	if err != nil {
		t.Fatal(err)
	}
	c.orig = string(b)
	if !strings.Contains(c.orig, myNumberAnswer) {
		t.Fatalf("%s no longer holds %q", c.file, myNumberAnswer)
	}
	return c
}

// write sets the marker of the my-number answer; broken also breaks the file's YAML.
func (c *editableContent) write(t *testing.T, marker string, broken bool) {
	t.Helper()
	text := strings.Replace(c.orig, myNumberAnswer, myNumberAnswer+"（"+marker+"）", 1)
	if broken {
		text += "  : [\n"
	}
	if err := os.WriteFile(c.file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (c *editableContent) version(t *testing.T) string {
	t.Helper()
	ct, err := faq.LoadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	return ct.Version()
}

func TestE2EServeReindexAndStop(t *testing.T) {
	content := newEditableContent(t)
	content.write(t, "版0", false)
	const admin = "e2e-admin-token"
	p := startBinary(t, map[string]string{"FAQBOT_ADMIN_TOKEN": admin}, // the test reads the decisions
		"--content", content.dir, "--ip-every", "0", "--user-every", "0", "--debug-decisions")
	client := &http.Client{Timeout: 10 * time.Second}

	if code := get(t, p.base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if got, want := p.readyz(t), content.version(t); got != want {
		t.Errorf("/readyz version %s, want %s", got, want)
	}
	r, code, err := ask(client, p.base, "流出した件数は何件ですか")
	if err != nil || code != http.StatusOK || r.Entry != "leak-count" || r.Action != "answer" {
		t.Fatalf("/api/ask: %d %+v %v", code, r, err)
	}

	reindexCLI := func(wantExit int) string {
		t.Helper()
		cmd := exec.Command(faqbotBinary(t), "reindex")
		cmd.Env = []string{"FAQBOT_SERVER=" + p.base, "FAQBOT_ADMIN_TOKEN=" + admin}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		exit := 0
		if ee, ok := err.(*exec.ExitError); ok {
			exit = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if exit != wantExit {
			t.Fatalf("faqbot reindex: exit %d, want %d\n%s%s", exit, wantExit, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}

	t.Run("reindex command", func(t *testing.T) {
		content.write(t, "版1", false)
		out := reindexCLI(0)
		if want := content.version(t); !strings.Contains(out, "now serving version "+want) || p.readyz(t) != want {
			t.Errorf("reindex printed %q; /readyz %s, want %s", out, p.readyz(t), want)
		}
		if r, _, _ := ask(client, p.base, "マイナンバーは漏れましたか"); !strings.Contains(r.Answer, "版1") {
			t.Errorf("after reindex the answer is %q", r.Answer)
		}
		before := p.readyz(t)
		content.write(t, "版BROKEN", true)
		out = reindexCLI(1)
		if !regexp.MustCompile(`entries/my-number\.yaml:\d+: `).MatchString(out) {
			t.Errorf("broken content: reindex printed %q, want file:line", out)
		}
		if p.readyz(t) != before {
			t.Error("broken content changed the version served")
		}
		if r, _, _ := ask(client, p.base, "マイナンバーは漏れましたか"); !strings.Contains(r.Answer, "版1") {
			t.Errorf("after a broken reindex the answer is %q", r.Answer)
		}
		req, _ := http.NewRequest(http.MethodPost, p.base+"/admin/reindex", nil)
		req.Header.Set("Authorization", "Bearer wrong")
		if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
			t.Errorf("reindex with a wrong token: %v %v", res.StatusCode, err)
		}
	})

	t.Run("SIGHUP", func(t *testing.T) {
		content.write(t, "版HUP", false)
		want := content.version(t)
		p.cmd.Process.Signal(syscall.SIGHUP)
		deadline := time.Now().Add(20 * time.Second)
		for p.readyz(t) != want {
			if time.Now().After(deadline) {
				t.Fatalf("SIGHUP did not reindex:\n%s", p.log)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("20 reindexes under load", func(t *testing.T) {
		// Questions keep coming while the content changes 20 times, once to a broken version:
		// every answer must be right and come from a version that loaded.
		var stop atomic.Bool
		var wg sync.WaitGroup
		var answered, failed atomic.Int64
		var firstFailure atomic.Value
		fail := func(format string, args ...any) {
			failed.Add(1)
			firstFailure.CompareAndSwap(nil, fmt.Sprintf(format, args...))
		}
		for range 4 {
			wg.Go(func() {
				for !stop.Load() {
					r, code, err := ask(client, p.base, "マイナンバーは漏れましたか")
					switch {
					case err != nil || code != http.StatusOK:
						fail("status %d, %v", code, err)
					case r.Entry != "my-number":
						fail("answered %q", r.Entry)
					case strings.Contains(r.Answer, "BROKEN"):
						fail("the broken content served")
					case !regexp.MustCompile(`（版(HUP|\d+)）`).MatchString(r.Answer):
						fail("answer %q carries no version", r.Answer)
					default:
						answered.Add(1)
					}
				}
			})
		}
		for i := range 20 {
			broken := i == 10
			marker := fmt.Sprintf("版%d", 100+i)
			if broken {
				marker = "版BROKEN"
			}
			content.write(t, marker, broken)
			req, _ := http.NewRequest(http.MethodPost, p.base+"/admin/reindex", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			want := http.StatusOK
			if broken {
				want = http.StatusUnprocessableEntity
			}
			if res.StatusCode != want {
				t.Errorf("reindex %d: %d, want %d", i, res.StatusCode, want)
			}
			time.Sleep(20 * time.Millisecond) // let some questions reach each version
		}
		stop.Store(true)
		wg.Wait()
		if n := failed.Load(); n > 0 {
			t.Errorf("%d of %d questions failed or were wrong; first: %v", n, n+answered.Load(), firstFailure.Load())
		}
		if answered.Load() < 20 {
			t.Errorf("only %d questions answered during the reindexes", answered.Load())
		}
		t.Logf("%d questions answered during 20 reindexes", answered.Load())
	})

	t.Run("metrics", func(t *testing.T) {
		res, err := client.Get(p.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := string(b)
		for _, re := range []string{
			`faqbot_requests_total\{outcome="answer",platform="web"\} [1-9]`,
			`faqbot_decision_seconds_bucket\{platform="web",le="0.005"\} [1-9]`,
			`faqbot_reindex_total\{result="ok"\} (2[1-9]|[3-9]\d)`, // 1 + 1 + 19 at least
			`faqbot_reindex_total\{result="failed"\} 2`,
			`faqbot_content_info\{entries="12",version="` + content.version(t) + `"\} 1`,
		} {
			if !regexp.MustCompile(re).MatchString(m) {
				t.Errorf("/metrics does not match %s", re)
			}
		}
	})

	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0\n%s", err, p.log)
	}
	if !strings.Contains(p.log.String(), `"msg":"stopped"`) {
		t.Errorf("no stop in the log:\n%s", p.log)
	}
}

// fakePlatforms plays LINE's Messaging API and Slack's Web API for the binary: it counts the
// replies each receives, after delay.
type fakePlatforms struct {
	line, slack *httptest.Server
	lineReplies atomic.Int64
	slackPosts  atomic.Int64
	// slackResponses counts the posts to a slash command's response_url.
	slackResponses atomic.Int64
	bodies         struct {
		sync.Mutex
		b bytes.Buffer
	}
}

func newFakePlatforms(t *testing.T, delay time.Duration) *fakePlatforms {
	f := &fakePlatforms{}
	keep := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.bodies.Lock()
		f.bodies.b.Write(b)
		f.bodies.Unlock()
	}
	f.line = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keep(r)
		time.Sleep(delay)
		if r.URL.Path == "/v2/bot/message/reply" {
			f.lineReplies.Add(1)
		}
		io.WriteString(w, `{"sentMessages":[]}`)
	}))
	f.slack = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keep(r)
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/commands/response":
			f.slackResponses.Add(1)
			io.WriteString(w, `ok`)
		case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
			f.slackPosts.Add(1)
			io.WriteString(w, `{"ok":true,"channel":"D0000000001","ts":"1700000000.000200"}`)
		case strings.HasSuffix(r.URL.Path, "/auth.test"):
			io.WriteString(w, `{"ok":true,"user_id":"UBOT0000001","bot_id":"BBOT0000001","team_id":"T0000000001"}`)
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(func() { f.line.Close(); f.slack.Close() })
	return f
}

const (
	e2eLineSecret  = "e2e-line-channel-secret"
	e2eSlackSecret = "e2e-slack-signing-secret"
)

func lineWebhook(id, user, text string) []byte {
	b, _ := json.Marshal(map[string]any{"destination": "U0", "events": []any{map[string]any{
		"type": "message", "mode": "active", "timestamp": time.Now().UnixMilli(), "webhookEventId": id,
		"source": map[string]any{"type": "user", "userId": user}, "deliveryContext": map[string]any{"isRedelivery": false},
		"replyToken": "reply-" + id, "message": map[string]any{"id": id, "type": "text", "text": text, "quoteToken": "q"},
	}}})
	return b
}

func postLine(t *testing.T, base string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/line/webhook", bytes.NewReader(body))
	req.Header.Set("X-Line-Signature", platformtest.SignLine(e2eLineSecret, body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("LINE webhook: %d", res.StatusCode)
	}
}

func postSlack(t *testing.T, base, path, contentType string, body []byte) {
	t.Helper()
	ts := time.Now().Unix()
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", platformtest.SignSlack(e2eSlackSecret, ts, body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Slack %s: %d", path, res.StatusCode)
	}
}

func slackDM(id, user, text string) []byte {
	b, _ := json.Marshal(map[string]any{"token": "t", "team_id": "T0000000001", "api_app_id": "A0000000001",
		"type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D0000000001", "user": user,
			"text": text, "ts": fmt.Sprintf("%d.000100", time.Now().UnixNano()), "event_ts": "1700000000.000100"}})
	return b
}

// TestE2EPersonalDataNeverLogged sends messages holding personal data through every entry
// point of the binary — the web console, LINE, Slack events and the Slack command — and checks
// that none of it reaches the logs or the metrics; then stops the server while replies are
// still queued and checks that they all go out.
func TestE2EPersonalDataNeverLogged(t *testing.T) {
	f := newFakePlatforms(t, 150*time.Millisecond)
	p := startBinary(t, map[string]string{
		"LINE_CHANNEL_SECRET": e2eLineSecret, "LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
		"FAQBOT_LINE_API_URL":  f.line.URL,
		"SLACK_SIGNING_SECRET": e2eSlackSecret, "SLACK_BOT_TOKEN": "xoxb-e2e-token",
		"FAQBOT_SLACK_API_URL": f.slack.URL + "/api/",
	}, "--log-level", "debug", "--ip-every", "0", "--debug-decisions") // the test reads the decisions
	personal := []string{"090-1234-5678", "09012345678", "taro.yamada@example.co.jp", "123456789018", "口座番号1234567"}
	questions := []string{
		"私の電話番号 090-1234-5678 は漏れましたか",
		"taro.yamada@example.co.jp に届いたメールは本物？",
		"マイナンバー 123456789018 は大丈夫ですか",
		"口座番号1234567 の情報は流出した？ 09012345678",
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for i, q := range questions {
		r, code, err := ask(client, p.base, q)
		if err != nil || code != http.StatusOK || len(r.PII) == 0 {
			t.Errorf("web %q: %d %+v %v", q, code, r, err)
		}
		postLine(t, p.base, lineWebhook(fmt.Sprintf("01E2ELINE%017d", i), fmt.Sprintf("U%032d", i), q))
		postSlack(t, p.base, "/slack/events", "application/json", slackDM(fmt.Sprintf("Ev%010d", i), fmt.Sprintf("U%010d", i), q))
		form := url.Values{"command": {"/faq"}, "text": {q}, "user_id": {fmt.Sprintf("W%010d", i)}, "team_id": {"T0000000001"},
			"channel_id": {"C0000000001"}, "response_url": {f.slack.URL + "/commands/response"}, "trigger_id": {fmt.Sprintf("1.2.%d", i)}}
		postSlack(t, p.base, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	}
	res, err := client.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, s := range personal {
		if strings.Contains(string(metrics), s) {
			t.Errorf("/metrics holds %q", s)
		}
	}
	// Stop at once: the replies still queued (the fake APIs answer slowly) must all go out.
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0\n%s", err, p.log)
	}
	if n := f.lineReplies.Load(); n != int64(len(questions)) {
		t.Errorf("%d LINE replies sent, want %d (none lost at shutdown)", n, len(questions))
	}
	if n := f.slackPosts.Load(); n != int64(len(questions)) {
		t.Errorf("%d Slack replies posted, want %d (none lost at shutdown)", n, len(questions))
	}
	if n := f.slackResponses.Load(); n != int64(len(questions)) {
		t.Errorf("%d slash command answers sent to response_url, want %d", n, len(questions))
	}
	logs := p.log.String()
	for _, s := range personal {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q", s)
		}
	}
	f.bodies.Lock()
	sent := f.bodies.b.String()
	f.bodies.Unlock()
	for _, s := range personal {
		if strings.Contains(sent, s) {
			t.Errorf("a reply echoes %q", s)
		}
	}
	if !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("no stop in the log:\n%s", logs)
	}
}
