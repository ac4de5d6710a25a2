// Command peerbench times `faqbot ask --json --batch` against another FAQ bot's batch mode on
// the same file of questions, one question a line: the two are run in alternation, each a
// number of times, and the medians of their wall-clock times are compared, once with faqbot on
// one core (GOMAXPROCS=1, one worker; both programs pinned to one CPU with taskset where it is
// installed) and once on every core.
//
//	peerbench -faqbot BIN -peer DIR -questions FILE [-n 17000] [-runs 3] [SOURCE.tsv ...]
//
// The peer is a Node.js program whose `node peer.js ask` reads one question a line on standard
// input and prints one JSON line per question. With SOURCE files, FILE is written first: the
// first n distinct questions found in them, in order — the second column of each TSV row (a
// query, a question, an evaluation phrasing), then the embedded FAQ's own phrasings (-shipped),
// then, of a file whose header names an "answer" column, the answers' sentences and, when
// those are too few, their clauses. Without them, FILE is read as it is.
//
// Both programs must print exactly one line per question; a run that does not fails.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("peerbench", flag.ContinueOnError)
	bin := fs.String("faqbot", "faqbot", "the faqbot `BINARY`")
	peer := fs.String("peer", "", "the peer's `DIR` (holding peer.js and its node_modules)")
	questions := fs.String("questions", "", "the question `FILE`, one a line (written first when SOURCE files are given)")
	n := fs.Int("n", 17000, "with SOURCE files, how many distinct questions to write")
	shipped := fs.Bool("shipped", true, "with SOURCE files, add the embedded FAQ's own phrasings after the files' questions")
	runs := fs.Int("runs", 3, "runs of each program per setting (the median is compared)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *peer == "" || *questions == "" {
		return errors.New("-peer and -questions are required")
	}
	if fs.NArg() > 0 {
		qs, err := collect(fs.Args(), *shipped, *n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*questions, []byte(strings.Join(qs, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	input, err := os.ReadFile(*questions)
	if err != nil {
		return err
	}
	lines := countLines(input)
	fmt.Fprintf(stdout, "%d questions from %s; median of %d runs, run in alternation\n", lines, *questions, *runs)

	pin := ""
	if p, err := exec.LookPath("taskset"); err == nil {
		pin = p
	}
	node := []string{"node", filepath.Join(*peer, "peer.js"), "ask"}
	ask := []string{*bin, "ask", "--json", "--batch"}
	one := []string{"GOMAXPROCS=1"}
	oneCore := func(argv []string) []string {
		if pin == "" {
			return argv
		}
		return append([]string{pin, "-c", "0"}, argv...)
	}
	settings := []struct {
		name        string
		faqbot, env []string
		peer        []string
	}{
		{"one core (GOMAXPROCS=1, --workers 1" + map[bool]string{true: ", taskset -c 0", false: ""}[pin != ""] + ")",
			oneCore(append(slices.Clone(ask), "--workers", "1")), one, oneCore(node)},
		{"every core", ask, nil, node},
	}
	first := []byte(firstLine(input))
	for _, s := range settings {
		var fq, pq, fs1, ps1 []time.Duration
		for range *runs {
			d, err := timed(s.faqbot, s.env, input, lines)
			if err != nil {
				return fmt.Errorf("faqbot: %w", err)
			}
			fq = append(fq, d)
			d, err = timed(s.peer, nil, input, lines)
			if err != nil {
				return fmt.Errorf("peer: %w", err)
			}
			pq = append(pq, d)
			// The same with one question: what starting up costs each.
			if d, err = timed(s.faqbot, s.env, first, 1); err != nil {
				return fmt.Errorf("faqbot: %w", err)
			}
			fs1 = append(fs1, d)
			if d, err = timed(s.peer, nil, first, 1); err != nil {
				return fmt.Errorf("peer: %w", err)
			}
			ps1 = append(ps1, d)
		}
		f, p := median(fq), median(pq)
		fmt.Fprintf(stdout, "%s:\n", s.name)
		fmt.Fprintf(stdout, "  faqbot %6.2f s (runs %s; one question %.2f s)\n", f.Seconds(), list(fq), median(fs1).Seconds())
		fmt.Fprintf(stdout, "  peer   %6.2f s (runs %s; one question %.2f s)\n", p.Seconds(), list(pq), median(ps1).Seconds())
		fmt.Fprintf(stdout, "  faqbot is %.2f× the peer's speed (%.2f× without start-up)\n",
			p.Seconds()/f.Seconds(), (p-median(ps1)).Seconds()/(f-median(fs1)).Seconds())
	}
	return nil
}

// timed runs argv with input on its standard input and env added to its environment, and
// returns its wall-clock time; it fails unless the command succeeds and prints want lines.
func timed(argv, env []string, input []byte, want int) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, lastLine(errb.String()))
	}
	if got := countLines(out.Bytes()); got != want {
		return 0, fmt.Errorf("%s printed %d lines for %d questions", strings.Join(argv, " "), got, want)
	}
	return d, nil
}

// collect returns the first n distinct questions of the TSV files, in order: every file's
// second column first, then (with shipped) the phrasings of the embedded FAQ, then the
// sentences of the answer columns, then those sentences' clauses.
func collect(files []string, shipped bool, n int) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(s string) bool {
		s = strings.TrimSpace(s)
		if l := utf8.RuneCountInString(s); l < 4 || l > 300 || seen[s] {
			return len(out) < n
		}
		seen[s] = true
		out = append(out, s)
		return len(out) < n
	}
	var answers [][]string
	for _, f := range files {
		rows, answerCol, err := readTSV(f)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if len(r) > 1 && !add(r[1]) {
				return out, nil
			}
		}
		if answerCol >= 0 {
			for _, r := range rows {
				if answerCol < len(r) {
					answers = append(answers, sentences(r[answerCol]))
				}
			}
		}
	}
	if shipped {
		c, err := faq.LoadEmbedded()
		if err != nil {
			return nil, err
		}
		for _, e := range c.Entries {
			for _, t := range e.Text {
				for _, q := range append([]string{t.Title}, t.Questions...) {
					if !add(q) {
						return out, nil
					}
				}
			}
		}
	}
	for _, ss := range answers {
		for _, s := range ss {
			if !add(s) {
				return out, nil
			}
		}
	}
	for _, ss := range answers { // then the sentences' clauses, when the sentences are too few
		for _, s := range ss {
			for _, c := range strings.Split(s, "、") {
				if !add(c) {
					return out, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("the sources hold %d distinct questions, not %d", len(out), n)
}

// readTSV reads a tab-separated file, skipping "#" comments and blank lines; a first row with
// a column named "answer" is a header, and its index is returned (otherwise -1).
func readTSV(path string) (rows [][]string, answerCol int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, -1, err
	}
	answerCol = -1
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if first {
			first = false
			if i := slices.Index(cols, "answer"); i >= 0 {
				answerCol = i
				continue
			}
			if slices.Contains(cols, "query") || slices.Contains(cols, "question") {
				continue // a header without answers
			}
		}
		rows = append(rows, cols)
	}
	return rows, answerCol, sc.Err()
}

// sentences splits a Japanese or English text at its sentence ends.
func sentences(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '。' || r == '？' || r == '！' || r == '\n' || r == '?' || r == '!'
	})
}

func countLines(b []byte) int {
	n := 0
	for l := range bytes.Lines(b) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return n
}

func firstLine(b []byte) string {
	for l := range bytes.Lines(b) {
		if s := strings.TrimSpace(string(l)); s != "" {
			return s + "\n"
		}
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func list(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return strings.Join(parts, ", ")
}
