// Package memstore is an in-process L2 [cache.Store] and [cache.Broadcaster].
//
// It is meant for tests and for single-process programs in which several
// caches share one L2, and it is the reference behaviour for other drivers:
// caches that share one *Store invalidate each other's L1 exactly as
// instances sharing a Redis server do.
package memstore

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/v100video/v100/cache"
)

var (
	_ cache.Store       = (*Store)(nil)
	_ cache.Broadcaster = (*Store)(nil)
)

// Store is an in-memory store with per-key expiry. The zero Store is ready
// to use.
type Store struct {
	mu    sync.Mutex // protects items and subs
	items map[string]item
	subs  map[*subscriber]struct{}
}

type item struct {
	value  []byte
	expire time.Time
}

type subscriber struct {
	mu        sync.Mutex // serialises calls to the callbacks
	onMessage func(string)
	stopped   bool
}

// New returns an empty Store.
func New() *Store { return &Store{} }

// Get implements cache.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		return nil, 0, false, nil
	}
	ttl := time.Until(it.expire)
	if ttl <= 0 {
		delete(s.items, key)
		return nil, 0, false, nil
	}
	return bytes.Clone(it.value), ttl, true, nil
}

// Set implements cache.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items == nil {
		s.items = make(map[string]item)
	}
	s.items[key] = item{value: bytes.Clone(value), expire: time.Now().Add(ttl)}
	return nil
}

// Delete implements cache.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.items, key)
	s.mu.Unlock()
	return nil
}

// Len returns the number of keys held, expired ones included until they are
// next read.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// Broadcast implements cache.Broadcaster. Subscribers are called before it
// returns.
func (s *Store) Broadcast(ctx context.Context, msg string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	subs := make([]*subscriber, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.mu.Lock()
		if !sub.stopped {
			sub.onMessage(msg)
		}
		sub.mu.Unlock()
	}
	return nil
}

// Subscribe implements cache.Broadcaster. An in-process subscription never
// drops, so onState is called once, with true.
func (s *Store) Subscribe(onMessage func(string), onState func(bool)) (stop func()) {
	sub := &subscriber{onMessage: onMessage}
	s.mu.Lock()
	if s.subs == nil {
		s.subs = make(map[*subscriber]struct{})
	}
	s.subs[sub] = struct{}{}
	sub.mu.Lock() // before any message can reach it
	s.mu.Unlock()
	onState(true)
	sub.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
		sub.mu.Lock()
		sub.stopped = true
		sub.mu.Unlock()
	}
}
