package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/faqbot/faqbot/adapters/internal/workpool"
)

// requestError is why a request is refused.
type requestError struct {
	status int
	reason string
}

var (
	errNoSignature  = requestError{http.StatusUnauthorized, "missing signature"}
	errBadSignature = requestError{http.StatusUnauthorized, "invalid signature"}
	errStale        = requestError{http.StatusUnauthorized, "stale timestamp"}
	errTooLarge     = requestError{http.StatusRequestEntityTooLarge, "body too large"}
	errUnreadable   = requestError{http.StatusBadRequest, "unreadable body"}
	errMalformed    = requestError{http.StatusBadRequest, "malformed body"}
	errClosed       = requestError{http.StatusServiceUnavailable, "shutting down"}
	errOverloaded   = requestError{http.StatusServiceUnavailable, "overloaded"}
)

// notTaken is why a request whose job the workers did not take is refused: Slack then
// delivers it again.
func notTaken(err error) requestError {
	if errors.Is(err, workpool.ErrFull) {
		return errOverloaded
	}
	return errClosed
}

// refuse answers a refused request and logs why (never the body).
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, e requestError) {
	switch e {
	case errClosed:
		a.cfg.Observer.Refused("slack", "shutting_down")
	case errOverloaded:
		a.counters.refused.Add(1)
		a.cfg.Observer.Refused("slack", "busy")
	default:
		a.counters.rejected.Add(1)
	}
	a.log.WarnContext(r.Context(), "rejected request", "path", r.URL.Path, "reason", e.reason, "status", e.status)
	http.Error(w, http.StatusText(e.status), e.status)
}

// read reads the body, at most MaxBody bytes, and verifies its signature: Slack's v0 scheme,
// an HMAC-SHA256 of "v0:timestamp:body" under the signing secret, with a timestamp within five
// minutes of now.
func (a *Adapter) read(w http.ResponseWriter, r *http.Request) ([]byte, *requestError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &errTooLarge
		}
		return nil, &errUnreadable
	}
	sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return nil, &errStale
	case errors.Is(err, slack.ErrMissingHeaders):
		return nil, &errNoSignature
	case err != nil:
		// A malformed signature or timestamp, or no signing secret configured.
		return nil, &errBadSignature
	}
	sv.Write(body)
	if sv.Ensure() != nil {
		return nil, &errBadSignature
	}
	return body, nil
}

// serveEvents takes an Events API request: it answers url_verification with the challenge,
// queues the event of an event_callback (or finds it a repeat) and answers 200, 401 for a
// missing, wrong or stale signature, 400 for a body that is not an Events API request, 413 for
// a body too large, and 503 after Shutdown. The event is answered in the background.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	body, rerr := a.read(w, r)
	if rerr != nil {
		a.refuse(w, r, *rerr)
		return
	}
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		a.refuse(w, r, errMalformed)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, env.Challenge)
		return
	case "event_callback":
		retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		if err := a.takeEvent(r.Context(), &env, received, retry); err != nil {
			a.refuse(w, r, notTaken(err))
			return
		}
	default:
		// app_rate_limited and whatever Slack adds: nothing to answer.
		a.counters.ignored.Add(1)
		a.log.DebugContext(r.Context(), "request ignored", "type", env.Type)
	}
	w.WriteHeader(http.StatusOK)
}

// serveCommands takes a slash command: it answers at once with a message only the user sees
// (the usage, "looking that up…", or the fate of a reindex), and posts the answer to the
// command's response URL in the background. Refusals are as for serveEvents.
func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	body, rerr := a.read(w, r)
	if rerr != nil {
		a.refuse(w, r, *rerr)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		a.refuse(w, r, errMalformed)
		return
	}
	ack, err := a.takeCommand(r.Context(), commandFromForm(form), received)
	if err != nil {
		a.refuse(w, r, notTaken(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ack)
}

// serveInteractions takes a button click (the payload form field) and answers 200 at once;
// the click is answered in the background. Refusals are as for serveEvents.
func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	body, rerr := a.read(w, r)
	if rerr != nil {
		a.refuse(w, r, *rerr)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		a.refuse(w, r, errMalformed)
		return
	}
	var in wireInteraction
	if err := json.Unmarshal([]byte(form.Get("payload")), &in); err != nil {
		a.refuse(w, r, errMalformed)
		return
	}
	if err := a.takeInteraction(r.Context(), &in, received); err != nil {
		a.refuse(w, r, notTaken(err))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// marshalBlocks is the JSON of blocks, for answers Slack takes as JSON (command acks).
func marshalBlocks(blocks []slack.Block) (json.RawMessage, error) {
	return json.Marshal(blocks)
}
