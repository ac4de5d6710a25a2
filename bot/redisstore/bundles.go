package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Content bundles (package bot/editor) live beside the reindex announcements: the bundle of
// each version under "content:bundle:" + version, and the heads ("current", "draft") under
// "content:" + name. A bundle no head points at is dropped after BundleKeep.

// BundleKeep is how long a bundle is kept after it was last written or made a head's.
const BundleKeep = 90 * 24 * time.Hour

func (s *Store) bundleKey(version string) string { return s.prefix + "content:bundle:" + version }
func (s *Store) headKey(name string) string      { return s.prefix + "content:" + name }

// PutBundle stores the bundle of version.
func (s *Store) PutBundle(ctx context.Context, version string, data []byte) error {
	if err := s.rdb.Set(ctx, s.bundleKey(version), data, BundleKeep).Err(); err != nil {
		return fmt.Errorf("redisstore: put bundle %s: %w", version, err)
	}
	return nil
}

// Bundle returns the bundle of version; found is false when there is none.
func (s *Store) Bundle(ctx context.Context, version string) ([]byte, bool, error) {
	b, err := s.rdb.Get(ctx, s.bundleKey(version)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: bundle %s: %w", version, err)
	}
	return b, true, nil
}

// Head returns the version the head name points at ("" when none).
func (s *Store) Head(ctx context.Context, name string) (string, error) {
	v, err := s.rdb.Get(ctx, s.headKey(name)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("redisstore: content %s: %w", name, err)
	}
	return v, nil
}

// SetHead points the head name at version, and keeps its bundle for BundleKeep more; "" clears
// the head.
func (s *Store) SetHead(ctx context.Context, name, version string) error {
	var err error
	if version == "" {
		err = s.rdb.Del(ctx, s.headKey(name)).Err()
	} else {
		pipe := s.rdb.TxPipeline()
		pipe.Set(ctx, s.headKey(name), version, 0)
		pipe.Expire(ctx, s.bundleKey(version), BundleKeep)
		_, err = pipe.Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("redisstore: set content %s: %w", name, err)
	}
	return nil
}
