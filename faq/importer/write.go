package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/faqbot/faqbot/faq"
	"go.yaml.in/yaml/v3"
)

// ErrExists is returned by Write when the output directory exists and replacing it was not
// asked for.
var ErrExists = errors.New("importer: output directory exists")

// Write writes res as a content tree in dir: entries/<id>.yaml for each entry and, when the
// entries' languages differ from those of the embedded content, a faqbot.yaml that is the
// embedded one with those languages. The tree is written beside dir, loaded with faq.LoadDir,
// and only then renamed to dir, so dir is either left as it was or replaced whole.
//
// An existing dir is replaced only when replace is true, and then only if it is empty or looks
// like a content tree (it has entries/ or faqbot.yaml).
func Write(dir string, res *Result, replace bool) (err error) {
	dir = filepath.Clean(dir)
	exists, err := checkOut(dir, replace)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".import-")
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := writeTree(tmp, res); err != nil {
		return err
	}
	c, err := faq.LoadDir(tmp)
	if err != nil {
		return fmt.Errorf("importer: the converted content does not load:\n%w", err)
	}
	if len(c.Entries) != len(res.Entries) {
		return fmt.Errorf("importer: wrote %d entries but %d load", len(res.Entries), len(c.Entries))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	if !exists {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("importer: %w", err)
		}
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("importer: move the old content aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if back := os.Rename(old, dir); back != nil {
			return fmt.Errorf("importer: %w (the old content is in %s)", err, old)
		}
		return fmt.Errorf("importer: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("importer: remove the old content: %w", err)
	}
	return nil
}

// checkOut reports whether dir exists, and whether it may be written.
func checkOut(dir string, replace bool) (bool, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("importer: %w", err)
	case !st.IsDir():
		return false, fmt.Errorf("importer: %s is not a directory", dir)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("importer: %w", err)
	}
	if len(names) == 0 {
		return true, nil
	}
	if !replace {
		return false, fmt.Errorf("%w: %s", ErrExists, dir)
	}
	if !slices.ContainsFunc(names, func(d fs.DirEntry) bool {
		return d.Name() == faq.EntriesDir || d.Name() == faq.ManifestFile
	}) {
		return false, fmt.Errorf("importer: not replacing %s: it has no %s/ or %s, so it does not look like content", dir, faq.EntriesDir, faq.ManifestFile)
	}
	return true, nil
}

func writeTree(dir string, res *Result) error {
	entries := filepath.Join(dir, faq.EntriesDir)
	if err := os.Mkdir(entries, 0o755); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	for _, e := range res.Entries {
		b, err := EntryYAML(e)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(entries, e.ID+".yaml"), b, 0o644); err != nil {
			return fmt.Errorf("importer: %w", err)
		}
	}
	m, err := Manifest(res.Languages)
	if err != nil || m == nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, faq.ManifestFile), m, 0o644); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	return nil
}

// EntryYAML returns the content file of an entry, in the layout of the shipped entries:
// answers with line breaks as literal blocks, Japanese as it is.
func EntryYAML(e *faq.Entry) ([]byte, error) {
	doc := mapping()
	add(doc, "id", str(e.ID))
	if e.Section != "" {
		add(doc, "section", str(e.Section))
	}
	add(doc, "handoff", boolean(e.Handoff))
	add(doc, "holds_for_everyone", boolean(e.HoldsForEveryone))
	if len(e.Followups) > 0 {
		add(doc, "followups", list(e.Followups))
	}
	for _, l := range faq.Langs {
		t := e.Text[l]
		if t == nil {
			continue
		}
		tn := mapping()
		add(tn, "title", str(t.Title))
		if t.Label != "" {
			add(tn, "label", str(t.Label))
		}
		add(tn, "answer", str(t.Answer))
		if len(t.Questions) > 0 {
			add(tn, "questions", list(t.Questions))
		}
		if len(t.Keywords) > 0 {
			add(tn, "keywords", list(t.Keywords))
		}
		add(doc, string(l), tn)
	}
	if e.File != "" {
		doc.HeadComment = "imported from " + e.File
	}
	return encode(doc)
}

// Manifest returns the faqbot.yaml a tree whose entries all have langs needs: nil when the
// embedded one requires exactly those languages, else the embedded one with langs.
func Manifest(langs []faq.Lang) ([]byte, error) {
	src, err := fs.ReadFile(faq.Embedded(), faq.ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("importer: embedded %s: %v", faq.ManifestFile, err)
	}
	root := doc.Content[0]
	var embedded []faq.Lang
	var at *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "languages" {
			at = root.Content[i+1]
			if err := at.Decode(&embedded); err != nil {
				return nil, fmt.Errorf("importer: embedded %s: %w", faq.ManifestFile, err)
			}
		}
	}
	if slices.Equal(embedded, langs) {
		return nil, nil
	}
	seq := list(nil)
	seq.Style = yaml.FlowStyle
	for _, l := range langs {
		seq.Content = append(seq.Content, str(string(l)))
	}
	if at != nil {
		*at = *seq
	} else {
		add(root, "languages", seq)
	}
	root.HeadComment = "Written by faqbot import: the embedded manifest with the languages of the imported\n" +
		"entries. Review the desk and the messages for this FAQ.\n\n" + root.HeadComment
	return encode(&doc)
}

func encode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("importer: encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("importer: encode yaml: %w", err)
	}
	return b.Bytes(), nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// str is a string scalar: a literal block when it has line breaks, quoted by the encoder when
// it would otherwise read as a number, a boolean or null.
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(b)}
}

func list(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, it := range items {
		n.Content = append(n.Content, str(it))
	}
	return n
}
