package nlu_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/nlu"
)

func TestReadCases(t *testing.T) {
	in := "# comment\n\nmy-number\tマイナンバーは?\n" +
		"helpline\t私の住所は?\tkansai\n" +
		"change-password+my-number\tPW変えたい、あとマイナンバーは?\ttwo-questions\r\n"
	got, err := nlu.ReadCases(strings.NewReader(in), "x.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want := []nlu.Case{
		{Line: 3, Expected: "my-number", Query: "マイナンバーは?"},
		{Line: 4, Expected: "helpline", Query: "私の住所は?", Style: "kansai"},
		{Line: 5, Expected: "change-password+my-number", Query: "PW変えたい、あとマイナンバーは?", Style: "two-questions"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadCases (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"my-number\n", "\tquery\n", "a\tb\tc\td\n"} {
		if _, err := nlu.ReadCases(strings.NewReader(bad), "bad.tsv"); err == nil || !strings.HasPrefix(err.Error(), "bad.tsv:1: ") {
			t.Errorf("ReadCases(%q) error = %v, want bad.tsv:1: …", bad, err)
		}
	}
}

func TestCorrect(t *testing.T) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expected, got string
		want          bool
	}{
		{"my-number", "my-number", true},
		{"change-password", "change-password-pc", true}, // a child counts for its parent
		{"change-password-pc", "change-password", false},
		{"my-number", "helpline", false},
		{"change-password+my-number", "my-number", true},
		{"change-password+my-number", "change-password-app", true},
		{"change-password+my-number", "leak-count", false},
		{"helpline+leak-count", "helpline", true},
		{"leak-count+helpline", "leak-count", false}, // the hand-off comes first
	}
	for _, tt := range tests {
		if got := nlu.Correct(c, tt.expected, tt.got); got != tt.want {
			t.Errorf("Correct(%q, %q) = %v, want %v", tt.expected, tt.got, got, tt.want)
		}
	}
}
