// Package platformtest is test support for the adapters and the command (it sits outside
// adapters/internal so that cmd/faqbot's tests can import it too): local stand-ins for
// LINE's Messaging API and Slack's Web API that record what they are sent and can be told to
// fail, and webhooks signed exactly as the platforms sign them. The real SDK clients are pointed
// at the fakes (the adapters' APIURL); nothing here is used outside tests.
//
// It imports no adapter, no chat SDK and nothing of bot, nlu or faq.
package platformtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SignLine signs a webhook body as LINE does: base64 of the HMAC-SHA256 of the raw body keyed
// with the channel secret.
func SignLine(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// LineWebhook is a webhook request to path carrying body, with sig as its X-Line-Signature
// (none when sig is empty).
func LineWebhook(path string, body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set("X-Line-Signature", sig)
	}
	return r
}

// SignSlack signs a request body as Slack does: "v0=" and the hex HMAC-SHA256 of
// "v0:<timestamp>:<body>" under the signing secret.
func SignSlack(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", ts)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// SlackRequest is a request to path carrying body, signed at ts with secret. A body that starts
// with "{" is sent as JSON, any other as a form.
func SlackRequest(path string, body []byte, secret string, ts int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if strings.HasPrefix(string(body), "{") {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", SignSlack(secret, ts, body))
	return r
}

// WaitFor polls cond until it holds, failing the test after 10 s.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes, for capturing logs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
