package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
)

func cmdAsk(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("ask", "ask [--json] [--content DIR] [--index DIR] [QUESTION...]")
	asJSON := fs.Bool("json", false, "print one JSON object per question, one per line")
	fs.Usage = func() {
		fmt.Fprint(env.stderr, `Usage: faqbot ask [--json] [--content DIR] [--index DIR] [QUESTION...]

Each QUESTION given as an argument is answered on its own, as a first message.
With none, the lines of standard input are one conversation, as at the prompt
shown on a terminal, and also when they are piped or with --json: after an
ask-back, a choice's number ("2") or its words pick that choice; after an
answer, "yes" or "no" says whether it helped; blank lines are skipped.
--json prints one object per answered line (or argument), in that order.

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

// isTerminal reports whether r is an interactive terminal: a file whose descriptor is a
// terminal device (golang.org/x/term), not merely a character device such as /dev/null.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
