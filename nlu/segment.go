package nlu

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Staff on Slack wrap what they ask in markup: mentions, channel links, links with labels,
// code spans and quotes. None of it is part of the question.
var (
	slackMention = regexp.MustCompile(`<[@#!][^>]*>`)
	slackLink    = regexp.MustCompile(`<(?:https?|mailto):[^>|]*(?:\|([^>]*))?>`)
	quoteMarks   = strings.NewReplacer("`", " ", "```", " ", "「", " ", "」", " ", "『", " ", "』", " ",
		"“", " ", "”", " ", "\"", " ", "＂", " ", "&gt;", " ", "&lt;", " ", "&amp;", "&")
)

// strip removes chat markup from an utterance: Slack mentions and channel links, the targets of
// labelled links (the label stays), code spans and quote marks.
func strip(s string) string {
	if strings.IndexAny(s, "<`「」『』“”\"&＂") < 0 {
		return s
	}
	s = slackLink.ReplaceAllString(s, " $1 ")
	s = slackMention.ReplaceAllString(s, " ")
	return quoteMarks.Replace(s)
}

// sentences splits a normalised utterance into sentences: at 。？！?! and line breaks, and at
// ". " between English sentences. Pieces without a letter are dropped. A text of one sentence
// is returned whole.
func sentences(s string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if piece := strings.TrimSpace(s[start:end]); hasLetter(piece) {
			out = append(out, piece)
		}
		start = end
	}
	for i, r := range s {
		switch r {
		case '。', '？', '！', '?', '!', '\n', '♪':
			flush(i + utf8.RuneLen(r))
		case '.':
			if i+1 < len(s) && s[i+1] == ' ' {
				flush(i + 1)
			}
		}
	}
	flush(len(s))
	return out
}

// clauseJoiners are the words that join a second question to a first one inside one sentence.
var clauseJoiners = []string{"あと、", "あと ", "、あと", "、それと", "それと", "それから", "ついでに", "もう一つ", "もうひとつ", "また、",
	"あとさ", "あとは", ", also ", " also, ", " and also ", "; ", ", and how ", ", and what ", ", and was ",
	", and did ", ", and is ", " and how ", " and what ", " and where "}

// clauses splits one sentence at the words that join a second question (あと, それと, also, …).
func clauses(s string) []string {
	for _, j := range clauseJoiners {
		if i := strings.Index(s, j); i > 0 {
			a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(j):])
			if hasLetter(a) && hasLetter(b) {
				return []string{a, b}
			}
		}
	}
	return []string{s}
}

// questionEndings mark a sentence that asks something.
var questionEndings = []string{"?", "？", "か", "かな", "の", "でしょうか", "ですか", "ますか", "教えて", "おしえて",
	"知りたい", "しりたい", "ください", "下さい", "ほしい", "欲しい", "たい", "たいです", "たいんです", "ほしいです",
	"欲しいです", "だろう", "やろ", "やろか", "ん", "と", "け", "べ", "っけ", "かね", "かい", "please", "pls", "plz"}

// indirectQuestions mark a sentence that relays a question ("customer asking whether …",
// "…かどうか知りたいとのこと").
var indirectQuestions = []string{" whether ", " asks if ", " asking if ", " wants to know ", " want to know ",
	"かどうか", "か知りたい", "か教えて", "かを知りたい"}

// asks reports whether a sentence reads as a question or a request, direct or relayed.
func asks(s string) bool {
	for _, q := range indirectQuestions {
		if strings.Contains(s, q) {
			return true
		}
	}
	t := strings.TrimRight(s, "。.!！♪ 、,")
	for _, e := range questionEndings {
		if strings.HasSuffix(t, e) {
			return true
		}
	}
	for _, w := range []string{"how ", "what ", "which ", "was ", "were ", "is ", "are ", "did ", "do ", "does ", "can ", "where ", "who "} {
		if strings.HasPrefix(t, w) {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}
