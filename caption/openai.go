package caption

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of [OpenAI].
const (
	DefaultOpenAIBaseURL = "https://api.openai.com/v1"
	DefaultOpenAIModel   = "whisper-1"
	DefaultOpenAITimeout = 5 * time.Minute
	// DefaultMaxResponse bounds the size of a transcription response.
	DefaultMaxResponse = 16 << 20
)

// OpenAI is a [Recognizer] that posts the audio to an OpenAI-compatible
// transcription endpoint, POST {BaseURL}/audio/transcriptions, as OpenAI's
// API, whisper.cpp's server (run with --inference-path
// /v1/audio/transcriptions) and the faster-whisper servers speak.
//
// It asks for response_format=verbose_json with word and segment
// timestamps, and reads the segments and words of the answer; a server
// that gives no word times yields segments without words. A transcription
// API usually limits the upload (OpenAI: 25 MB, about 13 minutes of 16 kHz
// PCM), so use [RecognizeFile] to send a long file in chunks.
//
// The zero value talks to OpenAI with no key; set at least APIKey for
// that, or BaseURL for a local server.
type OpenAI struct {
	// BaseURL is the API root, up to and including the version, such as
	// "http://127.0.0.1:8000/v1"; if empty, DefaultOpenAIBaseURL.
	BaseURL string
	// Model is the model name; if empty, DefaultOpenAIModel.
	Model string
	// APIKey, if set, is sent as a bearer token.
	APIKey string
	// Language, if set, is the ISO 639-1 code of the speech ("en"), sent
	// to the API and used as the transcripts' Language.
	Language string
	// Prompt, if set, is text that guides the model: vocabulary, names,
	// the previous part of the transcript.
	Prompt string
	// Client sends the requests; if nil, http.DefaultClient.
	Client *http.Client
	// Timeout bounds each request, the upload and the answer; if zero,
	// DefaultOpenAITimeout; negative means none (ctx's deadline only).
	Timeout time.Duration
	// MaxResponse bounds the size of an answer; if zero,
	// DefaultMaxResponse. A larger answer is an ErrBadResponse.
	MaxResponse int64
}

var _ Recognizer = (*OpenAI)(nil)

// APIError is an answer of the transcription API with a status other than
// 2xx. Message is the API's explanation when it gave one.
type APIError struct {
	StatusCode int
	Message    string
	Type, Code string // OpenAI's error type and code, when given
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("caption: openai: %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// errTimeout is the cause of a request that ran out of its Timeout.
var errTimeout = errors.New("timed out")

// Recognize uploads wav and decodes the transcript.
func (o *OpenAI) Recognize(ctx context.Context, wav string) (*Transcript, error) {
	f, err := os.Open(wav)
	if err != nil {
		return nil, fmt.Errorf("caption: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("caption: %w", err)
	}
	head, tail, err := o.form(filepath.Base(wav))
	if err != nil {
		return nil, err
	}

	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultOpenAITimeout
	}
	reqCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		reqCtx, cancel = context.WithTimeoutCause(ctx, timeout, errTimeout)
		defer cancel()
	}
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		base = DefaultOpenAIBaseURL
	}
	body := func() io.Reader {
		return io.MultiReader(bytes.NewReader(head), io.NewSectionReader(f, 0, st.Size()), bytes.NewReader(tail))
	}
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, base+"/audio/transcriptions", body())
	if err != nil {
		return nil, fmt.Errorf("caption: openai: %w", err)
	}
	req.ContentLength = int64(len(head)) + st.Size() + int64(len(tail))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(body()), nil }
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+formBoundary)
	req.Header.Set("Accept", "application/json")
	if o.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}

	fail := func(err error) (*Transcript, error) {
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case context.Cause(reqCtx) == errTimeout:
			return nil, fmt.Errorf("caption: openai: no answer within %v: %w", timeout, context.DeadlineExceeded)
		}
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(fmt.Errorf("caption: openai: %w", err))
	}
	defer resp.Body.Close()
	limit := o.MaxResponse
	if limit <= 0 {
		limit = DefaultMaxResponse
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, min(limit, 64<<10)))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, apiError(resp.StatusCode, b)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fail(fmt.Errorf("caption: openai: reading the answer: %w", err))
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("caption: openai: %w: answer larger than %d bytes", ErrBadResponse, limit)
	}
	t, err := decodeTranscriptJSON(b, o.Language)
	if err != nil {
		return nil, fmt.Errorf("caption: openai: %w", err)
	}
	return t, nil
}

// formBoundary separates the parts of the upload. It cannot occur in the
// form's text fields, which are short and checked, and a multipart reader
// only looks for it at the start of a line after CRLF "--".
const formBoundary = "v100-caption-7f3e9a1c5b2d4e6f8a0b"

// form returns the multipart body around the file's content: the fields,
// the file part's header, and after the content the closing boundary.
func (o *OpenAI) form(name string) (head, tail []byte, err error) {
	model := o.Model
	if model == "" {
		model = DefaultOpenAIModel
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if err := w.SetBoundary(formBoundary); err != nil {
		return nil, nil, err
	}
	fields := [][2]string{
		{"model", model},
		{"response_format", "verbose_json"},
		{"timestamp_granularities[]", "word"},
		{"timestamp_granularities[]", "segment"},
	}
	if o.Language != "" {
		fields = append(fields, [2]string{"language", o.Language})
	}
	if o.Prompt != "" {
		fields = append(fields, [2]string{"prompt", o.Prompt})
	}
	for _, f := range fields {
		if strings.Contains(f[1], formBoundary) {
			return nil, nil, fmt.Errorf("caption: openai: %s holds the form boundary", f[0])
		}
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, nil, err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, sanitizeFilename(name)))
	h.Set("Content-Type", "audio/wav")
	if _, err := w.CreatePart(h); err != nil {
		return nil, nil, err
	}
	n := b.Len()
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	all := b.Bytes()
	return all[:n:n], all[n:], nil
}

// sanitizeFilename keeps a file name that is safe in a header and ends in
// .wav, which some servers require to guess the format.
func sanitizeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r >= utf8.RuneSelf {
			return '_'
		}
		return r
	}, name)
	if !strings.HasSuffix(strings.ToLower(name), ".wav") {
		name += ".wav"
	}
	return name
}

// apiError decodes the explanation of a failed request: OpenAI's
// {"error":{"message":…}}, whisper.cpp's {"error":"…"}, FastAPI's
// {"detail":…}, or the start of a text body.
func apiError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var v struct {
		Error  json.RawMessage `json:"error"`
		Detail json.RawMessage `json:"detail"`
		Msg    string          `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		var obj struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"`
		}
		var str string
		switch {
		case json.Unmarshal(v.Error, &obj) == nil && obj.Message != "":
			e.Message, e.Type = obj.Message, obj.Type
			if json.Unmarshal(obj.Code, &str) == nil {
				e.Code = str
			}
		case json.Unmarshal(v.Error, &str) == nil:
			e.Message = str
		case json.Unmarshal(v.Detail, &str) == nil:
			e.Message = str
		case len(v.Detail) > 0:
			e.Message = string(v.Detail)
		default:
			e.Message = v.Msg
		}
	} else if utf8.Valid(body) && !bytes.Contains(bytes.ToLower(body[:min(len(body), 512)]), []byte("<html")) {
		e.Message = string(body)
	}
	e.Message = strings.Join(strings.Fields(e.Message), " ")
	if len(e.Message) > 300 {
		e.Message = strings.ToValidUTF8(e.Message[:300], "") + "…"
	}
	e.Type = strings.Join(strings.Fields(e.Type), " ")
	return e
}

// transcriptJSON is the verbose_json transcription of OpenAI's API, the
// shape [OpenAI] reads and a [Command] prints. Segments may hold their
// words (faster-whisper servers), or the words may be listed beside them
// (OpenAI).
type transcriptJSON struct {
	Language string        `json:"language"`
	Duration float64       `json:"duration"`
	Text     string        `json:"text"`
	Segments []segmentJSON `json:"segments"`
	Words    []wordJSON    `json:"words"`
}

type segmentJSON struct {
	Start float64    `json:"start"`
	End   float64    `json:"end"`
	Text  string     `json:"text"`
	Words []wordJSON `json:"words"`
}

type wordJSON struct {
	Word        string   `json:"word"`
	Start       float64  `json:"start"`
	End         float64  `json:"end"`
	Probability *float64 `json:"probability"`
}

// maxJSONTime bounds the times of a decoded transcript (100 hours).
const maxJSONTime = 100 * 3600.0

// decodeTranscriptJSON decodes a verbose_json transcription into a
// Transcript that keeps the promises of [Recognizer]: segments in time
// order without overlap, words inside their segment, no empty text. Times
// that are not finite numbers in [0, 100 h] are an error; segments out of
// order are sorted; overlaps are trimmed. lang, if set, is the language.
func decodeTranscriptJSON(b []byte, lang string) (*Transcript, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return nil, fmt.Errorf("%w: not a JSON object: %q", ErrBadResponse, b[:min(len(b), 40)])
	}
	var v transcriptJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	dur := func(s float64) (time.Duration, error) {
		if math.IsNaN(s) || s < 0 || s > maxJSONTime {
			return 0, fmt.Errorf("%w: time %v out of range", ErrBadResponse, s)
		}
		return time.Duration(math.Round(s * float64(time.Second))), nil
	}
	word := func(w wordJSON) (Word, bool, error) {
		text := strings.TrimSpace(w.Word)
		start, err := dur(w.Start)
		if err != nil {
			return Word{}, false, err
		}
		end, err := dur(w.End)
		if err != nil {
			return Word{}, false, err
		}
		out := Word{Text: text, Start: start, End: max(start, end)}
		if w.Probability != nil && *w.Probability > 0 && *w.Probability <= 1 {
			out.Confidence = *w.Probability
		}
		return out, text != "", nil
	}
	words := func(ws []wordJSON) ([]Word, error) {
		var out []Word
		for _, w := range ws {
			x, ok, err := word(w)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, x)
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
		return out, nil
	}

	t := &Transcript{Language: lang}
	if t.Language == "" {
		t.Language = languageTag(v.Language)
	}
	loose, err := words(v.Words)
	if err != nil {
		return nil, err
	}
	for _, s := range v.Segments {
		start, err := dur(s.Start)
		if err != nil {
			return nil, err
		}
		end, err := dur(s.End)
		if err != nil {
			return nil, err
		}
		ws, err := words(s.Words)
		if err != nil {
			return nil, err
		}
		seg := Segment{Text: strings.Join(strings.Fields(s.Text), " "), Start: start, End: max(start, end), Words: ws}
		if seg.Text == "" && len(ws) > 0 {
			seg.Text = joinWords(ws)
		}
		if seg.Text != "" {
			t.Segments = append(t.Segments, seg)
		}
	}
	switch {
	case len(t.Segments) == 0 && len(loose) > 0:
		t.Segments = []Segment{{Text: joinWords(loose), Start: loose[0].Start, End: loose[len(loose)-1].End}}
		t.Segments[0].Words = loose
	case len(t.Segments) == 0 && strings.TrimSpace(v.Text) != "":
		end, err := dur(v.Duration)
		if err != nil {
			return nil, err
		}
		t.Segments = []Segment{{Text: strings.Join(strings.Fields(v.Text), " "), End: end}}
	default:
		sort.SliceStable(t.Segments, func(i, j int) bool { return t.Segments[i].Start < t.Segments[j].Start })
		if len(loose) > 0 {
			assignWords(t.Segments, loose)
		}
	}
	tidySegments(t.Segments)
	return t, nil
}

// assignWords gives each word to the segment its midpoint is in, or the
// nearest one, for answers that list the words beside the segments.
func assignWords(segs []Segment, words []Word) {
	for i := range segs {
		if len(segs[i].Words) > 0 {
			return // the segments have their own words
		}
	}
	for _, w := range words {
		mid := w.Start + (w.End-w.Start)/2
		best, dist := 0, time.Duration(math.MaxInt64)
		for i, s := range segs {
			d := time.Duration(0)
			switch {
			case mid < s.Start:
				d = s.Start - mid
			case mid > s.End:
				d = mid - s.End
			}
			if d < dist {
				best, dist = i, d
			}
		}
		segs[best].Words = append(segs[best].Words, w)
	}
}

// tidySegments trims overlaps between consecutive segments and brings each
// segment's words inside it.
func tidySegments(segs []Segment) {
	var prevEnd time.Duration
	for i := range segs {
		s := &segs[i]
		s.Start = max(s.Start, prevEnd)
		s.End = max(s.End, s.Start)
		if n := len(s.Words); n > 0 {
			s.Start = min(s.Start, max(s.Words[0].Start, prevEnd))
			s.End = max(s.End, s.Words[n-1].End)
		}
		last := s.Start
		for j := range s.Words {
			w := &s.Words[j]
			w.Start = max(w.Start, last)
			w.End = max(w.End, w.Start)
			last = w.End
		}
		if n := len(s.Words); n > 0 {
			s.End = max(s.End, s.Words[n-1].End)
		}
		prevEnd = s.End
	}
}

// joinWords joins the texts of words with spaces.
func joinWords(ws []Word) string {
	texts := make([]string, len(ws))
	for i, w := range ws {
		texts[i] = w.Text
	}
	return strings.Join(texts, " ")
}

// whisperLanguages maps the language names whisper answers with to their
// BCP 47 tags, for the most spoken languages.
var whisperLanguages = map[string]string{
	"english": "en", "chinese": "zh", "german": "de", "spanish": "es", "russian": "ru",
	"korean": "ko", "french": "fr", "japanese": "ja", "portuguese": "pt", "turkish": "tr",
	"polish": "pl", "catalan": "ca", "dutch": "nl", "arabic": "ar", "swedish": "sv",
	"italian": "it", "indonesian": "id", "hindi": "hi", "finnish": "fi", "vietnamese": "vi",
	"hebrew": "he", "ukrainian": "uk", "greek": "el", "malay": "ms", "czech": "cs",
	"romanian": "ro", "danish": "da", "hungarian": "hu", "tamil": "ta", "norwegian": "no",
	"thai": "th", "urdu": "ur", "croatian": "hr", "bulgarian": "bg", "lithuanian": "lt",
	"persian": "fa", "bengali": "bn", "serbian": "sr", "slovak": "sk", "slovenian": "sl",
}

// languageTag turns the language of an answer into a BCP 47 tag: a tag is
// kept, a whisper language name is looked up, anything else is dropped.
func languageTag(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if tag, ok := whisperLanguages[s]; ok {
		return tag
	}
	for i, sub := range strings.Split(s, "-") {
		n := len(sub)
		if i == 0 && (n < 2 || n > 3) || i > 0 && (n < 1 || n > 8) {
			return ""
		}
		for _, r := range sub {
			if !(r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
				return ""
			}
		}
	}
	return s
}
