package nlu

import (
	"encoding/json"
	"errors"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/cachefile"
)

// modelsPart is the matcher's part of the cache beside an on-disk index (faq.Index.ReadCache):
// the trained intent model and hand-off classifier.
const modelsPart = "models"

// models gives the matcher its models: those cached beside the index when they were trained by
// this binary on the same content with the same settings, otherwise trained now (and cached).
func (m *Matcher) models(c *faq.Content, cfg faq.Matcher) {
	settings, err := json.Marshal(cfg)
	if err != nil {
		panic("nlu: matcher settings: " + err.Error()) // plain data: cannot fail
	}
	if p := m.ix.ReadCache(modelsPart, string(settings)); p != nil {
		err := m.decodeModels(p, c)
		if err == nil {
			return
		}
		m.intent, m.handoff = nil, handoffModel{}
		m.ix.UnusableCache(modelsPart, err)
	}
	m.learn(c, cfg.Learning)
	m.ix.WriteCache(modelsPart, string(settings), m.encodeModels(c))
}

// encodeModels is the payload of the models: whether there is an intent model; if so its
// classes (each an index of c.Entries, or -1 for the out-of-scope pseudo-entry), its features
// in the order of their ids, its weights (feature by feature, a class's weight after another's)
// and its biases; then the hand-off classifier's weights.
func (m *Matcher) encodeModels(c *faq.Content) []byte {
	var e cachefile.Encoder
	if im := m.intent; im == nil {
		e.Uint(0)
	} else {
		e.Uint(1)
		order := make(map[*faq.Entry]int, len(c.Entries))
		for i, en := range c.Entries {
			order[en] = i
		}
		e.Uint(uint64(len(im.classes)))
		for _, en := range im.classes {
			i, ok := order[en]
			if !ok {
				i = -1
			}
			e.Int(int64(i))
		}
		features := make([]string, len(im.vocab))
		for f, id := range im.vocab {
			features[id] = f
		}
		e.Strings(features)
		flat := make([]float32, 0, len(im.w)*len(im.classes))
		for _, row := range im.w {
			flat = append(flat, row...)
		}
		e.Float32s(flat)
		e.Float32s(im.b)
	}
	e.Float64s(m.handoff.w)
	return e.Bytes()
}

// decodeModels sets the models from the payload of encodeModels.
func (m *Matcher) decodeModels(p []byte, c *faq.Content) error {
	d := cachefile.NewDecoder(p)
	var im *intentModel
	if d.Uint() == 1 {
		im = &intentModel{classes: make([]*faq.Entry, d.Len(1))}
		for i := range im.classes {
			switch k := d.Int(); {
			case k == -1 && m.ix.OutOfScope() != nil:
				im.classes[i] = m.ix.OutOfScope()
			case k >= 0 && k < int64(len(c.Entries)):
				im.classes[i] = c.Entries[k]
			default:
				return errors.New("a class of no entry")
			}
		}
		features := d.Strings()
		im.vocab = make(map[string]int32, len(features))
		for id, f := range features {
			im.vocab[f] = int32(id)
		}
		flat, n := d.Float32s(), len(im.classes)
		im.b = d.Float32s()
		if len(im.vocab) != len(features) || len(flat) != len(features)*n || len(im.b) != n {
			return errors.New("inconsistent intent model")
		}
		im.w = make([][]float32, len(features))
		for i := range im.w {
			im.w[i] = flat[i*n : (i+1)*n : (i+1)*n]
		}
	}
	h := handoffModel{w: d.Float64s()}
	if err := d.Err(); err != nil {
		return err
	}
	if len(h.w) != len(handoffFeatures) {
		return errors.New("inconsistent hand-off classifier")
	}
	m.intent, m.handoff = im, h
	return nil
}
