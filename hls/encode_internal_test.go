package hls

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// appendPDT writes what time.AppendFormat writes with pdtLayout.
func TestAppendPDT(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -5*3600-30*60),
		time.FixedZone("", 5*3600+45*60+30), time.FixedZone("", -1)}
	times := []time.Time{
		time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		times = append(times, time.Unix(rng.Int64N(1<<40)-1<<39, rng.Int64N(1e9)))
	}
	for _, tm := range times {
		for _, z := range zones {
			tz := tm.In(z)
			want := tz.Truncate(time.Millisecond).AppendFormat(nil, pdtLayout)
			require.Equal(t, string(want), string(appendPDT(nil, tz)), "%v", tz)
		}
	}
}
