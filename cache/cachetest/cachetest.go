// Package cachetest is the conformance suite for [cache.Store] and
// [cache.Broadcaster] drivers, in the manner of testing/slogtest: a driver's
// tests call [Run] with a function that makes a fresh store, and every
// driver passes the same checks.
package cachetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/cache"
)

// Run checks the store made by newStore against the cache.Store contract,
// and against cache.Broadcaster if it implements that. newStore is called
// once per sub-test and must return stores that share their backend when
// called twice within one sub-test (two instances of one deployment); keys
// are prefixed per sub-test, so the backend need not be empty.
func Run(t *testing.T, newStore func(t *testing.T) cache.Store) {
	t.Helper()
	ctx := context.Background()
	var seq int
	prefix := func(t *testing.T) string {
		seq++
		return fmt.Sprintf("cachetest-%d-%d:", time.Now().UnixNano(), seq)
	}

	t.Run("SetGet", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		val := []byte("value\x00with binary\xff")
		require.NoError(t, s.Set(ctx, p+"k", val, time.Minute))
		got, ttl, found, err := s.Get(ctx, p+"k")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, val, got)
		require.Greater(t, ttl, 50*time.Second, "remaining TTL")
		require.LessOrEqual(t, ttl, time.Minute, "remaining TTL")
	})
	t.Run("Missing", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		got, _, found, err := s.Get(ctx, p+"absent")
		require.NoError(t, err)
		require.False(t, found)
		require.Nil(t, got)
	})
	t.Run("EmptyValue", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		require.NoError(t, s.Set(ctx, p+"k", []byte{}, time.Minute))
		got, _, found, err := s.Get(ctx, p+"k")
		require.NoError(t, err)
		require.True(t, found)
		require.Empty(t, got)
	})
	t.Run("Overwrite", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		require.NoError(t, s.Set(ctx, p+"k", []byte("one"), time.Minute))
		require.NoError(t, s.Set(ctx, p+"k", []byte("two"), time.Hour))
		got, ttl, _, err := s.Get(ctx, p+"k")
		require.NoError(t, err)
		require.Equal(t, "two", string(got))
		require.Greater(t, ttl, 59*time.Minute)
	})
	t.Run("Expiry", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		require.NoError(t, s.Set(ctx, p+"k", []byte("v"), 50*time.Millisecond))
		require.Eventually(t, func() bool {
			_, _, found, err := s.Get(ctx, p+"k")
			return err == nil && !found
		}, 5*time.Second, 10*time.Millisecond, "an expired key is not found")
	})
	t.Run("Delete", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		require.NoError(t, s.Set(ctx, p+"k", []byte("v"), time.Minute))
		require.NoError(t, s.Delete(ctx, p+"k"))
		_, _, found, err := s.Get(ctx, p+"k")
		require.NoError(t, err)
		require.False(t, found)
		require.NoError(t, s.Delete(ctx, p+"k"), "deleting a missing key")
	})
	t.Run("SharedBackend", func(t *testing.T) {
		a, b, p := newStore(t), newStore(t), prefix(t)
		require.NoError(t, a.Set(ctx, p+"k", []byte("from a"), time.Minute))
		got, _, found, err := b.Get(ctx, p+"k")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, "from a", string(got))
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, _, _, err := s.Get(cctx, p+"k")
		require.Error(t, err)
		require.Error(t, s.Set(cctx, p+"k", []byte("v"), time.Minute))
	})
	t.Run("Concurrent", func(t *testing.T) {
		s, p := newStore(t), prefix(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 50 {
					k := fmt.Sprintf("%sk%d", p, j%5)
					v := []byte(fmt.Sprintf("v%d", i))
					if err := s.Set(ctx, k, v, time.Minute); err != nil {
						t.Error(err)
						return
					}
					if _, _, found, err := s.Get(ctx, k); err != nil || !found {
						t.Errorf("get %s: found=%v err=%v", k, found, err)
						return
					}
				}
			}()
		}
		wg.Wait()
	})

	if _, ok := newStore(t).(cache.Broadcaster); !ok {
		return
	}
	t.Run("Broadcast", func(t *testing.T) {
		a := newStore(t).(cache.Broadcaster)
		b := newStore(t).(cache.Broadcaster)
		p := prefix(t)
		got := make(chan string, 16)
		up := make(chan bool, 4)
		stop := b.Subscribe(func(m string) { got <- m }, func(c bool) { up <- c })
		select {
		case c := <-up:
			require.True(t, c, "the first state is connected")
		case <-time.After(5 * time.Second):
			t.Fatal("Subscribe never reported the subscription up")
		}
		require.NoError(t, a.Broadcast(ctx, p+"hello"))
		select {
		case m := <-got:
			require.Equal(t, p+"hello", m)
		case <-time.After(5 * time.Second):
			t.Fatal("broadcast not delivered")
		}
		stop()
		require.NoError(t, a.Broadcast(ctx, p+"after stop"))
		select {
		case m := <-got:
			t.Fatalf("message %q delivered after stop", m)
		case <-time.After(100 * time.Millisecond):
		}
	})
}
