package web

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
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

// watchConsole collects the page's console until stop: uncaught exceptions, errors and
// warnings (a violation of the content security policy is one).
func watchConsole(ctx context.Context) (stop func() []string) {
	var problems []string
	var mu sync.Mutex
	consoleCtx, cancel := context.WithCancel(ctx)
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
	return func() []string {
		cancel()
		<-collected
		mu.Lock()
		defer mu.Unlock()
		return problems
	}
}

// evaluator returns a function that evaluates a JavaScript expression of type string.
func evaluator(t *testing.T, ctx context.Context) func(expr string) string {
	return func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%v\n%s", err, expr)
		}
		return s
	}
}

// waitReply waits until the newest reply holds want.
func waitReply(want string) chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](fmt.Sprintf(`(%s).includes(%q)`, lastBotText, want),
		chromedp.WithPollingTimeout(5*time.Second)))
}

// TestBrowser drives the chat as an editor sees it (Config.Editor says yes) in a real headless
// Chromium: a Japanese question, its ask-back, a tap on a follow-up, and the decision behind
// the reply. With WEB_SCREENSHOTS set to a directory, it also saves the page at phone and
// desktop sizes there.
func TestBrowser(t *testing.T) {
	srv := httptest.NewServer(newHandlerOver(t, shippedBot(t), Config{Editor: everyone})) // before the browser's clock starts
	defer srv.Close()
	ctx := browser(t, 390, 844)
	stopConsole := watchConsole(ctx)
	text := evaluator(t, ctx)

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
		screenshots(t, ctx, dir, "editor")
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

	if problems := stopConsole(); len(problems) > 0 {
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

// screenshots saves the page as it is at phone and at desktop size, as dir/name-phone.png and
// dir/name-desktop.png, and returns their paths.
func screenshots(t *testing.T, ctx context.Context, dir, name string) []string {
	var paths []string
	for _, s := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{name + "-phone.png", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
		{name + "-desktop.png", 1280, 860, nil},
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
		path := filepath.Join(dir, s.name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// contrastJS measures, for every visible element of the selectors, the contrast of its text
// on the first opaque background behind it (WCAG 2), as JSON.
const contrastJS = `(() => {
	const parse = (s) => {
		const m = /rgba?\(([^)]+)\)/.exec(s);
		if (!m) return null;
		const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
	};
	const lum = (c) => {
		const f = (x) => { x /= 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const ground = (node) => {
		for (let n = node; n; n = n.parentElement) {
			const c = parse(getComputedStyle(n).backgroundColor);
			if (c && c.a > 0) return c;
		}
		return { r: 255, g: 255, b: 255, a: 1 };
	};
	const out = [];
	for (const sel of SELECTORS) {
		for (const node of document.querySelectorAll(sel)) {
			if (!node.getClientRects().length) continue;
			const fg = parse(getComputedStyle(node).color), bg = ground(node);
			const a = lum(fg), b = lum(bg);
			out.push({ sel, text: node.textContent.trim().slice(0, 20), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
				fg: getComputedStyle(node).color, bg: 'rgb(' + bg.r + ', ' + bg.g + ', ' + bg.b + ')' });
		}
	}
	return JSON.stringify(out);
})()`

// checkContrast fails the test for text on the page that reads at less than 4.5:1, and for
// a selector that matches nothing visible.
func checkContrast(t *testing.T, text func(string) string, selectors ...string) {
	t.Helper()
	sels, _ := json.Marshal(selectors)
	var got []struct {
		Sel, Text, Fg, Bg string
		Ratio             float64
	}
	if err := json.Unmarshal([]byte(text(strings.Replace(contrastJS, "SELECTORS", string(sels), 1))), &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g.Sel] = true
		if g.Ratio < minContrast {
			t.Errorf("%s %q: %s on %s reads at %.2f:1, want at least 4.5:1", g.Sel, g.Text, g.Fg, g.Bg, g.Ratio)
		}
	}
	for _, s := range selectors {
		if !seen[s] {
			t.Errorf("nothing visible matches %s", s)
		}
	}
}

// TestBrowserCustomer drives the chat as a customer sees it (Config.Editor nil), with a
// notice page in the content's brand: the company's name, the notice and its link, no
// decision anywhere, the greeting's popular topics under their own labels, phone numbers
// to call that never break, keyboard use, contrast and phone width; then screenshots at
// desktop and phone width (in a temporary directory, and in WEB_SCREENSHOTS when set).
func TestBrowserCustomer(t *testing.T) {
	const noticeURL = "https://notice.example/2017/07/31/"
	b := brandedBot(t, func(b *faq.Brand) { b.NoticeURL = noticeURL })
	h, err := New(b, Config{Limiter: open{}, AddrLimiter: open{}})
	if err != nil {
		t.Fatal(err)
	}
	// Customers have been asking about the app: a follow-up is the most answered entry.
	for range 3 {
		h.bot.Popularity().Add("change-password-app")
	}
	h.bot.Popularity().Add("leak-count")
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browser(t, 390, 844)
	stopConsole := watchConsole(ctx)
	text := evaluator(t, ctx)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS(`.row.bot .choice`)),
	); err != nil {
		t.Fatal(err)
	}

	// The brand: the company's name, the notice and its link.
	if s := text(`document.querySelector('.brand-name').textContent`); s != "株式会社マネースクエア" {
		t.Errorf("name %q", s)
	}
	if s := text(`document.title`); s != "株式会社マネースクエア よくあるご質問" {
		t.Errorf("title %q", s)
	}
	if s := text(`document.getElementById('notice').textContent`); !strings.Contains(s, "自動応答") || !strings.Contains(s, "公式Q&A") {
		t.Errorf("notice %q", s)
	}
	if s := text(`(() => { const a = document.querySelector('#notice a'); return a && a.offsetParent ? a.href + ' ' + a.textContent : ''; })()`); s != noticeURL+" 公式のお知らせ" {
		t.Errorf("notice link %q, want %s to the official notice", s, noticeURL)
	}

	// No decision for a customer: no switch, no panel.
	const decisions = `String(document.querySelectorAll('#show-decision, .decision, .toggle').length)`
	if n := text(decisions); n != "0" {
		t.Errorf("%s decision elements on a customer's page", n)
	}

	// The greeting's popular topics, under their own labels: the app's parent first.
	if s := text(`[...document.querySelectorAll('.row.bot .choices.welcome .choice')].map(b => b.dataset.entry + '=' + b.textContent).join('|')`); !strings.HasPrefix(s, "change-password=パスワード変更|leak-count=") || strings.Contains(s, "change-password-app") {
		t.Errorf("greeting offers %s, want the topic change-password under its label first", s)
	}

	// The keyboard reaches the link, the switches, the topics, the question and the button.
	var order []string
	for range 12 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		order = append(order, text(`(() => { const e = document.activeElement; return e.id || (e.dataset.entry ? 'choice' : e.tagName.toLowerCase()); })()`))
	}
	joined := strings.Join(order, " ")
	for _, want := range []string{"a", "lang", "reset", "choice", "q", "send"} {
		if !slices.Contains(order, want) {
			t.Errorf("Tab never reaches %s: %s", want, joined)
		}
	}
	// A topic is taken with the keyboard: it asks back which follow-up is meant.
	if err := chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`.choices.welcome .choice[data-entry="change-password"]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.row.bot:last-child .choices.followups .choice[data-entry="change-password-app"]`)),
	); err != nil {
		t.Fatal(err)
	}

	// A question typed and sent with Enter; the reply's phone number is a link to call that
	// does not break; the question, which holds a phone number too, stays as typed.
	const typed = "0120-455-512 に電話すれば私の情報が漏れたか分かりますか"
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), typed+kb.Enter),
		waitReply("0120-455-512"),
	); err != nil {
		t.Fatal(err)
	}
	if n := text(decisions); n != "0" {
		t.Errorf("%s decision elements after a reply", n)
	}
	if s := text(`String([...document.querySelectorAll('.row.user')].pop().querySelectorAll('a, .tel').length)`); s != "0" {
		t.Errorf("the user's phone number became %s links", s)
	}
	tel := text(`(() => {
		const a = document.querySelector('.row.bot:last-child .text a.tel');
		return a ? [a.getAttribute('href'), a.textContent, getComputedStyle(a).whiteSpace, a.getClientRects().length].join(' ') : '';
	})()`)
	if tel != "tel:0120455512 0120-455-512 nowrap 1" {
		t.Errorf("the desk's number in a reply: %q, want a tel: link on one line (href, text, white-space, boxes)", tel)
	}

	// A fax number does not break either, and is not called.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "報道関係の問い合わせ先を教えてください"+kb.Enter),
		waitReply("FAX"),
	); err != nil {
		t.Fatal(err)
	}
	if s := text(`[...document.querySelectorAll('.row.bot:last-child .text .tel')].map(n => n.tagName + ' ' + (n.getAttribute('href') || '-') + ' ' + n.textContent + ' ' + getComputedStyle(n).whiteSpace).join('|')`); s != "A tel:0120455512 0120-455-512 nowrap|A tel:0334705050 03-3470-5050 nowrap|SPAN - 03-3470-5053 nowrap" {
		t.Errorf("press contact's numbers: %s", s)
	}

	// DevTools types Enter's character as an event of its own, which the page's keydown
	// handler cannot cancel as it does a real key's: it is left in the emptied field.
	if s := text(`(() => { const q = document.getElementById('q'); const v = q.value; q.value = ''; q.dispatchEvent(new Event('input')); return v; })()`); strings.TrimSpace(s) != "" {
		t.Errorf("the question field holds %q after sending", s)
	}
	// Every text reads at 4.5:1, and a phone screen does not scroll sideways.
	checkContrast(t, text, ".brand-name", ".brand-sub", ".tool", "#notice span", "#notice a", ".row.bot .text",
		".row.user .bubble", ".choice", "a.tel", "#send", ".helpful > span", ".mini")
	for _, width := range []int64{390, 320} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		if s := text(`String(document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll('.brand-name, #lang, #reset, #send, #q')].every(e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }))`); s != "true" {
			t.Errorf("at %d px wide, the page scrolls sideways or cuts off a control", width)
		}
	}

	dir := t.TempDir()
	for _, path := range screenshots(t, ctx, dir, "customer") {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		want := 1280
		if strings.HasSuffix(path, "-phone.png") {
			want = 390
		}
		if cfg.Width != want {
			t.Errorf("%s is %d px wide, want %d", path, cfg.Width, want)
		}
	}
	if out := os.Getenv("WEB_SCREENSHOTS"); out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		screenshots(t, ctx, out, "customer")
	}

	if problems := stopConsole(); len(problems) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(problems, "\n"))
	}
}

// TestBrowserLightBrand loads the page of a light brand colour: its name reads in black.
func TestBrowserLightBrand(t *testing.T) {
	h, err := New(brandedBot(t, func(b *faq.Brand) { b.Color = "#ffd400" }), Config{Limiter: open{}, AddrLimiter: open{}})
	if err != nil {
		t.Fatal(err)
	}
	_, text, _ := openChat(t, h, 1024, 700)
	if s := text(`getComputedStyle(document.querySelector('.bar')).backgroundColor + ' ' + getComputedStyle(document.querySelector('.brand-name')).color`); s != "rgb(255, 212, 0) rgb(0, 0, 0)" {
		t.Errorf("header %s, want the brand colour with black text", s)
	}
	checkContrast(t, text, ".brand-name", ".brand-sub", ".tool", "#notice span", ".row.bot .text", ".choice", "#send")
}

// TestBrowserTextsFromContent: the page's texts are the content's (faqbot.yaml's messages
// web_*), in the language shown: changed there, they change on the page, in both languages.
func TestBrowserTextsFromContent(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	cp := *c
	cp.Messages.Web = maps.Clone(c.Messages.Web)
	cp.Messages.Web["send"] = faq.Localized{faq.Japanese: "質問する", faq.English: "Ask it"}
	cp.Messages.Web["placeholder"] = faq.Localized{faq.Japanese: "ここに入力", faq.English: "Type here"}
	cp.Messages.Web["reset"] = faq.Localized{faq.Japanese: "最初から", faq.English: "Start over"}
	e, err := bot.NewEngine(context.Background(), &cp, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	h, err := New(bot.New(e, testNow), Config{Limiter: open{}, AddrLimiter: open{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, text, stopConsole := openChat(t, h, 1024, 700)
	const texts = `[document.documentElement.lang, document.getElementById('send').textContent, document.getElementById('q').placeholder, document.getElementById('reset').textContent, document.getElementById('lang').textContent].join('|')`
	if got := text(texts); got != "ja|質問する|ここに入力|最初から|English" {
		t.Errorf("page in Japanese: %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#lang`))); err != nil {
		t.Fatal(err)
	}
	if got := text(texts); got != "en|Ask it|Type here|Start over|日本語" {
		t.Errorf("page in English: %q", got)
	}
	if p := stopConsole(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// openChat serves h, opens the page in a browser width×height wide (its console watched) and
// waits for the greeting.
func openChat(t *testing.T, h http.Handler, width, height int) (ctx context.Context, text func(string) string, stopConsole func() []string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx = browser(t, width, height)
	stopConsole = watchConsole(ctx)
	text = evaluator(t, ctx)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS(`.row.bot .choice`)),
	); err != nil {
		t.Fatal(err)
	}
	return ctx, text, stopConsole
}
