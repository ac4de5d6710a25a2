// The admin API: POST /admin/reindex with the bearer token, and what its paths answer while it
// is off.

package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// adminReindex is POST /admin/reindex: with the right bearer token, it reloads the content and
// answers the result as JSON — 200 when the new content serves (or nothing changed), 422 with
// the content's problems (file:line: message) when it is broken and the old content keeps
// serving.
func adminReindex(token string, reindex func(context.Context, string) (bot.ReloadResult, error)) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="faqbot admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "a valid admin token is required"})
			return
		}
		res, err := reindex(r.Context(), "admin")
		var ps faq.Problems
		switch {
		case errors.As(err, &ps):
			lines := make([]string, len(ps))
			for i, p := range ps {
				lines[i] = p.String()
			}
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "the content has problems; the old content keeps serving", "problems": lines})
		case err != nil:
			// Logged in full by reindex; the caller is told no more than that.
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "the reindex failed (see the server's log); the old content keeps serving"})
		default:
			writeJSON(w, http.StatusOK, res)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// adminOffCode is the "code" of the JSON body the admin paths answer while the admin API is off,
// so that faqbot reindex tells that apart from a 404 of anything else (a proxy, another server).
const adminOffCode = "admin_off"

// registerAdmin puts the admin API on mux and reports whether it is on: with a token, POST
// /admin/reindex; without one, the admin API's paths (/admin/reindex, /admin/api/) answer 404
// with a JSON body that says why ({"error": …, "code": "admin_off"}); the console's pages say
// so in HTML.
func registerAdmin(mux *http.ServeMux, token string, reindex func(context.Context, string) (bot.ReloadResult, error)) bool {
	if token != "" {
		mux.Handle("POST /admin/reindex", adminReindex(token, reindex))
		return true
	}
	mux.Handle("/admin/reindex", adminOff())
	mux.Handle("/admin/api/", adminOff())
	return false
}

// adminOff answers the admin API's requests while it is off: 404 with why.
func adminOff() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"error": "the admin API is off: start faqbot serve with FAQBOT_ADMIN_TOKEN set", "code": adminOffCode,
		})
	})
}
