package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRomaji(t *testing.T) {
	tests := []struct {
		in   string
		want string // the hiragana, for romaji; "" for text that is not romaji
	}{
		// Hepburn
		{"pasuwaado wo kaetai", "ぱすわあど を かえたい"},
		{"pasuwaado kaetai", "ぱすわあど かえたい"},
		{"mainanbaa morete nai desu ka", "まいなんばあ もれて ない です か"},
		{"watashi no jouhou mo moretano", "わたし の じょうほう も もれたの"},
		{"jouhou rouei", "じょうほう ろうえい"},
		{"kojin jouhou ga moreta", "こじん じょうほう が もれた"},
		{"shinpai desu", "しんぱい です"},
		{"tsuuchi ga kimasen", "つうち が きません"},
		{"chotto matte", "ちょっと まって"},
		{"matcha", "まっちゃ"},
		{"jibun no juusho", "じぶん の じゅうしょ"},
		{"fushin na denwa", "ふしん な でんわ"},
		{"konnichiwa", "こんにちわ"},
		{"onna no hito", "おんな の ひと"},
		{"kin'en", "きんえん"},
		{"ryokou", "りょこう"},
		{"gyuunyuu", "ぎゅうにゅう"},
		{"toiawase saki wa?", "といあわせ さき わ?"},
		{"roguin dekinai", "ろぐいん できない"},
		{"meado ga moreta", "めあど が もれた"},
		{"fairu", "ふぁいる"},
		{"kyou wa daijoubu", "きょう わ だいじょうぶ"},
		// keyboard and Kunrei spellings
		{"pasuwa-do", "ぱすわーど"},
		{"mainanba-", "まいなんばー"},
		{"mainanba- moreta?", "まいなんばー もれた?"},
		{"konnnichiha", "こんにちは"},
		{"sinnpai", "しんぱい"},
		{"tuuti", "つうち"},
		{"zyouhou", "じょうほう"},
		{"jyouhou", "じょうほう"},
		{"tyotto", "ちょっと"},
		{"husin", "ふしん"},
		{"syasin", "しゃしん"},
		{"ro-guin dekinai", "ろーぐいん できない"},
		{"denwabangou 2kai kaeta", "でんわばんごう 2かい かえた"},
		{"pasuwaado wo reset shitai", "ぱすわあど を れせt したい"}, // one English word of four
		{"KOJIN JOUHOU", "こじん じょうほう"},
		// English, and too short to tell
		{"how do i change my password", ""},
		{"was my address leaked", ""},
		{"pw", ""},
		{"ok", ""},
		{"id", ""},
		{"no", ""},
		{"my number", ""},
		{"help", ""},
		{"is my credit card safe", ""},
		{"who should i call", ""},
		{"i got a strange email", ""},
		{"what was leaked", ""},
		{"contact number please", ""},
		{"did you leak my phone number", ""},
		{"is it safe", ""},
		{"she", ""},
		{"", ""},
		{"123 456", ""},
		{"e-mail", ""},
		{"don't know", ""},
		// not ASCII: not romaji
		{"パスワード kaetai", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Romaji(tt.in)
			if ok != (tt.want != "") {
				t.Fatalf("Romaji(%q) = %q, ok %v, want ok %v", tt.in, got, ok, tt.want != "")
			}
			if ok && got != tt.want {
				t.Errorf("Romaji(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Known limit: English words that are kana syllables convert.
func TestRomajiEnglishThatReadsAsKana(t *testing.T) {
	if k, ok := Romaji("change name"); !ok || k != "ちゃんげ なめ" {
		t.Errorf(`Romaji("change name") = %q, %v; the limit documented on Romaji changed`, k, ok)
	}
}

func FuzzRomaji(f *testing.F) {
	for _, s := range []string{"pasuwaado wo kaetai", "mainanba-", "kin'en", "konnnichiha", "how do i change my password", "nn", "n'", "tch", "\xff", "ー-'", "パスワード"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := Romaji(s)
		if !utf8.ValidString(k) {
			t.Fatalf("Romaji(%q) = %q: not valid UTF-8", s, k)
		}
		if k2, ok2 := Romaji(s); k2 != k || ok2 != ok {
			t.Fatalf("Romaji(%q) is not deterministic", s)
		}
		if ok && strings.Count(s, "")-1 < 3 {
			t.Fatalf("Romaji(%q) ok with fewer than three characters", s)
		}
	})
}
