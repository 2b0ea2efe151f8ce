package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/redistest"
)

func check(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{
		"origin loads: 1; the other 999 callers were answered without one",
		`instance A again: "#EXTM3U playlist v1" from L1 (L1 hits +1, origin loads 1)`,
		`instance B: "#EXTM3U playlist v1" from L2 (B's L2 hits 1, origin loads 1)`,
		`B now reads "#EXTM3U playlist v2 (published)"`,
		"one background refresh reached the origin",
		`A deletes the key and loads it again from the origin: "#EXTM3U playlist v2" (origin loads 2)`,
		`origin down and the entry expired: A still answers "#EXTM3U playlist v2", stale, with no error`,
	} {
		require.Contains(t, out, want)
	}
}

func TestWithoutRedis(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ""))
	check(t, out.String())
}

func TestWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, srv.URL()))
	check(t, out.String())
}

func TestUnreachableRedisIsAClearError(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	var out bytes.Buffer
	err := run(context.Background(), &out, srv.URL())
	require.ErrorContains(t, err, "redis at "+srv.URL())
}
