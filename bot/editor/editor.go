// Package editor changes faqbot's content as an editor would by hand, for the editors'
// console: it adds a question as an alternate phrasing of an entry or as a question the FAQ
// does not answer, writes the YAML file with one line more (the rest byte for byte), shows the
// change as a diff, checks the content with it (faq's file:line problems) and keeps the checked
// content where every replica reindexes from.
//
// Where the content lives is a Workspace's business: a content directory (one replica, or
// replicas sharing the directory), or versioned bundles in a store the replicas share (Redis,
// package bot/redisstore), beside the reindex announcements: an edit made on one replica is
// published as a bundle, every replica reindexes from that same version, and a replica that
// starts later serves it too. Content embedded in the binary cannot be edited: Export writes an
// editable copy.
//
// editor imports bot, nlu and faq; no adapter, chat SDK or storage client.
package editor

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// BundleStore keeps versioned content bundles where every replica reads them
// (bot/redisstore.Store). Implementations are safe for concurrent use.
type BundleStore interface {
	// PutBundle stores a bundle under its version.
	PutBundle(ctx context.Context, version string, data []byte) error
	// Bundle returns the bundle of version; found is false when there is none.
	Bundle(ctx context.Context, version string) (data []byte, found bool, err error)
	// Head returns the version a name ("current", "draft") points at, "" when none.
	Head(ctx context.Context, name string) (string, error)
	// SetHead points name at version ("" clears it).
	SetHead(ctx context.Context, name, version string) error
}

// The heads of a BundleStore.
const (
	// Current is the version every replica serves.
	Current = "current"
	// Draft is the version edited and checked, not yet published.
	Draft = "draft"
)

// Where the content of a Workspace lives.
const (
	InDirectory = "directory" // edits are written to the content directory
	InBundles   = "bundles"   // edits are published as bundles in the shared store
	Embedded    = "embedded"  // the content is embedded in the binary: not editable
)

// Config configures a Workspace.
type Config struct {
	// Dir is the content directory ("" when the content is embedded).
	Dir string
	// Store is where the replicas share bundles (nil: no store; edits go to Dir).
	Store BundleStore
}

// Workspace is the content editors change. It is safe for concurrent use.
type Workspace struct {
	cfg Config

	mu      sync.Mutex // serialises edits, and guards preview
	preview *bot.Bot   // over the content being edited; nil until tried
}

// New returns the workspace of cfg.
func New(cfg Config) *Workspace { return &Workspace{cfg: cfg} }

// Mode tells where edits go: InBundles, InDirectory, or Embedded (not editable).
func (w *Workspace) Mode() string {
	switch {
	case w.cfg.Store != nil:
		return InBundles
	case w.cfg.Dir != "":
		return InDirectory
	}
	return Embedded
}

// ErrNotEditable is the error of an edit of embedded content.
var ErrNotEditable = errors.New("editor: the content is embedded in the binary; start faqbot with an editable copy: faqbot content export DIR, then faqbot serve --content DIR")

// Files is a content tree in memory: file contents by slash-separated path ("entries/x.yaml").
type Files map[string][]byte

// fsys is the tree as a file system.
func (f Files) fsys() fs.FS {
	m := fstest.MapFS{}
	for name, data := range f {
		m[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return m
}

// clone returns a copy of f with name set to data.
func (f Files) with(name string, data []byte) Files {
	g := make(Files, len(f)+1)
	for k, v := range f {
		g[k] = v
	}
	g[name] = data
	return g
}

// ReadTree reads the content files (YAML and the license) of a directory tree.
func ReadTree(fsys fs.FS) (Files, error) {
	files := Files{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" && !strings.HasPrefix(path.Base(p), "LICENSE") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("editor: read content: %w", err)
	}
	return files, nil
}

// Export writes the embedded content into dir, a directory that does not exist or is empty, as
// the files of an editable copy.
func Export(dir string) (int, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return 0, fmt.Errorf("editor: export: %s is not empty", dir)
	}
	files, err := ReadTree(faq.Embedded())
	if err != nil {
		return 0, err
	}
	emb, err := fs.ReadFile(faq.Embedded(), "README.md")
	if err == nil {
		files["README.md"] = emb
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, fmt.Errorf("editor: export: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return 0, fmt.Errorf("editor: export: %w", err)
		}
	}
	return len(files), nil
}

// bundle is the wire form of Files: gzipped JSON.
type bundle struct {
	Files map[string]string `json:"files"`
}

func encodeBundle(f Files) ([]byte, error) {
	b := bundle{Files: map[string]string{}}
	for k, v := range f {
		b.Files[k] = string(v)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeBundle(data []byte) (Files, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("editor: bundle: %w", err)
	}
	var b bundle
	if err := json.NewDecoder(io.LimitReader(zr, 64<<20)).Decode(&b); err != nil {
		return nil, fmt.Errorf("editor: bundle: %w", err)
	}
	f := Files{}
	for k, v := range b.Files {
		if !fs.ValidPath(k) {
			return nil, fmt.Errorf("editor: bundle: invalid path %q", k)
		}
		f[k] = []byte(v)
	}
	return f, nil
}

// load loads and checks files; problems name the files under prefix.
func load(files Files, prefix string) (*faq.Content, error) {
	return faq.Load(files.fsys(), prefix)
}

// prefix is how problems name the content's files: the directory, or "content".
func (w *Workspace) prefix() string {
	if w.cfg.Dir != "" && w.cfg.Store == nil {
		return w.cfg.Dir
	}
	return "content"
}

// Load loads the content replicas serve: with a store, the current bundle (ok false when none
// was published, and then the caller serves its own content); without, ok is false.
func (w *Workspace) Load(ctx context.Context) (c *faq.Content, ok bool, err error) {
	if w.cfg.Store == nil {
		return nil, false, nil
	}
	v, err := w.cfg.Store.Head(ctx, Current)
	if err != nil || v == "" {
		return nil, false, err
	}
	files, err := w.bundle(ctx, v)
	if err != nil {
		return nil, false, err
	}
	c, err = load(files, w.prefix())
	if err != nil {
		return nil, false, err
	}
	c.Source = "bundle " + c.Version()
	return c, true, nil
}

func (w *Workspace) bundle(ctx context.Context, version string) (Files, error) {
	data, found, err := w.cfg.Store.Bundle(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("editor: read bundle %s: %w", version, err)
	}
	if !found {
		return nil, fmt.Errorf("editor: no bundle of version %s", version)
	}
	return decodeBundle(data)
}

// base is the tree edits start from: with a store, the draft, else the current bundle, else
// the directory or the embedded content (the first edit makes it a bundle); without, the
// directory.
func (w *Workspace) base(ctx context.Context) (Files, error) {
	if st := w.cfg.Store; st != nil {
		for _, head := range []string{Draft, Current} {
			v, err := st.Head(ctx, head)
			if err != nil {
				return nil, fmt.Errorf("editor: %w", err)
			}
			if v != "" {
				return w.bundle(ctx, v)
			}
		}
	}
	switch {
	case w.cfg.Dir != "":
		return ReadTree(os.DirFS(w.cfg.Dir))
	case w.cfg.Store != nil:
		return ReadTree(faq.Embedded())
	}
	return nil, ErrNotEditable
}

// Change is an edit: the file it changed, as a diff, and the check of the content with it.
type Change struct {
	// File is the file changed, under the content directory ("entries/contact.yaml").
	File string `json:"file"`
	Diff string `json:"diff"`
	// Problems are the content's problems with the change (file:line: message); when there
	// are any, the change was not written.
	Problems []string `json:"problems,omitempty"`
	// Version is the content version with the change, the one to publish (when no problems).
	Version string `json:"version,omitempty"`
	// Written is where the change went: the content directory, or a draft bundle.
	Written string `json:"written,omitempty"`
}

// AddPhrasing adds question as an alternate phrasing, in lang, of the entry entryID. The change
// is checked before it is kept; see Change.
func (w *Workspace) AddPhrasing(ctx context.Context, entryID string, lang faq.Lang, question string) (Change, error) {
	return w.edit(ctx, func(files Files, c *faq.Content) (string, []string, error) {
		e := c.Entry(entryID)
		if e == nil {
			return "", nil, fmt.Errorf("editor: no entry %q", entryID)
		}
		if e.Text[lang] == nil {
			return "", nil, fmt.Errorf("editor: entry %q has no %s text", entryID, lang)
		}
		return e.File, []string{string(lang), "questions"}, nil
	}, question)
}

// AddOutOfScope adds question, in lang, to the questions the FAQ does not answer
// (out-of-scope.yaml).
func (w *Workspace) AddOutOfScope(ctx context.Context, lang faq.Lang, question string) (Change, error) {
	return w.edit(ctx, func(Files, *faq.Content) (string, []string, error) {
		return faq.OutOfScopeFile, []string{string(lang)}, nil
	}, question)
}

// edit adds question to the list that where names, checks the content with it and keeps it.
func (w *Workspace) edit(ctx context.Context, where func(Files, *faq.Content) (file string, list []string, err error), question string) (Change, error) {
	question = strings.Join(strings.Fields(question), " ")
	if question == "" {
		return Change{}, errors.New("editor: empty question")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	files, err := w.base(ctx)
	if err != nil {
		return Change{}, err
	}
	c, err := load(files, "")
	if err != nil {
		return Change{}, fmt.Errorf("editor: the content has problems already; fix them first: %w", err)
	}
	file, list, err := where(files, c)
	if err != nil {
		return Change{}, err
	}
	after, err := appendItem(files[file], list, question)
	if errors.Is(err, ErrExists) {
		return Change{}, fmt.Errorf("editor: %s already lists that question", file)
	}
	if err != nil {
		return Change{}, fmt.Errorf("editor: %s: %w", file, err)
	}
	ch := Change{File: file, Diff: unifiedDiff(file, files[file], after)}
	edited := files.with(file, after)
	nc, err := load(edited, w.prefix())
	var ps faq.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			ch.Problems = append(ch.Problems, p.String())
		}
		return ch, nil
	}
	if err != nil {
		return Change{}, err
	}
	ch.Version = nc.Version()
	if err := w.keep(ctx, edited, file, after, ch.Version); err != nil {
		return Change{}, err
	}
	ch.Written = filepath.Join(w.cfg.Dir, filepath.FromSlash(file))
	if w.cfg.Store != nil {
		ch.Written = "draft bundle " + ch.Version
	}
	return ch, nil
}

// keep writes a checked change: as the draft bundle, or to the content directory.
func (w *Workspace) keep(ctx context.Context, edited Files, file string, data []byte, version string) error {
	if st := w.cfg.Store; st != nil {
		b, err := encodeBundle(edited)
		if err != nil {
			return fmt.Errorf("editor: bundle: %w", err)
		}
		if err := st.PutBundle(ctx, version, b); err != nil {
			return fmt.Errorf("editor: store bundle: %w", err)
		}
		return st.SetHead(ctx, Draft, version)
	}
	return writeFile(filepath.Join(w.cfg.Dir, filepath.FromSlash(file)), data)
}

// writeFile replaces a file atomically: a reindex never reads half of it.
func writeFile(name string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(name); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".faqbot-edit-*")
	if err != nil {
		return fmt.Errorf("editor: write: %w", err)
	}
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Chmod(mode), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("editor: write %s: %w", name, err)
	}
	return nil
}

// Publish makes version, a draft checked by an edit, the content every replica serves: with a
// store, the current bundle (the caller then reindexes and announces); in a directory the
// edits are there already.
func (w *Workspace) Publish(ctx context.Context, version string) error {
	st := w.cfg.Store
	if st == nil {
		return nil
	}
	if _, found, err := st.Bundle(ctx, version); err != nil || !found {
		return cmpErr(err, fmt.Errorf("editor: no bundle of version %s to publish", version))
	}
	if err := st.SetHead(ctx, Current, version); err != nil {
		return fmt.Errorf("editor: publish %s: %w", version, err)
	}
	if d, err := st.Head(ctx, Draft); err == nil && d == version {
		st.SetHead(ctx, Draft, "")
	}
	return nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Pending is the version of the draft not yet published ("" when none; always "" without a
// store, where an edit is in the directory at once and a reindex serves it).
func (w *Workspace) Pending(ctx context.Context) string {
	if w.cfg.Store == nil {
		return ""
	}
	v, _ := w.cfg.Store.Head(ctx, Draft)
	return v
}

// Preview returns a bot over the content being edited — the draft, or the directory — for
// trying it before it is reindexed. It is built once per change.
func (w *Workspace) Preview(ctx context.Context) (*bot.Bot, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	files, err := w.base(ctx)
	if err != nil {
		return nil, err
	}
	c, err := load(files, w.prefix())
	if err != nil {
		return nil, err
	}
	if w.preview == nil {
		eng, err := bot.NewEngine(ctx, c, "")
		if err != nil {
			return nil, err
		}
		w.preview = bot.New(eng, nil)
		return w.preview, nil
	}
	// The engine of an earlier change is retired once the questions tried on it are answered.
	rl := bot.Reloader{Bot: w.preview, Load: func(context.Context) (*faq.Content, error) { return c, nil }}
	if _, err := rl.Reload(ctx); err != nil {
		return nil, err
	}
	return w.preview, nil
}
