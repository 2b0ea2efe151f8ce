// Package transcode turns a source file into an adaptive HLS ladder with
// ffmpeg: it probes the source, plans the renditions, and runs one ffmpeg
// process that decodes once and encodes every rendition.
//
// # Probing
//
// [Probe] runs ffprobe and returns a [Media]: container, duration, size, and
// the first video and audio streams with codec, size, rotation, frame rate
// and bit rate. ffprobe may open nothing but the file it is given: inputs
// that are playlists or lists of other files (HLS, DASH, ffconcat) are
// refused with [ErrPlaylist] before ffmpeg sees them, and ffmpeg runs with
// the file protocol and a whitelist of self-contained container formats.
//
// # Planning
//
// [Plan] trims a ladder template ([DefaultSteps], after Apple's HLS
// authoring guidance) to the source: no upscaling, the display aspect ratio
// kept (rotation and non-square pixels included), even sizes, portrait
// sources in portrait, and no audio rendition for a silent source.
//
// # Transcoding
//
// [Transcode] runs ONE ffmpeg process for the whole [Ladder]: the picture is
// split and scaled per rung, encoded with libx264 (keyframes forced on the
// segment grid in every rung, scene-cut keyframes off, so renditions switch
// at any segment), the audio encoded once with AAC as a shared rendition,
// and everything segmented by ffmpeg's hls muxer into fMP4 (EXT-X-MAP) or
// MPEG-TS segments with one media playlist per rendition. The master
// playlist is then written with the [hls] package, with BANDWIDTH and
// AVERAGE-BANDWIDTH measured from the segment files and CODECS read from the
// encoded streams.
//
// Progress reports (percent, fps, speed, ETA) come from ffmpeg's -progress
// output. Cancelling the context sends ffmpeg SIGINT, then kills it after a
// grace period, and removes the partial output. A [Gate] bounds how many
// encodes run at once. Errors from ffmpeg carry the tail of its stderr
// ([ProcessError]).
//
// The command is built by this package rather than with an ffmpeg command
// builder library: github.com/u2takey/ffmpeg-go, the usual choice, imports
// the AWS SDK and adds 9.6 MB to a stripped binary and 8 MB of resident
// memory at start-up, for what is here one filter graph and a list of
// arguments.
//
// # Limits
//
// [Limits] bound the input's size, duration, picture size and frame rate;
// each refusal is a *[LimitError] wrapping one of the Err*Limit sentinels.
package transcode
