package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/record"
)

// view is what a page shows; each page uses the fields it needs.
type view struct {
	Title    string
	SignedIn bool
	CSRF     string
	Path     string
	Error    string
	// SignInLink offers a link to the sign-in form.
	SignInLink bool

	Mode    string // editor.InDirectory, InBundles or Embedded
	Pending string // the draft version not yet published
	Serving string // the content version this replica serves

	// Dashboard.
	Range    string
	Ranges   []string
	Report   *record.Report
	Charts   charts
	NoSource bool

	// A question, its inspection, an edit of it and what the bot answers it.
	Question   string
	Lang       string
	Entry      string
	OutOfScope bool
	Inspection *editor.Inspection
	Change     *editor.Change
	Answer     *bot.Explanation
	// TriedOn says which content "try it" answered with, and its version.
	TriedOn, TriedVersion string

	// Reindex and replicas.
	Published     string
	Result        *bot.ReloadResult
	Problems      []string
	Replicas      []Replica
	ReplicasError string
	Reindexes     []bot.Reindex
}

// Editable tells whether edits can be made from the console.
func (v *view) Editable() bool { return v.Mode != editor.Embedded }

// ExportCommand is how to start faqbot with an editable copy of embedded content.
const ExportCommand = "faqbot content export DIR"

// ServeCommand is how to serve that copy.
const ServeCommand = "faqbot serve --content DIR"

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(bot.JST).Format("2006-01-02 15:04")
	},
	"pct": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"ms":  func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"short": func(v string) string {
		if len(v) > 12 {
			return v[:12]
		}
		return v
	},
	// diffLines splits a unified diff into lines with their kind, for colouring.
	"diffLines": func(d string) []diffLine {
		var out []diffLine
		for _, l := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
			k := "ctx"
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "@@"):
				k = "hdr"
			case strings.HasPrefix(l, "+"):
				k = "add"
			case strings.HasPrefix(l, "-"):
				k = "del"
			}
			out = append(out, diffLine{Kind: k, Text: l})
		}
		return out
	},
	"add1":          func(i int) int { return i + 1 },
	"exportCommand": func() string { return ExportCommand },
	"serveCommand":  func() string { return ServeCommand },
}

type diffLine struct{ Kind, Text string }

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes page with v, rendered in full before anything is sent.
func (c *Console) render(w http.ResponseWriter, status int, page string, v *view) {
	var buf bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.log.Error("admin page failed to render", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
