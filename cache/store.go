package cache

import (
	"context"
	"time"
)

// Store is an L2 tier: bytes under string keys, each with a time to live.
// Implementations must be safe for concurrent use. The cachetest package
// checks an implementation against this contract.
type Store interface {
	// Get returns the value under key and its remaining time to live.
	// A missing or expired key is found == false with a nil error.
	Get(ctx context.Context, key string) (value []byte, ttl time.Duration, found bool, err error)
	// Set stores value under key for ttl (always > 0). The store may keep
	// value; the caller does not modify it afterwards.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Broadcaster is implemented by stores that carry messages between the
// instances sharing them. The cache uses it for L1 invalidation.
type Broadcaster interface {
	// Broadcast sends msg to every subscriber, this instance's included.
	Broadcast(ctx context.Context, msg string) error
	// Subscribe calls onMessage with every message broadcast from now on,
	// and onState with false when messages may have been lost (the
	// connection dropped) and with true once they flow again, including
	// once when the subscription is first established. Calls are made one
	// at a time from one goroutine. stop ends the subscription and waits
	// for any call in progress.
	Subscribe(onMessage func(msg string), onState func(connected bool)) (stop func())
}

// envelope is the L2 wire form of an entry:
//
//	byte 0      format version (1)
//	byte 1      flags: 1 = not-found answer
//	uvarint     stale window in milliseconds: the part of the stored TTL
//	            after the entry stops being fresh
//	rest        the value, encoded by the Codec
const envelopeV1 = 1

const flagNegative = 1

func appendEnvelope(dst []byte, negative bool, stale time.Duration) []byte {
	var flags byte
	if negative {
		flags |= flagNegative
	}
	dst = append(dst, envelopeV1, flags)
	ms := uint64(stale / time.Millisecond)
	for ms >= 0x80 {
		dst = append(dst, byte(ms)|0x80)
		ms >>= 7
	}
	return append(dst, byte(ms))
}

// parseEnvelope returns the header fields and the payload, or ok == false
// for bytes that are not an envelope (corrupt or written by something else).
func parseEnvelope(b []byte) (negative bool, stale time.Duration, payload []byte, ok bool) {
	if len(b) < 3 || b[0] != envelopeV1 || b[1]&^flagNegative != 0 {
		return false, 0, nil, false
	}
	negative = b[1]&flagNegative != 0
	var ms uint64
	var shift uint
	i := 2
	for ; i < len(b); i++ {
		if shift > 35 { // more than ~1 year of milliseconds: not ours
			return false, 0, nil, false
		}
		c := b[i]
		ms |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return negative, time.Duration(ms) * time.Millisecond, b[i+1:], true
		}
		shift += 7
	}
	return false, 0, nil, false
}
