package platformtest

import "testing"

// TestHolds: a short secret is found standing on its own, not inside a random id, hash or
// timestamp; a long one anywhere.
func TestHolds(t *testing.T) {
	for _, c := range []struct {
		text, secret string
		want         bool
	}{
		{"mail taro@example.com here", "taro", true},
		{"taro", "taro", true},
		{"key:xk3tarob9_q", "taro", false},
		{"q=taro_yamada", "taro", false},
		{"q=taro_yamada", "taro_yamada", true},
		{"xtaro.yamaday", "taro.yamada", true},
		{"call 090-3141-5926", "3141", true},
		{"***-****-5926", "5926", true},
		{`"time":"2026-12-03T17:50:02.314146295Z"`, "3141", false},
		{`"confidence":0.4359263`, "5926", false},
		{"id a3141b", "3141", true}, // digits between letters stand on their own
		{"090-3141-5926", "090-3141-5926", true},
		{"口座番号", "口座", true},
	} {
		if got := Holds(c.text, c.secret); got != c.want {
			t.Errorf("Holds(%q, %q) = %v, want %v", c.text, c.secret, got, c.want)
		}
	}
}
