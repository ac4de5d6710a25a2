package failover_test

import (
	"context"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/memstore"
)

// TestSharedStoreThatLostItsData: a shared store that comes back empty (Redis restarted
// without persistence) says that every event is new; the events this replica took before —
// during the outage, or before the store lost them — are still repeats.
func TestSharedStoreThatLostItsData(t *testing.T) {
	ctx := context.Background()
	sh := &shared{dedupe: memstore.NewDeduper(time.Hour, 1000, nil), states: memstore.NewStore(time.Hour, nil)}
	h := failover.NewHealth(failover.HealthConfig{Ping: func(context.Context) error { return nil }})
	local := bot.Stepwise{Seen: memstore.NewDeduper(time.Hour, 1000, nil), Store: memstore.NewStore(time.Hour, nil)}
	ad := h.NewAdmitter(sh, local)
	dd := h.NewDeduper(sh, memstore.NewDeduper(time.Hour, 1000, nil))

	before := bot.Arrival{Events: []string{"line:before"}}
	if tr, _ := ad.Admit(ctx, before); tr.Repeat {
		t.Fatal("a new event is a repeat")
	}
	if first, _ := dd.FirstTime(ctx, "slack:helpful:1"); !first {
		t.Fatal("a new vote is a repeat")
	}
	sh.dedupe = memstore.NewDeduper(time.Hour, 1000, nil) // the shared store restarts, empty
	if tr, _ := ad.Admit(ctx, before); !tr.Repeat {
		t.Error("an event this replica took is new again once the shared store lost it")
	}
	if first, _ := dd.FirstTime(ctx, "slack:helpful:1"); first {
		t.Error("a vote this replica took is new again once the shared store lost it")
	}
	if tr, _ := ad.Admit(ctx, bot.Arrival{Events: []string{"line:after"}}); tr.Repeat {
		t.Error("a new event is a repeat")
	}
}
