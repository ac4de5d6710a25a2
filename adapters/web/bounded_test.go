package web

import (
	"testing"
)

// TestConversationsBoundedInCount: conversations that clients start are held up to
// MaxConversations, not only until they expire; the least recently used are forgotten first.
func TestConversationsBoundedInCount(t *testing.T) {
	h := newHandler(t, Config{MaxConversations: 5, Limiter: open{}, AddrLimiter: open{}})
	var first string
	for i := range 50 {
		res := ask(t, h, map[string]string{"query": "パスワードを変更したい"}) // an ask-back: state kept
		if i == 0 {
			first = res.Conversation
		}
	}
	last := ask(t, h, map[string]string{"query": "パスワードを変更したい"})
	n := h.cfg.Store.(interface{ Len() int }).Len()
	if n > 5 {
		t.Errorf("%d conversations held, want at most 5", n)
	}
	if res := ask(t, h, map[string]string{"query": "PC", "conversation": last.Conversation}); res.Entry != "change-password-pc" {
		t.Errorf("the latest conversation lost its state: %s", res.Entry)
	}
	if res := ask(t, h, map[string]string{"query": "PC", "conversation": first}); res.Reason == "chosen" {
		t.Error("the oldest of 51 conversations is still remembered with a cap of 5")
	}
}
