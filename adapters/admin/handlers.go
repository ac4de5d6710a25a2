package admin

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/record"
)

// maxForm bounds the body of a form.
const maxForm = 64 << 10

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /admin/static/", func(w http.ResponseWriter, r *http.Request) { c.assets.ServeHTTP(w, r) })
	m.HandleFunc("GET /admin/{$}", c.page(c.serveDashboard))
	m.HandleFunc("POST /admin/signin", c.serveSignIn)
	m.HandleFunc("POST /admin/signout", c.post(c.serveSignOut))
	m.HandleFunc("POST /admin/inspect", c.post(c.serveInspect))
	m.HandleFunc("POST /admin/phrasing", c.post(c.servePhrasing))
	m.HandleFunc("POST /admin/out-of-scope", c.post(c.serveOutOfScope))
	m.HandleFunc("POST /admin/reindex-all", c.post(c.serveReindexAll))
	m.HandleFunc("GET /admin/try", c.page(c.serveTry))
	m.HandleFunc("POST /admin/try", c.post(c.serveTry))
	m.HandleFunc("GET /admin/replicas", c.page(c.serveReplicas))
	m.HandleFunc("GET /admin/api/report", c.serveAPIReport)
	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, http.StatusNotFound, "error", &view{Title: "Not found", Error: "There is no such page in the console."})
	})
}

// handler is a page of a signed-in editor.
type handler func(w http.ResponseWriter, r *http.Request, v *view)

// page serves h to a signed-in editor, and the sign-in form to anybody else.
func (c *Console) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			if r.URL.Path != "/admin/" {
				http.Redirect(w, r, "/admin/", http.StatusSeeOther)
				return
			}
			c.signInForm(w, http.StatusOK, "")
			return
		}
		h(w, r, c.newView(r, s))
	}
}

// post serves h to a signed-in editor whose form carries the session's CSRF token: 403
// otherwise, before anything is done.
func (c *Console) post(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		s, ok := c.session(r)
		if !ok {
			c.render(w, http.StatusUnauthorized, "error", &view{Title: "Signed out", Error: "Your session has ended: sign in again.", SignInLink: true})
			return
		}
		if !equal(r.PostFormValue("csrf"), c.keys.csrfToken(s)) {
			c.log.WarnContext(r.Context(), "admin request refused: bad CSRF token", "path", r.URL.Path)
			c.render(w, http.StatusForbidden, "error", &view{Title: "Refused", Error: "The form was not sent by this console (its CSRF token is missing or wrong). Reload the page and try again."})
			return
		}
		h(w, r, c.newView(r, s))
	}
}

func (c *Console) newView(r *http.Request, s session) *view {
	v := &view{SignedIn: true, CSRF: c.keys.csrfToken(s), Mode: editor.Embedded, Path: r.URL.Path}
	if ws := c.cfg.Workspace; ws != nil {
		v.Mode = ws.Mode()
		v.Pending = ws.Pending(r.Context())
	}
	v.Serving = c.cfg.Bot.Engine().Version
	return v
}

func (c *Console) serveOff(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/admin/api/") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "the editors' console is off: start faqbot serve with FAQBOT_ADMIN_TOKEN set"})
		return
	}
	if strings.HasPrefix(r.URL.Path, "/admin/static/") {
		c.assets.ServeHTTP(w, r)
		return
	}
	c.render(w, http.StatusNotFound, "off", &view{Title: "The console is off"})
}

// signInForm renders the sign-in form with a fresh double-submit CSRF pair.
func (c *Console) signInForm(w http.ResponseWriter, status int, problem string) {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	n := b64.EncodeToString(nonce)
	http.SetCookie(w, c.cookie(signInCookie, n, time.Hour))
	c.render(w, status, "signin", &view{Title: "Sign in", CSRF: c.keys.signInToken(n), Error: problem})
}

func (c *Console) cookie(name, value string, ttl time.Duration) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: value, Path: cookiePath, HttpOnly: true, Secure: !c.cfg.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(ttl / time.Second)}
	if ttl < 0 {
		ck.MaxAge = -1
	}
	return ck
}

// serveSignIn is POST /admin/signin: the form's CSRF token must match its cookie; a client
// over the limit of failed sign-ins gets 429 before its token is compared.
func (c *Console) serveSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	ck, err := r.Cookie(signInCookie)
	if err != nil || !equal(r.PostFormValue("csrf"), c.keys.signInToken(ck.Value)) {
		c.log.WarnContext(r.Context(), "admin sign-in refused: bad CSRF token")
		c.signInForm(w, http.StatusForbidden, "The form had expired or was not sent by this console: try again.")
		return
	}
	now, addr := c.cfg.Now(), c.cfg.ClientAddr(r)
	if blocked, wait := c.fails.blocked(addr, now); blocked {
		c.log.WarnContext(r.Context(), "admin sign-in refused: too many failed sign-ins from this address")
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		c.signInForm(w, http.StatusTooManyRequests, "Too many failed sign-ins from your address: wait a minute and try again.")
		return
	}
	if !c.keys.tokenOK(r.PostFormValue("token")) {
		c.fails.failed(addr, now)
		c.log.WarnContext(r.Context(), "admin sign-in failed: wrong token")
		c.signInForm(w, http.StatusUnauthorized, "That is not the admin token.")
		return
	}
	http.SetCookie(w, c.cookie(SessionCookie, c.keys.encode(newSession(now, c.cfg.SessionTTL)), c.cfg.SessionTTL))
	http.SetCookie(w, c.cookie(signInCookie, "", -1))
	c.log.InfoContext(r.Context(), "admin signed in")
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

func (c *Console) serveSignOut(w http.ResponseWriter, r *http.Request, _ *view) {
	// The cookie is signed, not looked up: sign-out revokes it here and, with a shared store,
	// on every replica, so that a copy of it stops working too.
	if s, ok := c.session(r); ok {
		c.revokedHere.add(s.key(), s.expires, c.cfg.Now())
		if c.cfg.Revoked != nil {
			if err := c.cfg.Revoked.Revoke(r.Context(), s.key(), s.expires); err != nil {
				c.log.WarnContext(r.Context(), "could not tell the other replicas that the admin session was signed out", "error", err)
			}
		}
		c.log.InfoContext(r.Context(), "admin signed out")
	}
	http.SetCookie(w, c.cookie(SessionCookie, "", -1))
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

// rangeOf is the range a request asks for (?range= or ?since=), 7d by default.
func rangeOf(r *http.Request) (string, time.Duration, error) {
	name := r.URL.Query().Get("range")
	if name == "" {
		name = r.URL.Query().Get("since")
	}
	if name == "" {
		name = "7d"
	}
	d, err := record.ParseRange(name)
	return name, d, err
}

func (c *Console) report(ctx context.Context, span time.Duration) (record.Report, error) {
	now := c.cfg.Now()
	if c.cfg.Source == nil {
		return record.BuildReport(nil, c.cfg.Bot.Engine().Content.Analyzer(), now.Add(-span), now, c.cfg.Top), nil
	}
	return record.ReportOf(ctx, c.cfg.Source, c.cfg.Bot.Engine(), span, now, c.cfg.Top)
}

func (c *Console) serveDashboard(w http.ResponseWriter, r *http.Request, v *view) {
	name, span, err := rangeOf(r)
	if err != nil {
		name, span = "7d", 7*24*time.Hour
	}
	rep, err := c.report(r.Context(), span)
	if err != nil {
		c.log.ErrorContext(r.Context(), "admin report failed", "error", err)
		c.render(w, http.StatusInternalServerError, "error", &view{Title: "Dashboard", Error: "The events could not be read (see the server's log).", SignedIn: true, CSRF: v.CSRF})
		return
	}
	v.Title, v.Range, v.Report, v.NoSource = "Dashboard", name, &rep, c.cfg.Source == nil
	for _, rg := range record.Ranges {
		v.Ranges = append(v.Ranges, rg.Name)
	}
	v.Charts = dashboardCharts(rep)
	c.render(w, http.StatusOK, "dashboard", v)
}

// apiReport is the JSON of GET /admin/api/report.
type apiReport struct {
	Range string `json:"range"`
	record.Report
}

func (c *Console) serveAPIReport(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.session(r); !ok && !c.keys.tokenOK(bearer(r)) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="faqbot admin"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in to the console or send Authorization: Bearer <FAQBOT_ADMIN_TOKEN>"})
		return
	}
	name, span, err := rangeOf(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	rep, err := c.report(r.Context(), span)
	if err != nil {
		c.log.ErrorContext(r.Context(), "admin report failed", "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the events could not be read (see the server's log)"})
		return
	}
	writeJSON(w, http.StatusOK, apiReport{Range: name, Report: rep})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// question is the question of a form, on one line and capped at bot.MaxText characters.
func question(r *http.Request) string {
	q := strings.Join(strings.Fields(r.PostFormValue("q")), " ")
	if r := []rune(q); len(r) > bot.MaxText {
		q = string(r[:bot.MaxText])
	}
	return q
}

func (c *Console) serveInspect(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = "Question"
	v.Question = question(r)
	if v.Question == "" {
		v.Error = "Type a question to inspect."
		c.render(w, http.StatusBadRequest, "inspect", v)
		return
	}
	in, err := editor.Inspect(r.Context(), c.cfg.Bot, v.Question)
	if err != nil {
		c.fail(w, r, v, "inspect", err)
		return
	}
	v.Inspection = &in
	v.Lang = in.Reply.Lang
	c.render(w, http.StatusOK, "inspect", v)
}

// fail renders a failure that is the server's: logged, told as "see the log".
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, what string, err error) {
	c.log.ErrorContext(r.Context(), "admin "+what+" failed", "error", err)
	v.Error = "That failed on the server's side (see its log)."
	c.render(w, http.StatusInternalServerError, "error", v)
}

func (c *Console) servePhrasing(w http.ResponseWriter, r *http.Request, v *view) {
	c.edit(w, r, v, func(ctx context.Context, ws *editor.Workspace, lang bot.Lang, q string) (editor.Change, error) {
		v.Entry = r.PostFormValue("entry")
		return ws.AddPhrasing(ctx, v.Entry, lang, q)
	})
}

func (c *Console) serveOutOfScope(w http.ResponseWriter, r *http.Request, v *view) {
	c.edit(w, r, v, func(ctx context.Context, ws *editor.Workspace, lang bot.Lang, q string) (editor.Change, error) {
		v.OutOfScope = true
		return ws.AddOutOfScope(ctx, lang, q)
	})
}

// edit makes an edit of the form's question and shows the change: its diff, the content's
// problems with it, and what the bot over the edited content answers.
func (c *Console) edit(w http.ResponseWriter, r *http.Request, v *view,
	do func(context.Context, *editor.Workspace, bot.Lang, string) (editor.Change, error)) {
	v.Title = "Change"
	v.Question = question(r)
	lang, ok := editor.Lang(r.PostFormValue("lang"))
	ws := c.cfg.Workspace
	switch {
	case ws == nil || ws.Mode() == editor.Embedded:
		v.Error = "The content is embedded in the binary and cannot be edited here."
		c.render(w, http.StatusConflict, "change", v)
		return
	case v.Question == "" || !ok:
		v.Error = "Give a question and its language (ja or en)."
		c.render(w, http.StatusBadRequest, "change", v)
		return
	}
	ch, err := do(r.Context(), ws, lang, v.Question)
	if err != nil {
		// The editor's errors say what is wrong with the edit (no such entry, listed already,
		// the content broken before it); none carries more than the question the editor sent.
		c.log.WarnContext(r.Context(), "admin edit refused", "entry", v.Entry, "error", err)
		v.Error = strings.TrimPrefix(err.Error(), "editor: ")
		c.render(w, http.StatusUnprocessableEntity, "change", v)
		return
	}
	v.Change = &ch
	v.Pending = ws.Pending(r.Context())
	status := http.StatusOK
	if len(ch.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		c.log.InfoContext(r.Context(), "admin edit", "file", ch.File, "entry", v.Entry, "version", ch.Version)
		if pb, err := ws.Preview(r.Context()); err == nil {
			if rep, err := pb.Ask(r.Context(), v.Question); err == nil {
				ex := bot.Explain(rep)
				v.Answer = &ex
			}
		}
	}
	c.render(w, status, "change", v)
}

func (c *Console) serveReindexAll(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = "Reindex"
	ctx := r.Context()
	if ws := c.cfg.Workspace; ws != nil {
		if p := ws.Pending(ctx); p != "" {
			if err := ws.Publish(ctx, p); err != nil {
				c.fail(w, r, v, "publish", err)
				return
			}
			v.Published = p
		}
	}
	if c.cfg.Reindex == nil {
		v.Error = "This server cannot reindex from the console."
		c.render(w, http.StatusNotImplemented, "error", v)
		return
	}
	res, err := c.cfg.Reindex(ctx, "console")
	v.Result = &res
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
		v.Result = nil
		v.Error = "The reindex failed; the content served is unchanged."
		var ps bot.Problems
		if errors.As(err, &ps) {
			v.Error = "The content has problems; the content served is unchanged."
			for _, p := range ps {
				v.Problems = append(v.Problems, p.String())
			}
		} else {
			status = http.StatusInternalServerError
		}
	}
	c.replicasInto(ctx, v)
	v.Serving = c.cfg.Bot.Engine().Version
	c.render(w, status, "reindex", v)
}

func (c *Console) replicasInto(ctx context.Context, v *view) {
	v.Reindexes = c.cfg.Reindexes(ctx)
	if c.cfg.Replicas == nil {
		v.Replicas = []Replica{{ID: "this process", Version: c.cfg.Bot.Engine().Version, Seen: c.cfg.Now(), Self: true}}
		return
	}
	rs, err := c.cfg.Replicas(ctx)
	if err != nil {
		c.log.WarnContext(ctx, "admin: replicas unknown", "error", err)
		v.ReplicasError = "The replicas could not be read from the shared store."
	}
	v.Replicas = rs
}

func (c *Console) serveReplicas(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = "Replicas"
	c.replicasInto(r.Context(), v)
	c.render(w, http.StatusOK, "replicas", v)
}

// serveTry answers a question with the bot over the content being edited (the draft, or the
// content directory, before it is reindexed), or the serving bot when the content is embedded.
func (c *Console) serveTry(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = "Try it"
	if r.Method != http.MethodPost {
		c.render(w, http.StatusOK, "try", v)
		return
	}
	q := question(r)
	if q == "" {
		v.Error = "Type a question."
		c.render(w, http.StatusBadRequest, "try", v)
		return
	}
	b, which := c.cfg.Bot, "the content served now"
	if ws := c.cfg.Workspace; ws != nil && ws.Mode() != editor.Embedded {
		pb, err := ws.Preview(r.Context())
		if err != nil {
			c.fail(w, r, v, "preview", err)
			return
		}
		b, which = pb, "the content being edited"
	}
	rep, err := b.Ask(r.Context(), q)
	if err != nil {
		c.fail(w, r, v, "try", err)
		return
	}
	ex := bot.Explain(rep)
	v.Answer, v.TriedOn, v.TriedVersion = &ex, which, b.Engine().Version
	c.render(w, http.StatusOK, "try", v)
}
