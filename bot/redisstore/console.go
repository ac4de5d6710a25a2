package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/faqbot/faqbot/bot"
)

// What the editors' console shares between replicas: the sessions signed out (one key each,
// expiring when the session would have ended) and the last reindexes of every replica (one
// capped list, newest first).

// ReindexesKept is how many reindexes the shared list keeps.
const ReindexesKept = 50

func (s *Store) revokedKey(id string) string { return s.prefix + "admin:revoked:" + hashed(id) }
func (s *Store) reindexesKey() string        { return s.prefix + "reindexes" }

// Revoke remembers that the console session id was signed out, until it would have ended.
func (s *Store) Revoke(ctx context.Context, id string, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil // it has ended anyway
	}
	if err := s.rdb.Set(ctx, s.revokedKey(id), 1, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: revoke session: %w", err)
	}
	return nil
}

// IsRevoked tells whether the console session id was signed out.
func (s *Store) IsRevoked(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.revokedKey(id)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: session revoked: %w", err)
	}
	return n > 0, nil
}

// AddReindex adds r to the reindexes every replica shares, dropping the oldest beyond
// ReindexesKept.
func (s *Store) AddReindex(ctx context.Context, r bot.Reindex) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("redisstore: add reindex: %w", err)
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, s.reindexesKey(), b)
	pipe.LTrim(ctx, s.reindexesKey(), 0, ReindexesKept-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: add reindex: %w", err)
	}
	return nil
}

// Reindexes returns the last n reindexes of every replica, newest first. An entry that does
// not decode (written by another version of faqbot) is skipped.
func (s *Store) Reindexes(ctx context.Context, n int) ([]bot.Reindex, error) {
	raw, err := s.rdb.LRange(ctx, s.reindexesKey(), 0, int64(n)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: reindexes: %w", err)
	}
	out := make([]bot.Reindex, 0, len(raw))
	for _, v := range raw {
		var r bot.Reindex
		if json.Unmarshal([]byte(v), &r) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}
