package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// makeClip writes an H.264/AAC MP4 of ffmpeg's testsrc2 pattern and a
// 440 Hz tone, w×h at 30 fps, secs seconds long.
func makeClip(ctx context.Context, path string, w, h, secs int) error {
	size := fmt.Sprintf("size=%dx%d:rate=30", w, h)
	return run(ctx, "ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2="+size+":duration="+strconv.Itoa(secs),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+strconv.Itoa(secs),
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "60",
		"-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", path)
}

// video is the part of GET /v1/videos/{id} the bench reads.
type video struct {
	ID         string  `json:"id"`
	PlaybackID string  `json:"playback_id"`
	Status     string  `json:"status"`
	Progress   float64 `json:"progress"`
	Error      string  `json:"error"`
	Playback   *struct {
		HLS string `json:"hls"`
	} `json:"playback"`
}

// upload posts the file at path to POST /v1/videos as multipart form data,
// streamed, and returns the created video. The bench is a loopback client,
// which the API admits while no API key exists.
func upload(ctx context.Context, baseURL, path string) (video, error) {
	f, err := os.Open(path)
	if err != nil {
		return video{}, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			_, err = io.Copy(fw, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/videos", pr)
	if err != nil {
		return video{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var v video
	if err := doJSON(req, http.StatusCreated, &v); err != nil {
		return video{}, fmt.Errorf("upload: %w", err)
	}
	return v, nil
}

// waitReady polls the video every 200 ms until it is ready, and fails if
// it fails or limit passes.
func waitReady(parent context.Context, baseURL, id string, limit time.Duration) (video, error) {
	ctx, cancel := context.WithTimeout(parent, limit)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/videos/"+id, nil)
		if err != nil {
			return video{}, err
		}
		var v video
		if err := doJSON(req, http.StatusOK, &v); err != nil {
			if perr := parent.Err(); perr != nil {
				return video{}, perr
			}
			return video{}, err
		}
		switch v.Status {
		case "ready":
			return v, nil
		case "failed":
			return v, fmt.Errorf("video %s failed: %s", id, v.Error)
		}
		select {
		case <-ctx.Done():
			if err := parent.Err(); err != nil {
				return v, err
			}
			return v, fmt.Errorf("video %s not ready within %s (status %s, %.0f%%)", id, limit, v.Status, v.Progress)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// get fetches url and fails unless it answers 200.
func get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return doJSON(req, http.StatusOK, nil)
}

// doJSON sends req, checks the status and decodes the body into v (if not
// nil).
func doJSON(req *http.Request, want int, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, b)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}
