package editor

import (
	"context"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// Inspection is what the bot makes of a question: its reply and decision, and the entries it
// ranked highest (the runner-ups of the decision).
type Inspection struct {
	Version    string          `json:"version"` // the content version that decided
	Reply      bot.Explanation `json:"reply"`
	Candidates []Candidate     `json:"candidates"`
	// Entries are every entry, for choosing the one a question belongs to.
	Entries []Candidate `json:"entries"`
}

// Candidate is an entry ranked for a question.
type Candidate struct {
	Entry string  `json:"entry"`
	Title string  `json:"title"`
	Score float64 `json:"score,omitempty"` // the similarity of the entry's best phrasing
}

// Runners is how many ranked entries an Inspection lists.
const Runners = 5

// Inspect asks b question, as a user would with no conversation, and ranks the entries for it.
func Inspect(ctx context.Context, b *bot.Bot, question string) (Inspection, error) {
	r, err := b.Ask(ctx, question)
	if err != nil {
		return Inspection{}, err
	}
	e := b.Engine()
	in := Inspection{Version: e.Version, Reply: bot.Explain(r), Candidates: []Candidate{}}
	lang := r.Lang
	ranked, err := e.Matcher.Rank(ctx, question, Runners)
	if err != nil {
		return Inspection{}, err
	}
	for _, s := range ranked {
		t, _ := s.Entry.In(lang)
		in.Candidates = append(in.Candidates, Candidate{Entry: s.Entry.ID, Title: t.Title, Score: float64(int(s.Similarity*1000+0.5)) / 1000})
	}
	for _, en := range e.Content.Entries {
		t, _ := en.In(lang)
		in.Entries = append(in.Entries, Candidate{Entry: en.ID, Title: t.Title})
	}
	return in, nil
}

// Lang parses a language code ("ja", "en"); ok is false for another.
func Lang(s string) (faq.Lang, bool) {
	switch l := faq.Lang(s); l {
	case faq.Japanese, faq.English:
		return l, true
	}
	return "", false
}
