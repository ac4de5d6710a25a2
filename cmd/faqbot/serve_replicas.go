// The state shared by replicas in Redis: each part falls back to its in-process twin while
// Redis is out of reach, and the replicas protocol runs beside it.

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/faqbot/faqbot/adapters/admin"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/metrics"
	"github.com/faqbot/faqbot/bot/record"
	"github.com/faqbot/faqbot/bot/redisstore"
	"github.com/faqbot/faqbot/bot/replicas"
)

// redisState is the state shared in Redis. Each component falls back to its in-process twin
// while Redis is out of reach, so that answers go on; the events editors read wait in memory
// until Redis is back.
func redisState(ctx context.Context, sc *serveConfig, root *slog.Logger, mx *metrics.Metrics,
	reindex func(ctx context.Context, via string) (bot.ReloadResult, error), version func() string) (*state, error) {
	log := root.With("component", "state")
	quietRedisLogs.Do(func() { redisstore.QuietClientLogs(root) })
	rs, err := redisstore.Open(sc.shared.redisURL, redisstore.Options{Prefix: sc.shared.redisPrefix, Unpipelined: !sc.shared.redisPipeline})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	health := failover.NewHealth(failover.HealthConfig{Ping: rs.Ping, Logger: root})
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	if err := rs.Ping(pctx); err != nil {
		health.Fail("startup", err)
	}
	cancel()
	mx.SharedState(health)
	rec := record.NewRecorder(record.RecorderConfig{Sink: rs, Logger: root})
	mx.Recorder(rec)

	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { health.Run(bg) })

	proto := replicas.New(replicas.Config{
		Shared: rs, Guard: health, Version: version, Every: heartbeatEvery, Logger: root,
		Reindex: func(ctx context.Context) { reindex(ctx, viaAnnouncement) },
	})
	wg.Go(func() { proto.Run(bg) })

	log.Info("state shared in Redis", "redis", redactURL(sc.shared.redisURL), "prefix", rs.Prefix(), "pipelined", sc.shared.redisPipeline,
		"replica", rs.Replica(), "degraded", health.Degraded())
	local := localParts(sc) // what answers while Redis is away
	return &state{
		source:  rs,
		bundles: guardedBundles{rs, health},
		revoked: guardedRevocations{rs, health},
		share:   func(l *bot.ReindexLog) { l.Share(rs, health) },
		replica: rs.Replica(),
		replicas: func(ctx context.Context) ([]admin.Replica, error) {
			var infos []redisstore.ReplicaInfo
			err := health.Do(ctx, "replicas", func(ctx context.Context) (err error) {
				infos, err = rs.Replicas(ctx, replicaGone)
				return err
			})
			out := make([]admin.Replica, len(infos))
			for i, r := range infos {
				out[i] = admin.Replica{ID: r.Replica, Version: r.Version, Seen: r.Seen, Self: r.Replica == rs.Replica()}
			}
			return out, err
		},
		store:    health.NewStateStore(rs.StateStore(stateTTL), local.Store),
		seen:     health.NewDeduper(rs.Deduper(dedupeTTL), local.Seen),
		admit:    health.NewAdmitter(rs.Admitter(dedupeTTL, sc.userEvery, sc.userBurst), local),
		feedback: rec,
		observer: tee{mx, rec},
		announce: proto.Announce,
		ready: func(ctx context.Context) map[string]any {
			info := map[string]any{"shared_state": "redis", "replica": rs.Replica(), "degraded": health.Degraded()}
			var rs2 []redisstore.ReplicaInfo
			if health.Do(ctx, "replicas", func(ctx context.Context) (err error) {
				rs2, err = rs.Replicas(ctx, replicaGone)
				return err
			}) == nil {
				info["replicas"] = rs2
			}
			return info
		},
		close: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // part of the constant beyond --shutdown-grace
			defer cancel()
			err := rec.Close(ctx)
			stopBG()
			wg.Wait()
			if health.Healthy() {
				lctx, cancel := context.WithTimeout(context.Background(), time.Second)
				rs.Leave(lctx)
				cancel()
			}
			return errors.Join(err, rs.Close())
		},
	}, nil
}

var quietRedisLogs sync.Once
