package slack

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowPostAnsweredOnce: when chat.postMessage carries out a post but its answer comes after
// the client's timeout, the adapter looks for the post (conversations.history, or
// conversations.replies in a thread, by the metadata it posted with) before posting again:
// every user gets the answer once.
func TestSlowPostAnsweredOnce(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 150 * time.Millisecond}
		c.Workers = 8
	})
	h.api.Slow = func(path string, n int) time.Duration {
		if path == pathPost && n%2 == 1 { // every other post: carried out, answered too late
			return 400 * time.Millisecond
		}
		return 0
	}
	const users = 20
	for i := range users {
		if i%2 == 0 {
			h.event(t, dm(fmt.Sprintf("Ev0SLOW%05d", i), fmt.Sprintf("U0SLOW%04d", i), fmt.Sprintf("D0SLOW%04d", i),
				fmt.Sprintf("1717462800.002%03d", i), "How many records were leaked?"))
		} else {
			h.event(t, mention(fmt.Sprintf("Ev0SLOW%05d", i), fmt.Sprintf("U0SLOW%04d", i), fmt.Sprintf("C0SLOW%04d", i),
				fmt.Sprintf("1717462800.002%03d", i), "How many records were leaked?"))
		}
	}
	h.drain(t)
	per := map[string]int{}
	for _, p := range h.api.Accepted(pathPost) {
		per[p.Channel]++
		if !strings.Contains(p.Metadata, `"faqbot_reply"`) {
			t.Errorf("post without the adapter's metadata: %q", p.Metadata)
		}
	}
	for i := range users {
		ch := fmt.Sprintf("D0SLOW%04d", i)
		if i%2 == 1 {
			ch = fmt.Sprintf("C0SLOW%04d", i)
		}
		if per[ch] != 1 {
			t.Errorf("%s: %d answers, want 1", ch, per[ch])
		}
	}
	s := h.a.Stats()
	if s.Replied != users || s.Failed != 0 || s.Found == 0 {
		t.Errorf("stats %+v, want %d replied, some found after a timeout, none failed", s, users)
	}
	if len(h.api.Attempts(pathHistory)) == 0 || len(h.api.Attempts(pathReplies)) == 0 {
		t.Error("no lookup in a channel's history or a thread's replies")
	}
}

// TestSlowResponseURLAtMostOnce: a post to a response URL whose answer is lost is not made
// again (it cannot be looked up): at most once, and counted as unknown.
func TestSlowResponseURLAtMostOnce(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 150 * time.Millisecond} })
	h.api.Slow = func(path string, n int) time.Duration {
		if path == pathRespond {
			return 400 * time.Millisecond
		}
		return 0
	}
	h.command(t, "U0ASKER001", "How many records were leaked?")
	h.drain(t)
	if n := len(h.api.Attempts(pathRespond)); n != 1 {
		t.Errorf("%d posts to the response URL, want 1", n)
	}
	if s := h.a.Stats(); s.Unknown != 1 || s.Replied != 0 {
		t.Errorf("stats %+v, want 1 unknown", s)
	}
}

// TestNoBlindRepost: when the post's outcome is unknown and the lookup fails too, the post is
// not made again blindly: the lookup is retried, and the reply given up on.
func TestNoBlindRepost(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxAttempts = 3 })
	h.api.Fail = func(string, int) (int, http.Header) { return http.StatusBadGateway, nil }
	h.event(t, mention("Ev0BLIND0001", "U0ASKER001", "C0SUPPORT1", "1717462800.003100", "How many records were leaked?"))
	h.drain(t)
	if n := len(h.api.Attempts(pathPost)); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
	if n := len(h.api.Attempts(pathReplies)); n != 2 {
		t.Errorf("%d lookups, want 2", n)
	}
	if s := h.a.Stats(); s.Failed != 1 {
		t.Errorf("stats %+v, want 1 failed", s)
	}
}
