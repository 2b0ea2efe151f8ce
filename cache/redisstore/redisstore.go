// Package redisstore is a Redis- or Valkey-backed L2 for package cache: a
// [cache.Store] for the shared values and a [cache.Broadcaster] over pub/sub
// for cross-instance L1 invalidation.
//
// It lives in its own package so that importing cache alone does not pull a
// Redis client into a program.
//
// # Failure detection
//
// The subscription is watched: when the connection drops, or an idle one
// does not answer a ping within [Options.HealthInterval], subscribers are
// told (onState(false)) so that caches flush their L1, and the store
// reconnects with backoff, telling them again (onState(true)) once messages
// flow. Get, Set and Delete return the client's errors; the cache decides
// what to do about them (it goes L1-only for a while).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/cache"
)

var (
	_ cache.Store       = (*Store)(nil)
	_ cache.Broadcaster = (*Store)(nil)
)

// Options configure a Store. A nil *Options means all defaults.
type Options struct {
	// Channel is the pub/sub channel for invalidation messages. If empty,
	// "v100:cache:invalidate".
	Channel string
	// HealthInterval is how long the subscription may stay silent before it
	// is pinged, and how long a ping may go unanswered before the
	// connection is declared lost. If zero, one second.
	HealthInterval time.Duration
	// Logger receives subscription losses and recoveries. If nil, nothing
	// is logged.
	Logger *slog.Logger
}

// Store is a cache.Store and cache.Broadcaster on a Redis client.
type Store struct {
	client redis.UniversalClient
	owned  bool // client made by Open, closed by Close
	opt    Options
}

// New returns a Store on client, which the caller keeps and closes.
func New(client redis.UniversalClient, opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Channel == "" {
		o.Channel = "v100:cache:invalidate"
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{client: client, opt: o}
}

// Open returns a Store on a new client for url (redis://[user:pass@]host:port/db
// or rediss:// for TLS). Close closes the client.
func Open(url string, opts *Options) (*Store, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w (want redis://[user:password@]host:port[/db])", err)
	}
	s := New(redis.NewClient(ro), opts)
	s.owned = true
	return s, nil
}

// Close closes the client if Open made it.
func (s *Store) Close() error {
	if s.owned {
		return s.client.Close()
	}
	return nil
}

// Get implements cache.Store: GET and PTTL in one round trip.
func (s *Store) Get(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	pipe := s.client.Pipeline()
	get := pipe.Get(ctx, key)
	pttl := pipe.PTTL(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, false, err
	}
	val, err := get.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	ttl := pttl.Val()
	switch {
	case ttl == -2: // expired between the two commands
		return nil, 0, false, nil
	case ttl < 0: // no expiry
		ttl = 0
	}
	return val, ttl, true, nil
}

// Set implements cache.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.client.Set(ctx, key, value, ttl).Err()
}

// Delete implements cache.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.client.Del(ctx, key).Err()
}

// Broadcast implements cache.Broadcaster with PUBLISH.
func (s *Store) Broadcast(ctx context.Context, msg string) error {
	return s.client.Publish(ctx, s.opt.Channel, msg).Err()
}

// Subscribe implements cache.Broadcaster. It runs a goroutine that holds a
// SUBSCRIBE connection, reconnecting with backoff; stop ends it and waits.
func (s *Store) Subscribe(onMessage func(string), onState func(bool)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.subscribe(ctx, onMessage, onState)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

func (s *Store) subscribe(ctx context.Context, onMessage func(string), onState func(bool)) {
	connected := false
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		err := s.session(ctx, onMessage, func() {
			connected = true
			backoff = 50 * time.Millisecond
			onState(true)
			s.opt.Logger.Info("redisstore: invalidation subscription up", "channel", s.opt.Channel)
		})
		if ctx.Err() != nil {
			return
		}
		if connected {
			connected = false
			onState(false)
			s.opt.Logger.Warn("redisstore: invalidation subscription lost", "channel", s.opt.Channel, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// session runs one SUBSCRIBE connection until it fails or ctx ends.
func (s *Store) session(ctx context.Context, onMessage func(string), onUp func()) error {
	ps := s.client.Subscribe(ctx)
	defer ps.Close()
	// Receive reads without the context: closing the connection is what
	// makes stop return at once rather than after HealthInterval.
	defer context.AfterFunc(ctx, func() { ps.Close() })()
	if err := ps.Subscribe(ctx, s.opt.Channel); err != nil {
		return err
	}
	pingPending := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, s.opt.HealthInterval)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			if pingPending {
				return errors.New("redisstore: subscription connection did not answer a ping")
			}
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pingPending = true
			continue
		}
		pingPending = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == s.opt.Channel {
				onUp()
			}
		case *redis.Message:
			onMessage(m.Payload)
		}
	}
}
