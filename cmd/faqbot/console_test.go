package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

// consoleClient signs in to the editors' console of a server and sends its forms. It keeps the
// cookies itself: they are Secure, and Go's cookie jar sends those over https only.
type consoleClient struct {
	t       *testing.T
	base    string
	cookies map[string]*http.Cookie
	csrf    string
}

var csrfInPage = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *consoleClient) send(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		if c.csrf != "" && form.Get("csrf") == "" {
			form.Set("csrf", c.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	b, _ := io.ReadAll(res.Body)
	if m := csrfInPage.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return res.StatusCode, string(b)
}

func signInConsole(t *testing.T, base, token string) *consoleClient {
	t.Helper()
	c := &consoleClient{t: t, base: base, cookies: map[string]*http.Cookie{}}
	if code, page := c.send("GET", "/admin/", nil); code != http.StatusOK || !strings.Contains(page, `id="token"`) {
		t.Fatalf("GET /admin/: %d\n%s", code, page)
	}
	if code, page := c.send("POST", "/admin/signin", url.Values{"token": {token}}); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", code, page)
	}
	if code, page := c.send("GET", "/admin/", nil); code != http.StatusOK || !strings.Contains(page, "<svg") {
		t.Fatalf("dashboard: %d\n%s", code, page)
	}
	return c
}

func TestConsoleOff(t *testing.T) {
	base, log := startServe(t, map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": t.TempDir()})
	res, err := http.Get(base + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "FAQBOT_ADMIN_TOKEN") {
		t.Errorf("/admin/ without a token: %d\n%s", res.StatusCode, b)
	}
	if !strings.Contains(log.String(), "editors' console is off") {
		t.Errorf("serve does not log that the console is off")
	}
}

// TestConsoleEditsEveryReplica: two replicas share Redis and serve the embedded content. On
// one, an editor signs in, adds a question as a phrasing of an entry and reindexes from the
// console; the edit is published as a bundle, and both replicas answer the question with the
// entry. A replica started afterwards serves it too.
func TestConsoleEditsEveryReplica(t *testing.T) {
	redis := redistest.Start(t)
	const token = "console-admin-token-0123456789"
	env := map[string]string{
		"FAQBOT_ADDR":         "127.0.0.1:0",
		"FAQBOT_REDIS_URL":    redis.URL,
		"FAQBOT_REDIS_PREFIX": "console-test:",
		"FAQBOT_ADMIN_TOKEN":  token,
	}
	a, logA := startServe(t, env)
	b, _ := startServe(t, env)
	const q, entry = "攻撃した犯人は捕まりましたか", "suspicious-contact"
	for _, base := range []string{a, b} {
		if ex, _, err := ask(http.DefaultClient, base, q); err != nil || ex.Entry == entry {
			t.Fatalf("before the edit %s answers %q (%v)", base, ex.Entry, err)
		}
	}
	if !strings.Contains(logA.String(), `"content":"bundles"`) {
		t.Errorf("the console does not say edits go to bundles:\n%s", logA)
	}

	c := signInConsole(t, a, token)
	code, page := c.send("POST", "/admin/inspect", url.Values{"q": {q}})
	if code != http.StatusOK || !strings.Contains(page, `data-field="action">dont_know<`) {
		t.Fatalf("inspect: %d\n%s", code, page)
	}
	code, page = c.send("POST", "/admin/phrasing", url.Values{"q": {q}, "entry": {entry}, "lang": {"ja"}})
	if code != http.StatusOK || !strings.Contains(page, "draft bundle") {
		t.Fatalf("add phrasing: %d\n%s", code, page)
	}
	code, page = c.send("POST", "/admin/reindex-all", url.Values{})
	if code != http.StatusOK || !strings.Contains(page, "Published the draft") || !strings.Contains(page, "Reindexed") {
		t.Fatalf("reindex: %d\n%s", code, page)
	}
	answers := func(base string) bool {
		ex, _, err := ask(http.DefaultClient, base, q)
		return err == nil && ex.Entry == entry
	}
	deadline := time.Now().Add(20 * time.Second)
	for !answers(a) || !answers(b) {
		if time.Now().After(deadline) {
			t.Fatalf("after the reindex: replica a answers %v, b %v", answers(a), answers(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The replicas panel lists both, and the reindex.
	deadline = time.Now().Add(15 * time.Second)
	for {
		code, page = c.send("GET", "/admin/replicas", nil)
		if code == http.StatusOK && strings.Count(page, "<tr><td>") >= 2 && !strings.Contains(page, `class="behind"`) && strings.Contains(page, "console") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas panel: %d\n%s", code, page)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The other replica lists the reindex made through this one (the log is shared), and its
	// own, and takes the same session.
	onB := &consoleClient{t: t, base: b, cookies: c.cookies, csrf: c.csrf}
	code, page = onB.send("GET", "/admin/replicas", nil)
	if code != http.StatusOK || !strings.Contains(page, "<td>console</td>") || !strings.Contains(page, "<td>"+viaAnnouncement+"</td>") {
		t.Errorf("replica b's reindexes: %d\n%s", code, page)
	}

	// The API answers the bearer token.
	req, _ := http.NewRequest("GET", a+"/admin/api/report?since=24h", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Range string `json:"range"`
		Step  string `json:"step"`
	}
	json.NewDecoder(res.Body).Decode(&rep)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || rep.Range != "24h" || rep.Step != "hour" {
		t.Errorf("report API: %d %+v", res.StatusCode, rep)
	}
	// The bearer reindex API is still there beside the console.
	req, _ = http.NewRequest("POST", a+"/admin/reindex", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("POST /admin/reindex: %v %v", res, err)
	}

	// Signing out on one replica signs the session out on every one.
	session := c.cookies["faqbot_admin"]
	if code, _ := c.send("POST", "/admin/signout", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("sign out: %d", code)
	}
	// The cookie from before the sign-out, as a copy of it would be.
	stale := &consoleClient{t: t, base: b, cookies: map[string]*http.Cookie{"faqbot_admin": session}}
	if code, _ := stale.send("GET", "/admin/replicas", nil); code != http.StatusSeeOther {
		t.Errorf("a session signed out on replica a: replica b answers %d, want a redirect to sign in", code)
	}

	// A replica that starts now serves the published content.
	c3, _ := startServe(t, env)
	if !answers(c3) {
		t.Error("a replica started after the edit does not serve it")
	}
}

func TestContentExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "copy")
	out, _, err := runCmd(t, "", "content", "export", dir)
	if err != nil || !strings.Contains(out, "faqbot serve --content "+dir) {
		t.Fatalf("content export: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, "", "check", "--content", dir); err != nil {
		t.Errorf("the copy does not pass check: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "entries", "contact.yaml")); err != nil {
		t.Error(err)
	}
	if _, _, err := runCmd(t, "", "content", "export", dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("export into a full directory: %v", err)
	}
}
