package ratelimit

import (
	"context"
	"sync"
	"time"
)

var _ Store = (*MemoryStore)(nil)

// MemoryStore is an in-process Store: the reference behaviour of a store,
// and a way to share one global limit between Global limiters in one
// process (tests, single-instance deployments). The zero MemoryStore is
// ready to use.
type MemoryStore struct {
	mu   sync.Mutex
	tats map[string]time.Time // protected by mu
}

// Lease implements Store: the same GCRA as Limiter, granting up to n tokens
// at once.
func (m *MemoryStore) Lease(ctx context.Context, key string, limit Limit, n int) (int, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	lim, err := limit.normal()
	if err != nil {
		return 0, 0, err
	}
	g := newGCRA(lim)
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tats == nil {
		m.tats = make(map[string]time.Time)
	}
	granted, retry, tat := g.lease(int64(m.tats[key].Sub(now)), 0, n)
	if granted > 0 {
		m.tats[key] = now.Add(time.Duration(tat))
	}
	return granted, retry, nil
}
