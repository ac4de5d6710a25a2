package platformtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/slack-go/slack"
)

// The signatures are the platforms' own: the SDKs' verifiers accept them, and reject them under
// another secret.
func TestSignaturesVerifyWithTheSDKs(t *testing.T) {
	body := []byte(`{"destination":"U0","events":[]}`)
	sig := SignLine("line-secret", body)
	if !webhook.ValidateSignature("line-secret", sig, body) {
		t.Error("the LINE SDK rejects SignLine's signature")
	}
	if webhook.ValidateSignature("other-secret", sig, body) {
		t.Error("the LINE SDK accepts SignLine's signature under another secret")
	}
	if r := LineWebhook("/line/webhook", body, sig); r.Header.Get("X-Line-Signature") != sig {
		t.Errorf("LineWebhook's signature header %q", r.Header.Get("X-Line-Signature"))
	}

	for _, secret := range []string{"slack-secret", "other-secret"} {
		r := SlackRequest("/slack/events", body, "slack-secret", time.Now().Unix())
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			t.Fatal(err)
		}
		sv.Write(body)
		if err := sv.Ensure(); (err == nil) != (secret == "slack-secret") {
			t.Errorf("under %s, the Slack SDK's verifier says %v", secret, err)
		}
	}
}

func do(t *testing.T, method, u, auth, body string, header ...string) *http.Response {
	t.Helper()
	r, _ := http.NewRequest(method, u, strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func TestLineAPI(t *testing.T) {
	f := NewLineAPI(t, "tok")
	f.Fail = func(path string, n int) (int, http.Header) {
		if path == LinePush && n == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		}
		return 0, nil
	}
	reply := `{"replyToken":"r1","messages":[{"type":"text","text":"hi"}]}`
	for i, c := range []struct {
		path, auth, body string
		header           []string
		want             int
		retryAfter       string
	}{
		{LineReply, "Bearer wrong", reply, nil, 401, ""},
		{LineReply, "Bearer tok", reply, nil, 200, ""},
		{LineReply, "Bearer tok", reply, nil, 400, ""}, // a reply token is good once
		{LineReply, "Bearer tok", `{"replyToken":"expired-1"}`, nil, 400, ""},
		{LinePush, "Bearer tok", `{"to":"U1"}`, []string{"X-Line-Retry-Key", "k1"}, 429, "1"},
		{LinePush, "Bearer tok", `{"to":"U1"}`, []string{"X-Line-Retry-Key", "k1"}, 200, ""},
		{LinePush, "Bearer tok", `{"to":"U1"}`, []string{"X-Line-Retry-Key", "k1"}, 409, ""},
		{LineLoading, "Bearer tok", `{"chatId":"U1","loadingSeconds":5}`, nil, 202, ""},
	} {
		res := do(t, http.MethodPost, f.URL()+c.path, c.auth, c.body, c.header...)
		if res.StatusCode != c.want || res.Header.Get("Retry-After") != c.retryAfter {
			t.Errorf("request %d to %s: %d with Retry-After %q, want %d with %q", i, c.path, res.StatusCode, res.Header.Get("Retry-After"), c.want, c.retryAfter)
		}
	}
	if got := f.Accepted(LineReply); len(got) != 1 || got[0].Req.Messages[0].Text != "hi" {
		t.Errorf("accepted replies %+v, want the one saying hi", got)
	}
	if n := len(f.All("")); n != 8 {
		t.Errorf("%d requests recorded, want 8", n)
	}
	if n := f.RetryKeys(); n != 1 {
		t.Errorf("%d retry keys carried out, want 1", n)
	}
}

func TestSlackAPI(t *testing.T) {
	f := NewSlackAPI(t, SlackAuth{BotToken: "xoxb-1", AppToken: "xapp-1", Team: "T1"})
	post := func(token, text string) {
		form := url.Values{"token": {token}, "channel": {"C1"}, "thread_ts": {"1.1"}, "text": {text},
			"blocks": {`[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Yes"},"action_id":"a.yes","value":"yes|x"}]}]`}}
		do(t, http.MethodPost, f.APIURL()+"chat.postMessage", "", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	}
	post("xoxb-wrong", "not carried out") // answered ok:false invalid_auth, still recorded
	post("xoxb-1", "carried out")
	do(t, http.MethodPost, f.ResponseURL(1), "", `{"text":"ephemeral","response_type":"ephemeral"}`)

	if n := len(f.Attempts(SlackPost)); n != 2 {
		t.Errorf("%d attempts at chat.postMessage, want 2", n)
	}
	if !strings.Contains(f.ResponseURL(1), "/response/T1/1/") {
		t.Errorf("response URL %s does not name the team", f.ResponseURL(1))
	}
	got := f.Accepted("")
	if len(got) != 3 { // the fake answers 200 with ok:false, as Slack does
		t.Fatalf("%d posts accepted, want 3", len(got))
	}
	if p := got[1]; p.Text != "carried out" || p.Button(t, "yes").ActionID != "a.yes" || p.All() != "Yes\n" {
		t.Errorf("post %+v", p)
	}
	if p := got[2]; p.Path != SlackRespond || p.ResponseType != "ephemeral" {
		t.Errorf("response %+v", p)
	}
}
