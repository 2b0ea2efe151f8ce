package hls

// CODECS entries for audio (RFC 6381).
const (
	AACLC   = "mp4a.40.2"  // AAC-LC
	HEAAC   = "mp4a.40.5"  // HE-AAC (AAC with SBR)
	HEAACv2 = "mp4a.40.29" // HE-AAC v2 (SBR and parametric stereo)
	MP3     = "mp4a.40.34" // MPEG-1 Layer III
	AC3     = "ac-3"       // Dolby Digital
	EAC3    = "ec-3"       // Dolby Digital Plus
)

// AVC returns the CODECS entry of an H.264 stream: "avc1." and the
// profile_idc, constraint flags byte and level_idc of its SPS in hex. For
// example AVC(100, 0, 31), High profile level 3.1, is "avc1.64001f".
func AVC(profileIDC, constraintFlags, levelIDC byte) string {
	const hex = "0123456789abcdef"
	return string([]byte{'a', 'v', 'c', '1', '.',
		hex[profileIDC>>4], hex[profileIDC&15],
		hex[constraintFlags>>4], hex[constraintFlags&15],
		hex[levelIDC>>4], hex[levelIDC&15]})
}

// AVCBaseline, AVCMain and AVCHigh return the CODECS entry of an H.264
// stream of that profile with the constraint flags x264 (and so ffmpeg's
// libx264) writes. level is level_idc: ten times the level, 31 for 3.1.
func AVCBaseline(level byte) string { return AVC(66, 0xc0, level) }

// AVCMain: see [AVCBaseline].
func AVCMain(level byte) string { return AVC(77, 0x40, level) }

// AVCHigh: see [AVCBaseline].
func AVCHigh(level byte) string { return AVC(100, 0, level) }
