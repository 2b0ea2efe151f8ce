package mediatest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWordErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ref, got []string
		wer      float64
		matches  [][2]int
	}{
		{"same", []string{"a", "b", "c"}, []string{"A", "b", "c"}, 0, [][2]int{{0, 0}, {1, 1}, {2, 2}}},
		{"substitution", []string{"a", "b", "c"}, []string{"a", "x", "c"}, 1.0 / 3, [][2]int{{0, 0}, {2, 2}}},
		{"deletion", []string{"a", "b", "c", "d"}, []string{"a", "c", "d"}, 0.25, [][2]int{{0, 0}, {2, 1}, {3, 2}}},
		{"insertion", []string{"a", "b"}, []string{"a", "x", "b"}, 0.5, [][2]int{{0, 0}, {1, 2}}},
		{"nothing heard", []string{"a", "b"}, nil, 1, nil},
		{"nothing said", nil, []string{"a"}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wer, matches := WordErrors(tc.ref, tc.got)
			require.InDelta(t, tc.wer, wer, 1e-9)
			require.Equal(t, tc.matches, matches)
		})
	}
}
