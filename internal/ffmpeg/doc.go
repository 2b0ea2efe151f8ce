// Package ffmpeg runs ffmpeg and ffprobe for the media packages (transcode,
// thumbnail, caption): it builds the safe input arguments, runs one process
// with progress reporting, stops it gracefully on cancellation, keeps the tail
// of its stderr for errors, and decodes ffprobe's JSON.
//
// # Processes
//
// [Cmd.Run] starts ffmpeg with -nostdin and -progress on a pipe of its own
// (file descriptor 3), so standard output stays free for media written to
// pipe:1. When ctx is done it sends SIGINT, which makes ffmpeg finish the
// frame it is on and write its trailer, and kills the process if it has not
// exited after [Cmd.Grace]. Every child starts through [StartChild], so on
// Linux none outlives a process that dies without cleaning up.
//
// # Input
//
// [Input] returns the arguments that open a file and nothing else: the file
// protocol only (no http, no concat: or subfile: protocols) and a whitelist
// of container formats that cannot name other files, so a playlist or an
// ffconcat list uploaded as "video.mp4" cannot make ffmpeg read /etc/passwd.
// [Sniff] recognises such text formats first to give a clear error.
//
// # Errors
//
// A failed run returns an [*Error] carrying the arguments, the exit code and
// the last lines ffmpeg wrote to stderr.
package ffmpeg
