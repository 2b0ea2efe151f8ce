// Package caption turns speech into captions: a small [Recognizer] hook that
// any speech-to-text engine can implement, backends for PocketSphinx, an
// OpenAI-compatible HTTP endpoint and any command, the cue builder, WebVTT
// and SRT, and HLS subtitle renditions, for files and for live streams.
//
// # Recognizers
//
// A [Recognizer] turns a WAV file of 16 kHz mono 16-bit PCM into a
// [Transcript]; [ExtractAudio] makes that file from any media file with
// ffmpeg, refusing playlists and reporting media without sound as
// [ErrNoAudio]. The package has three:
//
//   - [Sphinx] runs PocketSphinx offline, on the CPU. Its general English
//     model is weak (two words in three of clear speech); given the
//     vocabulary ([Sphinx.Words]) or a JSGF grammar it is accurate and
//     fast.
//   - [OpenAI] posts the audio to an OpenAI-compatible transcription
//     endpoint: OpenAI's API, or a whisper.cpp or faster-whisper server on
//     the same network.
//   - [Command] runs any program that prints the transcript JSON below.
//
// Implement Recognizer to plug in another engine; make a [Command] wrapper
// to plug in one without Go code.
//
// # Long files
//
// [RecognizeFile] recognises a media file of any length: it cuts the audio
// into chunks that overlap, recognises several at once, and joins them so
// that a word heard by two chunks is kept once, from the chunk that heard
// it away from its edges. Engines that limit the upload (OpenAI: 25 MB)
// and engines that slow down on long input both need it.
//
// # Live streams
//
// A [StreamRecognizer] takes PCM as it arrives and delivers final words.
// [Sphinx.NewStream] runs one pocketsphinx process for the whole stream
// and delivers each utterance's words when the speaker pauses (or after
// [Sphinx].MaxUtterance), a fraction of a second after the utterance
// ends. [NewWindowedStream] makes a stream of any Recognizer by
// recognising overlapping windows of the audio, with the rule
// RecognizeFile uses for chunks; its words come about a window late. A
// stream buffers a bounded amount of audio: when recognition falls
// behind, a write is dropped with [ErrStreamFull] instead of blocking the
// caller, and the times of later words stay true. [Live] turns a stream's
// words into a sliding-window WebVTT subtitle playlist that follows the
// video's segments.
//
// # Transcript JSON
//
// [OpenAI] reads, and a [Command] prints, a transcript in the shape of
// OpenAI's verbose_json response, times in seconds:
//
//	{
//	  "language": "en",
//	  "segments": [
//	    {"start": 0.0, "end": 1.2, "text": "Hello, world.",
//	     "words": [{"word": "Hello,", "start": 0.1, "end": 0.5},
//	               {"word": "world.", "start": 0.6, "end": 1.1}]}
//	  ],
//	  "words": [{"word": "Hello,", "start": 0.1, "end": 0.5}, …]
//	}
//
// Every field may be left out. Words may sit in their segment or in the
// top-level list (as OpenAI returns them), where each goes to the segment
// its middle falls in; segments without words give cues from their own
// times; a transcript with only "text" (and "duration") is one segment.
// "language" is a BCP 47 tag or a language name as whisper gives it
// ("english"). Segments are sorted and overlaps trimmed; a time that is
// negative, over 100 hours or not a number is an [ErrBadResponse].
//
// # Recognition errors
//
// A program that fails ([Sphinx], [Command], ffmpeg) gives a
// [*ProcessError] with its exit code and the end of its standard error; an
// HTTP endpoint that refuses gives an [*APIError] with its status and
// message; an answer that is not a transcript wraps [ErrBadResponse]. When
// ctx is done, every function returns ctx's error, having killed the
// processes it started.
//
// # Cues
//
// [BuildCues] groups a recogniser's timed words into [Cue] values by the
// usual captioning rules (its doc lists them): at most two lines of 42
// characters, shown for 1 to 7 seconds, ending at sentence ends, clause
// ends and pauses, with balanced lines. [CuesFromTranscript] does the same
// for a [Transcript], from phrase times where words are not timed.
// [CueOptions] changes the limits.
//
// # WebVTT and SRT
//
// [WriteVTT] and [WriteSRT] write cues, and refuse with [ErrInvalid] cues
// that would make a file the parsers refuse or misread, so what they write
// parses back to the same cues. [ParseVTT] and [ParseSRT] are as lenient
// as players (byte order marks, CRLF, missing hours, commas or dots, cue
// identifiers and settings, NOTE, STYLE and REGION blocks) and as strict as
// correctness needs: an end before its start or an absurd time is an
// error. Errors are [*ParseError] values with a line number; input is
// bounded by [MaxFileBytes], [MaxCues] and [MaxLineBytes]; parsing never
// panics.
//
// # Uploads
//
// [Normalize] turns a caption file a user uploads, WebVTT or SRT, into
// cues safe to serve: the format read from the content, the text decoded
// (UTF-8, UTF-16, Windows-1252), the markup cleaned to the tags WebVTT
// defines, empty cues dropped, cues sorted and overlaps clipped. Hostile
// input gets an error that says what is wrong and where.
//
// # HLS subtitles
//
// [SegmentVTT] cuts cues into WebVTT segments aligned with a video's
// segments, each with the X-TIMESTAMP-MAP header players need to place
// cues, and builds their media playlist; [Subtitles.WriteDir] writes them
// and [Rendition] is their entry in the master playlist.
// [HLSOptions].MPEGTS must match the video's timestamps: 0, the default,
// for fMP4 segments, and [MPEGTSFFmpeg] for MPEG-TS segments from ffmpeg.
//
// # Live subtitles
//
// [Live] keeps a sliding-window WebVTT subtitle playlist for a live stream:
// words from a [Stream] go in with [Live.Add] or [Live.Feed], and each
// [Live.Cut], called when the video segmenter closes a segment, writes a
// segment with X-TIMESTAMP-MAP and the cues of the words recognised so far.
package caption
