package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHerdMakesOneOriginCall(t *testing.T) {
	var out bytes.Buffer
	res, err := run(context.Background(), &out, 1000, 50*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, 1, res.OriginCalls, out.String())
	require.Equal(t, 1000, res.Shared, "every caller got a shared result")
	require.Contains(t, out.String(), "origin calls:   1\n")
}
