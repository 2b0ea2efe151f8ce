// Package media is the platform's processing pipeline: it turns an uploaded
// source into the directory of files a player needs. [Pipeline.Run] probes
// the source, encodes the HLS ladder in one ffmpeg process (transcode),
// captions the speech into a WebVTT subtitle rendition named by the master
// playlist (caption, hls), and makes a poster and a storyboard (thumbnail).
//
// # Errors
//
// An error that comes from the input itself (not media, a playlist, empty,
// over the limits) is permanent: [Permanent] reports it, and retrying cannot
// help. Auto captions are best effort: a failure to caption leaves a warning
// in the result, not a failed asset.
package media
