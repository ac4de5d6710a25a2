package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

func cmdAsk(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("ask", "ask [--json] [--batch] [--workers N] [--content DIR] [--index DIR] [QUESTION...]")
	asJSON := fs.Bool("json", false, "print one JSON object per question, one per line")
	batch := fs.Bool("batch", false, "answer each line of standard input on its own, as a first message, on every core; printed in input order")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "with --batch, decide in `N` workers")
	fs.Usage = func() {
		fmt.Fprint(env.stderr, `Usage: faqbot ask [--json] [--batch] [--workers N] [--content DIR] [--index DIR] [QUESTION...]

Each QUESTION given as an argument is answered on its own, as a first message.
With none, the lines of standard input are one conversation, as at the prompt
shown on a terminal, and also when they are piped or with --json: after an
ask-back, a choice's number ("2") or its words pick that choice; after an
answer, "yes" or "no" says whether it helped; blank lines are skipped.
--json prints one object per answered line (or argument), in that order.
--batch answers each line of standard input on its own instead, as the
arguments are, deciding on every core and printing in input order.

Flags:
`)
		fs.PrintDefaults()
	}
	cf := contentFlags{progress: true}
	cf.register(fs, env, true)
	if err := parse(fs, args); err != nil {
		return err
	}
	eng, err := cf.engine(ctx, env.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	b := bot.New(eng, nil)
	out := bufio.NewWriter(env.stdout)
	defer out.Flush()
	answer := func(q string) error {
		r, err := b.Ask(ctx, q)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			return enc.Encode(bot.Explain(r))
		}
		fmt.Fprintf(out, "%s\n\n", r.Text)
		return nil
	}
	if fs.NArg() > 0 {
		for _, q := range fs.Args() {
			if err := answer(q); err != nil {
				return err
			}
		}
		return nil
	}
	if *batch {
		return askBatch(ctx, env.stdin, out, max(*workers, 1), func(q string) ([]byte, error) {
			r, err := b.Ask(ctx, q)
			if err != nil {
				return nil, err
			}
			if *asJSON {
				return marshalLine(bot.Explain(r))
			}
			return []byte(r.Text + "\n\n"), nil
		})
	}
	interactive := isTerminal(env.stdin) && !*asJSON
	if interactive {
		fmt.Fprintln(out, "faqbot: ask a question about the data leak (Ctrl-D to quit).")
	}
	return converse(ctx, b, env.stdin, out, interactive, *asJSON)
}

// converse answers the lines of in as one conversation, at a prompt or piped: a reply to an
// ask-back ("PC", or the number of a choice) gets the chosen answer, "yes" after an answer is
// feedback. With asJSON, each reply is printed as ask --json prints it.
func converse(ctx context.Context, b *bot.Bot, in io.Reader, out *bufio.Writer, prompt, asJSON bool) error {
	const user = "terminal"
	store := memstore.NewStore(30*time.Minute, nil)
	var last bot.Reply
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		if prompt {
			fmt.Fprint(out, "> ")
		}
		out.Flush()
		if !sc.Scan() {
			if prompt {
				fmt.Fprintln(out)
			}
			return sc.Err()
		}
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		var r bot.Reply
		var err error
		if n, convErr := strconv.Atoi(q); convErr == nil && n >= 1 && n <= len(last.Choices) {
			r, _, err = b.Choose(ctx, user, last.Choices[n-1].EntryID, last.Lang, store)
		} else {
			r, err = b.Handle(ctx, user, q, store)
		}
		if err != nil && !errors.Is(err, bot.ErrStore) {
			return err
		}
		last = r
		if asJSON {
			if err := enc.Encode(bot.Explain(r)); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(out, r.Body)
		for i, c := range r.Choices {
			fmt.Fprintf(out, "  %d. %s\n", i+1, c.Label)
		}
		fmt.Fprintln(out)
	}
}

// askBatch answers every non-blank line of in with answer, in workers goroutines, and writes
// the answers to out in the order of the lines. At most a few hundred answers wait for an
// earlier one, so memory stays bounded whatever the input's length. The first error stops it.
func askBatch(ctx context.Context, in io.Reader, out io.Writer, workers int, answer func(string) ([]byte, error)) error {
	type job struct {
		q    string
		done chan []byte // the answer, once decided (nil: failed)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan job)
	pending := make(chan job, workers*64) // in input order, for the writer
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				b, err := answer(j.q)
				if err != nil {
					cancel(err)
				}
				j.done <- b
			}
		})
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(pending)
		defer close(jobs)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			q := strings.TrimSpace(sc.Text())
			if q == "" {
				continue
			}
			j := job{q: q, done: make(chan []byte, 1)}
			select { // pending first: the writer then knows the order before any answer
			case pending <- j:
			case <-ctx.Done():
				readErr <- nil
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				j.done <- nil
				readErr <- nil
				return
			}
		}
		readErr <- sc.Err()
	}()
	var werr error
	failed := false
	for j := range pending {
		b := <-j.done
		failed = failed || b == nil
		if failed || werr != nil {
			continue // a line failed, or the output did: nothing after it is written; drain so that the reader and workers end
		}
		if _, err := out.Write(b); err != nil {
			werr = err
			cancel(err)
		}
	}
	wg.Wait()
	if err := <-readErr; err != nil {
		return err
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return werr
}

// marshalLine is v as one line of JSON (no HTML escaping), as ask --json prints it.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// isTerminal reports whether r is an interactive terminal: a file whose descriptor is a
// terminal device (golang.org/x/term), not merely a character device such as /dev/null.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
