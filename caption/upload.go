package caption

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Normalize reads a caption file uploaded by a user and returns its cues
// ready for [WriteVTT] and [SegmentVTT], or an error that says what is
// wrong and where. name is the file's name, used in errors and, for a file
// without a WEBVTT line, to tell a WebVTT file from an SRT file.
//
// The format is read from the content: WebVTT if the first line that is
// not blank is WEBVTT; otherwise, if a line has "-->", SRT (whose times may be written
// as WebVTT's), unless the file is named *.vtt and its first timing line
// has no comma, when it is read as WebVTT without its WEBVTT line.
// Anything else is [ErrFormat]. The text is decoded from UTF-8, from UTF-16 with a
// byte order mark, or, when it is not valid UTF-8, from Windows-1252, the
// usual encoding of old SRT files. The file is parsed as by [ParseVTT] or
// [ParseSRT], with their limits and errors. Then:
//
//   - Markup is cleaned into WebVTT cue text that is safe to show in a
//     browser: <b>, <i>, <u>, <c>, <v>, <lang>, <ruby>, <rt> and
//     timestamps are kept, balanced and written canonically (classes and
//     annotations checked); <br> becomes a line break; every other tag
//     (<font>, <script>, <a>, <img> …) is removed and its text kept,
//     except the content of <script> and <style>, which is removed too;
//     SRT's {\an8}-style overrides are removed; character references are
//     decoded and "&", "<" and ">" escaped again; control characters are
//     removed, spaces collapsed, and blank lines dropped.
//   - Cue settings other than vertical, line, position, size and align,
//     and values that are not plain, are dropped (regions are not kept).
//   - Cues left without text, and cues that end when they start, are
//     dropped.
//   - Cues are sorted by start time.
//   - Overlaps are clipped rather than refused, as they are nearly always
//     a few milliseconds of rounding in an editor: a cue ends when the
//     next one starts. Two cues that start at the same time are merged
//     into one, their lines together, so that no text is lost.
//
// A file with no cue left is [ErrNoCues]; a cue whose cleaned line is
// longer than MaxLineBytes is [ErrTooLarge]. Errors from the content are
// [*ParseError] values carrying name and a line number.
func Normalize(r io.Reader, name string) ([]Cue, error) {
	src, err := readLimited(r, "")
	if err != nil {
		return nil, withName(err, name)
	}
	if src, err = decodeUpload(src); err != nil {
		return nil, withName(err, name)
	}
	if err := checkNUL(src, ""); err != nil {
		return nil, withName(err, name)
	}
	var cues []Cue
	var at []int
	switch detectFormat(src, name) {
	case formatVTT:
		cues, at, err = parseVTTLines(src, true)
	case vttBody:
		cues, at, err = parseVTTLines(src, false)
	case formatSRT:
		cues, at, err = parseSRTLines(src)
	default:
		err = &ParseError{Line: 1, Err: ErrFormat,
			Msg: "neither WebVTT (no WEBVTT line) nor SRT (no \"-->\" timing line)"}
	}
	if err != nil {
		return nil, withName(err, name)
	}
	out := cues[:0]
	lines := at[:0]
	for i, c := range cues {
		c.Text = cleanText(c.Text)
		c.Settings = cleanSettings(c.Settings)
		if c.Text == "" || c.End <= c.Start {
			continue
		}
		out = append(out, c)
		lines = append(lines, at[i])
	}
	if len(out) == 0 {
		return nil, &ParseError{Name: name, Line: 1, Msg: "no cue with text", Err: ErrNoCues}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(out[a].Start, out[b].Start) })
	res := make([]Cue, 0, len(out))
	var texts []string
	for k := 0; k < len(idx); {
		c := out[idx[k]]
		// Cues starting together become one.
		texts = texts[:0]
		for ; k < len(idx) && out[idx[k]].Start == c.Start; k++ {
			o := out[idx[k]]
			for line := range strings.SplitSeq(o.Text, "\n") {
				if len(line) > MaxLineBytes {
					return nil, &ParseError{Name: name, Line: lines[idx[k]], Err: ErrTooLarge,
						Msg: "cue text line longer than " + strconv.Itoa(MaxLineBytes) + " bytes once cleaned"}
				}
			}
			texts = append(texts, o.Text)
			c.End = max(c.End, o.End)
		}
		if len(texts) > 1 {
			c.Text = strings.Join(texts, "\n")
		}
		if n := len(res); n > 0 {
			res[n-1].End = min(res[n-1].End, c.Start)
		}
		res = append(res, c)
	}
	return res, nil
}

// withName adds the file name to a parse error.
func withName(err error, name string) error {
	if pe, ok := err.(*ParseError); ok {
		pe.Name = name
		return pe
	}
	if name != "" {
		return fmt.Errorf("caption: %s: %w", name, err)
	}
	return err
}

// vttBody is a WebVTT file without its WEBVTT line.
const vttBody = "WebVTT body"

// detectFormat tells the format of src from its first line, its timing lines
// and its name.
func detectFormat(src []byte, name string) string {
	s := src
	for len(s) > 0 {
		var line []byte
		i := bytes.IndexAny(s, "\r\n")
		if i < 0 {
			line, s = s, nil
		} else {
			line, s = s[:i], s[i+1:]
		}
		line = bytes.TrimLeft(bytes.TrimPrefix(line, []byte(utf8BOM)), " \t")
		if len(line) == 0 {
			continue
		}
		if isVTTHeader(string(line)) {
			return formatVTT
		}
		break
	}
	i := bytes.Index(src, []byte("-->"))
	if i < 0 {
		return ""
	}
	// The first timing line: SRT's has a comma before the milliseconds.
	start := bytes.LastIndexAny(src[:i], "\r\n") + 1
	end := len(src)
	if j := bytes.IndexAny(src[i:], "\r\n"); j >= 0 {
		end = i + j
	}
	if strings.EqualFold(path.Ext(name), ".vtt") && !bytes.Contains(src[start:end], []byte(",")) {
		return vttBody
	}
	return formatSRT
}

// decodeUpload returns src as UTF-8: decoded from UTF-16 if it starts with a
// UTF-16 byte order mark, from Windows-1252 if it is not valid UTF-8.
func decodeUpload(src []byte) ([]byte, error) {
	if len(src) >= 2 && (src[0] == 0xFF && src[1] == 0xFE || src[0] == 0xFE && src[1] == 0xFF) {
		if len(src)%2 != 0 {
			return nil, &ParseError{Line: 1, Msg: "UTF-16 text of odd length", Err: ErrSyntax}
		}
		le := src[0] == 0xFF
		u := make([]uint16, 0, len(src)/2-1)
		for i := 2; i < len(src); i += 2 {
			if le {
				u = append(u, uint16(src[i])|uint16(src[i+1])<<8)
			} else {
				u = append(u, uint16(src[i])<<8|uint16(src[i+1]))
			}
		}
		out := make([]byte, 0, len(u))
		for _, r := range utf16.Decode(u) {
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	}
	if utf8.Valid(src) {
		return src, nil
	}
	out := make([]byte, 0, len(src)+len(src)/4)
	for _, c := range src {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xA0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out, nil
}

// cp1252 maps bytes 0x80 to 0x9F of Windows-1252; the other bytes are
// Latin-1. Unassigned bytes map to U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// parseVTTLines is parseVTT, also returning each cue's line number. Blank
// lines before the WEBVTT line are skipped; if header is false, the file
// has no WEBVTT line.
func parseVTTLines(src []byte, header bool) ([]Cue, []int, error) {
	shift := -2
	if header {
		body := bytes.TrimLeft(bytes.TrimPrefix(src, []byte(utf8BOM)), " \t\r\n")
		shift = countBreaks(src[:len(src)-len(body)])
		src = body
	} else {
		src = append([]byte("WEBVTT\n\n"), src...)
	}
	var at []int
	cues, err := parseVTTAt(src, &at)
	for i := range at {
		at[i] += shift
	}
	if pe, ok := err.(*ParseError); ok {
		pe.Line += shift
	}
	return cues, at, err
}

func parseSRTLines(src []byte) ([]Cue, []int, error) {
	var at []int
	cues, err := parseSRTAt(src, &at)
	return cues, at, err
}

// cleanSettings keeps the plain settings of the known names.
func cleanSettings(s string) string {
	if s == "" {
		return ""
	}
	var keep []string
	var seen []string
	for f := range strings.FieldsSeq(s) {
		name, value, ok := strings.Cut(f, ":")
		if !ok || slices.Contains(seen, name) || len(value) == 0 || len(value) > 32 {
			continue
		}
		switch name {
		case "vertical", "line", "position", "size", "align":
		default:
			continue
		}
		if strings.IndexFunc(value, func(r rune) bool {
			return !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".,%-", r)))
		}) >= 0 {
			continue
		}
		seen = append(seen, name)
		keep = append(keep, f)
	}
	return strings.Join(keep, " ")
}

// cueTags are the WebVTT tags Normalize keeps.
var cueTags = map[string]bool{"b": true, "i": true, "u": true, "c": true, "v": true, "lang": true, "ruby": true, "rt": true}

// textEntities are the character references Normalize decodes: WebVTT's
// and the usual ones of SRT files written as HTML.
var textEntities = map[string]string{
	"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00A0", "lrm": "\u200E", "rlm": "\u200F",
	"quot": "\"", "apos": "'", "hellip": "…", "mdash": "—", "ndash": "–",
	"lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
}

// maxTagDepth bounds the nesting of tags Normalize keeps.
const maxTagDepth = 16

// maxOverride bounds the length of an SRT override such as {\an8}.
const maxOverride = 128

// cleanText turns cue text as written into clean WebVTT cue text (see
// Normalize).
func cleanText(s string) string {
	if isClean(s) {
		return s
	}
	var w cleanWriter
	var stack []string
	for s != "" {
		c := s[0]
		switch {
		case c == '\n':
			w.newline()
			s = s[1:]
		case c == '<':
			tag, n := scanTag(s)
			if n == 0 {
				w.text("<")
				s = s[1:]
				continue
			}
			s = s[n:]
			switch {
			case tag.name == "br" && !tag.end:
				w.newline()
			case (tag.name == "script" || tag.name == "style") && !tag.end:
				s = skipElement(s, tag.name)
			case tag.time >= 0:
				w.tag("<" + formatCueTime(tag.time) + ">")
			case !cueTags[tag.name]:
			case tag.end:
				if i := slices.Index(stack, tag.name); i >= 0 {
					for j := len(stack) - 1; j >= i; j-- {
						w.tag("</" + stack[j] + ">")
					}
					stack = stack[:i]
				}
			case len(stack) < maxTagDepth:
				if t, ok := startTag(tag); ok {
					w.tag(t)
					stack = append(stack, tag.name)
				}
			}
		case c == '&':
			r, n := charRef(s, textEntities)
			if n == 0 {
				r, n = "&", 1
			}
			w.text(r)
			s = s[n:]
		case c == '{' && len(s) > 1 && s[1] == '\\':
			if i := strings.IndexByte(s[:min(len(s), maxOverride)], '}'); i > 0 && strings.IndexByte(s[:i], '\n') < 0 {
				s = s[i+1:]
			} else {
				w.text("{")
				s = s[1:]
			}
		default:
			i := strings.IndexAny(s, "\n<&{")
			if i < 0 {
				i = len(s)
			} else if i == 0 {
				i = 1 // a '{' that starts no override
			}
			w.text(s[:i])
			s = s[i:]
		}
	}
	for j := len(stack) - 1; j >= 0; j-- {
		w.tag("</" + stack[j] + ">")
	}
	return w.finish()
}

// isClean reports whether cleanText would return s unchanged because it
// is plain text: no markup, references, control characters, or spaces
// and blank lines to remove.
func isClean(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == '\n' {
		return s == ""
	}
	prev := byte('\n')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prev == ' ' || prev == '\n' {
				return false
			}
		case c == '\n':
			if prev == ' ' || prev == '\n' {
				return false
			}
		case c < ' ' || c == 0x7f || c == '<' || c == '>' || c == '&' || c == '{':
			return false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
				return false
			}
			i += size - 1
		}
		prev = c
	}
	return true
}

// skipElement skips s past the end tag of name, or to the end.
func skipElement(s, name string) string {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return ""
		}
		s = s[i:]
		tag, n := scanTag(s)
		if n == 0 {
			s = s[1:]
			continue
		}
		s = s[n:]
		if tag.end && tag.name == name {
			return s
		}
	}
}

// startTag writes a kept start tag canonically: the name, the classes
// that are plain, and the annotation of <v> (a speaker) and <lang> (a
// language tag). A <lang> without a valid language is refused.
func startTag(t tagToken) (string, bool) {
	var sb strings.Builder
	sb.WriteByte('<')
	sb.WriteString(t.name)
	for class := range strings.SplitSeq(t.classes, ".") {
		if class != "" && len(class) <= 32 && isPlain(class, "-_") {
			sb.WriteByte('.')
			sb.WriteString(class)
		}
	}
	ann := strings.Join(strings.Fields(unescapeRefs(t.annotation)), " ")
	switch t.name {
	case "v":
		if ann != "" {
			if utf8.RuneCountInString(ann) > 64 {
				ann = string([]rune(ann)[:64])
			}
			sb.WriteByte(' ')
			escapeText(&sb, strings.Map(dropControl, ann))
		}
	case "lang":
		if ann == "" || len(ann) > 35 || !isPlain(ann, "-") {
			return "", false
		}
		sb.WriteByte(' ')
		sb.WriteString(ann)
	}
	sb.WriteByte('>')
	return sb.String(), true
}

// isPlain reports whether s is ASCII letters, digits and the bytes of extra.
func isPlain(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// unescapeRefs decodes the character references of s that Normalize knows.
func unescapeRefs(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:i])
		s = s[i:]
		r, n := charRef(s, textEntities)
		if n == 0 {
			r, n = "&", 1
		}
		sb.WriteString(r)
		s = s[n:]
	}
}

func dropControl(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case unicode.IsControl(r) || r == utf8.RuneError:
		return -1
	}
	return r
}

// cleanWriter writes clean cue text: escaped text with single spaces
// between words, tags, and lines that each show some text. Tags of a line
// that shows nothing move to the next line (or, at the end, to the last).
type cleanWriter struct {
	out     strings.Builder
	line    strings.Builder // the current line
	visible bool            // the current line shows some text
	space   bool            // a space is due before the next text
	spaced  bool            // a space was written after the last text
	lines   int             // lines written to out
}

func (w *cleanWriter) text(s string) {
	for _, r := range s {
		r = dropControl(r)
		switch {
		case r < 0:
		case unicode.IsSpace(r):
			w.space = w.visible && !w.spaced
		default:
			if w.space {
				w.line.WriteByte(' ')
				w.space = false
			}
			w.visible, w.spaced = true, false
			switch r {
			case '&':
				w.line.WriteString("&amp;")
			case '<':
				w.line.WriteString("&lt;")
			case '>':
				w.line.WriteString("&gt;")
			default:
				w.line.WriteRune(r)
			}
		}
	}
}

func (w *cleanWriter) tag(t string) {
	if w.space && !strings.HasPrefix(t, "</") {
		w.line.WriteByte(' ')
		w.space, w.spaced = false, true
	}
	w.line.WriteString(t)
}

func (w *cleanWriter) newline() {
	w.space, w.spaced = false, false
	if !w.visible {
		return // keep the tags for the next line
	}
	if w.lines > 0 {
		w.out.WriteByte('\n')
	}
	w.out.WriteString(w.line.String())
	w.line.Reset()
	w.lines++
	w.visible = false
}

func (w *cleanWriter) finish() string {
	if w.visible {
		w.newline()
	} else if w.lines > 0 {
		w.out.WriteString(w.line.String()) // closing tags
	}
	return w.out.String()
}

// tagToken is a tag as scanTag reads it.
type tagToken struct {
	name       string // lower case; empty for a timestamp
	end        bool
	classes    string // after the first '.', as written
	annotation string
	time       time.Duration // a timestamp tag's time; -1 otherwise
}

// scanTag reads the tag at the start of s, which starts with '<', and its
// length; 0 if s does not start with a tag (a literal '<').
func scanTag(s string) (tagToken, int) {
	t := tagToken{time: -1}
	k := 1
	for ; k < len(s) && k < 512; k++ {
		if s[k] == '>' {
			break
		}
		if s[k] == '<' || s[k] == '\n' {
			return t, 0
		}
	}
	if k >= len(s) || s[k] != '>' {
		return t, 0
	}
	body := s[1:k]
	if rest, ok := strings.CutPrefix(body, "/"); ok {
		name := strings.ToLower(strings.TrimRight(rest, " \t"))
		if name == "" || !isPlain(name, "") {
			return t, 0
		}
		t.name, t.end = name, true
		return t, k + 1
	}
	if body != "" && body[0] >= '0' && body[0] <= '9' {
		d, kind, _ := parseCueTime(body)
		if kind != nil {
			return t, 0
		}
		t.time = d
		return t, k + 1
	}
	i := 0
	for i < len(body) && isPlain(body[i:i+1], "") {
		i++
	}
	if i == 0 || body[0] >= '0' && body[0] <= '9' {
		return t, 0
	}
	t.name = strings.ToLower(body[:i])
	rest := body[i:]
	if rest != "" && rest[0] == '.' {
		j := strings.IndexAny(rest, " \t/")
		if j < 0 {
			j = len(rest)
		}
		t.classes, rest = rest[1:j], rest[j:]
	}
	rest = strings.TrimSuffix(rest, "/") // <br/>
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return tagToken{time: -1}, 0
	}
	t.annotation = strings.Trim(rest, " \t")
	return t, k + 1
}

// charRef decodes the character reference at the start of s, which starts
// with '&': a name in table or a decimal or hexadecimal number. It
// returns the text and the length read; 0 if there is no reference.
func charRef(s string, table map[string]string) (string, int) {
	end := strings.IndexByte(s[:min(len(s), 34)], ';')
	if end < 2 {
		return "", 0
	}
	name := s[1:end]
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if h, ok := strings.CutPrefix(num, "x"); ok {
			num, base = h, 16
		} else if h, ok := strings.CutPrefix(num, "X"); ok {
			num, base = h, 16
		}
		if num == "" || !isPlain(num, "") {
			return "", 0
		}
		n, err := strconv.ParseUint(num, base, 32)
		r := rune(n)
		if err != nil || !utf8.ValidRune(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return "", 0
		}
		return string(r), end + 1
	}
	if r, ok := table[name]; ok {
		return r, end + 1
	}
	return "", 0
}
