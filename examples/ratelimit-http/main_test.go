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
	// 12 requests in well under a second: the IP burst of 10 admits 10,
	// at most one more as the rate refills.
	anon := got["anonymous 198.51.100.7"]
	require.GreaterOrEqual(t, anon.OK, 10, out.String())
	require.LessOrEqual(t, anon.OK, 11, out.String())
	// The key's burst of 15 is shared by the two addresses using it.
	first, second := got["key k-1 from 198.51.100.8"], got["key k-1 from 198.51.100.9"]
	require.LessOrEqual(t, first.OK+second.OK, 16, out.String())
	require.GreaterOrEqual(t, first.OK+second.OK, 15, out.String())
	require.Positive(t, second.Limited, "the second address runs out of the shared key's budget")
	require.Contains(t, out.String(), "Retry-After")
}
