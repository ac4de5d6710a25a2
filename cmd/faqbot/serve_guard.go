package main

import (
	"context"
	"time"

	"github.com/faqbot/faqbot/bot/editor"
	"github.com/faqbot/faqbot/bot/failover"
	"github.com/faqbot/faqbot/bot/redisstore"
)

// bundleTimeout bounds one transfer of a content bundle: a bundle of thousands of entries is
// megabytes, beyond the shared state's short call timeout.
const bundleTimeout = 10 * time.Second

// guardedBundles are the content bundles in Redis, refused at once while the shared state is
// degraded (instead of each call waiting for Redis's own timeouts). A failed transfer does not
// mark the state degraded: the health check's pings say whether Redis is away.
type guardedBundles struct {
	rs     *redisstore.Store
	health *failover.Health
}

var _ editor.BundleStore = guardedBundles{}

func (g guardedBundles) do(ctx context.Context, f func(ctx context.Context) error) error {
	if g.health.Degraded() {
		return failover.ErrDegraded
	}
	ctx, cancel := context.WithTimeout(ctx, bundleTimeout)
	defer cancel()
	return f(ctx)
}

func (g guardedBundles) PutBundle(ctx context.Context, version string, data []byte) error {
	return g.do(ctx, func(ctx context.Context) error { return g.rs.PutBundle(ctx, version, data) })
}

func (g guardedBundles) Bundle(ctx context.Context, version string) (data []byte, found bool, err error) {
	err = g.do(ctx, func(ctx context.Context) (err error) {
		data, found, err = g.rs.Bundle(ctx, version)
		return err
	})
	return data, found, err
}

func (g guardedBundles) Head(ctx context.Context, name string) (v string, err error) {
	err = g.do(ctx, func(ctx context.Context) (err error) {
		v, err = g.rs.Head(ctx, name)
		return err
	})
	return v, err
}

func (g guardedBundles) SetHead(ctx context.Context, name, version string) error {
	return g.do(ctx, func(ctx context.Context) error { return g.rs.SetHead(ctx, name, version) })
}

// guardedRevocations are the console's signed-out sessions in Redis, each call bounded and
// counted by the failover guard.
type guardedRevocations struct {
	rs     *redisstore.Store
	health *failover.Health
}

func (g guardedRevocations) Revoke(ctx context.Context, id string, until time.Time) error {
	return g.health.Do(ctx, "revoked", func(ctx context.Context) error { return g.rs.Revoke(ctx, id, until) })
}

func (g guardedRevocations) IsRevoked(ctx context.Context, id string) (revoked bool, err error) {
	err = g.health.Do(ctx, "revoked", func(ctx context.Context) (err error) {
		revoked, err = g.rs.IsRevoked(ctx, id)
		return err
	})
	return revoked, err
}
