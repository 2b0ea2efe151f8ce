package caption

import (
	"io"
	"strconv"
	"strings"
)

// WriteSRT writes cues as a SubRip (SRT) file: each cue numbered from 1,
// its times as hh:mm:ss,ttt (rounded to the millisecond), its text, and a
// blank line. Settings are not written, as SRT has none.
//
// Cue text is converted for SRT players: <b>, <i> and <u> are kept (their
// classes dropped), the other WebVTT tags (<c>, <v>, <lang>, <ruby>, <rt>,
// timestamps) are removed, &amp;, &lt;, &gt;, &nbsp;, &lrm; and &rlm;
// become the characters they stand for (but for a "-->" they would make),
// and lines left blank are dropped. A cue left without text, one that
// held only markup, is not written. Cues are refused as by [WriteVTT].
func WriteSRT(w io.Writer, cues []Cue) error {
	if err := checkCues(cues); err != nil {
		return err
	}
	n := 0
	for i := range cues {
		n += len("100000\n00:00:00,000 --> 00:00:00,000\n\n\n") + len(cues[i].Text)
	}
	b := make([]byte, 0, n)
	num := 0
	for i := range cues {
		c := &cues[i]
		t := srtText(c.Text)
		if t == "" {
			continue
		}
		num++
		b = strconv.AppendInt(b, int64(num), 10)
		b = append(b, '\n')
		b = appendTime(b, c.Start, ',')
		b = append(b, " --> "...)
		b = appendTime(b, c.End, ',')
		b = append(b, '\n')
		b = append(b, t...)
		b = append(b, "\n\n"...)
	}
	_, err := w.Write(b)
	return err
}

// srtText converts WebVTT cue text for SRT.
func srtText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	s = convertSRT(s)
	if strings.Contains(s, "-->") {
		s = strings.ReplaceAll(s, "-->", "--&gt;")
	}
	if !strings.Contains(s, "\n") {
		if isBlank(s) {
			return ""
		}
		return s
	}
	var keep []string
	for line := range strings.SplitSeq(s, "\n") {
		if !isBlank(line) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// convertSRT converts tags and references for SRT.
func convertSRT(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for s != "" {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			sb.WriteString(s)
			break
		}
		sb.WriteString(s[:i])
		s = s[i:]
		if s[0] == '&' {
			r, n := charRef(s, vttEntities)
			if n == 0 {
				sb.WriteByte('&')
				s = s[1:]
				continue
			}
			sb.WriteString(r)
			s = s[n:]
			continue
		}
		tag, n := scanTag(s)
		if n == 0 {
			sb.WriteByte('<')
			s = s[1:]
			continue
		}
		switch tag.name {
		case "b", "i", "u":
			sb.WriteByte('<')
			if tag.end {
				sb.WriteByte('/')
			}
			sb.WriteString(tag.name)
			sb.WriteByte('>')
		}
		s = s[n:]
	}
	return sb.String()
}

// vttEntities are the character references WebVTT has always had.
var vttEntities = map[string]string{
	"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00A0", "lrm": "\u200E", "rlm": "\u200F",
}

// ParseSRT reads a SubRip (SRT) file. SRT has no specification, so it is
// read as players read it: a byte order mark, CRLF or CR line endings, a
// dot instead of a comma before the milliseconds, missing hours, missing
// or wrong cue numbers, coordinates after the times (ignored), blank lines
// inside a cue's text (dropped: the text runs to the next cue), and
// missing blank lines between cues are accepted; lines before the first
// cue are skipped. Invalid UTF-8 is replaced with U+FFFD ([Normalize]
// reads a file that is not UTF-8 as Windows-1252 instead).
//
// Cues are returned in file order with their text as written, lines joined
// by "\n": SRT's HTML-like tags (<i>, <font …>) are kept, and "&" is not
// escaped. Use [Normalize] to get clean WebVTT cue text. Errors are as for
// [ParseVTT]. ParseSRT never panics.
func ParseSRT(r io.Reader) ([]Cue, error) {
	src, err := readLimited(r, formatSRT)
	if err != nil {
		return nil, err
	}
	return parseSRT(src)
}

func parseSRT(src []byte) ([]Cue, error) { return parseSRTAt(src, nil) }

// parseSRTAt is parseSRT, appending the line number of each cue's timing
// line to at if it is not nil.
func parseSRTAt(src []byte, at *[]int) ([]Cue, error) {
	s, err := prepareText(src, formatSRT)
	if err != nil {
		return nil, err
	}
	l := &lineReader{s: s, format: formatSRT}
	var cues []Cue
	line, ok, err := l.next()
	for ok && err == nil {
		if !strings.Contains(line, "-->") {
			// A cue number, or junk before the first cue.
			line, ok, err = l.next()
			continue
		}
		var c Cue
		if c, err = l.timing(line, false); err != nil {
			return nil, err
		}
		if len(cues) == MaxCues {
			return nil, l.errf(ErrTooLarge, "more than "+strconv.Itoa(MaxCues)+" cues")
		}
		if at != nil {
			*at = append(*at, l.n)
		}
		var text []string
		for {
			if line, ok, err = l.next(); err != nil || !ok || strings.Contains(line, "-->") {
				break
			}
			if isBlank(line) {
				continue
			}
			if isCueNumber(line) {
				// A cue number if a timing line follows.
				var next string
				if next, ok, err = l.next(); err != nil {
					return nil, err
				}
				if ok {
					l.unread()
					if strings.Contains(next, "-->") {
						continue // next reads the timing line
					}
				}
			}
			text = append(text, line)
		}
		if err != nil {
			return nil, err
		}
		c.Text = strings.Join(text, "\n")
		cues = append(cues, c)
	}
	if err != nil {
		return nil, err
	}
	return cues, nil
}

// isCueNumber reports whether line is a cue number: digits, with spaces
// around them.
func isCueNumber(line string) bool {
	t := strings.Trim(line, " \t")
	return t != "" && allDigits(t)
}
