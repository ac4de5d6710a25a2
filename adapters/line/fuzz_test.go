package line

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// TestRecordedWebhooks replays webhook payloads shaped as LINE sends them.
func TestRecordedWebhooks(t *testing.T) {
	for file, replies := range map[string]int{
		"text.json":                     1,
		"verify.json":                   0,
		"sticker.json":                  1,
		"postback.json":                 1,
		"follow_and_others.json":        1, // the follow; unfollow and unsend get no answer
		"group_redelivery_standby.json": 1, // the group message that mentions the bot; the standby one and the chat among members get none
	} {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "webhooks", file))
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			if w := h.post(body, platformtest.SignLine(testSecret, body)); w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			h.drain(t)
			if n := len(h.api.Accepted(pathReply)); n != replies {
				t.Errorf("%d replies, want %d", n, replies)
			}
			for _, r := range h.api.Accepted(pathReply) {
				checkLimits(t, r.Req.Messages)
			}
		})
	}
}

// FuzzWebhook feeds arbitrary bodies, signed with the channel secret, to the handler: it must
// never panic (in the handler or in the workers that answer) and never answer 5xx, but the
// 503 of a webhook refused because the workers have no room for its events.
func FuzzWebhook(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"events":null}`, `{"events":[null]}`, `{"events":[{}]}`,
		`{"events":[{"type":"message"}]}`, `{"events":[{"type":"message","message":null,"source":null}]}`,
		`{"events":[{"type":"message","replyToken":"t","message":{"type":"text","text":""},"source":{"type":"user"}}]}`,
		`{"events":[{"type":"postback","replyToken":"t","postback":null,"source":{"type":"room","roomId":"R1"}}]}`,
		`{"events":[{"type":"postback","replyToken":"t","postback":{"data":"entry=%zz&lang=xx"}}]}`,
		`{"events":[{"type":"postback","replyToken":"t","postback":{"data":"helpful=:maybe"}}]}`,
		`{"events":[{"type":"follow","replyToken":"t","source":{"type":"user","userId":"U1"},"deliveryContext":null}]}`,
		`{"events":[{"type":"message","mode":"standby","message":{"type":"image"}}]}`,
		`{"events":[{"type":"things","things":{"type":"link"}}]}`,
		`{"destination":1,"events":{}}`,
	} {
		f.Add([]byte(s))
	}
	h := newHarness(f, func(c *Config) {
		c.Logger = slog.New(slog.DiscardHandler)
		c.MaxAttempts = 1
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		refused := h.a.Stats().Refused
		w := h.post(body, platformtest.SignLine(testSecret, body))
		if w.Code == http.StatusServiceUnavailable && h.a.Stats().Refused > refused {
			return // the workers are full (the fuzzer sends faster than they answer): LINE redelivers
		}
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d for %q, want 200, 400 or 413", w.Code, body)
		}
	})
}
