package hls

// MasterPlaylist is a master (multivariant) playlist. Build one as a struct
// literal and call [MasterPlaylist.Encode], or get one from [ParseMaster].
type MasterPlaylist struct {
	// Version is EXT-X-VERSION. If zero, Encode writes the lowest version
	// the features in use need.
	Version int
	// IndependentSegments is EXT-X-INDEPENDENT-SEGMENTS.
	IndependentSegments bool
	// Media are the EXT-X-MEDIA renditions: audio, subtitles, closed
	// captions and alternative video.
	Media []Rendition
	// Variants are the EXT-X-STREAM-INF variant streams.
	Variants []Variant
	// IFrameVariants are the EXT-X-I-FRAME-STREAM-INF entries.
	IFrameVariants []IFrameVariant
	// Tags are tags this package does not model (EXT-X-SESSION-DATA,
	// EXT-X-CONTENT-STEERING, EXT-X-START…), whole lines, kept by Parse and
	// written after the header.
	Tags []string
}

// RenditionType is the TYPE of an EXT-X-MEDIA rendition.
type RenditionType string

// The rendition types.
const (
	Audio          RenditionType = "AUDIO"
	Video          RenditionType = "VIDEO"
	Subtitles      RenditionType = "SUBTITLES"
	ClosedCaptions RenditionType = "CLOSED-CAPTIONS"
)

// Rendition is an EXT-X-MEDIA tag.
type Rendition struct {
	Type    RenditionType // required
	GroupID string        // GROUP-ID, required
	Name    string        // NAME, required, unique in the group
	// Language and AssocLanguage are RFC 5646 tags such as "en".
	Language      string
	AssocLanguage string
	Default       bool // DEFAULT=YES; DEFAULT=NO is always written otherwise
	Autoselect    bool // AUTOSELECT=YES; omitted when false (NO is the default)
	Forced        bool // FORCED=YES, subtitles only
	// InstreamID is INSTREAM-ID for closed captions: CC1…CC4, SERVICE1….
	InstreamID      string
	Characteristics string // CHARACTERISTICS, such as "public.accessibility.describes-video"
	Channels        string // CHANNELS, such as "2" or "16/JOC"
	// URI locates the rendition's media playlist; required for subtitles,
	// absent for closed captions and for audio muxed into the variants.
	URI string
	// Other are attributes this package does not model, kept in order.
	Other []Attr
}

// Variant is an EXT-X-STREAM-INF tag and its URI line.
type Variant struct {
	URI string
	// Bandwidth is BANDWIDTH, the peak segment bit rate in bits per second
	// (see [MeasureBandwidth]); required.
	Bandwidth int
	// AverageBandwidth is AVERAGE-BANDWIDTH; written when non-zero.
	AverageBandwidth int
	// Codecs are the CODECS entries, such as "avc1.64001f" and "mp4a.40.2"
	// (see [AVC] and [AACLC]).
	Codecs []string
	// Width and Height are RESOLUTION, written when both are set.
	Width, Height int
	// FrameRate is FRAME-RATE, written with three decimals (29.970).
	FrameRate float64
	// HDCPLevel (TYPE-0, TYPE-1, NONE) and VideoRange (SDR, HLG, PQ) are
	// optional enumerated strings.
	HDCPLevel  string
	VideoRange string
	// Audio, Video and Subtitles name a rendition GROUP-ID.
	Audio, Video, Subtitles string
	// ClosedCaptions names a CLOSED-CAPTIONS group, or is "NONE" (written
	// unquoted, as the enumerated value).
	ClosedCaptions string
	// Other are attributes this package does not model (SCORE,
	// SUPPLEMENTAL-CODECS, PATHWAY-ID…), kept in order. PROGRAM-ID, removed
	// in version 6, is dropped by Parse.
	Other []Attr
}

// IFrameVariant is an EXT-X-I-FRAME-STREAM-INF tag, which points to an
// I-frame only media playlist.
type IFrameVariant struct {
	URI              string
	Bandwidth        int
	AverageBandwidth int
	Codecs           []string
	Width, Height    int
	HDCPLevel        string
	VideoRange       string
	Video            string
	Other            []Attr
}

// Attr is an attribute of an attribute list as written: Value keeps the
// quotes of a quoted-string.
type Attr struct {
	Name, Value string
}
