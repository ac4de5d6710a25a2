package faq

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeSynonyms(t *testing.T) {
	hand := [][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}}
	tests := []struct {
		name string
		gen  [][]string
		want [][]string
	}{
		{"appended after the hand-written groups", [][]string{{"申し込み", "申込"}},
			[][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}, {"申し込み", "申込"}}},
		{"a hand-written term is dropped", [][]string{{"申し込み", "申込", "変える"}},
			[][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}, {"申し込み", "申込"}}},
		{"terms compare in normal form", [][]string{{"申し込み", "ＰＷ", "申込"}},
			[][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}, {"申し込み", "申込"}}},
		{"a group left with one term is dropped", [][]string{{"申し込み", "変える"}},
			[][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}}},
		{"a hand-written canonical takes the rest", [][]string{{"パスワード", "パスワ", "pw"}},
			[][]string{{"パスワード", "pw", "パス", "パスワ"}, {"変更", "変える"}}},
		{"a hand-written member as canonical maps to its group", [][]string{{"変える", "替える"}, {"パス", "ぱすわ"}},
			[][]string{{"パスワード", "pw", "パス", "ぱすわ"}, {"変更", "変える", "替える"}}},
		{"nothing to add", [][]string{{"変える", "変更"}},
			[][]string{{"パスワード", "pw", "パス"}, {"変更", "変える"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cmp.Diff(nil, hand)
			got := mergeSynonyms(hand, tt.gen)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
			if cmp.Diff(nil, hand) != before {
				t.Error("the hand-written groups were modified")
			}
		})
	}
}

func TestLoadSudachiSynonyms(t *testing.T) {
	files := func(gen string) map[string]string {
		m := map[string]string{
			"entries/a.yaml": goodEntry,
			SynonymsFile:     "ja:\n  - [パスワード, pw]\nen:\n  - [password, pw]\n",
		}
		if gen != "" {
			m[SudachiSynonymsFile] = gen
		}
		return m
	}
	t.Run("optional", func(t *testing.T) {
		c, err := Load(tree(files("")), "c")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Synonyms.JA) != 1 || len(c.Synonyms.EN) != 1 {
			t.Errorf("synonyms = %v", c.Synonyms)
		}
	})
	t.Run("merged, hand-written wins", func(t *testing.T) {
		c, err := Load(tree(files("# generated\nja:\n  - [パスワード, ぱすわーど]\n  - [申し込み, 申込, pw]\nen:\n  - [pw, pwd]\n")), "c")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"パスワード", "pw", "ぱすわーど"}, {"申し込み", "申込"}}
		if diff := cmp.Diff(want, c.Synonyms.JA); diff != "" {
			t.Errorf("ja (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([][]string{{"password", "pw", "pwd"}}, c.Synonyms.EN); diff != "" {
			t.Errorf("en (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct{ name, gen, want string }{
		{"bad yaml", "ja:\n  - [申し込み, 申込]\n\t- [x]\n", "c/" + SudachiSynonymsFile + ":3: found character that cannot start any token"},
		{"unknown key", "ja: []\nfr: []\n", "c/" + SudachiSynonymsFile + `:2: unknown field "fr" (expected one of ja, en)`},
		{"duplicate in the file", "ja:\n  - [申し込み, 申込]\n  - [申込み, 申込]\n", "c/" + SudachiSynonymsFile + `:3: "申込" is already in a group at line 2`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tree(files(tt.gen)), "c")
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || !strings.HasPrefix(ps[0].String(), tt.want) {
				t.Errorf("Load error = %v, want one problem %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedHasSudachiSynonyms(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	a := c.Analyzer()
	// メアド is in both files; 携番 (携帯番号) only in the generated one.
	for in, want := range map[string]string{"メアド": "メールアドレス", "携番": "携帯番号"} {
		if got := a.Rewrite(in); got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}
