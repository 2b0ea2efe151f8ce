package mediatest

import (
	"slices"
	"strings"
)

// WordErrors aligns got with ref (Levenshtein on words, ignoring case) and
// returns the word error rate, (substitutions + deletions + insertions) /
// len(ref), and the index pairs (ref, got) of the words that match, in
// order. Speech tests and the caption benchmark score recognisers with it.
func WordErrors(ref, got []string) (wer float64, matches [][2]int) {
	n, m := len(ref), len(got)
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	same := func(i, j int) bool { return strings.EqualFold(ref[i], got[j]) }
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			sub := d[i-1][j-1]
			if !same(i-1, j-1) {
				sub++
			}
			d[i][j] = min(sub, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	for i, j := n, m; i > 0 && j > 0; {
		switch {
		case same(i-1, j-1) && d[i][j] == d[i-1][j-1]:
			matches = append(matches, [2]int{i - 1, j - 1})
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j-1]+1:
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j]+1:
			i--
		default:
			j--
		}
	}
	slices.Reverse(matches)
	if n == 0 {
		return 0, nil
	}
	return float64(d[n][m]) / float64(n), matches
}

// Texts returns the Text of each word.
func Texts(words []TimedWord) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Text
	}
	return out
}
