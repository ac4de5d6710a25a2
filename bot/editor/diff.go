package editor

import (
	"fmt"
	"strings"
)

// unifiedDiff is the unified diff of a file changed in one place (what every edit here does):
// the lines between the common head and the common tail, with up to three lines of context.
func unifiedDiff(name string, a, b []byte) string {
	x, y := splitLines(string(a)), splitLines(string(b))
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	if head == len(x) && head == len(y) {
		return ""
	}
	const context = 3
	from := max(head-context, 0)
	toX, toY := min(len(x)-tail+context, len(x)), min(len(y)-tail+context, len(y))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- a/%s\n+++ b/%s\n", name, name)
	fmt.Fprintf(&sb, "@@ -%s +%s @@\n", span(from, toX-from), span(from, toY-from))
	for _, l := range x[from:head] {
		sb.WriteString(" " + l + "\n")
	}
	for _, l := range x[head : len(x)-tail] {
		sb.WriteString("-" + l + "\n")
	}
	for _, l := range y[head : len(y)-tail] {
		sb.WriteString("+" + l + "\n")
	}
	for _, l := range x[len(x)-tail : toX] {
		sb.WriteString(" " + l + "\n")
	}
	return sb.String()
}

// span is a hunk's range: its first line (1-based; the line before an empty range) and count.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
