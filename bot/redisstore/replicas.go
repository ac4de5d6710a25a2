package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

// ReplicaInfo is what a replica last said about itself.
type ReplicaInfo struct {
	Replica string    `json:"replica"`
	Version string    `json:"version"` // the content version it serves
	Seen    time.Time `json:"seen"`
}

func (s *Store) replicasKey() string { return s.prefix + "replicas" }
func (s *Store) versionKey() string  { return s.prefix + "content-version" }
func (s *Store) channel() string     { return s.prefix + "reindex" }

func (s *Store) self(version string) []byte {
	b, _ := json.Marshal(ReplicaInfo{Replica: s.id, Version: version, Seen: time.Now().UTC().Truncate(time.Millisecond)})
	return b
}

// Announce tells the other replicas that this one has reindexed and now serves version: it
// becomes the content version every replica should serve, and is published on the reindex
// channel.
func (s *Store) Announce(ctx context.Context, version string) error {
	me := s.self(version)
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, s.versionKey(), version, 0)
	pipe.HSet(ctx, s.replicasKey(), s.id, me)
	pipe.Publish(ctx, s.channel(), me)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: announce: %w", err)
	}
	return nil
}

// Heartbeat records that this replica serves version, and returns the version last announced
// by any replica ("" when none was), which a replica that missed an announcement should catch
// up with.
func (s *Store) Heartbeat(ctx context.Context, version string) (announced string, err error) {
	pipe := s.rdb.Pipeline()
	pipe.HSet(ctx, s.replicasKey(), s.id, s.self(version))
	get := pipe.Get(ctx, s.versionKey())
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("redisstore: heartbeat: %w", err)
	}
	return get.Val(), nil
}

// Leave removes this replica from the list.
func (s *Store) Leave(ctx context.Context) error {
	if err := s.rdb.HDel(ctx, s.replicasKey(), s.id).Err(); err != nil {
		return fmt.Errorf("redisstore: leave: %w", err)
	}
	return nil
}

// Replicas returns the replicas heard from within maxAge, by name; older ones are forgotten.
func (s *Store) Replicas(ctx context.Context, maxAge time.Duration) ([]ReplicaInfo, error) {
	all, err := s.rdb.HGetAll(ctx, s.replicasKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: replicas: %w", err)
	}
	var out []ReplicaInfo
	var stale []string
	for id, v := range all {
		var ri ReplicaInfo
		if json.Unmarshal([]byte(v), &ri) != nil || time.Since(ri.Seen) > maxAge {
			stale = append(stale, id)
			continue
		}
		out = append(out, ri)
	}
	if len(stale) > 0 {
		s.rdb.HDel(ctx, s.replicasKey(), stale...)
	}
	slices.SortFunc(out, func(a, b ReplicaInfo) int { return cmp.Compare(a.Replica, b.Replica) })
	return out, nil
}

// Watch listens to the reindex channel until ctx ends: announced is called with the version
// another replica announced, and subscribed each time the subscription is (re)established —
// announcements made while it was down are lost, and Heartbeat tells which was the last. Both
// are called from Watch's goroutine, one at a time.
func (s *Store) Watch(ctx context.Context, announced func(version string), subscribed func()) {
	ps := s.rdb.Subscribe(ctx, s.channel())
	defer ps.Close()
	ch := ps.ChannelWithSubscriptions(redis.WithChannelHealthCheckInterval(time.Second),
		redis.WithChannelPingTimeout(time.Second), redis.WithChannelReconnectTimeout(2*time.Second))
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					subscribed()
				}
			case *redis.Message:
				var ri ReplicaInfo
				if json.Unmarshal([]byte(m.Payload), &ri) == nil && ri.Replica != s.id && ri.Version != "" {
					announced(ri.Version)
				}
			}
		}
	}
}
