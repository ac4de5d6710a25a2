package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/faq"
)

func TestOff(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Token = "" })
	res := f.do(t, "GET", "/admin/", nil)
	body := readBody(t, res)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "is <strong>off</strong>") || !strings.Contains(body, "FAQBOT_ADMIN_TOKEN") {
		t.Errorf("GET /admin/ while off: %d\n%s", res.StatusCode, body)
	}
	// Nothing signs in while the console is off, not even with the empty token.
	res = f.do(t, "POST", "/admin/signin", url.Values{"token": {""}})
	if res.StatusCode != http.StatusNotFound || cookieOf(res, SessionCookie) != nil {
		t.Errorf("sign-in while off: %d", res.StatusCode)
	}
	res = f.do(t, "GET", "/admin/api/report", nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(readBody(t, res), "FAQBOT_ADMIN_TOKEN") {
		t.Errorf("API while off: %d", res.StatusCode)
	}
	if f.console.On() {
		t.Error("On() with no token")
	}
}

func TestSignIn(t *testing.T) {
	f := newFixture(t, nil)
	f.seed(t)
	form := f.do(t, "GET", "/admin/", nil)
	page := readBody(t, form)
	if form.StatusCode != http.StatusOK || !strings.Contains(page, `<label for="token">`) || !strings.Contains(page, `id="token"`) {
		t.Fatalf("sign-in form: %d\n%s", form.StatusCode, page)
	}
	if strings.Contains(page, "<svg") {
		t.Error("the dashboard shows before signing in")
	}
	s, csrf := f.signIn(t)
	if !s.Secure || !s.HttpOnly || s.SameSite != http.SameSiteStrictMode || s.Path != "/admin/" || s.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Strict, Path=/admin/, a Max-Age", s)
	}
	if strings.Contains(s.Value, testToken) {
		t.Error("the session cookie holds the token")
	}
	if csrf == "" {
		t.Error("no CSRF token in the dashboard")
	}

	r := func(c *http.Cookie) *http.Request {
		req, _ := http.NewRequest("GET", "/admin/", nil)
		if c != nil {
			req.AddCookie(c)
		}
		return req
	}
	if !f.console.SignedIn(r(s)) {
		t.Error("SignedIn false with the session cookie")
	}
	forged := *s
	forged.Value = s.Value[:len(s.Value)-2] + "AA"
	for name, c := range map[string]*http.Cookie{"none": nil, "forged": &forged, "garbage": {Name: SessionCookie, Value: "x.y"}} {
		if f.console.SignedIn(r(c)) {
			t.Errorf("SignedIn true with %s cookie", name)
		}
		if res := f.do(t, "GET", "/admin/replicas", nil, nonNil(c)...); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a page with %s cookie: %d, want a redirect to sign in", name, res.StatusCode)
		}
	}
	// A session ends.
	f.clock.Add(13 * time.Hour)
	if f.console.SignedIn(r(s)) {
		t.Error("SignedIn true after the session's end")
	}
	// Another console with another token does not take it.
	f.clock.Add(-13 * time.Hour)
	other := newFixture(t, func(c *Config) { c.Token = "another-token" })
	if other.console.SignedIn(r(s)) {
		t.Error("a session of one token is valid under another")
	}

	// Signing out clears the cookie.
	res := f.do(t, "POST", "/admin/signout", url.Values{"csrf": {csrf}}, s)
	if c := cookieOf(res, SessionCookie); res.StatusCode != http.StatusSeeOther || c == nil || c.MaxAge >= 0 {
		t.Errorf("sign out: %d, cookie %+v", res.StatusCode, c)
	}
	// … and revokes it: a copy of the cookie kept by someone else no longer signs in.
	if f.console.SignedIn(r(s)) {
		t.Error("SignedIn true with a cookie signed out")
	}
	if res := f.do(t, "GET", "/admin/replicas", nil, s); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a page with a cookie signed out: %d, want a redirect to sign in", res.StatusCode)
	}
}

// sharedRevocations is a Revocations shared by consoles, as the Redis one is by replicas.
type sharedRevocations struct {
	mu    sync.Mutex
	until map[string]time.Time
	down  bool // the store is away
}

func (s *sharedRevocations) Revoke(_ context.Context, id string, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errors.New("store away")
	}
	s.until[id] = until
	return nil
}

func (s *sharedRevocations) IsRevoked(_ context.Context, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return false, errors.New("store away")
	}
	_, ok := s.until[id]
	return ok, nil
}

func TestSignOutEveryReplica(t *testing.T) {
	shared := &sharedRevocations{until: map[string]time.Time{}}
	a := newFixture(t, func(c *Config) { c.Revoked = shared })
	b := newFixture(t, func(c *Config) { c.Revoked = shared })
	s, csrf := a.signIn(t)
	r := func() *http.Request {
		req := httptest.NewRequest("GET", "/admin/", nil)
		req.AddCookie(s)
		return req
	}
	if !b.console.SignedIn(r()) {
		t.Fatal("a session of one replica is not valid on another with the same token")
	}
	if res := a.do(t, "POST", "/admin/signout", url.Values{"csrf": {csrf}}, s); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if b.console.SignedIn(r()) {
		t.Error("a session signed out on one replica still valid on another")
	}
	// While the store is away, the replica that signed the session out still refuses it.
	shared.down = true
	if a.console.SignedIn(r()) {
		t.Error("a session signed out here is valid while the shared store is away")
	}
	s2, csrf2 := b.signIn(t)
	if res := b.do(t, "POST", "/admin/signout", url.Values{"csrf": {csrf2}}, s2); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out while the store is away: %d", res.StatusCode)
	}
	req := httptest.NewRequest("GET", "/admin/", nil)
	req.AddCookie(s2)
	if b.console.SignedIn(req) {
		t.Error("a session signed out while the store is away is still valid on that replica")
	}
}

func nonNil(c *http.Cookie) []*http.Cookie {
	if c == nil {
		return nil
	}
	return []*http.Cookie{c}
}

func TestSignInCSRF(t *testing.T) {
	f := newFixture(t, nil)
	form := f.do(t, "GET", "/admin/", nil)
	pre := cookieOf(form, signInCookie)
	token := csrfOf(t, readBody(t, form))
	other := cookieOf(f.do(t, "GET", "/admin/", nil), signInCookie) // another browser's
	for name, tc := range map[string]struct {
		csrf   string
		cookie *http.Cookie
	}{
		"no token":           {"", pre},
		"no cookie":          {token, nil},
		"another's cookie":   {token, other},
		"token of a session": {f.console.keys.csrfToken(newSession(testNow(), time.Hour)), pre},
	} {
		res := f.do(t, "POST", "/admin/signin", url.Values{"csrf": {tc.csrf}, "token": {testToken}}, nonNil(tc.cookie)...)
		if res.StatusCode != http.StatusForbidden || cookieOf(res, SessionCookie) != nil {
			t.Errorf("%s: %d, want 403 and no session", name, res.StatusCode)
		}
	}
}

func TestCSRFRejected(t *testing.T) {
	f := newFixture(t, nil)
	s, csrf := f.signIn(t)
	file := filepath.Join(f.dir, "entries", phrasingEntry+".yaml")
	before, _ := os.ReadFile(file)
	other, _ := f.signIn(t)
	otherPage := readBody(t, f.do(t, "GET", "/admin/", nil, other))
	otherCSRF := csrfOf(t, otherPage)
	if otherCSRF == csrf {
		t.Fatal("two sessions have one CSRF token")
	}
	reindexes := 0
	f.console.cfg.Reindex = func(context.Context, string) (bot.ReloadResult, error) { reindexes++; return bot.ReloadResult{}, nil }
	for _, path := range []string{"/admin/phrasing", "/admin/out-of-scope", "/admin/reindex-all", "/admin/signout", "/admin/inspect", "/admin/try"} {
		for name, token := range map[string]string{"missing": "", "wrong": "x" + csrf[1:], "another session's": otherCSRF} {
			form := url.Values{"q": {unansweredQuestion}, "entry": {phrasingEntry}, "lang": {"ja"}}
			if token != "" {
				form.Set("csrf", token)
			}
			res := f.do(t, "POST", path, form, s)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with a %s CSRF token: %d, want 403", path, name, res.StatusCode)
			}
			if c := cookieOf(res, SessionCookie); c != nil {
				t.Errorf("POST %s with a %s CSRF token changed the session", path, name)
			}
		}
	}
	// Without a session at all, a POST is refused too.
	if res := f.do(t, "POST", "/admin/phrasing", url.Values{"csrf": {csrf}, "q": {"x"}, "entry": {phrasingEntry}, "lang": {"ja"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without a session: %d, want 401", res.StatusCode)
	}
	after, _ := os.ReadFile(file)
	if string(before) != string(after) || reindexes != 0 {
		t.Errorf("a refused request changed the content (%v) or reindexed (%d)", string(before) != string(after), reindexes)
	}
	if !strings.Contains(f.logs.String(), "bad CSRF token") {
		t.Error("refusals not logged")
	}
}

func TestSignInRateLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.SignInBurst, c.SignInEvery = 3, time.Minute })
	attempt := func(addr, token string) int {
		t.Helper()
		form := f.do(t, "GET", "/admin/", nil)
		req := url.Values{"csrf": {csrfOf(t, readBody(t, form))}, "token": {token}}
		res := f.doFrom(t, addr, "/admin/signin", req, cookieOf(form, signInCookie))
		if res.StatusCode == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
				t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
			}
		}
		return res.StatusCode
	}
	const wrong = "guess-the-admin-token"
	for i := range 3 {
		if got := attempt("198.51.100.7", wrong); got != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d, want 401", i+1, got)
		}
	}
	// Over the limit, even the right token is refused: it is not looked at.
	if got := attempt("198.51.100.7", testToken); got != http.StatusTooManyRequests {
		t.Errorf("sign-in over the limit: %d, want 429", got)
	}
	// Another address is not limited.
	if got := attempt("203.0.113.9", testToken); got != http.StatusSeeOther {
		t.Errorf("sign-in from another address: %d, want 303", got)
	}
	// A minute later, one more try.
	f.clock.Add(time.Minute)
	if got := attempt("198.51.100.7", testToken); got != http.StatusSeeOther {
		t.Errorf("sign-in a minute later: %d, want 303", got)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "admin sign-in failed") || !strings.Contains(logs, "too many failed sign-ins") {
		t.Errorf("failures not logged:\n%s", logs)
	}
	for _, secret := range []string{wrong, testToken, "198.51.100.7", "203.0.113.9"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

// doFrom sends a form from a client address.
func (f *fixture) doFrom(t testing.TB, addr, target string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	f.console.cfg.ClientAddr = func(*http.Request) string { return addr }
	defer func() { f.console.cfg.ClientAddr = remoteHost }()
	return f.do(t, "POST", target, form, nonNil(cookies[0])...)
}

func TestAPIReport(t *testing.T) {
	f := newFixture(t, nil)
	f.seed(t)
	get := func(target string, hdr map[string]string, cookies ...*http.Cookie) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("GET", target, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res := f.serve(req)
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			t.Fatalf("%s: not JSON: %v", target, err)
		}
		return res, m
	}
	for name, hdr := range map[string]map[string]string{
		"no credentials": nil,
		"a wrong token":  {"Authorization": "Bearer nope"},
		"the token bare": {"Authorization": testToken},
		"basic auth":     {"Authorization": "Basic " + testToken},
	} {
		res, m := get("/admin/api/report?since=7d", hdr)
		if res.StatusCode != http.StatusUnauthorized || m["error"] == nil || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %v, want 401 with an error", name, res.StatusCode, m)
		}
	}
	res, m := get("/admin/api/report?since=7d", map[string]string{"Authorization": "Bearer " + testToken})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("with the token: %d %v", res.StatusCode, m)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"all", "buckets", "feedback_total", "handoffs", "helpful", "platforms", "range", "since", "step", "totals", "unanswered", "unanswered_total", "unhelpful", "unhelpful_total", "until"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}

	// The figures of the seeded events.
	var rep apiReport
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &rep)
	if rep.Range != "7d" || rep.Step != "day" || len(rep.Buckets) < 7 || len(rep.Buckets) > 8 {
		t.Errorf("range %q step %q buckets %d", rep.Range, rep.Step, len(rep.Buckets))
	}
	if got, want := fmt.Sprint(rep.All), "{12 1 2 3}"; got != want {
		t.Errorf("all %s, want %s (answered, asked back, handed off, unanswered)", got, want)
	}
	if !slices.Equal(rep.Platforms, []string{"line", "slack", "web"}) {
		t.Errorf("platforms %v", rep.Platforms)
	}
	if len(rep.Unanswered) == 0 || rep.Unanswered[0].Question != unansweredQuestion || rep.Unanswered[0].Count != 2 ||
		rep.Unanswered[0].FirstSeen.IsZero() || !rep.Unanswered[0].FirstSeen.Before(rep.Unanswered[0].LastSeen) {
		t.Errorf("unanswered %+v", rep.Unanswered)
	}
	var leak *struct{ lo, hi, rate float64 }
	for _, h := range rep.Helpful {
		if h.Entry == "leak-count" {
			leak = &struct{ lo, hi, rate float64 }{h.Low, h.High, h.Rate}
		}
	}
	// 4 helpful of 6: 67%, Wilson 95% [0.3, 0.903].
	if leak == nil || leak.rate != 0.667 || math.Abs(leak.lo-0.3) > 0.001 || math.Abs(leak.hi-0.903) > 0.001 {
		t.Errorf("helpful rate of leak-count %+v, want 0.667 [0.3, 0.903]", leak)
	}
	// The unhelpful answers, by the question they were given to: two wordings of one, and the
	// rating of contact whose question is not known counts in the total only.
	if rep.UnhelpfulTotal != 3 || len(rep.Unhelpful) != 1 {
		t.Fatalf("unhelpful: total %d, %+v", rep.UnhelpfulTotal, rep.Unhelpful)
	}
	if u := rep.Unhelpful[0]; u.Entry != "leak-count" || u.Count != 2 || len(u.Variants) != 2 || u.FirstSeen.IsZero() || !u.FirstSeen.Before(u.LastSeen) {
		t.Errorf("unhelpful %+v", u)
	}
	// 24h counts less; hours.
	_, m24 := get("/admin/api/report?since=24h", map[string]string{"Authorization": "Bearer " + testToken})
	if m24["step"] != "hour" || m24["range"] != "24h" {
		t.Errorf("24h: step %v range %v", m24["step"], m24["range"])
	}

	// A session cookie is enough; a bad range is 400.
	s, _ := f.signIn(t)
	if res, m := get("/admin/api/report?since=30d", nil, s); res.StatusCode != http.StatusOK || m["range"] != "30d" {
		t.Errorf("with a session: %d %v", res.StatusCode, m["range"])
	}
	if res, _ := get("/admin/api/report?since=fortnight", nil, s); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad range: %d, want 400", res.StatusCode)
	}
}

func (f *fixture) serve(r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	f.console.ServeHTTP(w, r)
	return w.Result()
}

func TestDashboard(t *testing.T) {
	f := newFixture(t, nil)
	f.seed(t)
	s, _ := f.signIn(t)
	for _, rg := range []string{"24h", "7d", "30d"} {
		res := f.do(t, "GET", "/admin/?range="+rg, nil, s)
		page := readBody(t, res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", rg, res.StatusCode)
		}
		for _, id := range []string{"chart-outcomes", "chart-platforms", "chart-handoffs", "chart-helpful"} {
			if !strings.Contains(page, `<svg id="`+id+`"`) {
				t.Errorf("%s: no chart %s", rg, id)
			}
		}
		if n := strings.Count(page, `<rect class="bar `); n < 3 {
			t.Errorf("%s: %d bars", rg, n)
		}
		if !strings.Contains(page, `href="/admin/?range=`+rg+`" aria-current="page"`) {
			t.Errorf("%s: the range is not marked current", rg)
		}
		if !strings.Contains(page, "電話番号&lt;phone&gt;に折り返してほしい") {
			t.Errorf("%s: the masked question is not shown escaped", rg)
		}
	}
	page := readBody(t, f.do(t, "GET", "/admin/?range=7d", nil, s))
	for _, want := range []string{"am-i-affected", "(no entry: identity-specific question)", "67% (30–90), n=6", unansweredQuestion, "Unhelpful answers", unhelpfulQuestion + "？"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// Every input has a label.
	for _, m := range regexp.MustCompile(`<(?:input|select|textarea)[^>]*\bid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `<label for="`+m[1]+`"`) {
			t.Errorf("input %s has no label", m[1])
		}
	}
}

func TestEditAndReindex(t *testing.T) {
	f := newFixture(t, nil)
	f.seed(t)
	s, csrf := f.signIn(t)

	res := f.do(t, "POST", "/admin/inspect", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}}, s)
	page := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("inspect: %d\n%s", res.StatusCode, page)
	}
	for _, want := range []string{`data-field="action">dont_know<`, "Entries ranked for it", `<option value="` + phrasingEntry + `"`, `action="/admin/phrasing"`, `action="/admin/out-of-scope"`} {
		if !strings.Contains(page, want) {
			t.Errorf("inspect page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<tr><td class=\"num\">"); n < 1 || n > editor.Runners {
		t.Errorf("%d runner-ups, want 1 to %d", n, editor.Runners)
	}

	res = f.do(t, "POST", "/admin/phrasing", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}, "entry": {phrasingEntry}, "lang": {"ja"}}, s)
	page = readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add phrasing: %d\n%s", res.StatusCode, page)
	}
	if !strings.Contains(page, `<span class="d-add">&#43;    - `+unansweredQuestion+`</span>`) {
		t.Errorf("the diff does not add the phrasing:\n%s", page)
	}
	if !strings.Contains(page, `data-field="entry">`+phrasingEntry+`<`) {
		t.Errorf("the preview does not answer with the entry")
	}
	data, _ := os.ReadFile(filepath.Join(f.dir, "entries", phrasingEntry+".yaml"))
	if !strings.Contains(string(data), "- "+unansweredQuestion) {
		t.Error("the file was not written")
	}
	// The serving bot still does not know it; the preview does.
	if r, _ := f.bot.Ask(context.Background(), unansweredQuestion); bot.Explain(r).Entry == phrasingEntry {
		t.Fatal("the serving bot answers before the reindex")
	}
	tried := readBody(t, f.do(t, "POST", "/admin/try", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}}, s))
	if !strings.Contains(tried, `data-field="entry">`+phrasingEntry+`<`) || !strings.Contains(tried, "the content being edited") {
		t.Errorf("try it does not answer from the content edited:\n%s", tried)
	}

	// The same again is refused, with why.
	res = f.do(t, "POST", "/admin/phrasing", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}, "entry": {phrasingEntry}, "lang": {"ja"}}, s)
	if page := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "already lists that question") {
		t.Errorf("adding it twice: %d", res.StatusCode)
	}

	res = f.do(t, "POST", "/admin/reindex-all", url.Values{"csrf": {csrf}}, s)
	page = readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="result"`) || !strings.Contains(page, "Reindexed") {
		t.Fatalf("reindex: %d\n%s", res.StatusCode, page)
	}
	if r, _ := f.bot.Ask(context.Background(), unansweredQuestion); bot.Explain(r).Entry != phrasingEntry {
		t.Errorf("after the reindex the bot answers %q, want %s", bot.Explain(r).Entry, phrasingEntry)
	}
	if !strings.Contains(page, "console") || !strings.Contains(page, "(this one)") {
		t.Errorf("the reindex page does not list the reindex and the replica")
	}

	// Out of scope goes to out-of-scope.yaml.
	res = f.do(t, "POST", "/admin/out-of-scope", url.Values{"csrf": {csrf}, "q": {"今日の天気は"}, "lang": {"ja"}}, s)
	if page := readBody(t, res); res.StatusCode != http.StatusOK || !strings.Contains(page, "out-of-scope.yaml") {
		t.Errorf("out of scope: %d\n%s", res.StatusCode, page)
	}
}

func TestReindexProblems(t *testing.T) {
	f := newFixture(t, nil)
	s, csrf := f.signIn(t)
	f.console.cfg.Reindex = func(context.Context, string) (bot.ReloadResult, error) {
		return bot.ReloadResult{}, fmt.Errorf("reload: %w", faq.Problems{{File: "content/entries/contact.yaml", Line: 7, Msg: "answer: empty"}})
	}
	res := f.do(t, "POST", "/admin/reindex-all", url.Values{"csrf": {csrf}}, s)
	page := readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "content/entries/contact.yaml:7: answer: empty") {
		t.Errorf("reindex with problems: %d\n%s", res.StatusCode, page)
	}
	f.console.cfg.Reindex = func(context.Context, string) (bot.ReloadResult, error) {
		return bot.ReloadResult{}, errors.New("disk full at /secret/path")
	}
	res = f.do(t, "POST", "/admin/reindex-all", url.Values{"csrf": {csrf}}, s)
	if page := readBody(t, res); res.StatusCode != http.StatusInternalServerError || strings.Contains(page, "/secret/path") {
		t.Errorf("reindex failing: %d, or the page tells the error", res.StatusCode)
	}
}

func TestEmbedded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Workspace = editor.New(editor.Config{}) })
	s, csrf := f.signIn(t)
	page := readBody(t, f.do(t, "POST", "/admin/inspect", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}}, s))
	if !strings.Contains(page, "faqbot content export DIR\nfaqbot serve --content DIR") || strings.Contains(page, `action="/admin/phrasing"`) {
		t.Errorf("embedded content: the page does not say how to edit it:\n%s", page)
	}
	res := f.do(t, "POST", "/admin/phrasing", url.Values{"csrf": {csrf}, "q": {unansweredQuestion}, "entry": {phrasingEntry}, "lang": {"ja"}}, s)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("an edit of embedded content: %d, want 409", res.StatusCode)
	}
	// Try it answers with the serving bot.
	tried := readBody(t, f.do(t, "POST", "/admin/try", url.Values{"csrf": {csrf}, "q": {"漏洩件数は何件"}}, s))
	if !strings.Contains(tried, `data-field="entry">leak-count<`) || !strings.Contains(tried, "the content served now") {
		t.Errorf("try it with embedded content:\n%s", tried)
	}
}

func TestReplicasPanel(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Replicas = func(context.Context) ([]Replica, error) {
			return []Replica{{ID: "host-a", Version: "v-one", Seen: testNow(), Self: true}, {ID: "host-b", Version: "v-two", Seen: testNow()}}, nil
		}
	})
	f.reindexes.Add(context.Background(), bot.Reindex{At: testNow(), Via: "sighup", Version: "v-one", Previous: "v-zero", Changed: true})
	s, _ := f.signIn(t)
	page := readBody(t, f.do(t, "GET", "/admin/replicas", nil, s))
	for _, want := range []string{"host-a (this one)", "host-b", "v-two", "sighup", "now <code>v-one</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("replicas panel lacks %q", want)
		}
	}
}

// TestPalette checks that every colour of the charts and of the style sheet's text has a
// contrast ratio of at least 4.5:1 with the background it is drawn on.
func TestPalette(t *testing.T) {
	for class, c := range Palette {
		if r := contrast(c, "#ffffff"); r < 4.5 {
			t.Errorf("%s %s: contrast %.2f with white", class, c, r)
		}
	}
	css, err := files.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-f]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	for class, c := range Palette {
		if !strings.Contains(string(css), "."+class+" { fill: "+c) {
			t.Errorf("the style sheet does not colour .%s %s", class, c)
		}
	}
	for _, p := range [][2]string{
		{"fg", "bg"}, {"muted", "bg"}, {"accent", "bg"}, {"fg", "panel"}, {"muted", "panel"}, {"accent", "panel"},
		{"error", "bg"}, {"error", "error-bg"}, {"ok", "ok-bg"}, {"add", "add-bg"}, {"del", "del-bg"}, {"bg", "accent"},
	} {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Errorf("no colour --%s or --%s", p[0], p[1])
			continue
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s on --%s: contrast %.2f", p[0], p[1], r)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two colours #rrggbb.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		v, _ := strconv.ParseUint(hex[1:], 16, 32)
		ch := func(c uint64) float64 {
			s := float64(c) / 255
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}
