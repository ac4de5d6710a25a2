// Package analysis is the one place where faqbot turns text into searchable terms. The FAQ index
// (package faq) and the matcher (package nlu) both call it, so that a question is analysed at
// query time exactly as the FAQ was analysed at index time.
//
// It owns normalisation (NFKC, width, case, long-vowel marks), the folding that lets hiragana,
// katakana and half-width katakana meet, synonyms, Japanese morphology (kagome with the IPA
// dictionary), character n-grams, and English stemming (snowball). It imports no other faqbot
// package and no search engine: it only produces strings.
package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the canonical form of user or FAQ text: NFKC (so half-width katakana and
// full-width ASCII become their ordinary forms), lower case, long-vowel variants after kana
// written as "ー", every run of white space as one space, trimmed.
//
// NFKC and lower-casing do not commute (a few characters change again when the other is applied),
// so both are repeated until the text stops changing; the result satisfies
// Normalize(Normalize(s)) == Normalize(s). Invalid UTF-8 is replaced by U+FFFD.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// Each pass can enable another (NFKC can produce spaces, dropping a control character can
	// bring a letter next to a combining mark), so repeat until nothing changes.
	for i := 0; i < 8; i++ {
		next := clean(strings.ToLower(norm.NFKC.String(s)))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// clean maps long-vowel variants after kana to "ー", drops control characters, and collapses
// white space. Text that it leaves as it is comes back without a copy.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	return cleanCopy(s)
}

// cleanCopy is clean, always writing a copy.
func cleanCopy(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case isLongVowelVariant(r) && isKana(prev):
			r = 'ー'
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isClean reports whether clean leaves s as it is: no control character, no long-vowel
// variant after kana (across white space, as clean reads it), no invalid UTF-8, and white
// space only as single spaces between other characters.
func isClean(s string) bool {
	var prev rune
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			if r != ' ' || i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
			continue
		case isLongVowelVariant(r) && isKana(prev), unicode.IsControl(r):
			return false
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return false // an invalid byte, which clean writes as U+FFFD
		}
		prev = r
	}
	return true
}

// isLongVowelVariant reports whether r is a character people type for the long-vowel mark "ー"
// after kana (hyphens, dashes, tildes and the half-width mark, which NFKC already maps).
func isLongVowelVariant(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '~', '〜', '～', '〰':
		return true
	}
	return false
}

func isKana(r rune) bool {
	return isHiragana(r) || isKatakana(r) || r == 'ー'
}

func isHiragana(r rune) bool { return r >= 'ぁ' && r <= 'ゖ' }

func isKatakana(r rune) bool { return r >= 'ァ' && r <= 'ヺ' }

// Fold returns the matching key of normalised text: hiragana become katakana and long-vowel
// marks are dropped, so that まいなんばー, マイナンバー, ﾏｲﾅﾝﾊﾞｰ and マイナンバ all fold to マイナンバ.
// Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == 'ー' || isHiragana(r) }) {
		return s // nothing to fold: no copy
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 'ー':
			continue
		case isHiragana(r):
			r += 'ァ' - 'ぁ'
		}
		b.WriteRune(r)
	}
	return b.String()
}
