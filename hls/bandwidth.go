package hls

import "math"

// SegmentSize is the size of one media segment, for [MeasureBandwidth].
type SegmentSize struct {
	// Duration is the segment's EXTINF duration in seconds. Zero marks an
	// fMP4 initialization section.
	Duration float64
	// Bytes is the size of the segment (or of its byte range).
	Bytes int64
}

// MeasureBandwidth returns the BANDWIDTH and AVERAGE-BANDWIDTH of one
// rendition from the sizes of its real segments, in bits per second,
// rounded up (RFC 8216 4.3.4.2):
//
//   - peak is the peak segment bit rate: the highest bit rate of any run
//     of consecutive segments lasting between 0.5 and 1.5 target
//     durations, the target being the longest duration rounded half up
//     (as Encode computes it). With no such run (segments all shorter
//     than half a second, say), it is the highest single-segment rate.
//   - average is the total size over the total duration.
//
// An entry with zero Duration, an fMP4 initialization section, counts in
// the average (a player fetches it once per rendition) and, in the peak,
// with the first segment, which a player fetches together with it; the
// peak is never below the average. Entries with a negative, NaN or
// infinite duration or a negative size are skipped.
//
// For a variant whose audio is a separate rendition, BANDWIDTH is the sum
// of the peaks of the video and the audio that play together, and the same
// goes for the averages.
func MeasureBandwidth(segs []SegmentSize) (peak, average int) {
	var total, bytes float64
	var target int64
	for _, s := range segs {
		if ok(s) {
			total += s.Duration
			bytes += float64(s.Bytes)
			target = max(target, roundHalfUp(millis(s.Duration)))
		}
	}
	if total <= 0 {
		return 0, 0
	}
	average = bitRate(bytes, total)
	lo, hi := 0.5*float64(target), 1.5*float64(target)
	var best, single, init float64
	first := true
	for i, s := range segs {
		if !ok(s) {
			continue
		}
		if s.Duration == 0 {
			init += float64(s.Bytes)
			continue
		}
		// A player fetches the initialization section with the first
		// segment, so runs that start there carry it too.
		var d, b float64
		if first {
			b, first = init, false
		}
		single = max(single, (b+float64(s.Bytes))/s.Duration)
		for _, t := range segs[i:] {
			if !ok(t) || t.Duration == 0 {
				continue
			}
			if d+t.Duration > hi {
				break
			}
			d += t.Duration
			b += float64(t.Bytes)
			if d >= lo {
				best = max(best, b/d)
			}
		}
	}
	if best == 0 {
		best = single
	}
	// The average spreads the initialization section over the whole
	// rendition; the peak is never below it.
	return max(bitRate(best, 1), average), average
}

func ok(s SegmentSize) bool { return validDuration(s.Duration) && s.Bytes >= 0 }

// bitRate is bytes over seconds in bits per second, rounded up.
func bitRate(bytes, seconds float64) int {
	r := math.Ceil(bytes * 8 / seconds)
	if r >= 1<<63 { // absurd inputs saturate
		return math.MaxInt
	}
	return int(r)
}
