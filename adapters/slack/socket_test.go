package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/faqbot/faqbot/adapters/platformtest"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/bottest"
)

// socketServer plays Slack's side of Socket Mode on the fake API: apps.connections.open
// returns its ws:// URL; it greets each connection with hello, sends the envelopes the test
// gives it, pings, and collects the acknowledgements.
type socketServer struct {
	tb        testing.TB
	mu        sync.Mutex // serialises writes
	conn      *websocket.Conn
	connected chan struct{}
	acks      chan socketAck
}

// socketAck is an acknowledgement as the client sends it.
type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

func newSocketServer(tb testing.TB, f *platformtest.SlackAPI) *socketServer {
	s := &socketServer{tb: tb, connected: make(chan struct{}, 4), acks: make(chan socketAck, 64)}
	f.WS = s
	return s
}

func (s *socketServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The client presents itself as coming from Slack's site, as Slack's servers expect.
	up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.tb.Errorf("upgrade: %v", err)
		return
	}
	defer c.Close()
	s.mu.Lock()
	err = c.WriteJSON(map[string]any{
		"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "applink-fake", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": "A0FAQBOT01"},
	})
	s.conn = c
	s.mu.Unlock()
	if err != nil {
		return
	}
	s.connected <- struct{}{}
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
			}
		}
	}()
	for {
		var ack socketAck
		if err := c.ReadJSON(&ack); err != nil {
			return
		}
		s.acks <- ack
	}
}

// send sends one envelope of type typ carrying payload.
func (s *socketServer) send(id, typ string, payload any, retry int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := payload.(json.RawMessage)
	if !ok {
		raw, _ = json.Marshal(payload)
	}
	env := map[string]any{"envelope_id": id, "type": typ, "payload": raw,
		"accepts_response_payload": typ == "slash_commands", "retry_attempt": retry}
	if retry > 0 {
		env["retry_reason"] = "timeout"
	}
	if err := s.conn.WriteJSON(env); err != nil {
		s.tb.Errorf("send %s: %v", id, err)
	}
}

// ack waits for the acknowledgement of the next envelope, which must be id.
func (s *socketServer) ack(id string) socketAck {
	s.tb.Helper()
	select {
	case a := <-s.acks:
		if a.EnvelopeID != id {
			s.tb.Fatalf("acknowledged %q, want %q", a.EnvelopeID, id)
		}
		return a
	case <-time.After(10 * time.Second):
		s.tb.Fatalf("no acknowledgement of %s", id)
	}
	return socketAck{}
}

// socketHarness runs the adapter in Socket Mode against the fake; stop ends RunSocketMode and
// checks that it returned nil.
func socketHarness(t *testing.T, b *bot.Bot) (h *harness, s *socketServer, stop func()) {
	h = newHarnessOver(t, b, func(c *Config) { c.SigningSecret, c.AppToken = "", testAppToken })
	s = newSocketServer(t, h.api)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.a.RunSocketMode(ctx) }()
	select {
	case <-s.connected:
	case err := <-errc:
		t.Fatalf("RunSocketMode: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no Socket Mode connection")
	}
	return h, s, func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("RunSocketMode = %v, want nil once its context ends", err)
		}
	}
}

func TestSocketMode(t *testing.T) {
	h, s, stop := socketHarness(t, shippedBot(t))

	// An event: acknowledged, answered in the thread; its retry acknowledged, not answered again.
	ev := json.RawMessage(mention("Ev0SOCKET001", "U0ASKER001", "C0SUPPORT1", "1717462800.002000", "How many records were leaked?").body())
	s.send("env-1", "events_api", ev, 0)
	if a := s.ack("env-1"); len(a.Payload) != 0 {
		t.Errorf("event ack carries %s", a.Payload)
	}
	s.send("env-2", "events_api", ev, 1)
	s.ack("env-2")
	// A retry whose first delivery never arrived.
	s.send("env-3", "events_api", json.RawMessage(dm("Ev0SOCKET002", "U0ASKER002", "D0DIRECT02", "1717462800.002001", "What information was leaked?").body()), 2)
	s.ack("env-3")
	// An event type the SDK does not decode, and one the adapter ignores: acknowledged all the same.
	s.send("env-4", "events_api", json.RawMessage(callback("Ev0SOCKET003", map[string]any{"type": "no_such_event_type", "user": "U0ASKER001"}).body()), 0)
	s.ack("env-4")
	platformtest.WaitFor(t, "the answers", func() bool { return len(h.api.Accepted(pathPost)) == 2 })
	p := h.api.Accepted(pathPost)[0]
	if p.Channel == "D0DIRECT02" {
		p = h.api.Accepted(pathPost)[1]
	}
	if p.Channel != "C0SUPPORT1" || p.ThreadTS != "1717462800.002000" || !strings.Contains(p.All(), "`leak-count`") {
		t.Errorf("answer posted to %s thread %q:\n%s", p.Channel, p.ThreadTS, p.All())
	}

	// A slash command: the ack carries the immediate answer; the answer goes to the response URL.
	s.send("env-5", "slash_commands", map[string]any{"token": "legacy", "team_id": testTeam, "user_id": "U0ASKER001",
		"channel_id": "C0SUPPORT1", "command": "/faq", "text": "Has My Number been leaked?",
		"response_url": h.api.ResponseURL(101), "trigger_id": "1.2.3"}, 0)
	var ack ackMessage
	json.Unmarshal(s.ack("env-5").Payload, &ack)
	if ack.ResponseType != "ephemeral" || ack.Text != "Looking that up…" {
		t.Errorf("command ack %+v", ack)
	}
	platformtest.WaitFor(t, "the command's answer", func() bool { return len(h.api.Accepted(pathRespond)) == 1 })
	if r := h.api.Accepted(pathRespond)[0]; !strings.Contains(r.All(), "`my-number`") {
		t.Errorf("command answer:\n%s", r.All())
	}
	s.send("env-6", "slash_commands", map[string]any{"team_id": testTeam, "user_id": "U0ASKER001", "command": "/faq", "text": "",
		"response_url": h.api.ResponseURL(102)}, 0)
	json.Unmarshal(s.ack("env-6").Payload, &ack)
	usage := post{}
	json.Unmarshal(ack.Blocks, &usage.Blocks)
	if !strings.Contains(usage.All(), "Usage: /faq") || len(usage.Buttons()) < 5 { // the ack reads no state: the usage line in both languages
		t.Errorf("usage ack:\n%s", usage.All())
	}

	// A click: acknowledged, recorded.
	s.send("env-7", "interactive", json.RawMessage(interaction("U0ASKER001", p, p.Button(t, "yes|leak-count|en"), h.api.ResponseURL(103))), 0)
	s.ack("env-7")
	platformtest.WaitFor(t, "the thanks", func() bool { return len(h.api.Accepted(pathRespond)) == 2 })
	if y, _ := h.feedback.Counts("leak-count"); y != 1 {
		t.Errorf("%d helpful, want 1", y)
	}

	stop()
	h.drain(t)
	if n := len(h.api.Accepted(pathPost)); n != 2 {
		t.Errorf("%d channel posts, want 2", n)
	}
	if st := h.a.Stats(); st.Duplicates != 1 {
		t.Errorf("stats %+v, want 1 duplicate", st)
	}
}

// TestSocketModeLeavesEnvelopesAfterShutdown: once shut down, envelopes are not acknowledged,
// so that Slack delivers them again to another connection.
func TestSocketModeLeavesEnvelopesAfterShutdown(t *testing.T) {
	h, s, stop := socketHarness(t, bottest.New(t))
	defer stop()
	h.drain(t)
	s.send("env-late", "events_api", json.RawMessage(dm("Ev0SOCKET009", "U0ASKER001", "D0DIRECT01", "1717462800.002009", "hello").body()), 0)
	s.send("env-cmd", "slash_commands", map[string]any{"team_id": testTeam, "user_id": "U0ASKER001", "text": "hello", "response_url": h.api.ResponseURL(1)}, 0)
	select {
	case a := <-s.acks:
		t.Errorf("acknowledged %s after Shutdown", a.EnvelopeID)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestSocketModeRefusedToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "xapp-1-revoked" })
	newSocketServer(t, h.api)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := h.a.RunSocketMode(ctx)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("RunSocketMode = %v, want invalid_auth at once", err)
	}
	if strings.Contains(err.Error(), "xapp") || strings.Contains(h.logs.String(), "xapp") {
		t.Errorf("the app token leaks: %v\n%s", err, h.logs)
	}
	h2 := newHarness(t)
	if err := h2.a.RunSocketMode(ctx); err == nil {
		t.Error("RunSocketMode without an app token succeeded")
	}
}
