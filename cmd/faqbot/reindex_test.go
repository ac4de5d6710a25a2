package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/faqbot/faqbot/bot"
)

// reindexAgainst runs "faqbot reindex --server url" with a client-side admin token.
func reindexAgainst(t *testing.T, url string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string { return map[string]string{"FAQBOT_ADMIN_TOKEN": "tok"}[k] }
	err = run(context.Background(), []string{"reindex", "--server", url}, env, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// A server whose admin API is off answers the API's paths 404 with a body that says so, and
// faqbot reindex tells the user that and how to turn it on; a 404 from anything else is not
// taken for it.
func TestReindexAdminOff(t *testing.T) {
	mux := http.NewServeMux()
	if registerAdmin(mux, "", nil) {
		t.Fatal("the admin API is on without a token")
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, req := range []struct{ method, path string }{{"POST", "/admin/reindex"}, {"GET", "/admin/reindex"}, {"GET", "/admin/api/report"}} {
		r, _ := http.NewRequest(req.method, srv.URL+req.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Error, Code string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || err != nil || body.Code != adminOffCode || !strings.Contains(body.Error, "FAQBOT_ADMIN_TOKEN") {
			t.Errorf("%s %s: %d %+v (%v), want 404 with code %q", req.method, req.path, resp.StatusCode, body, err, adminOffCode)
		}
	}

	_, stderr, err := reindexAgainst(t, srv.URL)
	var ex exitError
	want := "faqbot reindex: the admin API of " + srv.URL + " is off: start the server with FAQBOT_ADMIN_TOKEN set (or send it SIGHUP)\n"
	if !errors.As(err, &ex) || ex != 1 || !strings.HasSuffix(stderr, want) {
		t.Errorf("reindex against a server with the admin API off: %v\n%s\nwant %q", err, stderr, want)
	}

	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	_, stderr, err = reindexAgainst(t, other.URL)
	if err == nil || strings.Contains(stderr+err.Error(), "admin API") || strings.Contains(err.Error(), "not faqbot's JSON") ||
		!strings.Contains(err.Error(), "has no /admin/reindex (404 Not Found)") {
		t.Errorf("reindex against a server that is not faqbot: %v\n%s", err, stderr)
	}
}

// With a token, the same registration serves the reindex, and faqbot reindex prints its result.
func TestReindexAdminOn(t *testing.T) {
	mux := http.NewServeMux()
	var calls atomic.Int32
	on := registerAdmin(mux, "tok", func(context.Context, string) (bot.ReloadResult, error) {
		calls.Add(1)
		return bot.ReloadResult{Version: "v2", Previous: "v1", Entries: 12, Changed: true}, nil
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	stdout, stderr, err := reindexAgainst(t, srv.URL)
	if !on || err != nil || calls.Load() != 1 || !strings.Contains(stdout, "v2") {
		t.Errorf("on=%v calls=%d err=%v stdout %q stderr %q", on, calls.Load(), err, stdout, stderr)
	}
	resp, err := http.Get(srv.URL + "/admin/reindex")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /admin/reindex with the admin API on: %d, want 405", resp.StatusCode)
	}
}
