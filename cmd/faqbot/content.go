package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// contentFlags are the flags that choose the content and the index.
type contentFlags struct {
	content string
	index   string
	// progress shows the progress of building the index on a terminal (not for serve, whose
	// standard error is its JSON log).
	progress bool
}

func (cf *contentFlags) register(fs *flag.FlagSet, env *environment, withIndex bool) {
	fs.StringVar(&cf.content, "content", env.getenv("FAQBOT_CONTENT"),
		"content `DIR` (default: the embedded FAQ; env FAQBOT_CONTENT)")
	if withIndex {
		fs.StringVar(&cf.index, "index", env.getenv("FAQBOT_INDEX"),
			"keep the search index on disk in `DIR` (default: in memory; env FAQBOT_INDEX)")
	}
}

// loadContent loads the content; content problems come back as faq.Problems.
func (cf *contentFlags) loadContent() (*faq.Content, error) {
	if cf.content == "" {
		c, err := faq.LoadEmbedded()
		if c != nil {
			c.Source = "embedded"
		}
		return c, err
	}
	return loadDir(cf.content)
}

// loadDir is faq.LoadDir with every reason the content cannot be used told as faq.Problems
// ("path: message"), not only its broken files: a content path that is missing or not a
// directory, and files or directories that cannot be read (a symlink loop, a file where a
// directory should be).
func loadDir(dir string) (*faq.Content, error) {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, pathProblems(dir, err)
	case !st.IsDir():
		return nil, faq.Problems{{File: dir, Msg: "not a directory"}}
	}
	c, err := faq.LoadDir(dir)
	if _, ok := err.(faq.Problems); ok || err == nil {
		return c, err
	}
	return nil, pathProblems(dir, err)
}

// pathProblems turns the file system errors in err (joined or wrapped) into problems of the
// files they name, under dir; err as it is when it holds none.
func pathProblems(dir string, err error) error {
	var ps faq.Problems
	var walk func(error)
	walk = func(e error) {
		if pe, ok := e.(*fs.PathError); ok {
			file := pe.Path
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, filepath.FromSlash(file))
			}
			ps = append(ps, faq.Problem{File: file, Msg: pe.Err.Error()})
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	if len(ps) == 0 {
		return err
	}
	return ps
}

// load loads the content; content problems are printed as file:line lines on w and returned as
// exit status 1.
func (cf *contentFlags) load(w io.Writer) (*faq.Content, error) {
	c, err := cf.loadContent()
	if ps, ok := err.(faq.Problems); ok {
		for _, p := range ps {
			fmt.Fprintln(w, p)
		}
		return nil, exitError(1)
	}
	return c, err
}

// engine loads the content and builds its engine. The dictionary is loaded while the content
// is read.
func (cf *contentFlags) engine(ctx context.Context, w io.Writer) (*bot.Engine, error) {
	warm := make(chan struct{})
	go func() {
		defer close(warm)
		analysis.Warm()
	}()
	c, err := cf.load(w)
	<-warm
	if err != nil {
		return nil, err
	}
	if f, ok := w.(*os.File); ok && cf.progress && isTerminal(f) {
		ctx = faq.WithProgress(ctx, progressPrinter(w, time.Now))
	}
	return bot.NewEngine(ctx, c, cf.index)
}

// releaseGarbage gives the memory that building an engine left as garbage (several times what
// stays live: the training's vectors, bleve's batches) back to the system now rather than carry
// it while idle. A server calls it once it is ready, off the path to ready.
func releaseGarbage() {
	runtime.GC()
	debug.FreeOSMemory()
}

// progressPrinter prints the progress of a long build on one terminal line, rewritten in place,
// ending it when a stage is done; now is the clock of the time taken (time.Now).
func progressPrinter(w io.Writer, now func() time.Time) func(faq.Progress) {
	start := now()
	return func(p faq.Progress) {
		// \x1b[K clears what a longer line before left ("1.9s" then "2s" would read "2ss").
		fmt.Fprintf(w, "\r%s: %d/%d phrasings (%d%%) %s\x1b[K", p.Stage, p.Done, p.Total, p.Done*100/p.Total,
			now().Sub(start).Round(100*time.Millisecond))
		if p.Done == p.Total {
			fmt.Fprintln(w)
		}
	}
}

const contentSynopsis = `content export DIR

Writes the FAQ embedded in the binary into DIR (which must not exist or be empty) as an
editable copy: YAML files that "faqbot check --content DIR" accepts. Serve it with
"faqbot serve --content DIR"; the editors' console then writes its edits there.`

// cmdContent is "faqbot content export DIR".
func cmdContent(_ context.Context, env *environment, args []string) error {
	fs := env.flags("content", contentSynopsis)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "export" {
		fs.Usage()
		return exitError(2)
	}
	dir := fs.Arg(1)
	n, err := editor.Export(dir)
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	fmt.Fprintf(env.stdout, "wrote %d files to %s; serve them with: faqbot serve --content %s\n", n, dir, dir)
	return nil
}
