package faq

import (
	"github.com/faqbot/faqbot/faq/analysis"
)

// SudachiSynonymsFile holds the synonym groups generated from Sudachi's synonym dictionary
// (faq/internal/gensudachi). It is optional and never edited by hand; synonyms.yaml wins over it.
const SudachiSynonymsFile = "synonyms-sudachi.yaml"

// loadSudachiSynonyms merges the generated groups into c.Synonyms after the hand-written ones.
// The hand-written groups win, silently:
//   - a term that is already in a hand-written group of the same language is dropped from the
//     generated group;
//   - a generated group whose canonical (first) term is in a hand-written group is mapped to
//     that group: its remaining terms are appended to it;
//   - a generated group left with fewer than two terms is dropped.
//
// Problems are reported only for the generated file itself (YAML, unknown keys, empty or
// duplicate terms within it).
func (l *loader) loadSudachiSynonyms(c *Content) {
	node := l.read(l.fsys, SudachiSynonymsFile)
	if node == nil {
		return // optional
	}
	var gen analysis.Synonyms
	if !l.decode(SudachiSynonymsFile, node, &gen) {
		return
	}
	if !l.checkSynonymGroups(SudachiSynonymsFile, node, analysis.Normalize) {
		return
	}
	c.Synonyms.JA = mergeSynonyms(c.Synonyms.JA, gen.JA)
	c.Synonyms.EN = mergeSynonyms(c.Synonyms.EN, gen.EN)
}

// mergeSynonyms returns the hand-written groups followed by the generated ones, with the
// hand-written groups winning as loadSudachiSynonyms describes. Terms are compared in their
// normal form (analysis.Normalize). Neither argument is modified.
func mergeSynonyms(hand, gen [][]string) [][]string {
	if len(gen) == 0 {
		return hand
	}
	out := make([][]string, len(hand), len(hand)+len(gen))
	owner := map[string]int{} // normal form → index of its hand-written group
	for i, g := range hand {
		out[i] = g
		for _, t := range g {
			owner[analysis.Normalize(t)] = i
		}
	}
	grown := map[int]bool{}
	for _, g := range gen {
		if len(g) == 0 {
			continue
		}
		var rest []string
		for _, t := range g[1:] {
			if _, taken := owner[analysis.Normalize(t)]; !taken {
				rest = append(rest, t)
			}
		}
		if i, mapped := owner[analysis.Normalize(g[0])]; mapped {
			if len(rest) > 0 {
				if !grown[i] {
					out[i] = append([]string(nil), out[i]...) // copy: hand is not modified
					grown[i] = true
				}
				out[i] = append(out[i], rest...)
			}
			continue
		}
		if len(rest) == 0 {
			continue
		}
		out = append(out, append([]string{g[0]}, rest...))
	}
	return out
}
