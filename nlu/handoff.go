package nlu

import (
	"math"

	"github.com/faqbot/faqbot/faq"
)

// The hand-off classifier decides whether a question is about someone in particular — the asker
// or a person they speak for — so that only the customer desk can answer it. It is a logistic
// regression trained when the matcher is built, on every entry's phrases (hand-off entries are
// the positive class), over signals that generalise rather than words: who the question is about
// (a first-person or proxy subject, pasted personal data), what it is about (a personal-data
// field, "which exactly", whether something leaked, how to do something) and how the intent
// model reads it (the probability of hand-off entries, of entries whose answer holds for
// everyone, of general entries). The intent probabilities of its training phrases come from
// cross-validation, so that it learns how much to trust the signals when the intent model is
// unsure, as it is on new phrasings.

// handoffFeatures names the classifier's inputs, in the order of Signals.vector.
var handoffFeatures = []string{"bias", "first_person", "proxy", "personal_field", "which", "pii", "leak",
	"howto", "subject_field", "subject_leak", "which_field", "p_handoff", "p_everyone", "p_general",
	"subject_general", "subject_everyone", "p_outside", "story_subject", "owned_field"}

// mass is how the intent model spreads a question over kinds of entries.
type mass struct {
	handoff, everyone, general, outside float64
}

// massOf sums class probabilities by kind of entry.
func massOf(classes []*faq.Entry, p []float64) mass {
	var m mass
	for i, e := range classes {
		switch {
		case e.OutOfScope:
			m.outside += p[i]
		case e.Handoff:
			m.handoff += p[i]
		case e.HoldsForEveryone:
			m.everyone += p[i]
		default:
			m.general += p[i]
		}
	}
	return m
}

// vector returns the classifier's inputs for the signals s and the intent mass m.
func (s Signals) vector(m mass) []float64 {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	subject := s.FirstPerson || s.Proxy || s.PII
	return []float64{1, b(s.FirstPerson), b(s.Proxy), b(s.PersonalField), b(s.Which), b(s.PII), b(s.LeakQuestion),
		b(s.HowTo), b(subject && (s.OwnedField || s.PII)), b(subject && s.LeakQuestion), b(s.Which && s.PersonalField),
		m.handoff, m.everyone, m.general, b(subject) * m.general, b(subject) * m.everyone, m.outside, b(s.StorySubject), b(s.OwnedField)}
}

// handoffModel is the trained classifier: weights over handoffFeatures.
type handoffModel struct {
	w []float64
}

func (h handoffModel) prob(x []float64) float64 {
	var z float64
	for i, v := range x {
		z += h.w[i] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// trainHandoff fits the classifier by full-batch gradient descent with L2 (not on the bias),
// the two classes weighted to count alike.
func trainHandoff(xs [][]float64, ys []bool, cfg faq.Learning) handoffModel {
	h := handoffModel{w: make([]float64, len(handoffFeatures))}
	var pos float64
	for _, y := range ys {
		if y {
			pos++
		}
	}
	if pos == 0 || pos == float64(len(ys)) {
		// Nothing to learn from: a content without hand-off entries hands nothing off by
		// itself (asking for a person still does).
		h.w[0] = -40
		return h
	}
	wPos, wNeg := float64(len(ys))/(2*pos), float64(len(ys))/(2*(float64(len(ys))-pos))
	grad := make([]float64, len(h.w))
	rate := cfg.HandoffRate
	for range cfg.HandoffEpochs {
		clear(grad)
		var total float64
		for i, x := range xs {
			g, wt := h.prob(x), wNeg
			if ys[i] {
				g, wt = g-1, wPos
			}
			total += wt
			for j, v := range x {
				grad[j] += wt * g * v
			}
		}
		for j := range h.w {
			reg := 0.0
			if j > 0 {
				reg = cfg.HandoffL2 * h.w[j]
			}
			h.w[j] -= rate * (grad[j]/total + reg)
		}
	}
	return h
}
