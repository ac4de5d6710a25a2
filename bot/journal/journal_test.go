package journal_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faqbot/faqbot/bot/journal"
	"github.com/faqbot/faqbot/bot/record"
)

var cmpTime = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestJournal(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)
	j, err := journal.Open(dir, journal.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	evs := []record.Event{
		{Kind: record.Unanswered, At: now.Add(-2 * time.Hour), Platform: "line", Text: "old"},
		{Kind: record.Unanswered, At: now.Add(-time.Minute), Platform: "line", Text: "電話番号は<phone>", Lang: "ja"},
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "my-number", Helpful: true},
		{Kind: record.Feedback, At: now.Add(-time.Minute), Entry: "my-number", Text: "番号は<phone>で合ってる"},
		{Kind: record.Handoff, At: now.Add(-time.Second), Platform: "web", Reason: "asked for a person"},
		// Written late, happened earlier: read in order.
		{Kind: record.Unanswered, At: now.Add(-30 * time.Minute), Platform: "slack", Text: "earlier"},
	}
	if err := j.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}

	// Another Journal on the same directory — a restart, or "faqbot report" while serve runs —
	// reads what was written.
	j2, err := journal.Open(dir, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := j2.Events(ctx, record.Unanswered, now.Add(-time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]record.Event{evs[5], evs[1]}, got, cmpTime); d != "" {
		t.Errorf("unanswered in the last hour (-want +got):\n%s", d)
	}
	got, _ = j2.Events(ctx, record.Feedback, now.Add(-time.Hour), now)
	if d := cmp.Diff(evs[2:4], got, cmpTime); d != "" {
		t.Errorf("feedback, with the question rated (-want +got):\n%s", d)
	}
	got, _ = j2.Events(ctx, record.Handoff, now.Add(-time.Hour), now)
	if d := cmp.Diff(evs[4:5], got, cmpTime); d != "" {
		t.Errorf("hand-offs (-want +got):\n%s", d)
	}

	n, err := j.Prune(now.Add(-time.Hour))
	if err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want the one old event", n, err)
	}
	if got, _ := j2.Events(ctx, record.Unanswered, time.Time{}, now); len(got) != 2 {
		t.Errorf("after pruning: %d unanswered, want 2", len(got))
	}
	if !journal.Exists(dir) || journal.Exists(t.TempDir()) {
		t.Error("Exists is wrong")
	}
}

// Appending prunes the events older than Keep, once an hour.
func TestJournalKeep(t *testing.T) {
	now := time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	j, err := journal.Open(t.TempDir(), journal.Options{Keep: 24 * time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j.Append(ctx, []record.Event{{Kind: record.Feedback, At: now, Entry: "a"}})
	now = now.Add(23 * time.Hour)
	j.Append(ctx, []record.Event{{Kind: record.Feedback, At: now, Entry: "b"}})
	now = now.Add(2 * time.Hour)
	j.Append(ctx, []record.Event{{Kind: record.Feedback, At: now, Entry: "c"}})
	got, _ := j.Events(ctx, record.Feedback, time.Time{}, now.Add(time.Second))
	var ids []string
	for _, e := range got {
		ids = append(ids, e.Entry)
	}
	if d := cmp.Diff([]string{"b", "c"}, ids); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
}

// Two processes' journals on one file take turns.
func TestJournalShared(t *testing.T) {
	dir := t.TempDir()
	a, err := journal.Open(dir, journal.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b, err := journal.Open(dir, journal.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	var wg sync.WaitGroup
	for i := range 20 {
		j := []*journal.Journal{a, b}[i%2]
		wg.Go(func() {
			if err := j.Append(ctx, []record.Event{{Kind: record.Feedback, At: now, Entry: "e"}}); err != nil {
				t.Error(err)
			}
			if _, err := j.Events(ctx, record.Feedback, now.Add(-time.Hour), now.Add(time.Hour)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, _ := a.Events(ctx, record.Feedback, now.Add(-time.Hour), now.Add(time.Hour)); len(got) != 20 {
		t.Errorf("%d events, want 20", len(got))
	}
}
