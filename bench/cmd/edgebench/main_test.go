// Tests of edgebench's parsing of wrk's report, its percentiles and its
// formatting. The benchmark itself is the command, not a test.

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wrkReport is wrk 4.1's output with --latency, with errors.
const wrkReport = `Running 10s test @ http://127.0.0.1:8080/vod.m3u8?c=nginx&p=b
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec    56.20k     8.07k   62.00k    86.54%
  Latency Distribution
     50%  291.00us
     75%  597.00us
     90%    1.25ms
     99%    4.43ms
  1117565 requests in 10.10s, 1.06GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 12
Requests/sec: 110654.37
Transfer/sec:    107.76MB
  Slow requests: 17 of 1117570
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkReport)
	require.NoError(t, err)
	assert.Equal(t, int64(1117565), r.requests, "requests")
	assert.InDelta(t, 110654.37, r.reqPerSec, 1e-9, "req/s")
	assert.Equal(t, 291*time.Microsecond, r.p50, "p50")
	assert.Equal(t, 597*time.Microsecond, r.p75, "p75")
	assert.Equal(t, 1250*time.Microsecond, r.p90, "p90")
	assert.Equal(t, 4430*time.Microsecond, r.p99, "p99")
	assert.Equal(t, 12920*time.Microsecond, r.max, "max (from the thread stats, not the Req/Sec line)")
	assert.Equal(t, int64(12), r.non2xx, "non-2xx")
	assert.Equal(t, "connect 0, read 2, write 0, timeout 3", r.socketErrors, "socket errors")
	assert.Equal(t, int64(17), r.slow, "slow requests")
	assert.Equal(t, int64(1117570), r.slowOf, "requests in the histogram")
	assert.Equal(t, "12 non-2xx/3xx responses; socket errors: connect 0, read 2, write 0, timeout 3", r.errors())
}

func TestParseWrkClean(t *testing.T) {
	out := `Running 1s test @ http://127.0.0.1:1/
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    51.20ms  100.00us   1.50s    90.00%
    Req/Sec    19.00      3.00     20.00     90.00%
  Latency Distribution
     50%   51.00ms
     75%   51.10ms
     90%   51.20ms
     99%    1.20s
  19 requests in 1.00s, 39.06KB read
Requests/sec:     18.97
Transfer/sec:     39.00KB
`
	r, err := parseWrk(out)
	require.NoError(t, err)
	assert.Equal(t, int64(19), r.requests)
	assert.InDelta(t, 18.97, r.reqPerSec, 1e-9)
	assert.Equal(t, 1500*time.Millisecond, r.max)
	assert.Equal(t, 1200*time.Millisecond, r.p99)
	assert.Equal(t, int64(-1), r.slow, "no slow-requests line")
	assert.Empty(t, r.errors())
}

func TestParseWrkIncomplete(t *testing.T) {
	tests := []struct {
		name, drop, replace string
	}{
		{"no rate", "Requests/sec: 110654.37\n", ""},
		{"no request count", "  1117565 requests in 10.10s, 1.06GB read\n", ""},
		{"no latency line", "    Latency   635.91us    0.89ms  12.92ms   93.69%\n", ""},
		{"no --latency", "     99%    4.43ms\n", ""},
		{"bad unit", "1.25ms", "1.25xs"},
		{"bad number", "110654.37", "lots"},
		{"bad slow count", "Slow requests: 17", "Slow requests: many"},
		{"bad histogram count", "of 1117570", "of all"},
		{"wrk failed", wrkReport, "unable to connect to 127.0.0.1:8080 Connection refused\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := replaceOnce(t, wrkReport, tc.drop, tc.replace)
			_, err := parseWrk(out)
			assert.Error(t, err)
		})
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	i := strings.Index(s, old)
	require.GreaterOrEqual(t, i, 0, "the sample holds %q", old)
	return s[:i] + new + s[i+len(old):]
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"291.00us", 291 * time.Microsecond, true},
		{"1.25ms", 1250 * time.Microsecond, true},
		{"2.00s", 2 * time.Second, true},
		{"1.50m", 90 * time.Second, true},
		{"1.00h", time.Hour, true},
		{"12", 0, false},
		{"ms", 0, false},
		{"-1.00ms", 0, false},
		{"1.0ks", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseWrkDuration(tc.in)
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		ds := make([]time.Duration, len(vs))
		for i, v := range vs {
			ds[i] = time.Duration(v) * time.Millisecond
		}
		return ds
	}
	oneToN := func(n int) []time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = time.Duration(i+1) * time.Millisecond
		}
		return ds
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 50, 7 * time.Millisecond},
		{"one value, p99", ms(7), 99, 7 * time.Millisecond},
		{"median of an odd count", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of an even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of 1..10", oneToN(10), 50, 5 * time.Millisecond},
		{"p99 of 1..10 is the max", oneToN(10), 99, 10 * time.Millisecond},
		{"p10 of 1..10", oneToN(10), 10, 1 * time.Millisecond},
		{"p1 of 1..10", oneToN(10), 1, 1 * time.Millisecond},
		{"p100 of 1..10", oneToN(10), 100, 10 * time.Millisecond},
		{"p50 of 1..1000", oneToN(1000), 50, 500 * time.Millisecond},
		{"p99 of 1..1000", oneToN(1000), 99, 990 * time.Millisecond},
		{"p99.9 of 1..1000", oneToN(1000), 99.9, 999 * time.Millisecond},
		{"p99 of 1..1001", oneToN(1001), 99, 991 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func TestSummarize(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 100, 6, 7, 8, 9} // unsorted
	got := summarize(ds)
	assert.Equal(t, latencies{n: 10, p50: 5, p99: 100, max: 100}, got)
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "110,654", thousands(110654.37))
	assert.Equal(t, "999", thousands(999))
	assert.Equal(t, "1,000", thousands(1000))
	assert.Equal(t, "1,234,567", thousands(1234567))
	assert.Equal(t, "0.29 ms", ms(291*time.Microsecond))
	assert.Equal(t, "55.2 ms", ms(55200*time.Microsecond))
	assert.Equal(t, "515 ms", ms(515*time.Millisecond))
	assert.Equal(t, "5.12 s", ms(5120*time.Millisecond))
	assert.Equal(t, "12.0 s", ms(12*time.Second))
	assert.Equal(t, "12.0 MiB", mb(12<<20))
	assert.Equal(t, "1,234 (0.50%)", share(1234, 246800))
	assert.Equal(t, "?", share(-1, 10))
}
