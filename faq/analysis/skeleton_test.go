package analysis

import (
	"slices"
	"testing"
)

func TestKanjiSkeleton(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"申シ込ミ", "申込"},
		{"申込ミ", "申込"},
		{"申込", "申込"},
		{"申シ込ム", "申込"}, // the verb meets its noun
		{"引ッ越シ", "引越"},
		{"問イ合ワセ", "問合"},
		{"子ドモ", "子ドモ"},     // one kanji would say too little
		{"漏レル", "漏レル"},     // likewise
		{"マイナンバ", "マイナンバ"}, // starts with kana
		{"住民", "住民"},       // kanji only
		{"2017年", "2017年"}, // not a word of kanji and kana
	} {
		if got := kanjiSkeleton(tt.in); got != tt.want {
			t.Errorf("kanjiSkeleton(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Through the analyzer: three spellings, one term.
	a := New(Synonyms{})
	for _, s := range []string{"申し込み方法", "申込み方法", "申込方法"} {
		if got := a.Field(JA, s); !slices.Equal(got, []string{"申込", "方法"}) {
			t.Errorf("Field(JA, %q) = %q, want [申込 方法]", s, got)
		}
	}
}
