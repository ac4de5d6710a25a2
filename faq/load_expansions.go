package faq

// ExpansionsFile holds the candidate query expansions generated from Sudachi's synonym
// dictionary for a content tree (faq/internal/gensudachi -expansions). It is optional and never
// edited by hand. Unlike the synonyms, its words are not rewritten as one: when the index has
// word vectors, it keeps the pairs its own text supports (mineExpansions) and a query's word
// also searches for them, below the word itself (Retrieval.ExpansionWeight).
const ExpansionsFile = "expansions-sudachi.yaml"

// ExpansionGroup is one group of Japanese words that may stand for one another in a query.
type ExpansionGroup struct {
	// Words may each be expanded to every other word of the group.
	Words []string `yaml:"words"`
	// To are expanded to from Words but never expand themselves (Sudachi's "only expanded to").
	To []string `yaml:"to,omitempty"`
}

// loadExpansions reads the optional expansions file into c.Expansions.
func (l *loader) loadExpansions(c *Content) {
	node := l.read(l.fsys, ExpansionsFile)
	if node == nil {
		return // optional
	}
	var doc struct {
		JA []ExpansionGroup `yaml:"ja"`
	}
	if !l.decode(ExpansionsFile, node, &doc) {
		return
	}
	for i, g := range doc.JA {
		if len(g.Words) == 0 || len(g.Words)+len(g.To) < 2 {
			l.problem(ExpansionsFile, 0, "ja: group %d: at least one word and two terms are needed", i+1)
			return
		}
	}
	c.Expansions = doc.JA
}
