package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/redistest"
)

func check(t *testing.T, res result, out string) {
	t.Helper()
	// Two replicas offered twice the limit between them: the service admits
	// about the limit, never more than the rate over the run plus the burst
	// plus the two batches (10 each) each replica may hold.
	require.LessOrEqual(t, res.Admitted, 2*res.Limit+20+2*2*10, out)
	require.GreaterOrEqual(t, res.Admitted, 2*res.Limit*6/10, out)
	require.Greater(t, res.Local, 3*res.Remote, "most decisions stay in-process\n%s", out)
}

func TestInProcess(t *testing.T) {
	var out bytes.Buffer
	res, err := run(context.Background(), &out, "", 2*time.Second)
	require.NoError(t, err)
	check(t, res, out.String())
}

func TestThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	var out bytes.Buffer
	res, err := run(context.Background(), &out, srv.URL(), 2*time.Second)
	require.NoError(t, err)
	check(t, res, out.String())
	require.Contains(t, out.String(), "store: Redis at "+srv.URL())
}
