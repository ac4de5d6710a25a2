package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives events, commands and clicks over Socket Mode — a WebSocket the
// adapter opens to Slack with the app token, so that no public URL is needed — and treats them
// as the HTTP handlers do. It acknowledges each envelope once its content is queued (a slash
// command's envelope with the same immediate answer), and reconnects when Slack asks or the
// connection drops. It blocks until ctx ends (then returns nil) or the connection fails for
// good (invalid token: the error).
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: socket mode: no app token")
	}
	cl := slack.New(a.cfg.BotToken,
		slack.OptionAppLevelToken(a.cfg.AppToken),
		slack.OptionHTTPClient(a.cfg.HTTPClient),
		slack.OptionAPIURL(a.cfg.APIURL),
		slack.OptionLog(log.New(io.Discard, "", 0)))
	sm := socketmode.New(cl,
		socketmode.OptionReadLimit(a.cfg.MaxBody),
		socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			a.log.ErrorContext(ctx, "socket mode stopped", "error", describe(err))
			return fmt.Errorf("slack: socket mode: %s", describe(err))
		case evt := <-sm.Events:
			a.socketEvent(ctx, sm, evt)
		}
	}
}

// socketEvent handles one event of the Socket Mode client.
func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request != nil {
			a.envelope(ctx, sm, evt.Request)
		}
	case socketmode.EventTypeErrorBadMessage:
		// The SDK could not decode the payload into its types (an event type it does not know,
		// say): decode the envelope here, so that it is still treated and acknowledged.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var req socketmode.Request
			if json.Unmarshal(bad.Message, &req) == nil && req.EnvelopeID != "" {
				a.envelope(ctx, sm, &req)
				return
			}
		}
		a.counters.rejected.Add(1)
		a.log.WarnContext(ctx, "socket mode: unreadable envelope")
	case socketmode.EventTypeConnected:
		a.log.InfoContext(ctx, "socket mode connected")
	case socketmode.EventTypeConnectionError:
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.WarnContext(ctx, "socket mode connection failed", "attempt", ce.Attempt, "backoff", ce.Backoff, "error", describe(ce.ErrorObj))
		}
	case socketmode.EventTypeInvalidAuth:
		a.log.ErrorContext(ctx, "socket mode: app token refused")
	case socketmode.EventTypeIncomingError:
		a.log.WarnContext(ctx, "socket mode: read failed")
	}
}

// envelope treats one Socket Mode envelope and acknowledges it. After Shutdown it is left
// unacknowledged, for Slack to deliver again (to another connection).
func (a *Adapter) envelope(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) {
	received := time.Now()
	var ack any
	taken := true
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		var env wireEnvelope
		if err := json.Unmarshal(req.Payload, &env); err != nil {
			a.counters.rejected.Add(1)
			a.log.WarnContext(ctx, "rejected envelope", "envelope", req.EnvelopeID, "reason", errMalformed.reason)
			break
		}
		if env.Type == "event_callback" {
			taken = a.takeEvent(ctx, &env, received, req.RetryAttempt) == nil
		}
	case socketmode.RequestTypeSlashCommands:
		var c command
		if err := json.Unmarshal(req.Payload, &c); err != nil {
			// Some deliveries carry the command form-encoded in a JSON string.
			var s string
			if json.Unmarshal(req.Payload, &s) != nil {
				a.counters.rejected.Add(1)
				a.log.WarnContext(ctx, "rejected envelope", "envelope", req.EnvelopeID, "reason", errMalformed.reason)
				break
			}
			form, _ := url.ParseQuery(s)
			c = commandFromForm(form)
		}
		msg, err := a.takeCommand(ctx, c, received)
		taken, ack = err == nil, msg
	case socketmode.RequestTypeInteractive:
		var in wireInteraction
		if err := json.Unmarshal(req.Payload, &in); err != nil {
			a.counters.rejected.Add(1)
			a.log.WarnContext(ctx, "rejected envelope", "envelope", req.EnvelopeID, "reason", errMalformed.reason)
			break
		}
		taken = a.takeInteraction(ctx, &in, received) == nil
	default:
		a.log.DebugContext(ctx, "envelope ignored", "type", req.Type)
	}
	if !taken {
		a.log.WarnContext(ctx, "envelope left unacknowledged: shutting down or overloaded", "envelope", req.EnvelopeID)
		return
	}
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := sm.AckCtx(actx, req.EnvelopeID, ack); err != nil {
		// Too large for Socket Mode, say: acknowledge without the answer.
		if err := sm.AckCtx(actx, req.EnvelopeID, nil); err != nil {
			a.log.WarnContext(ctx, "envelope not acknowledged", "envelope", req.EnvelopeID, "error", describe(err))
		}
	}
}
