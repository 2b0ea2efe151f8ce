package caption_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

// verboseJSON is an answer in the shape of OpenAI's verbose_json with word
// and segment timestamps.
const verboseJSON = `{
  "task": "transcribe",
  "language": "english",
  "duration": 3.2,
  "text": "Hello world. Captions are here.",
  "segments": [
    {"id": 0, "seek": 0, "start": 0.0, "end": 1.4, "text": " Hello world.", "tokens": [50364, 2425], "temperature": 0.0,
     "avg_logprob": -0.21, "compression_ratio": 0.9, "no_speech_prob": 0.01},
    {"id": 1, "seek": 0, "start": 1.4, "end": 3.2, "text": " Captions are here.", "tokens": [50434], "temperature": 0.0,
     "avg_logprob": -0.3, "compression_ratio": 0.9, "no_speech_prob": 0.02}
  ],
  "words": [
    {"word": "Hello", "start": 0.1, "end": 0.5},
    {"word": "world.", "start": 0.6, "end": 1.2},
    {"word": "Captions", "start": 1.5, "end": 2.1},
    {"word": "are", "start": 2.2, "end": 2.4},
    {"word": "here.", "start": 2.5, "end": 3.0}
  ]
}`

// transcriptionServer is an OpenAI-compatible endpoint: it checks the
// request as OpenAI documents it and answers with respond.
func transcriptionServer(t *testing.T, wav []byte, respond http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/moved" {
			http.Redirect(w, r, "/v1/audio/transcriptions", http.StatusTemporaryRedirect)
			return
		}
		if err := checkTranscriptionRequest(r, wav); err != "" {
			http.Error(w, `{"error":{"message":"test server: `+err+`","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkTranscriptionRequest returns what is wrong with a request, or "".
func checkTranscriptionRequest(r *http.Request, wav []byte) string {
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions":
		return "wrong endpoint " + r.Method + " " + r.URL.Path
	case r.Header.Get("Authorization") != "Bearer sk-test":
		return "no bearer token"
	case r.ContentLength <= 0:
		return "no Content-Length"
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return "form: " + err.Error()
	}
	want := map[string][]string{
		"model":                     {"whisper-test"},
		"response_format":           {"verbose_json"},
		"timestamp_granularities[]": {"word", "segment"},
		"language":                  {"en"},
		"prompt":                    {"Captions, HLS."},
	}
	for k, v := range want {
		if got := r.MultipartForm.Value[k]; strings.Join(got, ",") != strings.Join(v, ",") {
			return k + " is " + strings.Join(got, ",")
		}
	}
	files := r.MultipartForm.File["file"]
	if len(files) != 1 || !strings.HasSuffix(files[0].Filename, ".wav") {
		return "no file.wav"
	}
	f, err := files[0].Open()
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, wav) {
		return "the file is not the WAV"
	}
	return ""
}

func TestOpenAI(t *testing.T) {
	t.Parallel()
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "speech.wav"), make([]int16, 16000))
	content, err := os.ReadFile(wav)
	require.NoError(t, err)
	srv := transcriptionServer(t, content, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, verboseJSON)
	})
	rec := &caption.OpenAI{BaseURL: srv.URL + "/v1/", Model: "whisper-test", APIKey: "sk-test", Language: "en", Prompt: "Captions, HLS."}
	tr, err := rec.Recognize(context.Background(), wav)
	require.NoError(t, err)
	s := time.Second
	d := func(x float64) time.Duration { return time.Duration(x * float64(s)) }
	require.Equal(t, &caption.Transcript{Language: "en", Segments: []caption.Segment{
		{Text: "Hello world.", Start: 0, End: d(1.4), Words: []caption.Word{
			{Text: "Hello", Start: d(0.1), End: d(0.5)}, {Text: "world.", Start: d(0.6), End: d(1.2)}}},
		{Text: "Captions are here.", Start: d(1.4), End: d(3.2), Words: []caption.Word{
			{Text: "Captions", Start: d(1.5), End: d(2.1)}, {Text: "are", Start: d(2.2), End: d(2.4)}, {Text: "here.", Start: d(2.5), End: d(3.0)}}},
	}}, tr)
	checkTranscript(t, tr)
}

// TestOpenAIHostileServer holds server behaviours Recognize must survive
// with a clear error, or a transcript where one can be had.
func TestOpenAIHostileServer(t *testing.T) {
	t.Parallel()
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "speech.wav"), make([]int16, 1600))
	content, err := os.ReadFile(wav)
	require.NoError(t, err)
	answer := func(status int, contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	const jsonType = "application/json"
	cases := []struct {
		name     string
		respond  http.HandlerFunc
		redirect bool              // the first request is redirected
		cancel   bool              // the caller gives up after the request is sent
		want     error             // errors.Is, if set
		api      *caption.APIError // errors.As, if set
		message  string            // in the message, if set
		words    int               // for a success, how many words
		segments int               // and segments
	}{
		{name: "a bad key", respond: answer(401, jsonType,
			`{"error":{"message":"Incorrect API key provided: sk-te**st.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`),
			api: &caption.APIError{StatusCode: 401, Message: "Incorrect API key provided: sk-te**st.", Type: "invalid_request_error", Code: "invalid_api_key"}},
		{name: "whisper.cpp's error", respond: answer(500, jsonType, `{"error":"failed to read WAV file"}`),
			api: &caption.APIError{StatusCode: 500, Message: "failed to read WAV file"}, message: "500 Internal Server Error: failed to read WAV file"},
		{name: "FastAPI's detail", respond: answer(422, jsonType, `{"detail":[{"loc":["body","file"],"msg":"field required"}]}`),
			message: "field required"},
		{name: "a plain text error", respond: answer(429, "text/plain", "slow down\n"),
			api: &caption.APIError{StatusCode: 429, Message: "slow down"}},
		{name: "an HTML error page is not quoted", respond: answer(502, "text/html", "<html><body>Bad Gateway <script>x</script></body></html>"),
			api: &caption.APIError{StatusCode: 502}},
		{name: "a huge error body", respond: answer(500, "text/plain", strings.Repeat("x", 10<<20)),
			message: "xxx…"},
		{name: "malformed JSON", respond: answer(200, jsonType, `{"segments":[{"start":0,"end":1,"text":"hi"`), want: caption.ErrBadResponse},
		{name: "a JSON array", respond: answer(200, jsonType, `[1,2,3]`), want: caption.ErrBadResponse},
		{name: "an empty body", respond: answer(200, jsonType, ``), want: caption.ErrBadResponse},
		{name: "HTML with status 200", respond: answer(200, "text/html", `<html>captive portal</html>`), want: caption.ErrBadResponse},
		{name: "a time of the wrong type", respond: answer(200, jsonType, `{"segments":[{"start":"0","end":1,"text":"hi"}]}`), want: caption.ErrBadResponse},
		{name: "a negative time", respond: answer(200, jsonType, `{"segments":[{"start":-1,"end":1,"text":"hi"}]}`), want: caption.ErrBadResponse},
		{name: "a time of a thousand years", respond: answer(200, jsonType, `{"words":[{"word":"hi","start":0,"end":3.2e10}]}`), want: caption.ErrBadResponse},
		{name: "an answer over the limit", respond: answer(200, jsonType, `{"text":"`+strings.Repeat("a", 2<<20)+`"}`),
			want: caption.ErrBadResponse, message: "larger than"},
		{name: "no headers in time", respond: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			want: context.DeadlineExceeded, message: "no answer within"},
		{name: "a body that never ends", respond: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", jsonType)
			io.WriteString(w, `{"segments":[`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, want: context.DeadlineExceeded, message: "no answer within"},
		{name: "the connection drops mid-answer", respond: func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"segments\":[")
			buf.Flush()
			conn.Close()
		}, message: "unexpected EOF"},
		{name: "the caller cancels", respond: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			cancel: true, want: context.Canceled},
		{name: "a redirect re-sends the file", redirect: true, respond: answer(200, jsonType, verboseJSON), words: 5, segments: 2},
		{name: "only text", respond: answer(200, jsonType, `{"text":" Hello there. ","duration":2.5}`), words: 0, segments: 1},
		{name: "words inside segments, out of order", respond: answer(200, jsonType,
			`{"segments":[{"start":1,"end":2,"text":"b","words":[{"word":" b","start":1.1,"end":1.5,"probability":0.9}]},`+
				`{"start":0,"end":1.2,"text":"a","words":[{"word":"a","start":0.2,"end":0.4}]}]}`), words: 2, segments: 2},
		{name: "words without segments", respond: answer(200, jsonType, `{"words":[{"word":"hi","start":0.5,"end":0.9},{"word":" ","start":1,"end":1.1}]}`), words: 1, segments: 1},
		{name: "silence", respond: answer(200, jsonType, `{"text":"","segments":[],"words":[]}`), words: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := transcriptionServer(t, content, tc.respond)
			rec := &caption.OpenAI{BaseURL: srv.URL + "/v1", Model: "whisper-test", APIKey: "sk-test", Language: "en", Prompt: "Captions, HLS.",
				Timeout: 300 * time.Millisecond, MaxResponse: 1 << 20}
			if tc.redirect {
				rec.Client = &http.Client{Transport: rewritePath{"/v1/audio/transcriptions", "/v1/moved"}}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				rec.Timeout = -1
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			tr, err := rec.Recognize(ctx, wav)
			if tc.want == nil && tc.api == nil && tc.message == "" {
				require.NoError(t, err)
				checkTranscript(t, tr)
				require.Len(t, tr.Words(), tc.words)
				require.Len(t, tr.Segments, tc.segments)
				return
			}
			require.Error(t, err)
			require.Nil(t, tr)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			if tc.api != nil {
				var got *caption.APIError
				require.ErrorAs(t, err, &got)
				require.Equal(t, tc.api, got)
			}
			require.Contains(t, err.Error(), tc.message)
			require.Less(t, len(err.Error()), 1000, "the message is short")
		})
	}
}

// rewritePath sends requests for one path to another, once.
type rewritePath struct{ from, to string }

func (rw rewritePath) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == rw.from && r.Response == nil {
		r = r.Clone(r.Context())
		r.URL.Path = rw.to
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestOpenAIMissingFile(t *testing.T) {
	t.Parallel()
	_, err := (&caption.OpenAI{BaseURL: "http://127.0.0.1:1/v1"}).Recognize(context.Background(), filepath.Join(t.TempDir(), "missing.wav"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
