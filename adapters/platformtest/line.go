package platformtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The paths of the Messaging API that LineAPI serves.
const (
	LineReply   = "/v2/bot/message/reply"
	LinePush    = "/v2/bot/message/push"
	LineLoading = "/v2/bot/chat/loading/start"
)

// LineBody is the wire format of a Messaging API request, as the fake decodes it.
type LineBody struct {
	ReplyToken string        `json:"replyToken"`
	To         string        `json:"to"`
	ChatID     string        `json:"chatId"`
	Seconds    int           `json:"loadingSeconds"`
	Messages   []LineMessage `json:"messages"`
}

// LineMessage is one message of a reply or a push.
type LineMessage struct {
	Type       string `json:"type"`
	Text       string `json:"text"`
	QuickReply *struct {
		Items []LineItem `json:"items"`
	} `json:"quickReply"`
}

// LineItem is one quick reply button.
type LineItem struct {
	Type   string `json:"type"`
	Action struct {
		Type        string `json:"type"`
		Label       string `json:"label"`
		Data        string `json:"data"`
		DisplayText string `json:"displayText"`
		URI         string `json:"uri"`
	} `json:"action"`
}

// Items is m's quick reply buttons (nil without any).
func (m LineMessage) Items() []LineItem {
	if m.QuickReply == nil {
		return nil
	}
	return m.QuickReply.Items
}

// LineCall is one request the fake received, with the status it answered.
type LineCall struct {
	Path     string
	Status   int
	RetryKey string
	Auth     string
	At       time.Time
	Req      LineBody
}

// LineAPI is a local stand-in for LINE's Messaging API. It accepts only the channel access
// token it was made with; reply tokens are good once, and tokens starting with "expired" never;
// pushes are accepted once per retry key (later ones: 409 with X-Line-Accepted-Request-Id), as
// LINE does. It is safe for concurrent use; set the hooks before the first request.
type LineAPI struct {
	srv   *httptest.Server
	token string

	mu     sync.Mutex
	calls  []LineCall
	used   map[string]bool
	keys   map[string]bool
	counts map[string]int

	// Fail, when set, answers the n-th request (from 1) to path with its status instead of
	// carrying it out (0: carry it out); header goes with it (e.g. 429 and Retry-After).
	Fail func(path string, n int) (status int, header http.Header)
	// Lose, when set, carries out the n-th request to path but answers 500, as if the answer
	// were lost on the way.
	Lose func(path string, n int) bool
	// Hold, when set, is waited for before the request is carried out.
	Hold func(r LineBody) <-chan struct{}
}

// NewLineAPI starts a fake Messaging API that accepts token; it stops when the test ends.
func NewLineAPI(tb testing.TB, token string) *LineAPI {
	f := &LineAPI{token: token, used: map[string]bool{}, keys: map[string]bool{}, counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

// URL is the fake's base URL, the adapter's APIURL.
func (f *LineAPI) URL() string { return f.srv.URL }

func (f *LineAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req LineBody
	json.Unmarshal(body, &req)
	rec := LineCall{Path: r.URL.Path, RetryKey: r.Header.Get("X-Line-Retry-Key"), Auth: r.Header.Get("Authorization"), At: time.Now(), Req: req}
	if f.Hold != nil {
		if ch := f.Hold(req); ch != nil {
			<-ch
		}
	}

	f.mu.Lock()
	f.counts[r.URL.Path]++
	n := f.counts[r.URL.Path]
	status, header, answer := f.carryOut(rec, n)
	rec.Status = status
	f.calls = append(f.calls, rec)
	f.mu.Unlock()

	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// carryOut decides the answer to the n-th request to its path; f.mu is held.
func (f *LineAPI) carryOut(rec LineCall, n int) (int, http.Header, string) {
	if rec.Auth != "Bearer "+f.token {
		return http.StatusUnauthorized, nil, `{"message":"Authentication failed"}`
	}
	if f.Fail != nil {
		if s, h := f.Fail(rec.Path, n); s != 0 {
			return s, h, `{"message":"fake failure"}`
		}
	}
	status, answer := http.StatusOK, `{"sentMessages":[{"id":"1"}]}`
	switch rec.Path {
	case LineReply:
		tok := rec.Req.ReplyToken
		if f.used[tok] || strings.HasPrefix(tok, "expired") {
			return http.StatusBadRequest, nil, `{"message":"Invalid reply token"}`
		}
		f.used[tok] = true
	case LinePush:
		if rec.RetryKey != "" {
			if f.keys[rec.RetryKey] {
				return http.StatusConflict, http.Header{"X-Line-Accepted-Request-Id": {"accepted-1"}}, `{"message":"The retry key is already accepted"}`
			}
			f.keys[rec.RetryKey] = true
		}
	case LineLoading:
		status, answer = http.StatusAccepted, `{}`
	default:
		return http.StatusNotFound, nil, `{"message":"Not found"}`
	}
	if f.Lose != nil && f.Lose(rec.Path, n) {
		return http.StatusInternalServerError, nil, `{"message":"lost"}`
	}
	return status, nil, answer
}

// All returns the requests to path ("" for every path) received so far.
func (f *LineAPI) All(path string) []LineCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []LineCall
	for _, r := range f.calls {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Accepted returns the requests to path that LINE would have carried out (2xx answers).
func (f *LineAPI) Accepted(path string) []LineCall {
	var out []LineCall
	for _, r := range f.All(path) {
		if r.Status/100 == 2 {
			out = append(out, r)
		}
	}
	return out
}

// RetryKeys is how many distinct retry keys of pushes the fake has carried out.
func (f *LineAPI) RetryKeys() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.keys)
}
