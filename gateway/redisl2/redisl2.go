// Package redisl2 is a Redis or Valkey second tier for gateway.Cache: a
// gateway.L2Store that can also delete by prefix, for purges.
//
// It is cache/redisstore's Store (GET and PTTL in one round trip, SET with
// PX, DEL) with DeletePrefix added, by SCAN and UNLINK. Keep the gateway's
// keys in their own database, or give them a prefix no other application
// uses (gateway.CacheOptions.L2Prefix), since DeletePrefix deletes every
// key that starts with its prefix.
package redisl2

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/v100video/v100/cache/redisstore"
	"github.com/v100video/v100/gateway"
)

var (
	_ gateway.L2Store         = (*Store)(nil)
	_ gateway.L2PrefixDeleter = (*Store)(nil)
)

// Store is a gateway.L2Store on a Redis client.
type Store struct {
	*redisstore.Store
	client redis.UniversalClient
}

// New returns a Store on client, which the caller keeps and closes.
func New(client redis.UniversalClient) *Store {
	return &Store{Store: redisstore.New(client, nil), client: client}
}

// scanCount is the COUNT hint of each SCAN.
const scanCount = 1000

// DeletePrefix deletes every key that starts with prefix: SCAN with a
// MATCH pattern, then UNLINK of what each step found. Keys written while
// it runs may survive it.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	pattern := globEscaper.Replace(prefix) + "*"
	var cursor uint64
	for {
		keys, next, err := s.client.Scan(ctx, cursor, pattern, scanCount).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := s.client.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// globEscaper escapes what Redis's MATCH patterns treat specially.
var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
