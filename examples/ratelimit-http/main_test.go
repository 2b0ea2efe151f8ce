package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLimitsPerIPAndPerKey(t *testing.T) {
	var out bytes.Buffer
	got, err := run(context.Background(), &out)
	require.NoError(t, err, out.String())
	// 12 requests: the IP burst of 10 admits 10, and one more per 200 ms
	// the requests take (a slow CI machine may take a while).
	anon := got["anonymous 198.51.100.7"]
	require.GreaterOrEqual(t, anon.OK, 10, out.String())
	require.Positive(t, anon.Limited, out.String())
	// The key's burst of 15 is shared by the two addresses using it (plus
	// one a second as it refills).
	first, second := got["key k-1 from 198.51.100.8"], got["key k-1 from 198.51.100.9"]
	require.LessOrEqual(t, first.OK+second.OK, 18, out.String())
	require.GreaterOrEqual(t, first.OK+second.OK, 15, out.String())
	require.Positive(t, second.Limited, "the second address runs out of the shared key's budget")
	require.Contains(t, out.String(), "Retry-After")
}
