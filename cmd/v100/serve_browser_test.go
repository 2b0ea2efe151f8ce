package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/v100video/v100/internal/mediatest"
	"github.com/v100video/v100/internal/platform/web"
)

// browserDir holds the browser test's script and its npm packages
// (playwright-core, and hls.js served in place of its CDN), which
// scripts/setup installs.
const browserDir = "../../internal/platform/web/browsertest"

// browserRun is what browser.js reports.
type browserRun struct {
	Error          string   `json:"error"`
	Steps          []string `json:"steps"`
	ConsoleErrors  []string `json:"consoleErrors"`
	HLSJSServed    int      `json:"hlsjsServed"`
	NoKeyStatus    string   `json:"noKeyStatus"`
	ResumeOffered  string   `json:"resumeOffered"`
	UploadedStatus string   `json:"uploadedStatus"`
	PatchOffsets   []int64  `json:"patchOffsetsAfterReload"`
	ClipSize       int64    `json:"clipSize"`
	ID             string   `json:"id"`
	ListStatuses   []struct{ Status, Progress string }
	Native         *playerRun `json:"native"`
	HLSJS          *playerRun `json:"hlsjs"`
}

type playerRun struct {
	Engine     string `json:"engine"`
	CanPlayHLS string `json:"canPlayHLS"`
	Poster     struct {
		URL    string `json:"url"`
		Loaded bool   `json:"loaded"`
	} `json:"poster"`
	CurrentTime []float64 `json:"currentTime"`
	Tracks      []struct {
		Kind, Label, Language, Mode string
		Cues                        int
	} `json:"tracks"`
	ActiveCue    string   `json:"activeCue"`
	CaptionMenu  []string `json:"captionMenu"`
	MenuSwitches bool     `json:"menuSwitches"`
	Screenshot   string   `json:"screenshot"`
	Preview      *struct {
		Visible  bool    `json:"visible"`
		Image    string  `json:"image"`
		Position string  `json:"position"`
		Time     float64 `json:"time"`
	} `json:"preview"`
}

// TestServeBrowser drives the web page in Debian's chromium through
// playwright-core (internal/platform/web/browsertest/browser.js) against a
// server with an API key: enter the key, upload a spoken clip (signed
// playback) through the form, interrupted and resumed after a reload,
// follow it to ready in the list, then play it natively and through hls.js
// with captions and storyboard previews. Screenshots go to
// $V100_TEST_OUTPUT, else to a new directory under the system's temporary
// one; the test logs where.
func TestServeBrowser(t *testing.T) {
	chromium := os.Getenv("V100_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium is needed (scripts/setup installs it): %v", err)
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed (scripts/setup installs it)")
	dir, err := filepath.Abs(browserDir)
	require.NoError(t, err)
	hlsjs := filepath.Join(dir, "node_modules/hls.js/dist/hls.min.js")
	for _, p := range []string{filepath.Join(dir, "node_modules/playwright-core/package.json"), hlsjs} {
		_, err := os.Stat(p)
		require.NoError(t, err, "the browser test's npm packages are missing: run scripts/setup")
	}

	out := os.Getenv("V100_TEST_OUTPUT")
	if out == "" {
		out, err = os.MkdirTemp("", "v100-browser-")
		require.NoError(t, err)
	} else {
		out, err = filepath.Abs(filepath.Join(out, "browser"))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(out, 0o755))
	}
	t.Logf("browser screenshots in %s", out)

	clip, _ := mediatest.SpokenClip(t, serveSentences, mediatest.Spec{Width: 640, Height: 360, Seconds: 10})
	data := t.TempDir()
	key, keyLog, err := runArgs(t, "keys", "-data", data, "create")
	require.NoError(t, err, keyLog)
	srv := startServe(t, data)

	args, err := json.Marshal(map[string]any{
		"url": srv.url, "clip": clip, "chromium": chromium, "out": out,
		"hlsjs": hlsjs, "hlsURL": web.HLSURL, "policy": "signed", "key": strings.TrimSpace(key),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "browser.js"), string(args))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var r browserRun
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &r), "browser.js output:\n%s\n%s", stdout.String(), stderr.String())
	require.Empty(t, r.Error, "browser.js failed after steps %v (console errors %v):\n%s", r.Steps, r.ConsoleErrors, stderr.String())
	require.NoError(t, runErr, "%s", stderr.String())
	require.Empty(t, r.ConsoleErrors, "console errors")

	// The page asked for the key the server wants.
	require.Contains(t, r.NoKeyStatus, "API key")

	// The upload resumed after the reload from where the server was.
	require.Contains(t, r.ResumeOffered, "uploaded before")
	require.Contains(t, r.UploadedStatus, "(resumed)")
	require.NotEmpty(t, r.PatchOffsets)
	require.Greater(t, r.PatchOffsets[0], int64(0), "the first PATCH after the reload resumes")
	require.Less(t, r.PatchOffsets[0], r.ClipSize)

	// The list followed the processing live, to ready, without a reload.
	require.NotEmpty(t, r.ListStatuses)
	require.Equal(t, "ready", r.ListStatuses[len(r.ListStatuses)-1].Status, "%v", r.ListStatuses)
	require.Equal(t, "100%", r.ListStatuses[len(r.ListStatuses)-1].Progress)
	require.Greater(t, len(r.ListStatuses), 1, "statuses seen: %v", r.ListStatuses)

	for _, c := range []struct {
		engine string
		p      *playerRun
	}{{"native", r.Native}, {"hls.js", r.HLSJS}} {
		t.Run(c.engine, func(t *testing.T) {
			p := c.p
			require.NotNil(t, p)
			require.Equal(t, c.engine, p.Engine)
			require.True(t, p.Poster.Loaded, "poster %q", p.Poster.URL)
			require.Contains(t, p.Poster.URL, "token=", "signed playback")
			require.Len(t, p.CurrentTime, 2)
			require.Greater(t, p.CurrentTime[1], p.CurrentTime[0], "currentTime advances")
			cues := 0
			for _, tr := range p.Tracks {
				if tr.Mode == "showing" && tr.Language == "en" {
					cues = tr.Cues
				}
			}
			require.Positive(t, cues, "an English caption track with cues is showing: %+v", p.Tracks)
			require.NotEmpty(t, p.ActiveCue, "a caption is on screen")
			require.Equal(t, []string{"Captions off", "English"}, p.CaptionMenu)
			require.True(t, p.MenuSwitches, "the caption menu turns the track off and on")
			st, err := os.Stat(p.Screenshot)
			require.NoError(t, err)
			require.Positive(t, st.Size())
		})
	}
	require.Equal(t, "maybe", r.Native.CanPlayHLS, "this chromium plays HLS natively")
	require.Positive(t, r.HLSJSServed, "hls.js was loaded from its CDN URL")
	require.NotNil(t, r.Native.Preview)
	require.True(t, r.Native.Preview.Visible, "storyboard preview on the seek bar")
	require.Contains(t, r.Native.Preview.Image, "/storyboard/")
	require.Contains(t, r.Native.Preview.Image, "token=")
	require.Greater(t, r.Native.Preview.Time, 0.0)
}
