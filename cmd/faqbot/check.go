package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/faqbot/faqbot/faq"
)

func cmdCheck(_ context.Context, env *environment, args []string) error {
	fs := env.flags("check", "check [--content DIR]")
	var cf contentFlags
	cf.register(fs, env, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "faqbot check: unexpected argument %q\n", fs.Arg(0))
		return exitError(2)
	}
	c, err := cf.load(env.stdout)
	if err != nil {
		return err
	}
	children, handoffs := 0, 0
	for _, e := range c.Entries {
		if e.Parent != "" {
			children++
		}
		if e.Handoff {
			handoffs++
		}
	}
	groups := len(c.Synonyms.JA) + len(c.Synonyms.EN)
	fmt.Fprintf(env.stdout, "ok: %s: %d entries (%d follow-ups, %d hand-off), languages %s, %d synonym groups\n",
		c.Source, len(c.Entries), children, handoffs, langs(c.Languages), groups)
	return nil
}

func langs(ls []faq.Lang) string {
	if len(ls) == 0 {
		return "any"
	}
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}
