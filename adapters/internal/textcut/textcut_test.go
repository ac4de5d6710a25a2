package textcut

import (
	"strings"
	"testing"
)

func TestSplitAndClip(t *testing.T) {
	long := strings.Repeat("あ", 4990) + "\n" + strings.Repeat("い", 100)
	parts := Split(long, 5000, 5)
	if len(parts) != 2 || Len(parts[0]) != 4990 || parts[1] != strings.Repeat("い", 100) {
		t.Errorf("split at the line break: %d parts of %v", len(parts), lens(parts))
	}
	huge := strings.Repeat("x", 30000)
	parts = Split(huge, 5000, 4)
	if len(parts) != 4 || !strings.HasSuffix(parts[3], "…") {
		t.Errorf("split of 30,000: %v", lens(parts))
	}
	for _, p := range parts {
		if Len(p) > 5000 {
			t.Errorf("part of %d units", Len(p))
		}
	}
	if got := Clip("😀😀😀😀😀😀😀😀😀😀😀", 20); Len(got) > 20 || !strings.HasSuffix(got, "…") {
		t.Errorf("clip of emoji = %q (%d units)", got, Len(got))
	}
	if got := Clip("パスワード変更", 20); got != "パスワード変更" {
		t.Errorf("clip of a short label = %q", got)
	}
}

// lens are the lengths of parts.
func lens(parts []string) []int {
	var out []int
	for _, p := range parts {
		out = append(out, Len(p))
	}
	return out
}
