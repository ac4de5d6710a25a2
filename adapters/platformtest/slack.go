package platformtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The paths that SlackAPI serves: the Web API methods under /api/ and response URLs under
// SlackRespond (every response URL is counted under that one path).
const (
	SlackHistory = "/api/conversations.history"
	SlackReplies = "/api/conversations.replies"
	SlackPost    = "/api/chat.postMessage"
	SlackOpen    = "/api/apps.connections.open"
	SlackRespond = "/response/"
)

// SlackBlock is a block of a message, as the fake decodes it.
type SlackBlock struct {
	Type     string          `json:"type"`
	Text     *SlackText      `json:"text"`
	Elements []SlackElement  `json:"elements"`
	Fields   json.RawMessage `json:"fields"`
}

// SlackText is a text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SlackElement is a context element (a text object: Text is a string) or a button (Text is a
// text object).
type SlackElement struct {
	Type     string          `json:"type"`
	Text     json.RawMessage `json:"text"`
	ActionID string          `json:"action_id"`
	Value    string          `json:"value"`
}

// TextOf is e's text, whichever form it has.
func (e SlackElement) TextOf() string {
	var s string
	if json.Unmarshal(e.Text, &s) == nil {
		return s
	}
	var t SlackText
	json.Unmarshal(e.Text, &t)
	return t.Text
}

// SlackMessage is one message the fake received: through chat.postMessage or a response URL.
type SlackMessage struct {
	Path         string
	Status       int
	Token        string
	Channel      string
	ThreadTS     string
	Text         string
	Blocks       []SlackBlock
	ResponseType string
	Replace      bool
	Metadata     string // the metadata field of a chat.postMessage, as sent
	At           time.Time
}

// All is the text of every section, context and button of p, one per line.
func (p SlackMessage) All() string {
	var b strings.Builder
	for _, bl := range p.Blocks {
		if bl.Text != nil {
			b.WriteString(bl.Text.Text + "\n")
		}
		for _, e := range bl.Elements {
			b.WriteString(e.TextOf() + "\n")
		}
	}
	return b.String()
}

// Buttons lists p's buttons as "action_id value".
func (p SlackMessage) Buttons() []string {
	var out []string
	for _, bl := range p.Blocks {
		for _, e := range bl.Elements {
			if e.Type == "button" {
				out = append(out, e.ActionID+" "+e.Value)
			}
		}
	}
	return out
}

// Button finds the button of p whose value starts with prefix, failing the test without one.
func (p SlackMessage) Button(tb testing.TB, prefix string) SlackElement {
	tb.Helper()
	for _, bl := range p.Blocks {
		for _, e := range bl.Elements {
			if e.Type == "button" && strings.HasPrefix(e.Value, prefix) {
				return e
			}
		}
	}
	tb.Fatalf("no button %q among %v", prefix, p.Buttons())
	return SlackElement{}
}

// SlackAuth is what a SlackAPI accepts: the bot token of chat.postMessage, the app-level token
// of apps.connections.open, and the workspace its response URLs name.
type SlackAuth struct {
	BotToken, AppToken, Team string
}

// SlackAPI is a local stand-in for Slack: the Web API under /api/ (chat.postMessage,
// conversations.history and .replies over what was posted, apps.connections.open), response
// URLs under /response/, and a Socket Mode WebSocket at /ws when WS is set. It is safe for
// concurrent use; set the hooks before the first request.
type SlackAPI struct {
	srv  *httptest.Server
	auth SlackAuth

	mu     sync.Mutex
	posts  []SlackMessage
	counts map[string]int

	// Fail, when set, answers the n-th request (from 1) to path with its status instead of
	// carrying it out (0: carry it out); header goes with it (e.g. 429 and Retry-After).
	Fail func(path string, n int) (status int, header http.Header)
	// Hold, when set, is waited for before a post is carried out.
	Hold chan struct{}
	// Slow, when set, is how long the answer to the n-th request to path waits after the
	// request was carried out (0: none): the answer of a post that succeeded gets lost in a
	// timeout.
	Slow func(path string, n int) time.Duration
	// WS serves the Socket Mode WebSocket.
	WS http.Handler
}

// NewSlackAPI starts a fake Slack that accepts auth; it stops when the test ends.
func NewSlackAPI(tb testing.TB, auth SlackAuth) *SlackAPI {
	f := &SlackAPI{auth: auth, counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

// URL is the fake's base URL.
func (f *SlackAPI) URL() string { return f.srv.URL }

// APIURL is the Web API's URL, ending in "/".
func (f *SlackAPI) APIURL() string { return f.srv.URL + "/api/" }

// ResponseURL is a response URL of the fake, as Slack puts in commands and clicks.
func (f *SlackAPI) ResponseURL(n int) string {
	return fmt.Sprintf("%s/response/%s/%d/secrethooktoken%04d", f.srv.URL, f.auth.Team, n, n)
}

func (f *SlackAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" && f.WS != nil {
		f.WS.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if f.Hold != nil && r.URL.Path != SlackOpen {
		<-f.Hold
	}
	path := r.URL.Path
	if strings.HasPrefix(path, SlackRespond) {
		path = SlackRespond
	}
	p := SlackMessage{Path: path, At: time.Now()}
	switch path {
	case SlackPost:
		v, _ := url.ParseQuery(string(body))
		p.Token, p.Channel, p.ThreadTS, p.Text = v.Get("token"), v.Get("channel"), v.Get("thread_ts"), v.Get("text")
		p.Metadata = v.Get("metadata")
		json.Unmarshal([]byte(v.Get("blocks")), &p.Blocks)
	case SlackRespond:
		var m struct {
			Text         string       `json:"text"`
			Blocks       []SlackBlock `json:"blocks"`
			ResponseType string       `json:"response_type"`
			Replace      bool         `json:"replace_original"`
			ThreadTS     string       `json:"thread_ts"`
		}
		json.Unmarshal(body, &m)
		p.Text, p.Blocks, p.ResponseType, p.Replace, p.ThreadTS = m.Text, m.Blocks, m.ResponseType, m.Replace, m.ThreadTS
	case SlackOpen:
		p.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}

	f.mu.Lock()
	f.counts[path]++
	n := f.counts[path]
	status, header, answer := http.StatusOK, http.Header(nil), `{"ok":true,"channel":"C0","ts":"1717462800.000100"}`
	switch {
	case path == SlackPost && p.Token != f.auth.BotToken:
		answer = `{"ok":false,"error":"invalid_auth"}`
	case path == SlackHistory || path == SlackReplies:
		answer = f.history(body)
	case path == SlackOpen:
		answer = `{"ok":true,"url":"ws` + strings.TrimPrefix(f.srv.URL, "http") + `/ws"}`
		if p.Token != f.auth.AppToken {
			answer = `{"ok":false,"error":"invalid_auth"}`
		}
	case path != SlackPost && path != SlackRespond && path != SlackHistory && path != SlackReplies:
		status, answer = http.StatusNotFound, `{"ok":false,"error":"unknown_method"}`
	}
	if f.Fail != nil {
		if s, h := f.Fail(path, n); s != 0 {
			status, header, answer = s, h, `<html>fake failure</html>`
		}
	}
	p.Status = status
	if path != SlackOpen {
		f.posts = append(f.posts, p)
	}
	var slow time.Duration
	if f.Slow != nil {
		slow = f.Slow(path, n)
	}
	f.mu.Unlock()
	time.Sleep(slow)

	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// history answers conversations.history and conversations.replies: the posts carried out in
// the channel (and thread) asked for, with their metadata when include_all_metadata is set.
// Called with f.mu held.
func (f *SlackAPI) history(body []byte) string {
	v, _ := url.ParseQuery(string(body))
	type message struct {
		Type     string          `json:"type"`
		Text     string          `json:"text"`
		TS       string          `json:"ts"`
		ThreadTS string          `json:"thread_ts,omitempty"`
		Metadata json.RawMessage `json:"metadata,omitempty"`
	}
	msgs := []message{}
	for i, p := range f.posts {
		if p.Path != SlackPost || p.Status != http.StatusOK || p.Channel != v.Get("channel") ||
			(v.Get("ts") != "" && p.ThreadTS != v.Get("ts")) {
			continue
		}
		m := message{Type: "message", Text: p.Text, TS: fmt.Sprintf("1717462900.%06d", i), ThreadTS: p.ThreadTS}
		if (v.Get("include_all_metadata") == "1" || v.Get("include_all_metadata") == "true") && p.Metadata != "" {
			m.Metadata = json.RawMessage(p.Metadata)
		}
		msgs = append(msgs, m)
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "messages": msgs, "has_more": false})
	return string(b)
}

// Accepted returns the posts to path (SlackPost, SlackRespond, or "" for both) that Slack would
// have carried out.
func (f *SlackAPI) Accepted(path string) []SlackMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []SlackMessage
	for _, p := range f.posts {
		if (path == "" || p.Path == path) && p.Status == http.StatusOK {
			out = append(out, p)
		}
	}
	return out
}

// Attempts returns every request path received, carried out or not.
func (f *SlackAPI) Attempts(path string) []SlackMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []SlackMessage
	for _, p := range f.posts {
		if p.Path == path {
			out = append(out, p)
		}
	}
	return out
}
