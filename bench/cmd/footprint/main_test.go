package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSpreadAndPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	require.Equal(t, spread{3, 20 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond}, spreadOf(ms(30, 10, 20)))
	require.Equal(t, 25*time.Millisecond, spreadOf(ms(40, 10, 20, 30)).Median)
	require.Equal(t, spread{}, spreadOf(nil))

	sorted := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	require.Equal(t, 5*time.Millisecond, percentile(sorted, 0.5))
	require.Equal(t, 10*time.Millisecond, percentile(sorted, 0.99))
	require.Equal(t, 1*time.Millisecond, percentile(sorted, 0))
	require.Equal(t, time.Duration(0), percentile(nil, 0.5))
}

func TestPollCountsAnswersAndErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("#EXTM3U\n"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	r := poll(context.Background(), addr, "/ok", 8, 300*time.Millisecond)
	require.Equal(t, 8, r.Connected)
	require.Zero(t, r.Errors)
	require.Positive(t, r.Requests)
	require.LessOrEqual(t, r.P50, r.P99)
	require.LessOrEqual(t, r.P99, r.Max)

	r = poll(context.Background(), addr, "/missing", 4, 200*time.Millisecond)
	require.Zero(t, r.Requests)
	require.Positive(t, r.Errors)

	srv.Close() // nothing listens: every dial fails
	r = poll(context.Background(), addr, "/ok", 2, 100*time.Millisecond)
	require.Zero(t, r.Connected)
	require.Zero(t, r.Requests)
	require.Positive(t, r.Errors)
}

func TestTableLinesUp(t *testing.T) {
	tb := &table{}
	tb.row("size", "binary", "14.9 MB", "")
	tb.row("idle", "idle 5s: VmRSS", "17.7 MB", "≤ 30 MB: met")
	tb.note("machine: test")
	var b bytes.Buffer
	tb.write(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 6) // head, rule, 2 rows, blank, note
	width := len([]rune(lines[0]))
	for _, l := range lines[:4] {
		require.Equal(t, width, len([]rune(l)), "%q", l)
	}
	require.Contains(t, lines[3], "≤ 30 MB: met")
	require.Equal(t, "machine: test", lines[5])
}

func TestVerdict(t *testing.T) {
	require.Equal(t, "≤ 30 MB: met", verdict(30e6, 30e6, "≤ 30 MB"))
	require.Equal(t, "≤ 30 MB: MISSED", verdict(30e6+1, 30e6, "≤ 30 MB"))
}
