// Package thumbnail makes still and animated images of a video with ffmpeg:
// a frame at a time and size, a poster frame that is not black or blank,
// storyboard sprite sheets with a WebVTT track for seek-bar previews, and a
// short animated preview.
//
// # Frames
//
// [Frame] returns the frame shown at a time, encoded as JPEG or WebP, as
// bytes a server can cache. The frame shown at a time is the one a player
// shows then: the last frame that starts at or before it (the first frame
// for a time before the video starts, as in an MP4 whose audio starts
// first), to the microsecond. Times count from the start of the input; a
// time within the last frame's display time gives the last frame, and a
// time at or past the end returns [ErrPastEnd]. The same rule picks the
// tiles of a storyboard, the frames of an animation and the candidates of
// a poster, so a tile, a poster and the frame at its time agree. ffmpeg
// seeks in the container before decoding, so the cost depends on the
// distance from the keyframe before the time, not on the time itself.
//
// # Sizes and fit
//
// [Options] Width and Height are even, between [MinSide] and [MaxSide].
// With one of them set, the other follows the display aspect ratio (sample
// aspect and rotation applied), within MaxSide: the frame is fitted inside
// Width×MaxSide (or MaxSide×Height), so a hostile sample aspect ratio
// cannot ask for an image of 640×28800. With neither, the image has the
// display size (the side the pixels are long along stretched to square
// pixels), shrunk if it must be to fit MaxSide×MaxSide. With both set,
// [Fit] decides: [Contain] fits the frame inside the box (one side may come
// out smaller), [Cover] crops the centre to the box's aspect ratio and
// fills the box, [Pad] fits inside and adds black bars to make exactly the
// box. Animations are bounded the same way by [MaxAnimatedSide].
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
// shown at i×Interval and its cue covers [i×Interval, (i+1)×Interval), the
// last one cut at the end of the video. Make storyboards from the smallest
// rendition, an HLS media playlist, by setting
// [StoryboardOptions].Playlist; decoding a 1080p source costs several times
// as much.
//
// # Animations
//
// [Animated] returns a looping GIF (with a palette made for the span) or
// animated WebP of a span of [MinAnimatedDuration] to [MaxAnimatedDuration]
// at [MinAnimatedFPS] to [MaxAnimatedFPS] frames a second; a span that runs
// past the end of the video is cut there.
//
// # Durations
//
// The duration that counts is the video stream's, not the container's: an
// MKV whose audio outlasts its video ends with its video. When the input
// does not state it (a WebM from a browser's MediaRecorder has none), it is
// measured by a pass that reads the input without decoding it. A
// storyboard always measures, and covers the video the input holds when
// that ends well before the duration it states (a truncated upload, a
// lying header) rather than repeating its last frame.
//
// # Inputs
//
// Inputs are local files opened through ffmpeg's file protocol only, with
// a whitelist of container formats that cannot name other files, so a
// hostile upload cannot make ffmpeg read anything else. A playlist is
// refused with [ErrPlaylist] unless the options' Playlist field allows an
// HLS media playlist (for the platform's own renditions, never an upload).
// The package reads such a playlist itself (EXTINF, EXT-X-MAP and segment
// files in the playlist's directory or below; anything else is
// [ErrUnsupported]) and writes to ffmpeg's standard input the init section
// and the segments a call needs, as one fragmented MP4 or MPEG-TS stream:
// ffmpeg 5.1's hls demuxer loses the init section of fMP4 segments when it
// seeks, and decodes nothing. Times in a playlist are placed in its
// segments by their EXTINF durations.
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
// An input that is empty, not media or has no video (an audio file with
// cover art has none: the cover is not a frame) gives [ErrEmpty],
// [ErrNotMedia] or [ErrNoVideo]; a missing file gives an error that
// matches [io/fs.ErrNotExist]. Every error's message starts with
// "thumbnail: ". When the context ends, the functions stop ffmpeg and
// return the context's error.
package thumbnail
