package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/importer"
)

const importSynopsis = "import [--from csv|tsv|json] [--encoding ENC] [--lang ja|en] [--force] --out DIR FILE"

func cmdImport(_ context.Context, env *environment, args []string) error {
	fs := env.flags("import", importSynopsis)
	from := fs.String("from", "", "source `FORMAT`: csv, tsv or json (default: the file's extension)")
	encoding := fs.String("encoding", "auto", "source `ENCODING`: auto, "+strings.Join(importer.Encodings, ", "))
	lang := fs.String("lang", "", "`LANG` (ja or en) of rows without a language column (default: from the question's script)")
	out := fs.String("out", "", "write the content tree to `DIR`")
	force := fs.Bool("force", false, "replace DIR if it exists")
	if err := parse(fs, args); err != nil {
		return err
	}
	usageErr := func(format string, a ...any) error {
		fmt.Fprintf(env.stderr, "faqbot import: "+format+"\n", a...)
		fs.Usage()
		return exitError(2)
	}
	switch {
	case fs.NArg() != 1:
		return usageErr("want one FILE, got %d", fs.NArg())
	case *out == "":
		return usageErr("--out DIR is required")
	}
	file := fs.Arg(0)
	format := importer.Format(strings.ToLower(*from))
	if format == "" {
		format = importer.Format(strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), "."))
	}
	if format != importer.CSV && format != importer.TSV && format != importer.JSON {
		return usageErr("unknown format %q: use --from csv, tsv or json", format)
	}
	if *lang != "" && *lang != string(faq.Japanese) && *lang != string(faq.English) {
		return usageErr("unknown --lang %q: use ja or en", *lang)
	}
	var src []byte
	var err error
	if file == "-" {
		src, err = io.ReadAll(env.stdin)
	} else {
		src, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := importer.Read(file, src, importer.Options{Format: format, Encoding: *encoding, Lang: faq.Lang(*lang)})
	var ps faq.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(env.stderr, p)
		}
		fmt.Fprintf(env.stderr, "faqbot import: %d problems, nothing written\n", len(ps))
		return exitError(1)
	}
	if err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintln(env.stderr, "note:", n)
	}
	if err := importer.Write(*out, res, *force); err != nil {
		if errors.Is(err, importer.ErrExists) {
			return fmt.Errorf("%w (use --force to replace it)", err)
		}
		return err
	}
	fmt.Fprintf(env.stdout, "ok: %s: wrote %d entries (languages %s, read as %s) to %s in %v\n",
		file, len(res.Entries), langs(res.Languages), res.Encoding, *out, time.Since(start).Round(time.Millisecond))
	if m, _ := importer.Manifest(res.Languages); m != nil {
		fmt.Fprintf(env.stdout, "note: %s/%s is the embedded one with these languages: review its desk and messages\n", *out, faq.ManifestFile)
	}
	return nil
}
