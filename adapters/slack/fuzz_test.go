package slack

import (
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/faqbot/faqbot/adapters/platformtest"
)

// FuzzEvents feeds arbitrary bodies, signed with the signing secret, to the three endpoints
// (events, commands, interactions: endpoint modulo 3): no request may panic (in the handler or
// in the workers that answer it) or get a 5xx, but the 503 of a request refused because the
// workers have no room for it.
func FuzzEvents(f *testing.F) {
	h := newHarness(f, func(c *Config) {
		c.Logger = slog.New(slog.DiscardHandler)
		c.MaxAttempts = 1
		c.Editors = []string{"U0EDITOR01"}
	})
	resp := h.api.ResponseURL(1)
	answer := post{Channel: "C0SUPPORT1", ThreadTS: "1717462800.000100"}
	for _, b := range [][]byte{
		mention("Ev0FUZZ00001", "U0ASKER001", "C0SUPPORT1", "1717462800.000100", "How many records were leaked?").body(),
		dm("Ev0FUZZ00002", "U0ASKER001", "D0DIRECT01", "1717462800.000101", "パスワードを変更したい <mailto:a@b.jp|a@b.jp>").body(),
		mention("Ev0FUZZ00003", "U0ASKER001", "D0DIRECT01", "1717462800.000102", "").body(),
		[]byte(`{"type":"url_verification","challenge":"abc"}`),
		[]byte(`{"type":"event_callback","event":null}`),
		[]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im","subtype":"message_changed"}}`),
		[]byte(`{"type":"event_callback","event_id":"Ev2","event":{"type":"app_mention","user":"U1","channel":"C1","text":"<@U0|<<>>&amp;","edited":{}}}`),
		[]byte(`{"type":"event_callback","event_id":"Ev3","authorizations":null,"event":{"type":"app_mention","user":"U1","channel":"C1","ts":"1","text":"<"}}`),
		[]byte(`{"type":"app_rate_limited"}`), []byte(`{}`), []byte(`null`), []byte(`[]`), []byte(``),
	} {
		f.Add(uint8(0), b)
	}
	for _, text := range []string{"", "help", "reindex", "How many records were leaked?", "マイナンバー 123456789018"} {
		f.Add(uint8(1), commandForm("U0ASKER001", text, resp))
	}
	f.Add(uint8(1), commandForm("U0EDITOR01", "reindex", resp))
	f.Add(uint8(1), commandForm("U0ASKER001", "How many records?", "https://hooks.slack.com.evil.example/x"))
	f.Add(uint8(1), []byte("text=%zz"))
	f.Add(uint8(1), []byte(""))
	for _, v := range []string{"entry|leak-count|ja", "entry|no-such-entry|en", "yes|leak-count|en", "no|contact|ja",
		"lang|entry:leak-count|en", "lang|usage|ja", "lang|welcome|en", "lang|entry:|en", "lang|nothing|ja", "entry||ja", "x|y|z", "|||"} {
		f.Add(uint8(2), interactionForm("U0ASKER001", answer, platformtest.SlackElement{ActionID: "faq.x", Value: v}, resp))
	}
	f.Add(uint8(2), []byte(url.Values{"payload": {`{"type":"block_actions","user":null,"actions":[{}]}`}}.Encode()))
	f.Add(uint8(2), []byte(url.Values{"payload": {`{"type":"view_submission"}`}}.Encode()))
	f.Add(uint8(2), []byte("payload=%7B"))
	paths := [...]string{EventsPath, CommandsPath, InteractionsPath}
	f.Fuzz(func(t *testing.T, endpoint uint8, body []byte) {
		path := paths[int(endpoint)%len(paths)]
		refused := h.a.Stats().Refused
		w := h.do(path, body)
		if w.Code == http.StatusServiceUnavailable && h.a.Stats().Refused > refused {
			return // the workers are full (the fuzzer sends faster than they answer): Slack retries
		}
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s: status %d for %q, want 200, 400 or 413", path, w.Code, body)
		}
	})
}
