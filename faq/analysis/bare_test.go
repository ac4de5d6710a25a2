package analysis

import "testing"

func TestBare(t *testing.T) {
	for s, want := range map[string]bool{
		"test": true, "message": true, "just testing": true, "Test.": true,
		"テスト": true, "メッセージ": true, "テストメッセージ": true, "メッセージです": true, "ポイント": true,
		"forgot password": false, "test message": false, "cannot log in": false,
		"パスワードを忘れた": false, "メールが来ない": false, "怪しい": false, "ログインできない": false,
	} {
		if got := Bare(s); got != want {
			t.Errorf("Bare(%q) = %v, want %v", s, got, want)
		}
	}
}
