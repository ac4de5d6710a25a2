package bot

import (
	"github.com/faqbot/faqbot/nlu"
	"github.com/faqbot/faqbot/nlu/pii"
)

// ActionFeedback is the Action of the Explanation of a reply to "was this helpful?": no
// decision was made, the answer shown before was rated.
const ActionFeedback nlu.Action = "feedback"

// Explanation is a reply together with the decision behind it, as JSON: what `faqbot ask
// --json` prints and the web console's API returns. Query is the question with personal data
// masked; PII lists the kinds of personal data found, never the data. For a rating (Action
// ActionFeedback), Entry is the entry rated, Query the masked question its answer was given to
// ("" when not known) and WasHelpful the rating.
type Explanation struct {
	Query       string      `json:"query"` // personal data masked
	Lang        string      `json:"lang"`
	Action      nlu.Action  `json:"action"`
	Entry       string      `json:"entry"`
	Handoff     bool        `json:"handoff"`
	Score       float64     `json:"score"`
	Suggestions []string    `json:"suggestions"`
	Followups   []string    `json:"followups,omitempty"`
	PII         []pii.Kind  `json:"pii"`
	Answer      string      `json:"answer"`
	Reason      string      `json:"reason"`
	Signals     nlu.Signals `json:"signals"`
	Choices     []Choice    `json:"choices,omitempty"`
	WasHelpful  *bool       `json:"was_helpful,omitempty"`
}

// Explain describes r.
func Explain(r Reply) Explanation {
	d := r.Decision
	res := Explanation{
		Query: d.Masked, Lang: string(r.Lang), Action: d.Action, Handoff: r.Handoff,
		Score: round(d.Confidence), Suggestions: []string{}, PII: d.PII, Answer: r.Text,
		Reason: d.Reason, Signals: d.Signals, Choices: r.Choices,
	}
	if res.PII == nil {
		res.PII = []pii.Kind{}
	}
	if d.Entry != nil && d.Action != nlu.DontKnow {
		res.Entry = d.Entry.ID
	}
	for _, s := range d.Suggestions {
		res.Suggestions = append(res.Suggestions, s.ID)
	}
	for _, c := range d.Choices {
		res.Followups = append(res.Followups, c.ID)
	}
	if fb := r.Feedback; fb != nil {
		helpful := fb.Helpful
		res.Action, res.Entry, res.Query, res.WasHelpful = ActionFeedback, fb.EntryID, fb.Question, &helpful
	}
	return res
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
