package storage

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/s3test"
)

// TestSigningKey checks the key derivation against the example of AWS's
// documentation ("Examples of how to derive a signing key for Signature
// Version 4").
func TestSigningKey(t *testing.T) {
	k := signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
	require.Equal(t, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", hex.EncodeToString(k))
}

// TestSignS3Examples checks whole signatures against the examples of the
// S3 API reference ("Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk").
func TestSignS3Examples(t *testing.T) {
	c := credentials{access: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1"}
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, url, rng, want string
	}{
		{"GET object", "https://examplebucket.s3.amazonaws.com/test.txt", "bytes=0-9", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
		{"GET bucket lifecycle", "https://examplebucket.s3.amazonaws.com/?lifecycle=", "", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
		{"list objects", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", "", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
	} {
		req, err := http.NewRequest(http.MethodGet, tc.url, nil)
		require.NoError(t, err)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		c.sign(req, emptySHA256, at)
		auth := req.Header.Get("Authorization")
		require.True(t, strings.HasSuffix(auth, "Signature="+tc.want), "%s: %s", tc.name, auth)
		require.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "), auth)
	}
}

func TestParseS3URL(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "envkey")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	s, err := ParseS3URL("s3://ak:s%2Fk@my-bucket/some/prefix/?endpoint=http://127.0.0.1:9000&region=eu-west-3")
	require.NoError(t, err)
	require.Equal(t, S3{Endpoint: "http://127.0.0.1:9000", Bucket: "my-bucket", Prefix: "some/prefix", Region: "eu-west-3", AccessKey: "ak", SecretKey: "s/k"}, *s)
	s, err = ParseS3URL("s3://bucket")
	require.NoError(t, err)
	require.Equal(t, S3{Endpoint: "https://s3.us-east-1.amazonaws.com", Bucket: "bucket", Region: "us-east-1", AccessKey: "envkey", SecretKey: "envsecret"}, *s)

	for _, u := range []string{
		"", "s3:", "s3://", "http://bucket", "s3:bucket", "s3://UPPER", "s3://ab", "s3://-bucket", "s3://bu_cket",
		"s3://bucket/../x", "s3://bucket/a//b", "s3://bucket?endpoint=ftp://x", "s3://bucket?endpoint=/local",
		"s3://bucket?endpoint=http://u:p@host", "s3://bucket?other=1", "s3://user:secretpw@bucket?endpoint=%zz",
		"s3://secretpw@bucket",
	} {
		_, err := ParseS3URL(u)
		require.Error(t, err, "%q", u)
		require.NotContains(t, err.Error(), "secretpw", "an error must not repeat the secret")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	_, err = ParseS3URL("s3://bucket")
	require.ErrorContains(t, err, "no S3 credentials")
}

// TestS3Server covers what only the S3 implementation does: multipart
// uploads, listings of several pages, the copies Local makes of a
// playlist and its segments, and wrong credentials.
func TestS3Server(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t)
	s, err := ParseS3URL(srv.URL(""))
	require.NoError(t, err)
	s.TempDir, s.PartSize, s.listPage = t.TempDir(), 5<<20, 3
	dir := t.TempDir()

	t.Run("multipart", func(t *testing.T) {
		data := make([]byte, 11<<20+123)
		for i := range data {
			data[i] = byte(i * 31 % 253)
		}
		f := filepath.Join(dir, "big")
		require.NoError(t, os.WriteFile(f, data, 0o644))
		require.NoError(t, s.Import(ctx, "sources/big", f))
		o, err := s.Open(ctx, "sources/big")
		require.NoError(t, err)
		require.EqualValues(t, len(data), o.Size())
		o.Close()
		p, release, err := s.Local(ctx, "sources/big")
		require.NoError(t, err)
		got, err := os.ReadFile(p)
		require.NoError(t, err)
		require.True(t, slices.Equal(data, got))
		release()
		_, err = os.Stat(p)
		require.ErrorIs(t, err, os.ErrNotExist, "release removes the copy")
		require.NoError(t, s.Delete(ctx, "sources/big"))
		require.Empty(t, srv.Files())
	})

	t.Run("pages", func(t *testing.T) {
		tree := filepath.Join(dir, "tree")
		require.NoError(t, os.MkdirAll(filepath.Join(tree, "sub"), 0o755))
		var want []string
		for i := range 10 {
			name := filepath.Join("sub", strings.Repeat("f", i+1))
			require.NoError(t, os.WriteFile(filepath.Join(tree, name), []byte{byte(i)}, 0o644))
			want = append(want, "assets/t/"+filepath.ToSlash(name))
		}
		require.NoError(t, s.Import(ctx, "assets/t", tree))
		keys, err := s.list(ctx, "assets/t/")
		require.NoError(t, err)
		require.ElementsMatch(t, want, keys)
		require.NoError(t, s.Delete(ctx, "assets/t"))
		require.Empty(t, srv.Files(), "every page was deleted")
	})

	t.Run("playlist", func(t *testing.T) {
		tree := filepath.Join(dir, "hls")
		require.NoError(t, os.MkdirAll(filepath.Join(tree, "360p"), 0o755))
		pl := "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6,\nseg_1.m4s\n#EXTINF:6,\nseg_2.m4s\n#EXTINF:1,\n../../escape.m4s\n"
		for name, body := range map[string]string{"index.m3u8": pl, "init.mp4": "init", "seg_1.m4s": "one", "seg_2.m4s": "two", "other.m4s": "x"} {
			require.NoError(t, os.WriteFile(filepath.Join(tree, "360p", name), []byte(body), 0o644))
		}
		require.NoError(t, s.Import(ctx, "assets/p", tree))
		p, release, err := s.Local(ctx, "assets/p/360p/index.m3u8")
		require.NoError(t, err)
		defer release()
		entries, err := os.ReadDir(filepath.Dir(p))
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		require.ElementsMatch(t, []string{"index.m3u8", "init.mp4", "seg_1.m4s", "seg_2.m4s"}, names)
		b, err := os.ReadFile(filepath.Join(filepath.Dir(p), "seg_2.m4s"))
		require.NoError(t, err)
		require.Equal(t, "two", string(b))
	})

	t.Run("wrong secret", func(t *testing.T) {
		bad := *s
		bad.SecretKey += "x"
		require.Error(t, bad.Check(ctx))
		_, err := bad.Open(ctx, "assets/p/360p/index.m3u8")
		require.Error(t, err)
		require.NotErrorIs(t, err, ErrNotFound)
		nobucket := *s
		nobucket.Bucket = "no-such-bucket"
		require.Error(t, nobucket.Check(ctx))
	})
}

// TestS3Retry: requests that get a 503 or lose their connection are sent
// again, so a flaky server slows the storage down but does not fail it.
func TestS3Retry(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t)
	target, err := url.Parse(srv.Endpoint)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var n, failed atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 1:
			failed.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			failed.Add(1)
			// Read the body, then drop the connection without an answer.
			io.Copy(io.Discard, r.Body)
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	defer flaky.Close()
	old := retryPause
	retryPause = time.Millisecond
	defer func() { retryPause = old }()

	s, err := ParseS3URL(srv.URL(""))
	require.NoError(t, err)
	s.Endpoint, s.TempDir, s.PartSize = flaky.URL, t.TempDir(), 5<<20
	dir := t.TempDir()
	data := make([]byte, 6<<20)
	for i := range data {
		data[i] = byte(i % 249)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big"), data, 0o644))
	require.NoError(t, s.Import(ctx, "sources/x", filepath.Join(dir, "big")))
	p, release, err := s.Local(ctx, "sources/x")
	require.NoError(t, err)
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.True(t, slices.Equal(data, got))
	release()
	require.NoError(t, s.Delete(ctx, "sources/x"))
	require.Empty(t, srv.Files())
	require.Greater(t, failed.Load(), int64(5))
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "", "/data/media", "/data/work")
	require.NoError(t, err)
	require.Equal(t, &Dir{Root: "/data/media"}, s)
	s, err = Open(ctx, "file:///srv/media", "/data/media", "/data/work")
	require.NoError(t, err)
	require.Equal(t, &Dir{Root: "/srv/media"}, s)
	for _, u := range []string{"gs://bucket", "/srv/media", "s3://", "s3://k:secretpw@bucket?endpoint=http://127.0.0.1:1"} {
		_, err := Open(ctx, u, "/data/media", "/data/work")
		require.Error(t, err, u)
		require.NotContains(t, err.Error(), "secretpw")
	}
	srv := s3test.Start(t)
	s, err = Open(ctx, srv.URL(""), "/data/media", "/data/work")
	require.NoError(t, err)
	require.Equal(t, "/data/work", s.(*S3).TempDir)
}

// TestDirOtherFileSystem: a Dir imports from another file system (where a
// rename fails with EXDEV) by copying.
func TestDirOtherFileSystem(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "v100-storage-")
	if err != nil {
		t.Skip("no /dev/shm: cannot test a second file system")
	}
	defer os.RemoveAll(shm)
	ctx := context.Background()
	d := &Dir{Root: filepath.Join(t.TempDir(), "media")}
	src := filepath.Join(shm, "tree")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "a", "b"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "a", "b", "c.m4s"), []byte("deep"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "top.m3u8"), []byte("top"), 0o644))
	require.NoError(t, d.Import(ctx, "assets/x", src))
	requireContent(t, d, "assets/x/a/b/c.m4s", "deep")
	requireContent(t, d, "assets/x/top.m3u8", "top")
	_, err = os.Stat(src)
	require.ErrorIs(t, err, os.ErrNotExist)
	f := filepath.Join(shm, "one")
	require.NoError(t, os.WriteFile(f, []byte("file"), 0o644))
	require.NoError(t, d.Import(ctx, "sources/x", f))
	requireContent(t, d, "sources/x", "file")
}
