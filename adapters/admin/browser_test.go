package admin

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faqbot/faqbot/bot"
)

// chromium returns the path of a Chromium or Chrome to drive, as adapters/web's browser test
// finds it: FAQBOT_CHROMIUM names one explicitly; when there is none, the test is skipped on
// a developer's machine and fails in CI (CI non-empty), where one is installed.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FAQBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or FAQBOT_CHROMIUM), and CI needs one: apt-get install -y chromium")
	}
	t.Skip("no Chromium found (chromium, chromium-browser, google-chrome or FAQBOT_CHROMIUM): browser test skipped")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a tab's context.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	// The test takes several seconds (two indexes are built); the margin is for a loaded
	// machine and the race detector.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

// void drops the value of an action, for chromedp.Do.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := a(ctx, t)
		return err
	})
}

// TestBrowser drives the console in a real headless Chromium, as an editor would with the
// keyboard and mouse: sign in, see the charts, inspect the unanswered question, add it as a
// phrasing of an entry, reindex, and find the bot answering it. The cookies are Secure as in
// production: the page is opened at http://localhost, where browsers keep Secure cookies.
// Screenshots at desktop and phone width go to the test's temporary directory (their paths are
// logged), or to ADMIN_SCREENSHOTS when set.
func TestBrowser(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Now = time.Now }) // the browser's clock is the real one
	f.clock.Add(time.Until(f.clock.Now()) * -1)
	f.seed(t)
	srv := httptest.NewServer(f.console)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	base := "http://localhost:" + port
	ctx := browser(t, 1280, 900)

	var problems []string
	var mu sync.Mutex
	consoleCtx, stopConsole := context.WithCancel(ctx)
	messages := chromedp.Console(consoleCtx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				mu.Unlock()
			}
		}
	}()
	eval := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shots := os.Getenv("ADMIN_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	screenshot := func(name string) {
		t.Helper()
		for _, s := range []struct {
			suffix        string
			width, height int64
			opts          []chromedp.EmulateViewportOption
		}{
			{"desktop", 1280, 900, nil},
			{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
		} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(s.width, s.height, s.opts...)); err != nil {
				t.Fatal(err)
			}
			if w := eval(`String(document.documentElement.scrollWidth)`); w != fmt.Sprint(s.width) {
				t.Errorf("%s at %d wide: the page is %s wide", name, s.width, w)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(shots, name+"-"+s.suffix+".png")
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", p)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}

	// Sign in with the keyboard: the token field has the focus, Enter sends the form.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.activeElement.id`); got != "token" {
		t.Errorf("focus on %q, want the token field", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#token`), testToken+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#chart-outcomes`)),
	); err != nil {
		t.Fatal(err)
	}
	// The charts are drawn, with bars.
	for _, id := range []string{"chart-outcomes", "chart-platforms", "chart-handoffs"} {
		n := eval(fmt.Sprintf(`String(document.querySelectorAll('#%s rect.bar').length)`, id))
		if n == "0" {
			t.Errorf("chart %s has no bars", id)
		}
		w := eval(fmt.Sprintf(`String(Math.round(document.getElementById('%s').getBoundingClientRect().width))`, id))
		if w == "0" {
			t.Errorf("chart %s has no width", id)
		}
	}
	if n := eval(`String(document.querySelectorAll('#chart-helpful circle.point').length)`); n == "0" {
		t.Error("the helpful chart has no points")
	}
	// The session cookie is not readable by a script.
	if c := eval(`document.cookie`); strings.Contains(c, SessionCookie) {
		t.Errorf("document.cookie shows the session: %q", c)
	}
	screenshot("dashboard")

	// Every range.
	for _, rg := range []string{"24h", "30d", "7d"} {
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.ranges a[href$="range=`+rg+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.ranges a[href$="range=`+rg+`"][aria-current="page"]`)),
		); err != nil {
			t.Fatal(err)
		}
		if n := eval(`String(document.querySelectorAll('#chart-outcomes rect.bar').length)`); n == "0" {
			t.Errorf("%s: no bars", rg)
		}
	}

	// The unhelpful answers: the question rated, with its entry; Inspect shows the decision and
	// the runner-ups, with the edits an unanswered question gets.
	if got := eval(`[...document.querySelectorAll('table.unhelpful tbody tr')].map(tr => tr.querySelector('.q').textContent + '|' + tr.querySelector('[data-field="entry"]').textContent + '|' + tr.querySelector('td.num').textContent).join(';')`); got != unhelpfulQuestion+"|leak-count|2" {
		t.Errorf("unhelpful answers listed: %q, want %s rated twice for leak-count", got, unhelpfulQuestion)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button.inspect[aria-label="Inspect unhelpful: %s"]`, unhelpfulQuestion))),
		chromedp.WaitVisible(chromedp.CSS(`#add-phrasing`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector('[data-field="entry"]').textContent + ' ' + document.querySelector('[data-field="query"]').textContent`); got != "leak-count "+unhelpfulQuestion {
		t.Errorf("the unhelpful question's decision: %q, want leak-count for %s", got, unhelpfulQuestion)
	}
	if n := eval(`String(document.querySelectorAll('table.candidates tbody tr').length + document.querySelectorAll('#out-of-scope').length)`); n == "0" || n == "1" {
		t.Error("no runner-ups or no out-of-scope form for the unhelpful question")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS(`#chart-outcomes`))); err != nil {
		t.Fatal(err)
	}

	// From the unanswered question to its decision, then an edit.
	inspect := fmt.Sprintf(`button.inspect[aria-label="Inspect: %s"]`, unansweredQuestion)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(inspect)),
		chromedp.WaitVisible(chromedp.CSS(`#add-phrasing`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector('[data-field="action"]').textContent`); got != "dont_know" {
		t.Errorf("decision %q, want dont_know", got)
	}
	if n := eval(`String(document.querySelectorAll('table.candidates tbody tr').length)`); n == "0" {
		t.Error("no runner-ups")
	}
	screenshot("inspect")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#ph-entry`), phrasingEntry),
		chromedp.Click(chromedp.CSS(`#add-phrasing-button`)),
		chromedp.WaitVisible(chromedp.CSS(`pre.diff`)),
	); err != nil {
		t.Fatal(err)
	}
	if d := eval(`document.querySelector('pre.diff .d-add').textContent`); d != "+    - "+unansweredQuestion {
		t.Errorf("diff adds %q", d)
	}
	if got := eval(`document.querySelector('#h-preview + dl [data-field="entry"]').textContent`); got != phrasingEntry {
		t.Errorf("with the change the bot decides %q, want %s", got, phrasingEntry)
	}
	screenshot("change")

	// Reindex every replica: the bot answers the question now.
	if r, _ := f.bot.Ask(context.Background(), unansweredQuestion); bot.Explain(r).Entry == phrasingEntry {
		t.Fatal("answered before the reindex")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#reindex`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := eval(`document.getElementById('result').textContent`); !strings.Contains(s, "Reindexed") {
		t.Errorf("reindex result %q", s)
	}
	if r, _ := f.bot.Ask(context.Background(), unansweredQuestion); bot.Explain(r).Entry != phrasingEntry {
		t.Errorf("after the reindex the bot answers %q, want %s", bot.Explain(r).Entry, phrasingEntry)
	}
	if s := eval(`document.getElementById('reindexes').textContent`); !strings.Contains(s, "console") {
		t.Errorf("the last reindexes do not list it: %q", s)
	}
	screenshot("reindex")

	// Try it answers from the content being edited.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/try"),
		chromedp.WaitVisible(chromedp.CSS(`#try-q`)),
		chromedp.SendKeys(chromedp.CSS(`#try-q`), unansweredQuestion),
		chromedp.Click(chromedp.CSS(`#try-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#answer`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector('#answer [data-field="entry"]').textContent`); got != phrasingEntry {
		t.Errorf("try it answers %q, want %s", got, phrasingEntry)
	}
	screenshot("try")

	// Every control is reachable with Tab, and shows where the focus is.
	tabs := eval(`(() => {
		const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')];
		return String(all.filter(e => e.tabIndex < 0 || e.disabled).length);
	})()`)
	if tabs != "0" {
		t.Errorf("%s controls out of the tab order", tabs)
	}

	stopConsole()
	<-collected
	if len(problems) > 0 {
		t.Errorf("the pages reported problems:\n%s", strings.Join(problems, "\n"))
	}
}
