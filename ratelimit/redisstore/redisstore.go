// Package redisstore is a Redis- or Valkey-backed [ratelimit.Store] for
// global limits: each key's GCRA bucket lives in Redis and is updated by one
// atomic script, judged by the Redis server's own clock, so replicas with
// skewed clocks share one limit exactly.
//
// It lives in its own package so that importing ratelimit does not pull a
// Redis client into a program.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/ratelimit"
)

var _ ratelimit.Store = (*Store)(nil)

// lease grants up to ARGV[3] tokens from the bucket KEYS[1], whose value is
// its theoretical arrival time in microseconds of the server's clock (with
// a fractional part: intervals need not be whole microseconds). ARGV[1] is
// the emission interval and ARGV[2] the burst (× interval), both in
// microseconds. It returns {granted, retry-after in whole microseconds}.
var lease = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
-- Garbage (NaN, or a time beyond a full burst ahead) is no state at all.
if tat ~= tat or tat < now or tat > now + burst then tat = now end
local k = math.min(n, math.floor((now + burst - tat) / interval))
if k <= 0 then
  return {0, tat + interval - burst - now}
end
tat = tat + k * interval
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return {k, 0}
`)

// Options configure a Store. A nil *Options means all defaults.
type Options struct {
	// Prefix is put before every key. If empty, "v100:ratelimit:".
	Prefix string
}

// Store is a ratelimit.Store on a Redis client.
type Store struct {
	client redis.UniversalClient
	owned  bool
	prefix string
}

// New returns a Store on client, which the caller keeps and closes.
func New(client redis.UniversalClient, opts *Options) *Store {
	s := &Store{client: client, prefix: "v100:ratelimit:"}
	if opts != nil && opts.Prefix != "" {
		s.prefix = opts.Prefix
	}
	return s
}

// Open returns a Store on a new client for url (redis://host:port/db).
// Close closes the client.
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

// Lease implements ratelimit.Store in one round trip (EVALSHA).
func (s *Store) Lease(ctx context.Context, key string, limit ratelimit.Limit, n int) (int, time.Duration, error) {
	if limit.Per == 0 {
		limit.Per = time.Second
	}
	if limit.Burst == 0 {
		limit.Burst = limit.Rate
	}
	if limit.Rate <= 0 || limit.Burst < 0 || limit.Per < 0 {
		return 0, 0, fmt.Errorf("redisstore: invalid limit %v", limit)
	}
	interval := float64(limit.Per) / float64(time.Microsecond) / float64(limit.Rate)
	if interval < 0.001 {
		return 0, 0, fmt.Errorf("redisstore: %v is finer than the store keeps (one event per nanosecond)", limit)
	}
	res, err := lease.Run(ctx, s.client, []string{s.prefix + key}, interval, interval*float64(limit.Burst), n).Int64Slice()
	var rerr redis.Error
	switch {
	case errors.As(err, &rerr) && !errors.Is(err, redis.Nil):
		// A reply from the server (WRONGTYPE, say): this key's trouble.
		return 0, 0, fmt.Errorf("redisstore: key %q: %w: %w", key, ratelimit.ErrKey, err)
	case err != nil:
		return 0, 0, fmt.Errorf("redisstore: %w", err)
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("redisstore: lease script returned %v", res)
	}
	return int(res[0]), time.Duration(res[1]) * time.Microsecond, nil
}
