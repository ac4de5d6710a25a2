package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/faqbot/faqbot/bot"
)

// askRequest is the body of POST /api/ask.
type askRequest struct {
	// Query is the question typed. It may be empty when Choice is set (it is then ignored).
	Query string `json:"query"`
	// Conversation is the id the server returned with an earlier reply ("" starts a new one).
	Conversation string `json:"conversation"`
	// Choice is the entry id of a tapped button.
	Choice string `json:"choice"`
	// Lang ("ja", "en" or "") is the language of a chosen entry and of the messages about
	// errors; a typed question is answered in the language it is written in.
	Lang string `json:"lang"`
}

// feedbackRequest is the body of POST /api/feedback.
type feedbackRequest struct {
	Conversation string `json:"conversation"`
	Entry        string `json:"entry"`
	Helpful      *bool  `json:"helpful"`
	Lang         string `json:"lang"`
}

// answer is the body of a reply: what a page needs to show it as a customer sees it and, for
// editors only, the decision behind it as `faqbot ask --json` prints it (its fields
// alongside these; those of the same name hold the same values).
type answer struct {
	// Explanation is the decision: only for editors (Config.Editor), nil for everyone else.
	*bot.Explanation
	// Conversation is the id to send with the next message of the conversation.
	Conversation string `json:"conversation,omitempty"`
	// Lang is the language of the reply.
	Lang string `json:"lang"`
	// Entry is the entry answered (or asked back about), "" when none: the entry whose
	// "was this helpful?" is asked.
	Entry string `json:"entry"`
	// Handoff is true when the reply sends the user to the desk.
	Handoff bool `json:"handoff"`
	// Body is the reply without the lines that list Choices, which a page shows as buttons.
	Body string `json:"body"`
	// Parts are Body cut into text and the phone numbers of the official content in it,
	// which a page keeps on one line and makes links to call.
	Parts []part `json:"parts"`
	// Choices are the buttons under the reply; ChoiceKind says what they are: "followups"
	// (which of an entry's follow-ups is meant), "welcome" (the greeting's popular entries)
	// or "suggestions" (entries the question may have meant).
	Choices    []bot.Choice `json:"choices,omitempty"`
	ChoiceKind string       `json:"choice_kind,omitempty"`
	// Helpful, after an answer, asks whether it helped.
	Helpful *helpfulAsk `json:"helpful,omitempty"`
	// Desk, after a hand-off or when no answer was found, is the button that calls the desk.
	Desk *deskButton `json:"desk,omitempty"`

	ex bot.Explanation // the decision, for the logs, whoever asks
}

type helpfulAsk struct {
	Ask string `json:"ask"`
	Yes string `json:"yes"`
	No  string `json:"no"`
}

type deskButton struct {
	Label string `json:"label"`
	Tel   string `json:"tel"` // digits only, for a tel: link
}

// apiError is a refused request: its status and the reason, which is both the "error" of the
// JSON answer and what the log says. It never holds what the client sent.
type apiError struct {
	status int
	reason string
}

var (
	errMethod       = apiError{http.StatusMethodNotAllowed, "method not allowed"}
	errType         = apiError{http.StatusUnsupportedMediaType, "content type must be application/json"}
	errTooLarge     = apiError{http.StatusRequestEntityTooLarge, "request body too large"}
	errUnreadable   = apiError{http.StatusBadRequest, "unreadable body"}
	errMalformed    = apiError{http.StatusBadRequest, "malformed JSON"}
	errEmpty        = apiError{http.StatusBadRequest, "empty query"}
	errLang         = apiError{http.StatusBadRequest, "lang must be ja or en"}
	errConversation = apiError{http.StatusBadRequest, "invalid conversation id"}
	errHelpful      = apiError{http.StatusBadRequest, "helpful must be true or false"}
	errChoice       = apiError{http.StatusNotFound, "unknown choice"}
	errEntry        = apiError{http.StatusNotFound, "unknown entry"}
	errCancelled    = apiError{http.StatusServiceUnavailable, "request cancelled"}
	errInternal     = apiError{http.StatusInternalServerError, "internal error"}
)

// serveAsk answers POST /api/ask: a typed question, or the tap on a button (choice), within a
// conversation. It answers 200 with the reply (and the decision, to an editor); 400 for malformed JSON, an empty query, an
// invalid lang or conversation id; 404 for a choice that names no entry (any more: content
// changes), which the page answers by asking to ask again; 405 for a method other than POST;
// 413 for a body too large (a question longer than bot.MaxText characters gets the TooLong
// reply); 415 for a body that is not JSON; 429 with Retry-After and
// the content's SlowDown message when the conversation or the client address sends too fast.
func (h *Handler) serveAsk(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	if e := h.read(w, r, &req); e != nil {
		h.refuse(w, r, "ask", *e)
		return
	}
	lang, ok := parseLang(req.Lang)
	if !ok {
		h.refuse(w, r, "ask", errLang)
		return
	}
	conv, ok := conversation(req.Conversation)
	if !ok {
		h.refuse(w, r, "ask", errConversation)
		return
	}
	query := strings.TrimSpace(req.Query)
	if req.Choice == "" && query == "" {
		h.refuse(w, r, "ask", errEmpty)
		return
	}
	ctx := r.Context()
	m := bot.Message{Kind: bot.MsgText, User: "web:" + conv, Limit: "web:c:" + conv, Text: query, Lang: lang}
	kind := "query"
	if req.Choice != "" {
		kind, m.Kind, m.Entry = "choice", bot.MsgChoice, req.Choice
	}
	out, ok := h.take(w, r, "ask", conv, m)
	if !ok {
		return
	}
	rep := out.Reply
	if out.Missing {
		h.refuse(w, r, "ask", errChoice)
		return
	}
	if fb := rep.Feedback; fb != nil {
		// はい / いいえ typed after "was this helpful?": recorded as a tap on the buttons is.
		h.counters.feedback.Add(1)
		h.log.InfoContext(ctx, "feedback", "entry", fb.EntryID, "helpful", fb.Helpful, "typed", true)
		res := h.answer(rep, h.editor(r))
		res.Conversation = conv
		writeJSON(w, http.StatusOK, res)
		return
	}
	h.counters.answered.Add(1)
	res := h.answer(rep, h.editor(r))
	res.Conversation = conv
	ex := res.ex
	attrs := []any{"kind", kind, "action", string(ex.Action), "lang", ex.Lang, "score", ex.Score,
		"took_ms", float64(out.Took.Microseconds()) / 1000}
	if ex.Entry != "" {
		attrs = append(attrs, "entry", ex.Entry)
	}
	if len(ex.PII) > 0 {
		attrs = append(attrs, "pii", ex.PII)
	}
	h.log.InfoContext(ctx, "answered", attrs...)
	writeJSON(w, http.StatusOK, res)
}

// take has the bot take m, limited by conversation and by r's client address. ok is false when
// the request has been answered already: 429 when a limit is reached, 503 when it was
// cancelled, 500 when deciding failed.
func (h *Handler) take(w http.ResponseWriter, r *http.Request, op, conv string, m bot.Message) (out bot.Outcome, ok bool) {
	ctx := r.Context()
	m.Address = "web:ip:" + h.cfg.ClientAddr(r)
	out, err := h.chat.Take(ctx, m)
	switch {
	case ctx.Err() != nil:
		h.refuse(w, r, op, errCancelled)
		return out, false
	case err != nil && !errors.Is(err, bot.ErrStore):
		h.counters.failed.Add(1)
		bot.LogFailure(ctx, h.log, err, "kind", op)
		h.writeError(w, errInternal)
		return out, false
	}
	bot.LogFailure(ctx, h.log, err)
	if out.Limited {
		h.limited(w, r, op, conv, out.Reply.Text)
		return out, false
	}
	return out, true
}

// serveFeedback records POST /api/feedback: whether the answer of an entry helped. It answers
// 200 with the content's thanks, 404 for an unknown entry, and otherwise as serveAsk.
func (h *Handler) serveFeedback(w http.ResponseWriter, r *http.Request) {
	var req feedbackRequest
	if e := h.read(w, r, &req); e != nil {
		h.refuse(w, r, "feedback", *e)
		return
	}
	lang, ok := parseLang(req.Lang)
	if !ok {
		h.refuse(w, r, "feedback", errLang)
		return
	}
	conv, ok := conversation(req.Conversation)
	if !ok {
		h.refuse(w, r, "feedback", errConversation)
		return
	}
	if req.Helpful == nil {
		h.refuse(w, r, "feedback", errHelpful)
		return
	}
	// The conversation is read: the answer rated is the one shown last, whose masked question
	// the rating carries to the editors.
	out, ok := h.take(w, r, "feedback", conv, bot.Message{Kind: bot.MsgRating, User: "web:" + conv, Limit: "web:c:" + conv,
		Entry: req.Entry, Helpful: *req.Helpful, Lang: langOr(lang)})
	if !ok {
		return
	}
	if out.Missing {
		h.refuse(w, r, "feedback", errEntry)
		return
	}
	h.counters.feedback.Add(1)
	h.log.InfoContext(r.Context(), "feedback", "entry", req.Entry, "helpful", *req.Helpful)
	writeJSON(w, http.StatusOK, struct {
		Message      string `json:"message"`
		Conversation string `json:"conversation"`
	}{out.Reply.Text, conv})
}

// serveWelcome answers GET /api/welcome?lang=ja|en with the greeting a new user sees and the
// most asked entries to tap, in the shape of serveAsk's answers (without a conversation).
func (h *Handler) serveWelcome(w http.ResponseWriter, r *http.Request) {
	secure(w)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.refuse(w, r, "welcome", errMethod)
		return
	}
	lang, ok := parseLang(r.URL.Query().Get("lang"))
	if !ok {
		h.refuse(w, r, "welcome", errLang)
		return
	}
	out, _ := h.chat.Take(r.Context(), bot.Message{Kind: bot.MsgHello, Lang: langOr(lang)}) // reads nothing shared
	writeJSON(w, http.StatusOK, h.answer(out.Reply, h.editor(r)))
}

// read checks the method and type of an API request and decodes its size-capped JSON body.
func (h *Handler) read(w http.ResponseWriter, r *http.Request, v any) *apiError {
	secure(w)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return &errMethod
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		// Besides: a page elsewhere cannot post JSON here without a CORS preflight, which is
		// never granted.
		return &errType
	}
	if r.ContentLength > h.cfg.MaxBody {
		return &errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &errTooLarge
		}
		return &errUnreadable
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &errMalformed
	}
	return nil
}

// limited answers 429 with the content's SlowDown message.
func (h *Handler) limited(w http.ResponseWriter, r *http.Request, op, conv, slowDown string) {
	h.counters.limited.Add(1)
	h.log.WarnContext(r.Context(), "rate limited", "op", op, "status", http.StatusTooManyRequests)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(h.cfg.RetryAfter.Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, errorBody{
		Error:        "rate limited",
		Message:      slowDown,
		Conversation: conv,
	})
}

// refuse answers e and logs why, never what the client sent.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, op string, e apiError) {
	if e.status < 500 {
		h.counters.rejected.Add(1)
	}
	h.log.WarnContext(r.Context(), "rejected request", "op", op, "reason", e.reason, "status", e.status)
	h.writeError(w, e)
}

type errorBody struct {
	Error        string `json:"error"`
	Message      string `json:"message,omitempty"`
	Conversation string `json:"conversation,omitempty"`
}

func (h *Handler) writeError(w http.ResponseWriter, e apiError) {
	writeJSON(w, e.status, errorBody{Error: e.reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only ever our own types: not reached.
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// answer renders a reply of the bot for the page; with the decision when editor is true.
func (h *Handler) answer(rep bot.Reply, editor bool) answer {
	ex := bot.Explain(rep)
	res := answer{ex: ex, Lang: ex.Lang, Entry: ex.Entry, Handoff: ex.Handoff, Body: rep.Body,
		Parts: parts(rep.Body, rep.Phones), Choices: ex.Choices, ChoiceKind: rep.ChoiceKind}
	if editor {
		res.Explanation = &ex
	}
	if o := rep.Offers.Helpful; o != nil {
		res.Helpful = &helpfulAsk{Ask: o.Ask, Yes: o.Yes, No: o.No}
	}
	if o := rep.Offers.Desk; o != nil {
		res.Desk = &deskButton{Label: o.Label, Tel: o.Tel}
	}
	return res
}

// parseLang accepts "ja", "en" and "" (not said).
func parseLang(s string) (bot.Lang, bool) {
	switch l := bot.Lang(s); l {
	case "", bot.Japanese, bot.English:
		return l, true
	}
	return "", false
}

func langOr(l bot.Lang) bot.Lang {
	if l == "" {
		return bot.Japanese
	}
	return l
}

// conversation returns the conversation id sent, or a new random one when none was sent. ok is
// false for an id that the server cannot have made: 16 to 64 characters of base64url.
func conversation(id string) (string, bool) {
	if id == "" {
		var b [16]byte
		rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:]), true
	}
	if len(id) < 16 || len(id) > 64 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return id, true
}
