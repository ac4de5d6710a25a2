package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrganisations(t *testing.T) {
	for in, want := range map[string][]Organisation{
		"ヤフーのパスワード":         {{Word: Fold("ヤフー")}},
		"ドコモではなく御社の件です":     {{Word: Fold("ドコモ"), Negated: true}},
		"ドコモじゃなくて、ソフトバンクから": {{Word: Fold("ドコモ"), Negated: true}, {Word: Fold("ソフトバンク")}},
		"パスワードを変えたい":        nil,
		"gmailのパスワード":       {{Word: "gmail", Unknown: true}},
	} {
		if diff := cmp.Diff(want, Organisations(Normalize(in))); diff != "" {
			t.Errorf("Organisations(%q) (-want +got):\n%s", in, diff)
		}
	}
}
