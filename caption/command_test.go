package caption_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/caption"
)

func TestCommand(t *testing.T) {
	t.Parallel()
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "in put.wav"), make([]int16, 1600))
	dir := t.TempDir()
	// echoArgs prints its arguments, working directory and $WHO as the
	// text of a transcript.
	echoArgs := writeScript(t, "echo-args", `printf '{"segments":[{"start":0,"end":1,"text":"%s|%s|%s"}]}' "$*" "$(pwd)" "$WHO"`+"\n")
	cases := []struct {
		name string
		cmd  caption.Command
		want string
	}{
		{"{wav} replaced", caption.Command{Args: []string{"-m", "tiny", "--in={wav}"}}, "-m tiny --in=" + wav + "|"},
		{"the WAV appended without {wav}", caption.Command{Args: []string{"-m", "tiny"}}, "-m tiny " + wav + "|"},
		{"no arguments", caption.Command{}, wav + "|"},
		{"directory and environment", caption.Command{Dir: dir, Env: []string{"WHO=me"}}, wav + "|" + dir + "|me"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cmd.Path = echoArgs
			tr, err := tc.cmd.Recognize(context.Background(), wav)
			require.NoError(t, err)
			require.Len(t, tr.Segments, 1)
			require.True(t, strings.HasPrefix(tr.Segments[0].Text, tc.want), "got %q, want %q…", tr.Segments[0].Text, tc.want)
		})
	}
}

// TestCommandFails holds commands that misbehave, each with the error
// Recognize must give.
func TestCommandFails(t *testing.T) {
	t.Parallel()
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "in.wav"), make([]int16, 1600))
	cases := []struct {
		name    string
		script  string // the body of a shell script
		cmd     caption.Command
		cancel  bool
		want    error  // errors.Is, if set
		exit    int    // the exit code of a *caption.ProcessError, if not zero
		stderr  string // the start of its Stderr, if set
		message string // in the message
	}{
		{name: "exit status and stderr", script: "echo loading model >&2\necho 'model tiny.bin not found' >&2\nexit 3\n",
			exit: 3, message: "exit status 3: model tiny.bin not found"},
		{name: "a long stderr keeps its tail", script: "i=0; while [ $i -lt 2000 ]; do echo noise $i >&2; i=$((i+1)); done\necho 'the real reason' >&2\nexit 1\n",
			exit: 1, stderr: "noise ", message: "the real reason"},
		{name: "not JSON", script: "echo 'Transcribing...'\necho 'hello world'\n", want: caption.ErrBadResponse},
		{name: "nothing printed", script: "exit 0\n", want: caption.ErrBadResponse},
		{name: "too much output", script: `printf '{"text":"'; head -c 100000 /dev/zero | tr '\0' a; echo '"}'` + "\n",
			cmd: caption.Command{MaxOutput: 50000}, want: caption.ErrBadResponse, message: "printed more than 50000 bytes"},
		{name: "endless output is stopped", script: "exec yes\n", cmd: caption.Command{MaxOutput: 1 << 20}, want: caption.ErrBadResponse},
		{name: "cancelled", script: "exec sleep 600\n", cancel: true, want: context.Canceled},
		{name: "no such program", cmd: caption.Command{Path: filepath.Join(t.TempDir(), "whisper")}, want: fs.ErrNotExist},
		{name: "no path", message: "caption: command: no Path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.script != "" {
				tc.cmd.Path = writeScript(t, "stt", tc.script)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			tr, err := recognizeOrHang(t, ctx, &tc.cmd, wav)
			require.Error(t, err)
			require.Nil(t, tr)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			if tc.exit != 0 {
				var pe *caption.ProcessError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, tc.exit, pe.ExitCode)
				require.True(t, strings.HasPrefix(pe.Stderr, tc.stderr), "stderr starts at a whole line: %.40q", pe.Stderr)
				require.LessOrEqual(t, len(pe.Stderr), caption.DefaultStderrTail)
			}
			require.Contains(t, err.Error(), tc.message)
			require.Less(t, len(err.Error()), 2000, "the message is short")
		})
	}
}

// TestCommandLeftoverChild: a script that leaves a child holding its
// output open still gives its transcript.
func TestCommandLeftoverChild(t *testing.T) {
	t.Parallel()
	wav := writeTestWAV(t, filepath.Join(t.TempDir(), "in.wav"), make([]int16, 1600))
	script := writeScript(t, "stt", `(sleep 3; echo late) &`+"\n"+`echo '{"text":"early","duration":1}'`+"\n")
	tr, err := (&caption.Command{Path: script, WaitDelay: 100 * time.Millisecond}).Recognize(context.Background(), wav)
	require.NoError(t, err)
	require.Equal(t, "early", tr.Segments[0].Text)
}
