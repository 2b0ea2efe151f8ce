package transcode

import (
	"bytes"
	"fmt"
)

// Codec strings for HLS CODECS attributes (RFC 6381).
const aacLC = "mp4a.40.2"

// avcFromInit reads the AVC profile, constraint flags and level from the
// avcC box of an fMP4 init segment and returns the RFC 6381 codec string,
// e.g. "avc1.64001f".
func avcFromInit(b []byte) (string, error) {
	i := bytes.Index(b, []byte("avcC"))
	// avcC payload: configurationVersion(1) profile(1) constraints(1) level(1).
	if i < 0 || len(b) < i+8 || b[i+4] != 1 {
		return "", fmt.Errorf("transcode: no avcC box in the init segment")
	}
	return fmt.Sprintf("avc1.%02x%02x%02x", b[i+5], b[i+6], b[i+7]), nil
}

// avcFromAnnexB finds the first sequence parameter set in an H.264 Annex B
// stream (an MPEG-TS segment's payload) and returns the codec string. In TS
// the SPS may be split across packets, so the search skips 188-byte packet
// headers when b is a TS file.
func avcFromAnnexB(b []byte) (string, error) {
	if len(b) >= 188 && b[0] == 0x47 {
		b = tsPayload(b)
	}
	for i := 0; i+6 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 && b[i+3]&0x1f == 7 {
			return fmt.Sprintf("avc1.%02x%02x%02x", b[i+4], b[i+5], b[i+6]), nil
		}
	}
	return "", fmt.Errorf("transcode: no H.264 sequence parameter set in the segment")
}

// tsPayload concatenates the payloads of the MPEG-TS packets in b.
func tsPayload(b []byte) []byte {
	var out []byte
	for len(b) >= 188 {
		p := b[:188]
		b = b[188:]
		if p[0] != 0x47 {
			continue
		}
		off := 4
		switch (p[3] >> 4) & 3 {
		case 2: // adaptation field only
			continue
		case 3:
			off += 1 + int(p[4])
		}
		if off < 188 {
			out = append(out, p[off:]...)
		}
	}
	return out
}
