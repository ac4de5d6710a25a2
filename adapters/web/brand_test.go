package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

// brandedBot is a bot over the shipped content with its brand changed by edit.
func brandedBot(tb testing.TB, edit func(*faq.Brand)) *bot.Bot {
	tb.Helper()
	c, err := faq.LoadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	cp := *c
	edit(&cp.Brand)
	e, err := bot.NewEngine(context.Background(), &cp, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return bot.New(e, testNow)
}

func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#ffffff", "#000000", 21},
		{"#ffffff", "#ffffff", 1},
		{"#777777", "#ffffff", 4.48}, // the grey that just fails AA
		{"#767676", "#ffffff", 4.54}, // the grey that just passes
		{"#1f4e79", "#ffffff", 8.66},
	} {
		a, _ := parseHex(tc.a)
		b, _ := parseHex(tc.b)
		if got := contrast(a, b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct{ bg, on string }{
		{"#1f4e79", "#ffffff"}, {"#ffd400", "#000000"}, {"#ffffff", "#000000"}, {"#000000", "#ffffff"},
		{"#777777", "#000000"}, {"#ff0000", "#000000"}, {"#0b6bcb", "#ffffff"},
	} {
		bg, _ := parseHex(tc.bg)
		if got := onColor(bg).hex(); got != tc.on {
			t.Errorf("text on %s: %s, want %s", tc.bg, got, tc.on)
		}
	}
	// Every colour of a grid through the sRGB cube (17 steps a channel, 4,913 colours) gets
	// text, ink and text on ink that read at 4.5:1 or better.
	for r := 0; r <= 255; r += 15 {
		for g := 0; g <= 255; g += 15 {
			for b := 0; b <= 255; b += 15 {
				c := rgb{uint8(r), uint8(g), uint8(b)}
				p := brandPalette(faq.Brand{Color: c.hex()})
				if p.brand != c {
					t.Fatalf("%s: palette of %s", c.hex(), p.brand.hex())
				}
				if k := contrast(p.onBrand, c); k < minContrast {
					t.Errorf("%s: text %s at %.2f:1", c.hex(), p.onBrand.hex(), k)
				}
				for _, ground := range []rgb{inkGround, white, {0xf6, 0xf8, 0xfb}, {0xff, 0xf4, 0xe5}} {
					if k := contrast(p.ink, ground); k < minContrast {
						t.Errorf("%s: ink %s on %s at %.2f:1", c.hex(), p.ink.hex(), ground.hex(), k)
					}
				}
				if k := contrast(white, p.ink); k < minContrast {
					t.Errorf("%s: white on ink %s at %.2f:1", c.hex(), p.ink.hex(), k)
				}
				if contrast(c, inkGround) >= minContrast && p.ink != c {
					t.Errorf("%s reads on the page as it is, but ink is %s", c.hex(), p.ink.hex())
				}
			}
		}
	}
	if p := brandPalette(faq.Brand{}); p.brand != defaultBrand {
		t.Errorf("no brand colour: %s, want the default", p.brand.hex())
	}
}

func TestBrandCSS(t *testing.T) {
	h, err := New(brandedBot(t, func(b *faq.Brand) { b.Color = "#ffd400" }), Config{})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := call(t, h, "GET", "/static/brand.css", "", "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("brand.css: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	css := w.Body.String()
	for _, want := range []string{"--brand: #ffd400;", "--on-brand: #000000;", "--ink: #", "--on-ink: #ffffff;"} {
		if !strings.Contains(css, want) {
			t.Errorf("brand.css lacks %q:\n%s", want, css)
		}
	}
	if strings.Contains(css, "--ink: #ffd400;") {
		t.Errorf("yellow ink on a light page:\n%s", css)
	}
}

// decisionKeys are the fields of the decision (bot.Explanation) that the reply alone does not
// carry: only editors get them.
var decisionKeys = []string{"query", "action", "score", "suggestions", "pii", "answer", "reason", "signals"}

func TestDecisionForEditorsOnly(t *testing.T) {
	keys := func(t *testing.T, w *httptest.ResponseRecorder) map[string]json.RawMessage {
		t.Helper()
		var m map[string]json.RawMessage
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	signedIn := func(r *http.Request) bool { return r.Header.Get("X-Test-Editor") == "yes" }
	visitor, err := New(testBot(t), Config{Limiter: open{}, AddrLimiter: open{}}) // Editor nil
	if err != nil {
		t.Fatal(err)
	}
	both := newHandler(t, Config{Editor: signedIn})
	for _, tc := range []struct {
		name   string
		h      *Handler
		editor bool
	}{
		{"no Editor", visitor, false},
		{"Editor says no", both, false},
		{"Editor says yes", both, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do := func(method, path, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if tc.editor {
					req.Header.Set("X-Test-Editor", "yes")
				}
				w := httptest.NewRecorder()
				tc.h.ServeHTTP(w, req)
				if w.Code != 200 {
					t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
				}
				return w
			}
			for _, w := range []*httptest.ResponseRecorder{
				do("POST", "/api/ask", `{"query":"パスワードを変更したい"}`),
				do("POST", "/api/ask", `{"query":"私のマイナンバー 1234 5678 9012 は漏れましたか"}`),
				do("GET", "/api/welcome?lang=en", ""),
			} {
				m := keys(t, w)
				for _, k := range decisionKeys {
					if _, ok := m[k]; ok != tc.editor {
						t.Errorf("%q in the answer: %v, want %v\n%s", k, ok, tc.editor, w.Body)
					}
				}
				for _, k := range []string{"lang", "entry", "handoff", "body", "parts"} {
					if _, ok := m[k]; !ok {
						t.Errorf("%q missing from the answer\n%s", k, w.Body)
					}
				}
			}
			res := map[string]any{}
			json.Unmarshal(do("POST", "/api/ask", `{"query":"パスワードを変更したい"}`).Body.Bytes(), &res)
			if res["choice_kind"] != "followups" || res["entry"] != "change-password" {
				t.Errorf("ask-back: %v", res)
			}
			page := do("GET", "/", "").Body.String()
			if got := strings.Contains(page, `id="show-decision"`); got != tc.editor {
				t.Errorf("the page has the decision switch: %v, want %v", got, tc.editor)
			}
		})
	}
	// An editor gets the decision as `faqbot ask --json` prints it, plus the reply.
	req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(`{"query":"流出した件数は何件ですか"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Editor", "yes")
	w := httptest.NewRecorder()
	both.ServeHTTP(w, req)
	var got bot.Explanation
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	rep, err := testBot(t).Handle(context.Background(), "u", "流出した件数は何件ですか", memstore.NewStore(0, nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bot.Explain(rep), got); diff != "" {
		t.Errorf("an editor's decision (-ask --json +/api/ask):\n%s", diff)
	}
}

func TestPageBrand(t *testing.T) {
	const url = "https://notice.example/2017/07/31?a=1&b=2"
	for _, tc := range []struct {
		name  string
		bot   *bot.Bot
		link  bool
		brand bool
	}{
		{"shipped", shippedBot(t), false, true},
		{"with the notice page", brandedBot(t, func(b *faq.Brand) { b.NoticeURL = url }), true, true},
		{"no brand", brandedBot(t, func(b *faq.Brand) { *b = faq.Brand{} }), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(tc.bot, Config{})
			if err != nil {
				t.Fatal(err)
			}
			w, _ := call(t, h, "GET", "/", "", "")
			page := w.Body.String()
			for _, s := range []string{`data-ja="株式会社マネースクエア"`, `data-en="Money Square, Inc."`,
				"<title>株式会社マネースクエア よくあるご質問</title>", "当社の公式Q&amp;A", `role="note"`} {
				if strings.Contains(page, s) != tc.brand {
					t.Errorf("page holds %s: %v, want %v", s, !tc.brand, tc.brand)
				}
			}
			link := `<a href="https://notice.example/2017/07/31?a=1&amp;b=2" target="_blank" rel="noopener noreferrer" data-t="notice_link">`
			if strings.Contains(page, link) != tc.link {
				t.Errorf("page links the notice page: %v, want %v\n%s", !tc.link, tc.link, page)
			}
			if !strings.Contains(page, "よくあるご質問") {
				t.Errorf("page without a title")
			}
		})
	}
}

func TestPhoneParts(t *testing.T) {
	official := []string{"0120-455-512", "03-3470-5050", "03-3470-5053"} // bot.Reply.Phones
	tel := func(n, d string) part { return part{Text: n, Phone: true, Tel: d} }
	text := func(s string) part { return part{Text: s} }
	for _, tc := range []struct {
		in   string
		want []part
	}{
		{"", []part{text("")}},
		{"カスタマーデスク 0120-455-512(9:00~17:00)まで",
			[]part{text("カスタマーデスク "), tel("0120-455-512", "0120455512"), text("(9:00~17:00)まで")}},
		{"電話番号:03-3470-5050\nFAX:03-3470-5053\n",
			[]part{text("電話番号:"), tel("03-3470-5050", "0334705050"), text("\nFAX:"), {Text: "03-3470-5053", Phone: true}, text("\n")}},
		{"Phone: 03-3470-5050 Fax: 03-3470-5053",
			[]part{text("Phone: "), tel("03-3470-5050", "0334705050"), text(" Fax: "), {Text: "03-3470-5053", Phone: true}}},
		// Not an official number: not a link, whoever wrote it.
		{"090-1234-5678 に電話", []part{text("090-1234-5678 に電話")}},
		// Part of a longer number.
		{"10120-455-512", []part{text("10120-455-512")}},
		{"0120-455-5123", []part{text("0120-455-5123")}},
		{"0120-455-512-9", []part{text("0120-455-512-9")}},
		{"0120-455-512", []part{tel("0120-455-512", "0120455512")}},
	} {
		if diff := cmp.Diff(tc.want, parts(tc.in, official)); diff != "" {
			t.Errorf("parts(%q) (-want +got):\n%s", tc.in, diff)
		}
	}

	// Through the API: a hand-off reply's number; the parts put together are the body.
	h := newHandler(t, Config{Editor: nobody})
	res := ask(t, h, map[string]string{"query": "私の情報も漏れたのですか"})
	var joined strings.Builder
	var tels []string
	for _, pt := range partsOf(t, h, "私の情報も漏れたのですか") {
		joined.WriteString(pt.Text)
		if pt.Tel != "" {
			tels = append(tels, pt.Text+"="+pt.Tel)
		}
	}
	if joined.String() != res.Body {
		t.Errorf("parts make %q, body is %q", joined.String(), res.Body)
	}
	if diff := cmp.Diff([]string{"0120-455-512=0120455512"}, tels); diff != "" {
		t.Errorf("numbers to call in the hand-off (-want +got):\n%s", diff)
	}
}

// partsOf asks h query and returns the parts of its reply.
func partsOf(t *testing.T, h http.Handler, query string) []part {
	t.Helper()
	w, _ := post(t, h, "/api/ask", map[string]string{"query": query})
	var res struct {
		Parts []part `json:"parts"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(fmt.Errorf("%w: %s", err, w.Body))
	}
	return res.Parts
}
