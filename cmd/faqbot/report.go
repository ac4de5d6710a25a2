package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faqbot/faqbot/bot/journal"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore"
)

const reportSynopsis = `report [--since DURATION] [--redis URL | --data DIR] [--top N] [--json] [--content DIR]

Prints, for editors, what users made of the answers over the last DURATION: the questions most
often left unanswered (variants of one question counted together), the entries found unhelpful
most, and the hand-offs to the customer desk. The events come from the Redis the replicas share
(--redis, env FAQBOT_REDIS_URL) or, without Redis, from the journal in --data (env
FAQBOT_DATA_DIR). Questions are shown as recorded: with personal data masked.`

// cmdReport is "faqbot report".
func cmdReport(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("report", reportSynopsis)
	var (
		cf     contentFlags
		sf     sharedFlags
		since  time.Duration
		top    int
		asJSON bool
	)
	cf.register(fs, env, false)
	sf.registerSource(fs, env)
	fs.DurationVar(&since, "since", 7*24*time.Hour, "report on the last `DURATION`")
	fs.IntVar(&top, "top", 20, "show the top `N` of each list (0: all)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || since <= 0 || top < 0 {
		fs.Usage()
		return exitError(2)
	}
	src, from, closeSrc, err := reportSource(&sf)
	if err != nil {
		return err
	}
	defer closeSrc()
	c, err := cf.load(env.stderr)
	if err != nil {
		return err
	}
	until := time.Now()
	start := until.Add(-since)
	events, err := record.Read(ctx, src, start, until)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	s := record.Summarize(events, c.Analyzer(), start, until, top)
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			From string `json:"from"`
			record.Summary
		}{from, s})
	}
	return printSummary(env.stdout, s, from)
}

// registerSource registers the flags that say where the events to read are, with report's own
// words: the same settings as serve's, read rather than written.
func (sf *sharedFlags) registerSource(fs *flag.FlagSet, env *environment) {
	sf.register(flag.NewFlagSet("", flag.ContinueOnError), env) // the defaults from the environment
	fs.Var(redisURLFlag{&sf.redisURL}, "redis", "read the events in the Redis at `URL` that the replicas of faqbot serve share (env FAQBOT_REDIS_URL)")
	fs.StringVar(&sf.redisPrefix, "redis-prefix", sf.redisPrefix, "the `PREFIX` of faqbot's Redis keys, as given to serve (env FAQBOT_REDIS_PREFIX)")
	fs.Func("data", "without Redis, read the journal in the data `DIR` of faqbot serve "+
		"(default $XDG_STATE_HOME/faqbot or ~/.local/state/faqbot; env FAQBOT_DATA_DIR)", func(s string) error {
		sf.dataDir, sf.dataDirSet = s, true
		return nil
	})
}

// reportSource opens where the events are: Redis when a URL is given, else the journal.
func reportSource(sf *sharedFlags) (src record.Source, from string, closeSrc func() error, err error) {
	if sf.redisURL != "" {
		rs, err := redisstore.Open(sf.redisURL, redisstore.Options{Prefix: sf.redisPrefix, Timeout: 5 * time.Second, Unpipelined: true})
		if err != nil {
			return nil, "", nil, fmt.Errorf("report: %w", err)
		}
		return rs, redactURL(sf.redisURL), rs.Close, nil
	}
	if sf.dataDir == "" {
		return nil, "", nil, errors.New("report: no events to read: give --redis URL or --data DIR")
	}
	if !journal.Exists(sf.dataDir) {
		return nil, "", nil, fmt.Errorf("report: no journal in %s (is it the data directory of faqbot serve?)", sf.dataDir)
	}
	j, err := journal.Open(sf.dataDir, journal.Options{Timeout: 10 * time.Second})
	if err != nil {
		return nil, "", nil, fmt.Errorf("report: %w", err)
	}
	return j, j.Path(), func() error { return nil }, nil
}

// printSummary prints s for people.
func printSummary(w io.Writer, s record.Summary, from string) error {
	const layout = "2006-01-02 15:04"
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("faqbot report: %s to %s (%s), from %s\n\n", s.Since.Format(layout), s.Until.Format(layout),
		s.Until.Sub(s.Since).Round(time.Minute), from)

	p("Unanswered questions: %d\n", s.UnansweredTotal)
	for i, c := range s.Unanswered {
		p("%3d.\t%d\t%s\n", i+1, c.Count, oneLine(c.Question))
		for _, v := range c.Variants[1:min(len(c.Variants), 4)] {
			p("\t\t  %d × %s\n", v.Count, oneLine(v.Text))
		}
		if more := len(c.Variants) - 4; more > 0 {
			p("\t\t  (%d more wordings)\n", more)
		}
	}

	p("\nWorst feedback: %d answers to \"was this helpful?\"\n", s.FeedbackTotal)
	if len(s.WorstFeedback) > 0 {
		p("\tentry\thelpful\tnot helpful\tscore\n")
	}
	for i, f := range s.WorstFeedback {
		p("%3d.\t%s\t%d\t%d\t%.2f\n", i+1, f.Entry, f.Helpful, f.NotHelpful, f.Score)
	}

	p("\nHand-offs to the desk: %d\n", s.HandoffTotal)
	for i, h := range s.Handoffs {
		what := h.Entry
		if what == "" {
			what = "(no entry: " + h.Reason + ")"
		}
		p("%3d.\t%d\t%s\n", i+1, h.Count, what)
	}
	return tw.Flush()
}

// oneLine keeps a question on one line of the report.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
