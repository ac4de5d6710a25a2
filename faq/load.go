package faq

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/faqbot/faqbot/faq/analysis"
)

// Problem is one thing wrong in a content tree, at a line of a file.
type Problem struct {
	File string
	Line int // 1-based; 0 when the problem is about the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is the error Load returns for invalid content: every problem found, in file and line
// order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// The files of a content tree.
const (
	ManifestFile   = "faqbot.yaml"
	MatcherFile    = "matcher.yaml"
	SynonymsFile   = "synonyms.yaml"
	OutOfScopeFile = "out-of-scope.yaml"
	NormalizeFile  = "normalize.yaml"
	EntriesDir     = "entries"
)

// LoadDir loads and validates the content tree in dir. Problems are reported with paths under
// dir.
func LoadDir(dir string) (*Content, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("faq: content: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("faq: content: %s is not a directory", dir)
	}
	return Load(os.DirFS(dir), dir)
}

// LoadEmbedded loads the content shipped inside the binary.
func LoadEmbedded() (*Content, error) { return Load(Embedded(), "faq/content") }

// Load loads and validates a content tree from fsys. prefix is prepended to file names in
// problems and in Entry.File. A tree without faqbot.yaml or matcher.yaml takes those files from
// the embedded content. The error, if any, is Problems, or an I/O error.
func Load(fsys fs.FS, prefix string) (*Content, error) {
	l := &loader{fsys: fsys, prefix: prefix}
	c := l.load()
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool {
			a, b := l.problems[i], l.problems[j]
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return nil, l.problems
	}
	if l.err != nil {
		return nil, l.err
	}
	return c, nil
}

type loader struct {
	fsys     fs.FS
	prefix   string
	problems Problems
	err      error
	// src is the text of each document read, by its root node: decode decodes it again,
	// strictly.
	src map[*yaml.Node][]byte
}

func (l *loader) display(name string) string {
	if l.prefix == "" {
		return name
	}
	return path.Join(l.prefix, name)
}

func (l *loader) problem(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.display(file), Line: line, Msg: fmt.Sprintf(format, args...)})
}

// read returns the YAML document of a file, or nil after recording why it can't be used.
func (l *loader) read(fsys fs.FS, name string) *yaml.Node {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		l.err = errors.Join(l.err, fmt.Errorf("faq: read %s: %w", l.display(name), err))
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidAt(data)], []byte("\n"))
		l.problem(name, line, "not valid UTF-8 (save the file as UTF-8; Shift_JIS files can be converted with faqbot import)")
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.yamlProblem(name, err)
		return nil
	}
	if len(doc.Content) == 0 {
		l.problem(name, 1, "file is empty")
		return nil
	}
	if l.src == nil {
		l.src = map[*yaml.Node][]byte{}
	}
	l.src[doc.Content[0]] = data
	return doc.Content[0]
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblem turns a yaml error ("yaml: line 3: …", or a TypeError with several lines) into
// problems at their lines.
func (l *loader) yamlProblem(name string, err error) {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			l.problem(name, n, "%s", g[2])
		} else {
			l.problem(name, 0, "%s", strings.TrimPrefix(m, "yaml: "))
		}
	}
}

var unknownField = regexp.MustCompile(`^field (.+?) not found in type (.+)$`)

// decode decodes the document whose root is node into v, strictly (yaml.Decoder.KnownFields):
// a key that no field of a struct takes is reported as "unknown field", with the keys it
// could have been, at its line. It reports false when v could not be decoded in full; an
// unknown field alone does not make it so. The keys of maps (messages, boosts, signals, the
// languages of out-of-scope.yaml) are checked by unknownKeys.
func (l *loader) decode(name string, node *yaml.Node, v any) bool {
	var err error
	if data, ok := l.src[node]; ok {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err = dec.Decode(v)
	} else {
		err = node.Decode(v) // not the root of a document read: no file to decode strictly
	}
	if err == nil {
		return true
	}
	te, ok := errors.AsType[*yaml.TypeError](err)
	if !ok {
		l.yamlProblem(name, err)
		return false
	}
	keys := structKeys(reflect.TypeOf(v))
	complete := true
	for _, m := range te.Errors {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			if u := unknownField.FindStringSubmatch(g[2]); u != nil {
				n, _ := strconv.Atoi(g[1])
				l.unknownField(name, n, u[1], keys[u[2]])
				continue
			}
		}
		complete = false
		l.yamlProblem(name, errors.New(m))
	}
	return complete
}

// unknownField reports key, at line, as a key no field takes, naming those allowed.
func (l *loader) unknownField(name string, line int, key string, allowed []string) {
	if len(allowed) == 0 {
		l.problem(name, line, "unknown field %q", key)
		return
	}
	l.problem(name, line, "unknown field %q (expected one of %s)", key, strings.Join(allowed, ", "))
}

// unknownKeys reports keys of a mapping node that are not in allowed, as decode does for the
// fields of a struct: for the mappings decoded into Go maps, which take any key.
func (l *loader) unknownKeys(name string, node *yaml.Node, allowed ...string) {
	if node == nil || node.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k := node.Content[i]
		if !slices.Contains(allowed, k.Value) {
			l.unknownField(name, k.Line, k.Value, allowed)
		}
	}
}

// structKeys returns the yaml keys of every struct type reachable from t, by the type's name
// as the yaml package prints it.
func structKeys(t reflect.Type) map[string][]string {
	out := map[string][]string{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(t.Elem())
		case reflect.Struct:
			if _, seen := out[t.String()]; seen {
				return
			}
			out[t.String()] = yamlKeysOf(t)
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(t)
	return out
}

// keyLine returns the line of key itself in a mapping node, or node's own line.
func keyLine(node *yaml.Node, key string) int {
	if node != nil && node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == key {
				return node.Content[i].Line
			}
		}
	}
	if node != nil {
		return node.Line
	}
	return 0
}

// child returns the value node of key in a mapping node, or nil.
func child(node *yaml.Node, key string) *yaml.Node {
	if node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i+1]
		}
	}
	return nil
}

// lineOf returns the line of key's value in node, or node's own line.
func lineOf(node *yaml.Node, key string) int {
	if c := child(node, key); c != nil {
		return c.Line
	}
	if node != nil {
		return node.Line
	}
	return 0
}

func (l *loader) load() *Content {
	c := &Content{byID: map[string]*Entry{}, Source: l.prefix}
	l.loadManifest(c)
	l.loadMatcher(c)
	l.loadSynonyms(c)
	l.loadSudachiSynonyms(c)
	l.loadExpansions(c)
	l.loadOutOfScope(c)
	l.loadNormalize(c)
	l.loadEntries(c)
	return c
}

// fallback returns the node of a file from the tree, or from the embedded content when the tree
// has none, with the name problems should carry.
func (l *loader) fallback(name string) (*yaml.Node, string, *loader) {
	if _, err := fs.Stat(l.fsys, name); err == nil {
		return l.read(l.fsys, name), name, l
	}
	if l.prefix == "faq/content" {
		return nil, name, l
	}
	emb := &loader{fsys: Embedded(), prefix: "faq/content"}
	n := emb.read(emb.fsys, name)
	l.problems = append(l.problems, emb.problems...)
	return n, name, emb
}

type localizedYAML map[Lang]string

func (m localizedYAML) localized() Localized { return Localized(m) }

type manifestYAML struct {
	Languages []Lang `yaml:"languages"`
	Desk      struct {
		Name     localizedYAML `yaml:"name"`
		Phone    string        `yaml:"phone"`
		Hours    localizedYAML `yaml:"hours"`
		Open     string        `yaml:"open"`
		Close    string        `yaml:"close"`
		Closures []struct {
			Name localizedYAML `yaml:"name"`
			From string        `yaml:"from"`
			To   string        `yaml:"to"`
		} `yaml:"closures"`
	} `yaml:"desk"`
	Brand    *brandYAML               `yaml:"brand"`
	Messages map[string]localizedYAML `yaml:"messages"`
}

type brandYAML struct {
	Name      localizedYAML `yaml:"name"`
	Color     string        `yaml:"color"`
	Notice    localizedYAML `yaml:"notice"`
	NoticeURL string        `yaml:"notice_url"`
}

var messageKeys = append([]string{"handoff", "desk_open", "desk_closed", "fallback", "suggestions", "clarify", "ask_back",
	"pii_advice", "greeting", "join", "non_text", "media_image", "media_video", "media_audio", "media_file",
	"media_location", "media_sticker", "busy", "slow_down", "too_long", "helpful_ask", "helpful_thanks", "yes", "no",
	"call_desk", "looking_up", "usage", "topics", "source", "switch_lang", "reindex_not_editor", "reindex_off",
	"reindexing", "reindex_busy", "reindexed", "reindex_failed"}, webKeys()...)

// WebTexts are the names of the web chat page's texts (Messages.Web): the messages
// "web_<name>" of faqbot.yaml.
var WebTexts = []string{"title", "notice_link", "show_decision", "reset", "input_label", "placeholder", "send", "log",
	"you", "bot", "thinking", "error", "unknown_choice", "offline", "decision", "entry", "score", "lang", "action",
	"handoff", "pii", "reason", "query", "followups", "suggestions", "none", "yes", "no", "switch_to", "switch_label",
	"choices", "call"}

func webKeys() []string {
	keys := make([]string, len(WebTexts))
	for i, k := range WebTexts {
		keys[i] = "web_" + k
	}
	return keys
}

func (l *loader) loadManifest(c *Content) {
	node, name, from := l.fallback(ManifestFile)
	if node == nil {
		if from == l && len(l.problems) == 0 {
			l.problem(ManifestFile, 0, "missing")
		}
		return
	}
	for _, k := range []string{"name", "notice"} { // maps: strict decoding takes any key
		from.unknownKeys(name, child(child(node, "brand"), k), "ja", "en")
	}
	from.unknownKeys(name, child(node, "messages"), messageKeys...)
	var m manifestYAML
	if !from.decode(name, node, &m) {
		l.problems = append(l.problems, from.problems...)
		return
	}
	for _, lang := range m.Languages {
		if !knownLang(lang) {
			from.problem(name, lineOf(node, "languages"), "unknown language %q (faqbot speaks ja and en)", lang)
		}
	}
	c.Languages = m.Languages
	c.Desk = Desk{Name: m.Desk.Name.localized(), Phone: m.Desk.Phone, Hours: m.Desk.Hours.localized(), Open: m.Desk.Open, Close: m.Desk.Close}
	c.Desk.Closures = from.closures(name, child(child(node, "desk"), "closures"), m.Desk.Closures)
	c.Brand = from.brand(name, node, m.Brand, m.Languages)
	if c.Desk.Phone == "" {
		from.problem(name, lineOf(node, "desk"), "desk: phone is empty")
	}
	for _, hm := range []string{c.Desk.Open, c.Desk.Close} {
		if !validHHMM(hm) {
			from.problem(name, lineOf(node, "desk"), "desk: open and close must be HH:MM, got %q", hm)
		}
	}
	msgs := child(node, "messages")
	for _, k := range messageKeys {
		if child(msgs, k) == nil && from.prefix != "faq/content" {
			// A message that a newer faqbot added and this tree does not have yet: the
			// shipped text, so that content written for an older version keeps loading.
			if m.Messages == nil {
				m.Messages = map[string]localizedYAML{}
			}
			m.Messages[k] = embeddedMessages()[k]
		}
		if len(m.Messages[k]) == 0 || m.Messages[k][Japanese] == "" && m.Messages[k][English] == "" {
			from.problem(name, lineOf(msgs, k), "messages: %s is empty", k)
		}
	}
	from.checkPlaceholders(name, msgs, m.Messages)
	c.Messages = Messages{
		Handoff: m.Messages["handoff"].localized(), DeskOpen: m.Messages["desk_open"].localized(),
		DeskClosed: m.Messages["desk_closed"].localized(), Fallback: m.Messages["fallback"].localized(),
		Suggestions: m.Messages["suggestions"].localized(), Clarify: m.Messages["clarify"].localized(),
		AskBack:   m.Messages["ask_back"].localized(),
		PIIAdvice: m.Messages["pii_advice"].localized(), Greeting: m.Messages["greeting"].localized(),
		NonText: m.Messages["non_text"].localized(), Busy: m.Messages["busy"].localized(),
		SlowDown: m.Messages["slow_down"].localized(), TooLong: m.Messages["too_long"].localized(),
		HelpfulAsk: m.Messages["helpful_ask"].localized(), HelpfulThank: m.Messages["helpful_thanks"].localized(),
		Yes: m.Messages["yes"].localized(), No: m.Messages["no"].localized(), CallDesk: m.Messages["call_desk"].localized(),
		Join: m.Messages["join"].localized(),
		MediaNames: map[string]Localized{"image": m.Messages["media_image"].localized(), "video": m.Messages["media_video"].localized(),
			"audio": m.Messages["media_audio"].localized(), "file": m.Messages["media_file"].localized(),
			"location": m.Messages["media_location"].localized(), "sticker": m.Messages["media_sticker"].localized()},
		LookingUp: m.Messages["looking_up"].localized(), Usage: m.Messages["usage"].localized(),
		Topics: m.Messages["topics"].localized(), Source: m.Messages["source"].localized(),
		SwitchLang: m.Messages["switch_lang"].localized(), ReindexNotEditor: m.Messages["reindex_not_editor"].localized(),
		ReindexOff: m.Messages["reindex_off"].localized(), Reindexing: m.Messages["reindexing"].localized(),
		ReindexBusy: m.Messages["reindex_busy"].localized(), Reindexed: m.Messages["reindexed"].localized(),
		ReindexFailed: m.Messages["reindex_failed"].localized(),
		Web:           map[string]Localized{},
	}
	for _, k := range WebTexts {
		c.Messages.Web[k] = m.Messages["web_"+k].localized()
	}
	if from != l {
		l.problems = append(l.problems, from.problems...)
	}
}

// brand checks the brand section of a manifest node: a name and a notice in every language
// of the content (in one at least when it lists none), a hex colour, and an absolute http(s)
// address for the notice page when there is one. A manifest without a brand section has the
// zero Brand.
func (l *loader) brand(name string, manifest *yaml.Node, y *brandYAML, langs []Lang) Brand {
	node := child(manifest, "brand")
	if node == nil {
		return Brand{}
	}
	if node.Kind != yaml.MappingNode || y == nil {
		l.problem(name, node.Line, "brand: want name, color, notice and (optionally) notice_url")
		return Brand{}
	}
	for _, f := range []struct {
		key  string
		text localizedYAML
	}{{"name", y.Name}, {"notice", y.Notice}} {
		line := lineOf(node, f.key)
		if len(langs) == 0 && strings.TrimSpace(f.text[Japanese]) == "" && strings.TrimSpace(f.text[English]) == "" {
			l.problem(name, line, "brand: %s is empty", f.key)
		}
		for _, lang := range langs {
			if strings.TrimSpace(f.text[lang]) == "" {
				l.problem(name, line, "brand: %s: missing language %q (faqbot.yaml requires %s)", f.key, lang, joinLangs(langs))
			}
		}
	}
	b := Brand{Name: y.Name.localized(), Notice: y.Notice.localized(), NoticeURL: y.NoticeURL}
	if color, ok := hexColor(y.Color); ok {
		b.Color = color
	} else if child(node, "color") == nil {
		l.problem(name, keyLine(manifest, "brand"), `brand: color is missing (a hex colour in quotes, such as "#1f4e79")`)
	} else if y.Color == "" {
		// color: #1f4e79 unquoted is a YAML comment: the value is empty.
		l.problem(name, keyLine(node, "color"), `brand: color is empty (a hex colour in quotes, such as "#1f4e79")`)
	} else {
		l.problem(name, lineOf(node, "color"), `brand: color must be a hex colour such as "#1f4e79" or "#148", got %q`, y.Color)
	}
	if y.NoticeURL != "" && !absoluteHTTP(y.NoticeURL) {
		l.problem(name, lineOf(node, "notice_url"), "brand: notice_url must be an absolute http or https address, got %q", y.NoticeURL)
	}
	return b
}

// hexColor returns s, "#rgb" or "#rrggbb", as "#rrggbb" in lower case.
func hexColor(s string) (string, bool) {
	if !strings.HasPrefix(s, "#") || len(s) != 4 && len(s) != 7 {
		return "", false
	}
	hex := strings.ToLower(s[1:])
	for _, r := range hex {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return "", false
		}
	}
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	return "#" + hex, true
}

// absoluteHTTP tells whether s is an absolute http or https address with a host and nothing
// a link could not carry as it is.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		!strings.ContainsAny(s, " \t\n\"'<>")
}

// placeholders are the {names} the bot fills in, per message; a message not listed has none.
var placeholders = map[string][]string{
	"handoff": {"desk", "phone", "hours"}, "fallback": {"desk", "phone", "hours"}, "clarify": {"desk", "phone", "hours"},
	"ask_back": {"desk", "phone", "hours"}, "greeting": {"desk", "phone", "hours"},
	"desk_closed": {"next"}, "too_long": {"max"}, "call_desk": {"desk"}, "non_text": {"media"},
}

var placeholder = regexp.MustCompile(`\{([^{}\s]*)\}`)

// checkPlaceholders reports every {name} in a message that the bot does not fill in for it
// ({phon} for {phone}), at its line: it would reach users as it is.
func (l *loader) checkPlaceholders(name string, msgs *yaml.Node, m map[string]localizedYAML) {
	for _, k := range messageKeys {
		for _, lang := range slices.Sorted(maps.Keys(m[k])) {
			text := m[k][lang]
			for _, loc := range placeholder.FindAllStringSubmatchIndex(text, -1) {
				p := text[loc[2]:loc[3]]
				if slices.Contains(placeholders[k], p) {
					continue
				}
				line := lineOf(child(msgs, k), string(lang))
				if n := child(child(msgs, k), string(lang)); n != nil && (n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle) {
					line += 1 + strings.Count(text[:loc[0]], "\n")
				}
				allowed := "none"
				if ps := placeholders[k]; len(ps) > 0 {
					allowed = "{" + strings.Join(ps, "}, {") + "}"
				}
				l.problem(name, line, "messages: %s (%s): unknown placeholder {%s} (this message can use %s)", k, lang, p, allowed)
			}
		}
	}
}

// embeddedMessages are the messages of the shipped faqbot.yaml.
var embeddedMessages = sync.OnceValue(func() map[string]localizedYAML {
	emb := &loader{fsys: Embedded(), prefix: "faq/content"}
	var m manifestYAML
	if n := emb.read(emb.fsys, ManifestFile); n != nil {
		emb.decode(ManifestFile, n, &m)
	}
	return m.Messages
})

// closures checks the desk's closures: from (and to, when given) "MM-DD" or "YYYY-MM-DD", both
// of one form, a dated span not running backwards.
func (l *loader) closures(name string, list *yaml.Node, ys []struct {
	Name localizedYAML `yaml:"name"`
	From string        `yaml:"from"`
	To   string        `yaml:"to"`
}) []Closure {
	var out []Closure
	for i, y := range ys {
		line := 0
		if list != nil && i < len(list.Content) {
			line = list.Content[i].Line
		}
		to := cmp.Or(y.To, y.From)
		fromDated, okFrom := closureDay(y.From)
		toDated, okTo := closureDay(to)
		switch {
		case !okFrom || !okTo:
			l.problem(name, line, "desk: closures: from and to must be MM-DD (every year) or YYYY-MM-DD, got %q to %q", y.From, to)
			continue
		case fromDated != toDated:
			l.problem(name, line, "desk: closures: from %q and to %q must both be MM-DD or both YYYY-MM-DD", y.From, to)
			continue
		case fromDated && to < y.From:
			l.problem(name, line, "desk: closures: %q ends before it starts (%q)", to, y.From)
			continue
		}
		out = append(out, Closure{Name: y.Name.localized(), From: y.From, To: to})
	}
	return out
}

// closureDay tells whether s is a valid "YYYY-MM-DD" (dated) or "MM-DD" (ok, not dated).
func closureDay(s string) (dated, ok bool) {
	if len(s) == 10 {
		_, err := time.Parse("2006-01-02", s)
		return true, err == nil
	}
	_, err := time.Parse("2006-01-02", "2000-"+s) // 2000 is a leap year: 02-29 is valid
	return false, len(s) == 5 && err == nil
}

func validHHMM(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	return err1 == nil && err2 == nil && h >= 0 && h < 24 && m >= 0 && m < 60
}

func knownLang(l Lang) bool { return l == Japanese || l == English }

type matcherYAML struct {
	Thresholds struct {
		MinConfidence     float64 `yaml:"min_confidence"`
		SuggestConfidence float64 `yaml:"suggest_confidence"`
		VagueConfidence   float64 `yaml:"vague_confidence"`
		Handoff           float64 `yaml:"handoff"`
		PhraseWeight      float64 `yaml:"phrase_weight"`
		UnanchoredFactor  float64 `yaml:"unanchored_factor"`
		HandoffPhrase     float64 `yaml:"handoff_phrase_weight"`
		OutsidePhrase     float64 `yaml:"outside_phrase_weight"`
		TypeMismatch      float64 `yaml:"type_mismatch"`
		UntypedFactor     float64 `yaml:"untyped_factor"`
		OutsideHandoff    float64 `yaml:"outside_handoff"`
		UntypedHowTo      float64 `yaml:"untyped_howto_factor"`
		Elsewhere         float64 `yaml:"elsewhere_factor"`
	} `yaml:"thresholds"`
	Rank struct {
		BM25   float64 `yaml:"bm25"`
		Answer float64 `yaml:"answer"`
		Entry  float64 `yaml:"entry"`
		Vector float64 `yaml:"vector"`
	} `yaml:"rank"`
	Retrieval struct {
		MaxDF            float64 `yaml:"max_df"`
		MaxClauses       int     `yaml:"max_clauses"`
		MaxAnswerClauses int     `yaml:"max_answer_clauses"`
		AnswerBoost      float64 `yaml:"answer_boost"`
		K1               float64 `yaml:"k1"`
		B                float64 `yaml:"b"`
		AnswerB          float64 `yaml:"answer_b"`
		MinCandidates    int     `yaml:"min_candidates"`
		AnchorShare      float64 `yaml:"anchor_share"`
		ExpansionWeight  float64 `yaml:"expansion_weight"`
		ExpansionCosine  float64 `yaml:"expansion_cosine"`
	} `yaml:"retrieval"`
	Learning struct {
		IntentWeight  float64 `yaml:"intent_weight"`
		Epochs        int     `yaml:"epochs"`
		Rate          float64 `yaml:"rate"`
		L2            float64 `yaml:"l2"`
		Folds         int     `yaml:"folds"`
		HandoffEpochs int     `yaml:"handoff_epochs"`
		HandoffRate   float64 `yaml:"handoff_rate"`
		HandoffL2     float64 `yaml:"handoff_l2"`
		MaxIntents    int     `yaml:"max_intents"`
	} `yaml:"learning"`
	Vectors struct {
		MinEntries int     `yaml:"min_entries"`
		Dim        int     `yaml:"dim"`
		Window     int     `yaml:"window"`
		Negative   int     `yaml:"negative"`
		Epochs     int     `yaml:"epochs"`
		Seed       int64   `yaml:"seed"`
		Candidates int     `yaml:"candidates"`
		MinCount   int     `yaml:"min_count"`
		Sample     float64 `yaml:"sample"`
		SIF        float64 `yaml:"sif"`
	} `yaml:"vectors"`
	Boosts  map[string]float64           `yaml:"boosts"`
	Signals map[string]map[Lang][]string `yaml:"signals"`
}

// Signal and boost names of matcher.yaml.
var (
	signalKeys = []string{"first_person", "proxy", "relay", "third_person", "personal_fields", "which", "human", "greeting", "leak", "howto", "request", "vague", "elsewhere", "yes", "no"}
	boostKeys  = []string{"ja", "gram", "yomi", "en"}
)

// yamlKeys returns the yaml keys of the fields of the struct v.
func yamlKeys(v any) []string { return yamlKeysOf(reflect.TypeOf(v)) }

// yamlKeysOf returns the yaml keys of the fields of the struct type t, as the yaml package
// takes them: the tag's name, or the field's name in lower case.
func yamlKeysOf(t reflect.Type) []string {
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		k := strings.Split(f.Tag.Get("yaml"), ",")[0]
		switch k {
		case "-":
			continue
		case "":
			k = strings.ToLower(f.Name)
		}
		keys = append(keys, k)
	}
	return keys
}

func (l *loader) loadMatcher(c *Content) {
	node, name, from := l.fallback(MatcherFile)
	if node == nil {
		if from == l && len(l.problems) == 0 {
			l.problem(MatcherFile, 0, "missing")
		}
		return
	}
	var m matcherYAML
	missing := false
	sections := map[string]any{"thresholds": m.Thresholds, "rank": m.Rank, "retrieval": m.Retrieval, "learning": m.Learning, "vectors": m.Vectors}
	for _, sec := range slices.Sorted(maps.Keys(sections)) {
		keys := yamlKeys(sections[sec])
		n := child(node, sec)
		for _, k := range keys { // every tunable is set in the file: none defaults silently to 0
			if child(n, k) == nil {
				from.problem(name, keyLine(node, sec), "%s: %s is missing", sec, k)
				missing = true
			}
		}
	}
	from.unknownKeys(name, child(node, "boosts"), boostKeys...)
	from.unknownKeys(name, child(node, "signals"), signalKeys...)
	// Decoded even with a tunable missing, so that a misspelt one is named too.
	if decoded := from.decode(name, node, &m); decoded && !missing {
		t, r, g := m.Thresholds, m.Retrieval, m.Learning
		c.Matcher = Matcher{MinConfidence: t.MinConfidence, SuggestConfidence: t.SuggestConfidence, VagueConfidence: t.VagueConfidence,
			HandoffThreshold: t.Handoff, PhraseWeight: t.PhraseWeight,
			HandoffPhraseWeight: t.HandoffPhrase, OutsidePhraseWeight: t.OutsidePhrase, UnanchoredFactor: t.UnanchoredFactor, TypeMismatch: t.TypeMismatch, UntypedFactor: t.UntypedFactor, OutsideHandoff: t.OutsideHandoff, UntypedHowToFactor: t.UntypedHowTo, ElsewhereFactor: t.Elsewhere,
			Rank: RankWeights{BM25: m.Rank.BM25, Answer: m.Rank.Answer, Entry: m.Rank.Entry, Vector: m.Rank.Vector},
			Vectors: Vectors{MinEntries: m.Vectors.MinEntries, Dim: m.Vectors.Dim, Window: m.Vectors.Window, Negative: m.Vectors.Negative,
				Epochs: m.Vectors.Epochs, Seed: m.Vectors.Seed, Candidates: m.Vectors.Candidates, MinCount: m.Vectors.MinCount, Sample: m.Vectors.Sample, SIF: m.Vectors.SIF},
			Retrieval: Retrieval{MaxDF: r.MaxDF, MaxClauses: r.MaxClauses, MaxAnswerClauses: r.MaxAnswerClauses, AnswerBoost: r.AnswerBoost, K1: r.K1, B: r.B, AnswerB: r.AnswerB, MinCandidates: r.MinCandidates, AnchorShare: r.AnchorShare,
				ExpansionWeight: r.ExpansionWeight, ExpansionCosine: r.ExpansionCosine},
			Learning: Learning{IntentWeight: g.IntentWeight, Epochs: g.Epochs, Rate: g.Rate, L2: g.L2, Folds: g.Folds, HandoffEpochs: g.HandoffEpochs, HandoffRate: g.HandoffRate, HandoffL2: g.HandoffL2, MaxIntents: g.MaxIntents},
			Boosts:   m.Boosts}
		for _, v := range []float64{t.MinConfidence, t.SuggestConfidence, t.VagueConfidence, t.Handoff, t.PhraseWeight, t.HandoffPhrase, t.OutsidePhrase, t.UnanchoredFactor, t.TypeMismatch, t.UntypedFactor, t.OutsideHandoff, t.UntypedHowTo, t.Elsewhere, r.MaxDF, r.AnchorShare, r.B, r.AnswerB, r.ExpansionWeight, g.IntentWeight} {
			if v < 0 || v > 1 {
				from.problem(name, lineOf(node, "thresholds"), "thresholds, shares and weights must be between 0 and 1, got %v", v)
			}
		}
		if r.MaxClauses < 1 || r.K1 < 0 || m.Vectors.MinEntries < 0 || m.Vectors.Dim < 1 || m.Vectors.Window < 1 || m.Vectors.Negative < 1 || m.Vectors.Epochs < 1 || m.Vectors.Candidates < 0 || m.Vectors.MinCount < 1 || !(m.Vectors.Sample > 0 && m.Vectors.Sample <= 1) || !(m.Vectors.SIF > 0) || r.MaxAnswerClauses < 0 || r.MinCandidates < 1 || g.Epochs < 1 || g.HandoffEpochs < 1 || g.Folds < 2 || g.Rate <= 0 || g.HandoffRate <= 0 || g.L2 < 0 || g.HandoffL2 < 0 || g.MaxIntents < 0 {
			from.problem(name, lineOf(node, "learning"), "retrieval, learning and vectors: counts must be at least 1 (folds at least 2), rate positive, l2 not negative")
		}
		for _, k := range boostKeys {
			if m.Boosts[k] < 0 {
				from.problem(name, lineOf(child(node, "boosts"), k), "boosts: %s must not be negative", k)
			}
		}
		c.Signals = Signals{FirstPerson: m.Signals["first_person"], Proxy: m.Signals["proxy"], Relay: m.Signals["relay"], ThirdPerson: m.Signals["third_person"], PersonalFields: m.Signals["personal_fields"],
			Which: m.Signals["which"], Human: m.Signals["human"], Greeting: m.Signals["greeting"], Leak: m.Signals["leak"], HowTo: m.Signals["howto"], Request: m.Signals["request"],
			Vague: m.Signals["vague"], Elsewhere: m.Signals["elsewhere"], Yes: m.Signals["yes"], No: m.Signals["no"]}
	}
	if from != l {
		l.problems = append(l.problems, from.problems...)
	}
}

func (l *loader) loadSynonyms(c *Content) {
	node := l.read(l.fsys, SynonymsFile)
	if node == nil {
		return // synonyms are optional
	}
	if !l.decode(SynonymsFile, node, &c.Synonyms) {
		return
	}
	l.checkSynonymGroups(SynonymsFile, node, func(t string) string { return t })
}

// checkSynonymGroups reports, in a synonyms file's node, empty terms and terms (compared by key)
// already in a group of the same language; ok is false when it reported any.
func (l *loader) checkSynonymGroups(name string, node *yaml.Node, key func(string) string) (ok bool) {
	ok = true
	seen := map[string]int{}
	for _, lang := range []string{"ja", "en"} {
		list := child(node, lang)
		if list == nil {
			continue
		}
		for _, group := range list.Content {
			for _, term := range group.Content {
				k := lang + "\x00" + key(term.Value)
				if strings.TrimSpace(term.Value) == "" {
					l.problem(name, term.Line, "empty synonym")
					ok = false
				} else if first, dup := seen[k]; dup {
					l.problem(name, term.Line, "%q is already in a group at line %d", term.Value, first)
					ok = false
				} else {
					seen[k] = term.Line
				}
			}
		}
	}
	return ok
}

// loadNormalize reads the rewriting stages editors can extend: dialect and colloquial forms
// rewritten to standard ones before analysis.
func (l *loader) loadNormalize(c *Content) {
	node := l.read(l.fsys, NormalizeFile)
	if node == nil {
		return // optional
	}
	l.unknownKeys(NormalizeFile, node, "colloquial")
	list := child(node, "colloquial")
	if list == nil {
		return
	}
	if list.Kind != yaml.SequenceNode {
		l.problem(NormalizeFile, list.Line, "colloquial: want a list of [from, to] pairs")
		return
	}
	seen := map[string]int{}
	for _, row := range list.Content {
		if row.Kind != yaml.SequenceNode || len(row.Content) != 2 || row.Content[0].Kind != yaml.ScalarNode || row.Content[1].Kind != yaml.ScalarNode {
			l.problem(NormalizeFile, row.Line, "want [from, to]")
			continue
		}
		from, to := row.Content[0].Value, row.Content[1].Value
		switch key := analysis.Normalize(from); {
		case key == "":
			l.problem(NormalizeFile, row.Line, "empty form")
		case seen[key] > 0:
			l.problem(NormalizeFile, row.Line, "%q is already rewritten at line %d", from, seen[key])
		case strings.Contains(analysis.Normalize(to), key):
			l.problem(NormalizeFile, row.Line, "%q is rewritten to a text that contains it", from)
		default:
			seen[key] = row.Line
			c.Colloquial = append(c.Colloquial, analysis.Rewrite{From: from, To: to})
		}
	}
}

func (l *loader) loadOutOfScope(c *Content) {
	node := l.read(l.fsys, OutOfScopeFile)
	if node == nil {
		return // optional
	}
	l.unknownKeys(OutOfScopeFile, node, "ja", "en")
	var m map[Lang][]string
	if !l.decode(OutOfScopeFile, node, &m) {
		return
	}
	for lang, qs := range m {
		list := child(node, string(lang))
		for i, q := range qs {
			if strings.TrimSpace(q) == "" && list != nil && i < len(list.Content) {
				l.problem(OutOfScopeFile, list.Content[i].Line, "empty question")
			}
		}
	}
	c.OutOfScope = m
}

type textYAML struct {
	Title     string   `yaml:"title"`
	Label     string   `yaml:"label"`
	Answer    string   `yaml:"answer"`
	Questions []string `yaml:"questions"`
	Keywords  []string `yaml:"keywords"`
}

type entryYAML struct {
	ID               string    `yaml:"id"`
	Section          string    `yaml:"section"`
	Handoff          bool      `yaml:"handoff"`
	HoldsForEveryone bool      `yaml:"holds_for_everyone"`
	Followups        []string  `yaml:"followups"`
	JA               *textYAML `yaml:"ja"`
	EN               *textYAML `yaml:"en"`
}

// entryNodes remembers where each entry came from, for problems found after loading.
type entryNode struct {
	e    *Entry
	node *yaml.Node
}

var validID = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

func (l *loader) loadEntries(c *Content) {
	names, err := fs.Glob(l.fsys, EntriesDir+"/*.yaml")
	if err != nil {
		l.err = errors.Join(l.err, fmt.Errorf("faq: list entries: %w", err))
		return
	}
	more, _ := fs.Glob(l.fsys, EntriesDir+"/*.yml")
	names = append(names, more...)
	sort.Strings(names)
	if len(names) == 0 {
		l.problem(EntriesDir, 0, "no entries (expected %s/*.yaml)", EntriesDir)
		return
	}
	first := map[string]string{}
	var nodes []entryNode
	for _, name := range names {
		node := l.read(l.fsys, name)
		if node == nil {
			continue
		}
		if node.Kind != yaml.MappingNode {
			l.problem(name, node.Line, "an entry must be a mapping with id, ja/en, …")
			continue
		}
		var y entryYAML
		if !l.decode(name, node, &y) {
			continue
		}
		e := &Entry{ID: y.ID, Section: y.Section, Handoff: y.Handoff, HoldsForEveryone: y.HoldsForEveryone,
			Followups: y.Followups, Text: map[Lang]*Text{}, File: l.display(name)}
		for lang, t := range map[Lang]*textYAML{Japanese: y.JA, English: y.EN} {
			if t == nil {
				continue
			}
			tn := child(node, string(lang))
			txt := &Text{Title: strings.TrimSpace(t.Title), Label: strings.TrimSpace(t.Label),
				Answer: strings.TrimRight(t.Answer, "\n "), Questions: t.Questions, Keywords: t.Keywords}
			if strings.TrimSpace(txt.Answer) == "" {
				l.problem(name, lineOf(tn, "answer"), "%s: empty answer", lang)
			}
			if txt.Title == "" {
				l.problem(name, lineOf(tn, "title"), "%s: empty title", lang)
			}
			if n := utf8.RuneCountInString(txt.Label); n > 20 {
				l.problem(name, lineOf(tn, "label"), "%s: label has %d characters (at most 20 fit a button)", lang, n)
			}
			if qs := child(tn, "questions"); qs != nil {
				for i, q := range t.Questions {
					if strings.TrimSpace(q) == "" && i < len(qs.Content) {
						l.problem(name, qs.Content[i].Line, "%s: empty question", lang)
					}
				}
			}
			e.Text[lang] = txt
		}
		switch {
		case y.ID == "":
			l.problem(name, node.Line, "missing id")
			continue
		case !validID.MatchString(y.ID):
			l.problem(name, lineOf(node, "id"), "id %q: use lowercase letters, digits and '-'", y.ID)
		}
		if prev, dup := first[y.ID]; dup {
			l.problem(name, lineOf(node, "id"), "duplicate id %q (also in %s)", y.ID, prev)
			continue
		}
		first[y.ID] = fmt.Sprintf("%s:%d", l.display(name), lineOf(node, "id"))
		if len(e.Text) == 0 {
			l.problem(name, node.Line, "entry %q has no language (add a ja: or en: block)", y.ID)
		}
		for _, lang := range c.Languages {
			if len(e.Text) > 0 && e.Text[lang] == nil {
				l.problem(name, node.Line, "entry %q: missing language %q (faqbot.yaml requires %s)", y.ID, lang, joinLangs(c.Languages))
			}
		}
		c.Entries = append(c.Entries, e)
		c.byID[e.ID] = e
		nodes = append(nodes, entryNode{e, node})
	}
	l.linkFollowups(c, nodes)
}

func joinLangs(ls []Lang) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

func (l *loader) linkFollowups(c *Content, nodes []entryNode) {
	for _, en := range nodes {
		e := en.e
		fu := child(en.node, "followups")
		name := strings.TrimPrefix(strings.TrimPrefix(e.File, l.prefix), "/")
		for i, id := range e.Followups {
			line := lineOf(en.node, "followups")
			if fu != nil && i < len(fu.Content) {
				line = fu.Content[i].Line
			}
			ch := c.byID[id]
			switch {
			case ch == nil:
				l.problem(name, line, "unknown follow-up %q", id)
			case ch == e:
				l.problem(name, line, "entry %q lists itself as a follow-up", id)
			case ch.Parent != "" && ch.Parent != e.ID:
				l.problem(name, line, "follow-up %q already belongs to %q", id, ch.Parent)
			case len(ch.Followups) > 0:
				l.problem(name, line, "follow-up %q has follow-ups of its own (one level only)", id)
			default:
				ch.Parent = e.ID
			}
		}
	}
}
