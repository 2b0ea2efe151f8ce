package caption

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the WebVTT and SRT parsers and of [Normalize], so that a
// hostile file costs bounded memory and time. The writers refuse cues the
// parsers would refuse, so what they write always parses back.
const (
	// MaxFileBytes bounds the size of a caption file: 8 MiB, forty times
	// a three-hour film's subtitles.
	MaxFileBytes = 8 << 20
	// MaxCues bounds the cues of one file: 100,000 is a day of speech at
	// more than one cue a second.
	MaxCues = 100_000
	// MaxLineBytes bounds one line: 16 KiB, a hundred times a caption
	// line, room for long NOTE and STYLE lines.
	MaxLineBytes = 16 << 10
	// MaxCueTime bounds cue times: a time beyond 100 hours is a mistake
	// (99999:00:00.000), not a video.
	MaxCueTime = 100 * time.Hour
)

// ParseError reports where and why a caption file was refused.
type ParseError struct {
	// Name is the file name given to [Normalize]; empty from the parsers.
	Name string
	// Format is "WebVTT" or "SRT"; empty when the error comes before the
	// format is known (from Normalize: a binary file, an unknown format).
	Format string
	// Line is the 1-based line number of the offending line.
	Line int
	// Msg says what is wrong with it.
	Msg string
	// Err is the category: ErrSyntax, ErrTime, ErrTooLarge, ErrFormat or
	// ErrNoCues.
	Err error
}

func (e *ParseError) Error() string {
	s := "caption: "
	if e.Name != "" {
		s += e.Name + ": "
	}
	if e.Format != "" {
		s += e.Format + " "
	}
	return s + "line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Unwrap returns the category, for [errors.Is].
func (e *ParseError) Unwrap() error { return e.Err }

const (
	formatVTT = "WebVTT"
	formatSRT = "SRT"
	utf8BOM   = "\uFEFF"
)

// WriteVTT writes cues as a WebVTT file: the WEBVTT line, then each cue's
// timings (hh:mm:ss.ttt, rounded to the millisecond), settings and text.
// Cue text is written as is: it is WebVTT cue text (see [Cue]).
//
// It writes nothing and returns an error wrapping [ErrInvalid] if a cue is
// one the parsers would refuse or misread: a start before zero or after
// the previous cue's start, an end not after the start or beyond
// MaxCueTime, an empty text, a text line that is blank or holds "-->", a
// carriage return or a NUL, a line longer than MaxLineBytes, or settings
// holding a line break or "-->".
func WriteVTT(w io.Writer, cues []Cue) error {
	if err := checkCues(cues); err != nil {
		return err
	}
	_, err := w.Write(appendVTT(nil, "", cues))
	return err
}

// appendVTT appends a WebVTT file of checked cues to b, with header lines
// after WEBVTT (each ending in a newline).
func appendVTT(b []byte, header string, cues []Cue) []byte {
	n := len("WEBVTT\n\n") + len(header)
	for i := range cues {
		n += len("00:00:00.000 --> 00:00:00.000 \n\n\n") + len(cues[i].Settings) + len(cues[i].Text)
	}
	if b == nil {
		b = make([]byte, 0, n)
	}
	b = append(b, "WEBVTT\n"...)
	b = append(b, header...)
	b = append(b, '\n')
	for i := range cues {
		b = appendVTTCue(b, &cues[i])
	}
	return b
}

func appendVTTCue(b []byte, c *Cue) []byte {
	b = appendTime(b, c.Start, '.')
	b = append(b, " --> "...)
	b = appendTime(b, c.End, '.')
	if c.Settings != "" {
		b = append(b, ' ')
		b = append(b, c.Settings...)
	}
	b = append(b, '\n')
	b = append(b, c.Text...)
	return append(b, "\n\n"...)
}

// checkCues checks what WriteVTT and WriteSRT promise to refuse.
func checkCues(cues []Cue) error {
	var prev time.Duration
	for i := range cues {
		c := &cues[i]
		start, end := c.Start.Round(time.Millisecond), c.End.Round(time.Millisecond)
		var msg string
		switch {
		case start < 0:
			msg = "negative start"
		case i > 0 && start < prev:
			msg = "starts before the previous cue: cues must be sorted by start"
		case end <= start:
			msg = "end " + formatCueTime(end) + " not after start"
		case end > MaxCueTime:
			msg = "end beyond " + MaxCueTime.String()
		case strings.Contains(c.Settings, "-->") || strings.ContainsAny(c.Settings, "\r\n\x00"):
			msg = "settings hold a line break, a NUL or \"-->\""
		default:
			msg = checkText(c.Text)
		}
		if msg != "" {
			return cueError(i, c, msg)
		}
		prev = start
	}
	return nil
}

func cueError(i int, c *Cue, msg string) error {
	return fmt.Errorf("%w: cue %d at %s: %s", ErrInvalid, i, formatCueTime(c.Start), msg)
}

// checkText returns why text cannot be a cue's text, or "".
func checkText(text string) string {
	if text == "" {
		return "empty text"
	}
	if strings.Contains(text, "-->") {
		return "text holds \"-->\""
	}
	if strings.ContainsAny(text, "\r\x00") {
		return "text holds a carriage return or a NUL"
	}
	for line := range strings.SplitSeq(text, "\n") {
		if isBlank(line) {
			return "text has a blank line"
		}
		if len(line) > MaxLineBytes {
			return "text line longer than " + strconv.Itoa(MaxLineBytes) + " bytes"
		}
	}
	return ""
}

// ParseVTT reads a WebVTT file. It is lenient where browsers are: a byte
// order mark, CRLF or CR line endings, timestamps without hours, a comma
// before the milliseconds, header lines, cue identifiers, and NOTE, STYLE
// and REGION blocks (skipped) are accepted, and a block with no timing
// line is skipped as browsers skip it. Invalid UTF-8 is replaced with
// U+FFFD, as browsers decode it.
//
// Cues are returned in file order with their settings and their text
// lines joined by "\n", as written: markup is not checked, so use
// [Normalize] for files from users. A timing line that does not parse, an
// end before its start, a time beyond MaxCueTime, a NUL byte and input
// beyond the limits (MaxFileBytes, MaxCues, MaxLineBytes) are errors, as
// [*ParseError] values with a line number. ParseVTT never panics.
func ParseVTT(r io.Reader) ([]Cue, error) {
	src, err := readLimited(r, formatVTT)
	if err != nil {
		return nil, err
	}
	return parseVTT(src)
}

// readLimited reads all of r, at most MaxFileBytes.
func readLimited(r io.Reader, format string) ([]byte, error) {
	var buf bytes.Buffer
	if n, ok := r.(interface{ Len() int }); ok && n.Len() <= MaxFileBytes {
		buf.Grow(n.Len() + bytes.MinRead) // room for ReadFrom to see EOF
	}
	n, err := buf.ReadFrom(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if n > MaxFileBytes {
		b := buf.Bytes()[:MaxFileBytes]
		return nil, &ParseError{Format: format, Line: countBreaks(b) + 1,
			Msg: "file larger than " + strconv.Itoa(MaxFileBytes) + " bytes", Err: ErrTooLarge}
	}
	return buf.Bytes(), nil
}

// prepareText prepares src for a parser: the byte order mark removed, invalid
// UTF-8 replaced, and a NUL byte refused.
func prepareText(src []byte, format string) (string, error) {
	if err := checkNUL(src, format); err != nil {
		return "", err
	}
	s := string(src)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.TrimPrefix(s, utf8BOM), nil
}

// checkNUL refuses a NUL byte, the mark of a binary file.
func checkNUL(src []byte, format string) error {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return &ParseError{Format: format, Line: countBreaks(src[:i]) + 1,
			Msg: "NUL byte: not a text file", Err: ErrSyntax}
	}
	return nil
}

// countBreaks counts the line breaks of b: LF, CRLF or CR.
func countBreaks(b []byte) int {
	return bytes.Count(b, []byte{'\n'}) + bytes.Count(b, []byte{'\r'}) - bytes.Count(b, []byte("\r\n"))
}

func parseVTT(src []byte) ([]Cue, error) { return parseVTTAt(src, nil) }

// parseVTTAt is parseVTT, appending the line number of each cue's timing
// line to at if it is not nil.
func parseVTTAt(src []byte, at *[]int) ([]Cue, error) {
	s, err := prepareText(src, formatVTT)
	if err != nil {
		return nil, err
	}
	l := &lineReader{s: s, format: formatVTT}
	first, ok, err := l.next()
	if err != nil {
		return nil, err
	}
	if !ok || !isVTTHeader(first) {
		return nil, &ParseError{Format: formatVTT, Line: 1, Msg: "the first line must be WEBVTT", Err: ErrSyntax}
	}
	// Header lines, up to a blank line; a timing line ends them too.
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok || isBlank(line) {
			break
		}
		if strings.Contains(line, "-->") {
			l.unread()
			break
		}
	}
	var cues []Cue
	if n := strings.Count(s, "-->"); n > 0 {
		cues = make([]Cue, 0, min(n, MaxCues+1))
	}
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return cues, nil
		}
		if isBlank(line) {
			continue
		}
		if !strings.Contains(line, "-->") {
			if isBlockKeyword(line, "NOTE") || isBlockKeyword(line, "STYLE") || isBlockKeyword(line, "REGION") {
				if err := l.skipBlock(); err != nil {
					return nil, err
				}
				continue
			}
			// A cue identifier: the timing line follows. Otherwise the
			// block is junk, which browsers skip.
			if line, ok, err = l.next(); err != nil {
				return nil, err
			}
			if !ok {
				return cues, nil
			}
			if isBlank(line) {
				continue
			}
			if !strings.Contains(line, "-->") {
				if err := l.skipBlock(); err != nil {
					return nil, err
				}
				continue
			}
		}
		c, err := l.timing(line, true)
		if err != nil {
			return nil, err
		}
		if len(cues) == MaxCues {
			return nil, l.errf(ErrTooLarge, "more than "+strconv.Itoa(MaxCues)+" cues")
		}
		if at != nil {
			*at = append(*at, l.n)
		}
		if c.Text, err = l.payload(); err != nil {
			return nil, err
		}
		cues = append(cues, c)
	}
}

// isVTTHeader reports whether line is a WebVTT signature line: WEBVTT
// alone or followed by a space or a tab and any text.
func isVTTHeader(line string) bool {
	rest, ok := strings.CutPrefix(line, "WEBVTT")
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// isBlockKeyword reports whether line starts a block named kw: kw alone or
// followed by a space or a tab.
func isBlockKeyword(line, kw string) bool {
	rest, ok := strings.CutPrefix(line, kw)
	return ok && (strings.TrimRight(rest, " \t") == "" || rest[0] == ' ' || rest[0] == '\t')
}

// isBlank reports whether line is empty or only spaces and tabs.
func isBlank(line string) bool {
	return strings.TrimLeft(line, " \t\f") == ""
}

// lineReader yields the lines of a caption file, split at LF, CRLF or CR, and
// counts them.
type lineReader struct {
	s      string
	format string
	off    int // offset of the next line
	n      int // number of the line last returned
	// start and end are the offsets of the line last returned; back
	// makes next return it again.
	start, end int
	back       bool
}

func (l *lineReader) next() (string, bool, error) {
	if l.back {
		l.back = false
		l.n++
		return l.s[l.start:l.end], true, nil
	}
	if l.off >= len(l.s) {
		return "", false, nil
	}
	rest := l.s[l.off:]
	i := lineEnd(rest)
	next := len(l.s)
	if i < 0 {
		i = len(rest)
	} else if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
		next = l.off + i + 2
	} else {
		next = l.off + i + 1
	}
	l.start, l.end = l.off, l.off+i
	l.off = next
	l.n++
	if i > MaxLineBytes {
		return "", false, l.errf(ErrTooLarge, "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes")
	}
	return rest[:i], true, nil
}

// lineEnd returns the index of the first CR or LF in s, or -1.
func lineEnd(s string) int {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		i = len(s)
	}
	if j := strings.IndexByte(s[:i], '\r'); j >= 0 {
		return j
	}
	if i == len(s) {
		return -1
	}
	return i
}

// unread makes next return the last line again.
func (l *lineReader) unread() {
	l.back = true
	l.n--
}

// skipBlock skips lines up to a blank line, or up to a timing line,
// which starts a cue.
func (l *lineReader) skipBlock() error {
	for {
		line, ok, err := l.next()
		if err != nil || !ok || isBlank(line) {
			return err
		}
		if strings.Contains(line, "-->") {
			l.unread()
			return nil
		}
	}
}

// payload reads a WebVTT cue's text: the lines up to a blank line, or up
// to a timing line, which starts the next cue.
func (l *lineReader) payload() (string, error) {
	first, last := -1, -1
	for {
		line, ok, err := l.next()
		if err != nil {
			return "", err
		}
		if !ok || isBlank(line) {
			break
		}
		if strings.Contains(line, "-->") {
			l.unread()
			break
		}
		if first < 0 {
			first = l.start
		}
		last = l.end
	}
	if first < 0 {
		return "", nil
	}
	return joinLines(l.s[first:last]), nil
}

// joinLines turns the line breaks of s into "\n".
func joinLines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func (l *lineReader) errf(kind error, msg string) *ParseError {
	return &ParseError{Format: l.format, Line: l.n, Msg: msg, Err: kind}
}

// timing parses a timing line, "start --> end", followed in WebVTT by cue
// settings (kept) and in SRT by coordinates (ignored).
func (l *lineReader) timing(line string, settings bool) (Cue, error) {
	before, after, _ := strings.Cut(line, "-->")
	if strings.Contains(after, "-->") {
		return Cue{}, l.errf(ErrSyntax, "two \"-->\" on a timing line")
	}
	after = strings.TrimLeft(after, " \t")
	endText, rest := after, ""
	if i := strings.IndexAny(after, " \t"); i >= 0 {
		endText, rest = after[:i], strings.Trim(after[i:], " \t")
	}
	var c Cue
	var err error
	if c.Start, err = l.time(strings.Trim(before, " \t"), "start"); err != nil {
		return Cue{}, err
	}
	if c.End, err = l.time(endText, "end"); err != nil {
		return Cue{}, err
	}
	if c.End < c.Start {
		return Cue{}, l.errf(ErrTime, "end "+formatCueTime(c.End)+" before start "+formatCueTime(c.Start))
	}
	if settings {
		c.Settings = rest
	}
	return c, nil
}

func (l *lineReader) time(s, what string) (time.Duration, error) {
	d, kind, msg := parseCueTime(s)
	if kind != nil {
		return 0, l.errf(kind, what+" time "+strconv.Quote(clipMsg(s))+": "+msg)
	}
	return d, nil
}

// clipMsg shortens s for an error message.
func clipMsg(s string) string {
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// parseCueTime parses a WebVTT or SRT timestamp, leniently: [h…:]mm:ss,
// then a dot or a comma and one to three digits of fraction, which may be
// missing. Hours may have any number of digits, minutes and seconds one or
// two, below 60. On failure it returns the category and why.
func parseCueTime(s string) (d time.Duration, kind error, msg string) {
	if s == "" {
		return 0, ErrSyntax, "missing"
	}
	if s[0] == '-' {
		return 0, ErrTime, "negative"
	}
	whole, frac, hasFrac := s, "", false
	if i := strings.LastIndexAny(s, ".,"); i >= 0 {
		whole, frac, hasFrac = s[:i], s[i+1:], true
	}
	var f [3]string
	n := 0
	for part := range strings.SplitSeq(whole, ":") {
		if n == 3 {
			return 0, ErrSyntax, "want [hh:]mm:ss.ttt"
		}
		f[n] = part
		n++
	}
	if n < 2 {
		return 0, ErrSyntax, "want [hh:]mm:ss.ttt"
	}
	if n == 2 {
		f[0], f[1], f[2] = "", f[0], f[1]
	}
	var h, m, sec, ms int64
	var ok bool
	if f[0] != "" || n == 3 {
		if len(f[0]) > 7 {
			if allDigits(f[0]) {
				return 0, ErrTime, "beyond " + MaxCueTime.String()
			}
			return 0, ErrSyntax, "bad hours"
		}
		if h, ok = parseDigits(f[0], 7); !ok {
			return 0, ErrSyntax, "bad hours"
		}
	}
	if m, ok = parseDigits(f[1], 2); !ok || m > 59 {
		return 0, ErrSyntax, "bad minutes"
	}
	if sec, ok = parseDigits(f[2], 2); !ok || sec > 59 {
		return 0, ErrSyntax, "bad seconds"
	}
	if hasFrac {
		if ms, ok = parseDigits(frac, 3); !ok {
			return 0, ErrSyntax, "bad milliseconds"
		}
		for range 3 - len(frac) {
			ms *= 10
		}
	}
	d = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond
	if d > MaxCueTime {
		return 0, ErrTime, "beyond " + MaxCueTime.String()
	}
	return d, nil, ""
}

// parseDigits parses one to max (at most 18) ASCII digits.
func parseDigits(s string, max int) (int64, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// allDigits reports whether s is only ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendTime appends d, rounded to the millisecond, as hh:mm:ss.ttt, with
// sep before the milliseconds.
func appendTime(b []byte, d time.Duration, sep byte) []byte {
	ms := d.Round(time.Millisecond).Milliseconds()
	if ms < 0 {
		b = append(b, '-')
		ms = -ms
	}
	h := ms / 3_600_000
	if h < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, h, 10)
	b = append(b, ':')
	b = append2(b, ms/60_000%60)
	b = append(b, ':')
	b = append2(b, ms/1000%60)
	b = append(b, sep)
	ms %= 1000
	return append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

func formatCueTime(d time.Duration) string { return string(appendTime(nil, d, '.')) }
