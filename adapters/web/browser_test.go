package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the path of a Chromium or Chrome to drive. FAQBOT_CHROMIUM names one
// explicitly. When there is none, the test is skipped on a developer's machine and fails in CI
// (CI non-empty), where one is installed.
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
		chromedp.Flag("lang", "ja-JP"),
		chromedp.Flag("accept-lang", "ja-JP,ja"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	// The test takes a few seconds; the margin is for a loaded machine and the race detector.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

// lastBotText is the text of the newest reply on the page.
const lastBotText = `(() => {
	const rows = document.querySelectorAll('.row.bot:not(.thinking) .text');
	return rows.length ? rows[rows.length - 1].textContent : '';
})()`

// TestBrowser drives the console in a real headless Chromium: a Japanese question, its ask-back,
// a tap on a follow-up, and the decision behind the reply. With WEB_SCREENSHOTS set to a
// directory, it also saves the page at phone and desktop sizes there.
func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, Config{})) // before the browser's clock starts
	defer srv.Close()
	ctx := browser(t, 390, 844)

	// The page's console: uncaught exceptions, errors and warnings (a violation of the content
	// security policy is one), collected until the end.
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

	text := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	waitReply := func(want string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Poll[bool](fmt.Sprintf(`(%s).includes(%q)`, lastBotText, want),
			chromedp.WithPollingTimeout(5*time.Second)))
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS(`.row.bot .choice`)), // the greeting offers entries
	)
	if err != nil {
		t.Fatal(err)
	}
	if lang := text(`document.documentElement.lang`); lang != "ja" {
		t.Errorf("page in %q for a Japanese browser, want ja", lang)
	}
	if welcome := text(lastBotText); welcome == "" {
		t.Errorf("no greeting")
	}

	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "パスワードを変更したい"),
		chromedp.Click(chromedp.CSS(`#send`)),
		chromedp.WaitVisible(chromedp.CSS(`button.choice[data-entry="change-password-pc"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(lastBotText); !strings.Contains(s, "どちらの方法") {
		t.Errorf("ask-back %q, want the question which way", s)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button.choice[data-entry="change-password-pc"]`)),
		waitReply("PCの場合"),
	); err != nil {
		t.Fatal(err)
	}
	if s := text(lastBotText); !strings.Contains(s, "マイページ") {
		t.Errorf("child answer %q, want the steps on a PC", s)
	}
	if s := text(`[...document.querySelectorAll('.row.user .bubble')].pop().textContent`); s != "パソコン(PC)で変更" {
		t.Errorf("the tap shows %q as the user's message, want the button's label", s)
	}

	// Feedback on the answer: the buttons give way to the content's thanks.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.row.bot:last-child .helpful button`)),
		chromedp.WaitVisible(chromedp.CSS(`.row.bot:last-child .helpful .thanks`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := text(`document.querySelector('.row.bot:last-child .thanks').textContent`); s != "ご回答ありがとうございました。" {
		t.Errorf("thanks %q", s)
	}

	// The decision is hidden until the switch is turned on.
	const lastEntry = `.row.bot:last-child dd[data-field="entry"]`
	if shown := text(`String(document.querySelector('` + lastEntry + `').offsetParent !== null)`); shown != "false" {
		t.Errorf("the decision shows before the switch is turned on")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#show-decision`)),
		chromedp.WaitVisible(chromedp.CSS(lastEntry)),
	); err != nil {
		t.Fatal(err)
	}
	entry, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(lastEntry)))
	if err != nil {
		t.Fatal(err)
	}
	if entry != "change-password-pc" {
		t.Errorf("decision shows entry %q, want change-password-pc", entry)
	}

	if dir := os.Getenv("WEB_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		screenshots(t, ctx, dir)
	}

	// Text is shown as text, never run as markup.
	const markup = `<img src=x id=injected onerror="document.title='owned'">`
	const replies = `String(document.querySelectorAll('.row.bot:not(.thinking)').length)`
	before := text(replies)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), markup),
		chromedp.Click(chromedp.CSS(`#send`)),
		void(chromedp.Poll[bool](replies+` !== `+strconv.Quote(before), chromedp.WithPollingTimeout(5*time.Second))),
	); err != nil {
		t.Fatal(err)
	}
	if s := text(`[...document.querySelectorAll('.row.user .bubble')].pop().textContent`); s != markup {
		t.Errorf("the user's message shows as %q, want it as typed", s)
	}
	if s := text(`String(document.getElementById('injected') === null && document.title !== 'owned')`); s != "true" {
		t.Errorf("typed markup became part of the page")
	}

	stopConsole()
	<-collected
	if len(problems) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(problems, "\n"))
	}
}

// void drops the value of an action, for chromedp.Do.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := a(ctx, t)
		return err
	})
}

// screenshots saves the page as it is at phone and at desktop size.
func screenshots(t *testing.T, ctx context.Context, dir string) {
	for _, s := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"console-phone.png", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
		{"console-desktop.png", 1280, 860, nil},
	} {
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(s.width, s.height, s.opts...),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('log').scrollTop = document.querySelector('.row.bot:last-child').offsetTop - 8`),
			chromedp.Sleep(500*time.Millisecond),
		); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
