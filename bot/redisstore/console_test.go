package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/redisstore/redistest"
)

func TestRevocations(t *testing.T) {
	srv := redistest.Start(t)
	a, b := open(t, srv, "a"), open(t, srv, "b")
	ctx := context.Background()
	if err := a.Revoke(ctx, "session-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, "session-2", time.Now().Add(-time.Second)); err != nil { // ended already
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"session-1": true, "session-2": false, "session-3": false} {
		if got, err := b.IsRevoked(ctx, id); err != nil || got != want {
			t.Errorf("IsRevoked(%s) on another replica = %v, %v; want %v", id, got, err, want)
		}
	}
	for _, k := range keys(t, srv) {
		if !strings.HasPrefix(k, "test:admin:revoked:") || strings.Contains(k, "session-") {
			t.Errorf("key %q: the session id is not hashed under the prefix", k)
		}
	}
}

func TestReindexesAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	at := time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST)
	var logs [2]*bot.ReindexLog
	for i, name := range []string{"a", "b"} {
		s := open(t, srv, name)
		h := failover.NewHealth(failover.HealthConfig{Ping: s.Ping})
		logs[i] = &bot.ReindexLog{Keep: 3}
		logs[i].Share(s, h)
	}
	for i := range 4 {
		r := bot.NewReindex(at.Add(time.Duration(i)*time.Minute), "console", bot.ReloadResult{Version: string(rune('0' + i)), Changed: true}, nil)
		r.Replica = []string{"a", "b"}[i%2]
		if err := logs[i%2].Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	last := logs[0].Last(ctx)
	if len(last) != 3 || last[0].Version != "3" || last[0].Replica != "b" || last[1].Version != "2" || last[1].Replica != "a" || last[2].Version != "1" {
		t.Fatalf("last on a = %+v, want versions 3 (b), 2 (a), 1 (b)", last)
	}
	// The store away: each replica gives its own.
	srv.Stop()
	failed := bot.NewReindex(at.Add(time.Hour), "sighup", bot.ReloadResult{}, errors.New("boom"))
	if err := logs[1].Add(ctx, failed); err == nil {
		t.Error("Add with the store away reported no error")
	}
	last = logs[1].Last(ctx)
	if len(last) != 3 || last[0].Via != "sighup" || last[1].Version != "3" || last[2].Version != "1" {
		t.Errorf("last on b with the store away = %+v, want b's own", last)
	}
}
