// Package hls builds, parses, lints and rewrites HTTP Live Streaming
// playlists (RFC 8216): master playlists with audio, subtitle and I-frame
// entries, VOD and event media playlists, live sliding windows and I-frame
// only playlists.
//
// The playlist types, [MasterPlaylist] and [MediaPlaylist], are plain
// structs: build one as a literal, or parse one, change it, and encode it.
// The package has no dependencies outside the standard library.
//
// # Building
//
// [MediaPlaylist.Encode] writes deterministic text. A zero Version is the
// lowest the features in use need (RFC 8216 section 7): 3 for the decimal
// EXTINF durations it always writes (6.006), 4 for byte ranges and I-frame
// playlists, 5 for EXT-X-MAP in an I-frame playlist, 6 for EXT-X-MAP (fMP4)
// elsewhere. A zero TargetDuration is the longest duration rounded half up
// (RFC 8216 4.3.3.1), at every version, so 6.006-second segments give 6, as
// ffmpeg writes them. Durations are handled to the millisecond
// throughout: written with three decimals, and rounded to the millisecond
// before the target is computed or checked. Values set too low, values
// that cannot be written, and values the parser would reject or read as
// something else (a modelled tag among the unmodelled Tags, an [Attr]
// named as a modelled attribute) are errors wrapping [ErrInvalid]: the
// encoders never write a playlist that [Parse] rejects. They do not check
// everything the linters do, though: a VOD playlist without EXT-X-ENDLIST
// (legal while it is being written), or a variant naming a rendition group
// that does not exist, is written as it is; run [LintMedia] or
// [LintMaster] to catch those.
//
// [MasterPlaylist.Encode] writes no PROGRAM-ID (removed in version 6),
// CLOSED-CAPTIONS=NONE unquoted, and FRAME-RATE with three decimals. The
// version it computes is often 1, as no usual master attribute needs more;
// RFC 8216 lets a server declare 4 or more when it uses EXT-X-MEDIA, by
// setting Version.
//
// [MeasureBandwidth] computes BANDWIDTH and AVERAGE-BANDWIDTH from the
// sizes of the real segments; [AVC], [AVCHigh], [AACLC] and friends spell
// CODECS entries; [IFramePlaylist] builds an I-frame playlist from key frame
// positions.
//
// # Parsing
//
// [Parse] reads either kind of playlist; [ParseMedia] and [ParseMaster] one
// kind. Tags the package does not model are kept, in place, as whole lines
// (MediaPlaylist.Tags, Segment.Tags, MediaPlaylist.TrailingTags,
// MasterPlaylist.Tags), and unknown attributes of EXT-X-MEDIA and
// EXT-X-STREAM-INF as [Attr] values, so a parsed playlist re-encodes
// without losing them. Errors in the playlist are [*ParseError] values with
// a line number; an error of the io.Reader is returned as it is. A
// [Parser] bounds the input size, the line length, the number of entries
// and the attributes of a tag; the zero Parser applies [DefaultMaxBytes],
// [DefaultMaxLineBytes] and [DefaultMaxEntries]. Parsing never panics on
// hostile input.
//
// # Linting
//
// [LintMedia] and [LintMaster] check a playlist value, [Lint] checks text
// and reports line numbers, and [LintUpdate] checks that a live playlist
// reload is valid against the previous one: media sequence never going
// back, segments unchanged while they stay, discontinuity sequence advanced
// by the discontinuities removed. Each [Problem] names its rule, one of the
// Rule constants.
//
// # Rewriting
//
// [RewriteBytes] rewrites every URI of a playlist, resolving relative URIs
// against a base, moving them from an old base, and adding query
// parameters or a per-URI signed token ([RewriteOptions]), without parsing
// the playlist into a value: a server can sign each response cheaply. The
// token is computed over the URI exactly as the player will request it,
// less the token, so the CDN can verify it; and by default only URIs on
// the platform's own hosts get it, not third parties such as ad servers
// (RewriteOptions.Sign). A URI that cannot be rewritten safely is an
// error, never copied unsigned.
// [MediaPlaylist.Rewrite] and [MasterPlaylist.Rewrite] do the same to
// values. Segments, EXT-X-MAP, EXT-X-KEY, EXT-X-MEDIA, variant and I-frame
// variant URIs are all covered; key URIs with their own scheme (skd:,
// data:) are left alone.
//
// # Live
//
// A [Window] is a live sliding-window playlist. [Window.Append] adds a
// segment (with its program date-time, discontinuity or new map), drops
// the oldest beyond the window size and advances EXT-X-MEDIA-SEQUENCE and
// EXT-X-DISCONTINUITY-SEQUENCE; its EXT-X-VERSION never goes down. One writer and many readers may use it at
// once: [Window.Bytes] returns the playlist encoded once per append, without
// locking or allocating, for serving at high rates.
package hls
