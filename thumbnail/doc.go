// Package thumbnail makes still and animated images of a video with ffmpeg:
// a frame at a time and size, a poster frame that is not black or blank,
// storyboard sprite sheets with a WebVTT track for seek-bar previews, and a
// short animated preview.
//
// # Frames
//
// [Frame] returns the frame at a time, encoded as JPEG or WebP, as bytes a
// server can cache. ffmpeg seeks in the container before decoding, so the
// cost depends on the distance from the keyframe before the time, not on
// the time itself. A time within the last frame's display time returns the
// last frame; a time at or past the end returns [ErrPastEnd].
//
// # Sizes and fit
//
// [Options] Width and Height are even, between [MinSide] and [MaxSide].
// With one of them set, the other follows the display aspect ratio (sample
// aspect and rotation applied). With both set, [Fit] decides: [Contain]
// fits the frame inside the box (one side may come out smaller), [Cover]
// fills the box and crops the centre, [Pad] fits inside and adds black bars
// to make exactly the box.
//
// # Posters
//
// [ChoosePoster] tries the frames at 10%, 25%, 50%, 75% and 90% of the
// duration and takes the first whose grey thumbnail has a mean luma of at
// least [PosterMinMean] and a luma standard deviation of at least
// [PosterMinStdDev]: not black, not flat. When none passes (an all-black
// video) it returns the candidate with the most detail rather than an
// error; [Sample.Good] tells the two cases apart.
//
// # Storyboards
//
// [WriteStoryboard] runs ffmpeg once (fps, scale and tile filters) to write
// sheets of Columns×Rows tiles, one tile per interval, and a WebVTT track of
// cues such as "storyboard-1.jpg#xywh=160,0,160,90". Tile i shows the frame
// at i×Interval and its cue covers [i×Interval, (i+1)×Interval), the last
// one cut at the end of the video. Make storyboards from the smallest
// rendition, an HLS media playlist, by setting
// [StoryboardOptions].Playlist; decoding a 1080p source costs several times
// as much.
//
// # Animations
//
// [Animated] returns a looping GIF (with a palette made for the span) or
// animated WebP of a span of at most [MaxAnimatedDuration].
//
// # Inputs
//
// Inputs are local files opened through ffmpeg's file protocol only, with
// a whitelist of container formats that cannot name other files, so a
// hostile upload cannot make ffmpeg read anything else. A playlist is
// refused with [ErrPlaylist] unless the options' Playlist field allows an
// HLS media playlist (for the platform's own renditions, never an upload).
//
// # Concurrency
//
// The functions keep no state and may be called concurrently. Each call
// runs its own ffmpeg (and, for posters, storyboards and errors, ffprobe)
// processes, so a server should bound how many run at once, and coalesce
// and cache identical requests (see the coalesce and cache packages).
//
// # Errors
//
// Invalid arguments wrap [ErrInvalid] and are refused before ffmpeg runs.
// An input that is empty, not media or has no video gives [ErrEmpty],
// [ErrNotMedia] or [ErrNoVideo]; a missing file gives an error that
// matches [io/fs.ErrNotExist]. When the context ends, the functions stop
// ffmpeg and return the context's error.
package thumbnail
