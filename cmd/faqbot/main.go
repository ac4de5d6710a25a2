// Command faqbot answers questions about the data-leak incident from the official FAQ.
//
//	faqbot ask [--json] [--content DIR] [QUESTION...]   answer questions (stdin when none)
//	faqbot check [--content DIR]                        validate content files
//	faqbot eval [--min ACC] [--sweep] FILE.tsv           measure the matcher on labelled queries
//	faqbot eval-retrieval --content DIR --queries FILE --qrels FILE   measure the entry ranking
//	faqbot serve [--addr ADDR]                           the server: web console, LINE, Slack, metrics
//	faqbot reindex [--server URL]                        make a running server reload its content
//	faqbot report [--since 168h] [--redis URL | --data DIR]   what editors should look at
//
// This is the only package that sees everything: flags, environment, logging and wiring.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	var ex exitError
	switch {
	case err == nil:
	case errors.As(err, &ex):
		os.Exit(int(ex))
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "faqbot:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command has printed what went wrong.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `faqbot answers questions about the data-leak incident from the official FAQ.

Usage:
  faqbot ask [--json] [--content DIR] [--index DIR] [QUESTION...]
  faqbot check [--content DIR]
  faqbot import [--from csv|tsv|json] [--encoding ENC] [--force] --out DIR FILE
  faqbot eval [--min ACC] [--sweep] [--content DIR] FILE.tsv
  faqbot eval-retrieval --content DIR --queries FILE --qrels FILE [--split dev|test|all] [--run FILE]
  faqbot serve [--addr ADDR] [--content DIR] [--index DIR] [flags]
  faqbot reindex [--server URL]
  faqbot report [--since 168h] [--redis URL | --data DIR] [--top N] [--json]
  faqbot content export DIR

Run "faqbot COMMAND -h" for a command's flags.
`

// run is the testable body of main.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "ask":
		return cmdAsk(ctx, env, args[1:])
	case "check":
		return cmdCheck(ctx, env, args[1:])
	case "import":
		return cmdImport(ctx, env, args[1:])
	case "eval":
		return cmdEval(ctx, env, args[1:])
	case "eval-retrieval":
		return cmdEvalRetrieval(ctx, env, args[1:])
	case "serve":
		return cmdServe(ctx, env, args[1:])
	case "reindex":
		return cmdReindex(ctx, env, args[1:])
	case "report":
		return cmdReport(ctx, env, args[1:])
	case "content":
		return cmdContent(ctx, env, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "faqbot: unknown command %q\n\n%s", args[0], usage)
	return exitError(2)
}

type environment struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// flags returns a FlagSet for a command that prints its errors to stderr.
func (env *environment) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: faqbot %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, allowing flags after positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
		if pos[len(pos)-1] == "--" {
			pos = append(pos[:len(pos)-1], args...)
			break
		}
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
