package thumbnail

import "strconv"

// Format is an image encoding. The zero value means the default of the
// function it is passed to: JPEG for still images, GIF for [Animated].
type Format int

const (
	// JPEG (ffmpeg's mjpeg encoder); stills and storyboard sheets.
	JPEG Format = iota + 1
	// WebP (libwebp, libwebp_anim when animated), which every current
	// browser shows.
	WebP
	// GIF with a palette computed for the span; animations only.
	GIF
)

// String returns "jpeg", "webp" or "gif".
func (f Format) String() string {
	switch f {
	case JPEG:
		return "jpeg"
	case WebP:
		return "webp"
	case GIF:
		return "gif"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Ext returns the file extension with its dot: ".jpg", ".webp" or ".gif".
func (f Format) Ext() string {
	switch f {
	case JPEG:
		return ".jpg"
	case WebP:
		return ".webp"
	case GIF:
		return ".gif"
	}
	return ""
}

// ContentType returns the media type, such as "image/jpeg", for an HTTP
// response. The zero Format has none of its own ("application/octet-stream"):
// name the format when the type matters.
func (f Format) ContentType() string {
	if f < JPEG || f > GIF {
		return "application/octet-stream"
	}
	return "image/" + f.String()
}

// encoder returns the ffmpeg output arguments that encode f at quality q
// (1–100) for one image or an animation.
func (f Format) encoder(q int) []string {
	switch f {
	case WebP:
		return []string{"-c:v", "libwebp", "-quality", strconv.Itoa(q)}
	case GIF:
		return []string{"-c:v", "gif"}
	default:
		// mjpeg's qscale runs from 2 (best) to 31 (worst).
		qs := 2 + ((100-q)*29+49)/99
		return []string{"-c:v", "mjpeg", "-q:v", strconv.Itoa(qs)}
	}
}
