package faq

import (
	"context"
	"testing"
)

func TestIndexProgress(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	var got []Progress
	ctx := WithProgress(context.Background(), func(p Progress) { got = append(got, p) })
	ix, err := NewIndex(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	last := map[string]Progress{}
	for _, p := range got {
		if prev, ok := last[p.Stage]; ok && p.Done < prev.Done {
			t.Errorf("%s went back from %d to %d", p.Stage, prev.Done, p.Done)
		}
		if p.Total == 0 || p.Done > p.Total {
			t.Errorf("report %+v", p)
		}
		last[p.Stage] = p
	}
	for _, stage := range []string{"analyse", "index"} {
		p, ok := last[stage]
		if !ok || p.Done != p.Total || p.Total < ix.Phrases() {
			t.Errorf("stage %s ended at %+v, want all of at least %d phrasings", stage, p, ix.Phrases())
		}
	}
	if len(got) > 2*205 {
		t.Errorf("%d reports, want them thinned to about 200 a stage", len(got))
	}
}
