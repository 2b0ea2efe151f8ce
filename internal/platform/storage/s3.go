package storage

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// S3 is a Storage in a bucket of an S3-compatible server, reached with
// path-style requests signed with AWS Signature Version 4. Objects are
// read with ranged GETs, written with PUT (multipart for files larger than
// PartSize) and listed with ListObjectsV2.
type S3 struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:9000.
	Endpoint string
	// Bucket holds the objects; Prefix, if not empty, is put before every
	// key (with a "/" between).
	Bucket, Prefix string
	// Region is the region requests are signed for; if empty, us-east-1.
	Region string
	// AccessKey, SecretKey and SessionToken (optional) are the
	// credentials.
	AccessKey, SecretKey, SessionToken string
	// TempDir holds the local copies that Local makes; if empty, the
	// system's temporary directory.
	TempDir string
	// PartSize is the size of a multipart upload's parts, and the size
	// above which a file is uploaded in parts; if zero, 64 MiB. It grows
	// for files of more than 10,000 parts.
	PartSize int64
	// Client sends the requests; if nil, http.DefaultClient.
	Client *http.Client

	listPage int // if positive, the max-keys of a list request (for tests)
}

var _ Storage = (*S3)(nil)

// ParseS3URL returns the S3 storage that u names:
//
//	s3://[access:secret@]bucket[/prefix][?endpoint=URL&region=R]
//
// The endpoint is the server's base URL (default: AWS's for the region);
// the credentials, when not in the URL, come from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Errors never repeat the
// URL, which may hold a secret.
func ParseS3URL(u string) (*S3, error) {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "s3" || p.Host == "" || p.Opaque != "" {
		return nil, errors.New("storage: want s3://[access:secret@]bucket[/prefix]?endpoint=URL&region=R")
	}
	s := &S3{Bucket: p.Host, Prefix: strings.Trim(p.Path, "/")}
	if !validBucket(s.Bucket) {
		return nil, errors.New("storage: invalid S3 bucket name")
	}
	if s.Prefix != "" && !ValidKey(s.Prefix) {
		return nil, errors.New("storage: invalid S3 key prefix")
	}
	q, err := url.ParseQuery(p.RawQuery)
	if err != nil {
		return nil, errors.New("storage: invalid S3 URL parameters")
	}
	for k := range q {
		if k != "endpoint" && k != "region" {
			return nil, fmt.Errorf("storage: unknown S3 URL parameter %q", k)
		}
	}
	s.Region = q.Get("region")
	if s.Region == "" {
		s.Region = "us-east-1"
	}
	s.Endpoint = q.Get("endpoint")
	if s.Endpoint == "" {
		s.Endpoint = "https://s3." + s.Region + ".amazonaws.com"
	}
	e, err := url.Parse(s.Endpoint)
	if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil || e.RawQuery != "" {
		return nil, errors.New("storage: the S3 endpoint must be an http:// or https:// URL with a host")
	}
	if p.User != nil {
		s.AccessKey = p.User.Username()
		s.SecretKey, _ = p.User.Password()
	} else {
		s.AccessKey, s.SecretKey = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		s.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	}
	if s.AccessKey == "" || s.SecretKey == "" {
		return nil, errors.New("storage: no S3 credentials: put access:secret@ in the URL or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	return s, nil
}

// validBucket reports whether b is a DNS-style S3 bucket name.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return b[0] != '-' && b[0] != '.' && b[len(b)-1] != '-' && b[len(b)-1] != '.'
}

// Check verifies that the bucket exists and the credentials reach it.
func (s *S3) Check(ctx context.Context) error {
	resp, err := s.do(ctx, http.MethodHead, "", nil, nil, nil, emptySHA256, -1)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("storage: S3 bucket %s: %s", s.Bucket, resp.Status)
	}
	return nil
}

func (s *S3) objectKey(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	if s.Prefix != "" {
		return s.Prefix + "/" + key, nil
	}
	return key, nil
}

// do sends a signed request for the object at key (the bucket if key is
// empty), with the body that body returns (if not nil) of size bytes (-1
// for none). It tries again, after a pause, when the server cannot be
// reached or answers 500, 502, 503 or 504, up to retries times.
func (s *S3) do(ctx context.Context, method, key string, query url.Values, header http.Header, body func() io.Reader, payloadHash string, size int64) (*http.Response, error) {
	base, err := url.Parse(s.Endpoint)
	if err != nil {
		return nil, errors.New("storage: invalid S3 endpoint")
	}
	raw := strings.TrimSuffix(base.Path, "/") + "/" + s.Bucket
	if key != "" {
		raw += "/" + key
	}
	u := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: raw, RawPath: uriEncode(raw, false), RawQuery: canonicalQuery(query)}
	c := credentials{s.AccessKey, s.SecretKey, s.SessionToken, s.Region}
	if c.region == "" {
		c.region = "us-east-1"
	}
	client := s.Client
	if client == nil {
		client = defaultClient
	}
	pause := retryPause
	for attempt := 0; ; attempt++ {
		var r io.Reader
		if body != nil {
			r = body()
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
		if err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
		if req.URL.EscapedPath() != u.RawPath {
			return nil, fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		if size >= 0 {
			req.ContentLength = size
			if size == 0 {
				req.Body = http.NoBody
			}
		}
		c.sign(req, payloadHash, time.Now())
		resp, err := client.Do(req)
		transient := err != nil && ctx.Err() == nil
		if err == nil {
			switch resp.StatusCode {
			case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				transient = true
			}
		}
		if !transient || attempt == retries {
			if err != nil {
				return nil, fmt.Errorf("storage: S3 %s: %w", method, err)
			}
			return resp, nil
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("storage: S3 %s: %w", method, ctx.Err())
		case <-time.After(pause):
		}
		pause *= 4
	}
}

// Retries of a request that fails for a reason that may pass, and the
// pause before the first (each next one is 4 times longer).
var (
	retries    = 3
	retryPause = 200 * time.Millisecond
)

// defaultClient gives up on a server that takes over a minute to start
// answering a request.
var defaultClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	t.MaxIdleConnsPerHost = 32
	return t
}()}

// s3Error is the body of an S3 error response.
type s3Error struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// failure reads resp's error and closes its body.
func failure(op, key string, resp *http.Response) error {
	defer resp.Body.Close()
	var e s3Error
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = xml.Unmarshal(b, &e)
	if resp.StatusCode == http.StatusNotFound && (e.Code == "" || e.Code == "NoSuchKey") {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	msg := resp.Status
	if e.Code != "" {
		msg += ": " + e.Code
		if e.Message != "" {
			msg += ": " + e.Message
		}
	}
	return fmt.Errorf("storage: S3 %s %s: %s", op, key, msg)
}

// Open returns the object at key; its reads are ranged GETs from the
// current offset, made when first read after a seek.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, http.MethodHead, k, nil, nil, nil, emptySHA256, -1)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, failure("HEAD", key, resp)
	}
	resp.Body.Close()
	if resp.ContentLength < 0 {
		return nil, fmt.Errorf("storage: S3 HEAD %s: no Content-Length", key)
	}
	mod, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return &s3Object{s: s, ctx: ctx, key: key, objKey: k, size: resp.ContentLength, mod: mod, etag: resp.Header.Get("ETag")}, nil
}

type s3Object struct {
	s           *S3
	ctx         context.Context
	key, objKey string
	size        int64
	mod         time.Time
	etag        string
	off         int64
	body        io.ReadCloser
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

func (o *s3Object) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		h := http.Header{"Range": {fmt.Sprintf("bytes=%d-", o.off)}}
		if o.etag != "" {
			h.Set("If-Match", o.etag)
		}
		resp, err := o.s.do(o.ctx, http.MethodGet, o.objKey, nil, h, nil, emptySHA256, -1)
		if err != nil {
			return 0, err
		}
		switch {
		case resp.StatusCode == http.StatusPartialContent,
			resp.StatusCode == http.StatusOK && o.off == 0:
		case resp.StatusCode == http.StatusPreconditionFailed:
			resp.Body.Close()
			return 0, fmt.Errorf("storage: %s changed while being read", o.key)
		default:
			return 0, failure("GET", o.key, resp)
		}
		o.body = resp.Body
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	if err == io.EOF && o.off < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("storage: seek before the start")
	}
	if offset != o.off && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.off = offset
	return offset, nil
}

func (o *s3Object) Close() error {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
	return nil
}

// Local copies the object at key to a temporary file. For a media
// playlist (.m3u8), the files it references in its directory (segments,
// initialization section) are copied beside it, so that ffmpeg can read
// it.
func (s *S3) Local(ctx context.Context, key string) (string, func(), error) {
	if !ValidKey(key) {
		return "", nil, fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	dir, err := os.MkdirTemp(s.TempDir, "s3-local-")
	if err != nil {
		return "", nil, fmt.Errorf("storage: %w", err)
	}
	release := func() { os.RemoveAll(dir) }
	name := path.Base(key)
	dst := filepath.Join(dir, name)
	if err := s.download(ctx, key, dst); err != nil {
		release()
		return "", nil, err
	}
	if path.Ext(key) == ".m3u8" {
		refs, err := playlistRefs(dst)
		if err != nil {
			release()
			return "", nil, err
		}
		base := path.Dir(key)
		for _, ref := range refs {
			if !ValidKey(ref) || strings.Contains(ref, "/") {
				continue // not a file beside the playlist: ffmpeg will not find it
			}
			if err := s.download(ctx, base+"/"+ref, filepath.Join(dir, ref)); err != nil {
				release()
				return "", nil, err
			}
		}
	}
	return dst, release, nil
}

// playlistRefs returns the URIs of a playlist's segments and EXT-X-MAP.
func playlistRefs(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var refs []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		ref := line
		if strings.HasPrefix(line, "#EXT-X-MAP:") {
			_, rest, ok := strings.Cut(line, `URI="`)
			if !ok {
				continue
			}
			ref, _, _ = strings.Cut(rest, `"`)
		} else if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs, sc.Err()
}

func (s *S3) download(ctx context.Context, key, dst string) error {
	o, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer o.Close()
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if _, err := io.Copy(f, o); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Import uploads the file or the tree at path under key, deletes the
// objects of the tree that was there before and are not in the new one,
// then removes path.
func (s *S3) Import(ctx context.Context, key, src string) error {
	if !ValidKey(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("storage: import %s: %w", key, err)
	}
	put := map[string]bool{}
	if !st.IsDir() {
		if err := s.putFile(ctx, key, src); err != nil {
			return err
		}
		put[key] = true
	} else {
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return err
			}
			k := key + "/" + filepath.ToSlash(rel)
			put[k] = true
			return s.putFile(ctx, k, p)
		})
		if err != nil {
			return fmt.Errorf("storage: import %s: %w", key, err)
		}
	}
	old, err := s.list(ctx, key+"/")
	if err != nil {
		return err
	}
	if st.IsDir() {
		old = append(old, key)
	}
	var stale []string
	for _, k := range old {
		if !put[k] {
			stale = append(stale, k)
		}
	}
	if err := s.deleteKeys(ctx, stale); err != nil {
		return err
	}
	if err := os.RemoveAll(src); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// maxParts is S3's limit on a multipart upload's parts.
const maxParts = 10000

func (s *S3) partSize(size int64) int64 {
	ps := s.PartSize
	if ps <= 0 {
		ps = 64 << 20
	}
	if ps < 5<<20 && size > ps {
		ps = 5 << 20 // S3's smallest part but the last
	}
	if n := (size + ps - 1) / ps; n > maxParts {
		ps = (size + maxParts - 1) / maxParts
	}
	return ps
}

func (s *S3) putFile(ctx context.Context, key, file string) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	ps := s.partSize(st.Size())
	if st.Size() > ps {
		return s.putMultipart(ctx, key, k, f, st.Size(), ps)
	}
	return s.putPart(ctx, "PUT", key, k, nil, io.NewSectionReader(f, 0, st.Size()), st.Size(), nil)
}

// putPart PUTs size bytes of r at k (with query, for a part), returning
// the response's ETag through etag if not nil.
func (s *S3) putPart(ctx context.Context, op, key, k string, query url.Values, r *io.SectionReader, size int64, etag *string) error {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return err
	}
	ra, off, n := r.Outer()
	newBody := func() io.Reader { return io.NewSectionReader(ra, off, n) }
	resp, err := s.do(ctx, http.MethodPut, k, query, nil, newBody, hex.EncodeToString(h.Sum(nil)), size)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return failure(op, key, resp)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if etag != nil {
		*etag = resp.Header.Get("ETag")
	}
	return nil
}

type completeUpload struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

func (s *S3) putMultipart(ctx context.Context, key, k string, f *os.File, size, ps int64) error {
	var created struct {
		UploadID string `xml:"UploadId"`
	}
	if err := s.xmlCall(ctx, "create multipart upload", key, k, url.Values{"uploads": {""}}, nil, &created); err != nil {
		return err
	}
	if created.UploadID == "" {
		return fmt.Errorf("storage: S3 create multipart upload %s: no upload ID", key)
	}
	var done completeUpload
	err := func() error {
		for n, off := 1, int64(0); off < size; n, off = n+1, off+ps {
			l := min(ps, size-off)
			var etag string
			q := url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {created.UploadID}}
			if err := s.putPart(ctx, "upload part", key, k, q, io.NewSectionReader(f, off, l), l, &etag); err != nil {
				return err
			}
			done.Parts = append(done.Parts, completePart{n, etag})
		}
		body, err := xml.Marshal(done)
		if err != nil {
			return err
		}
		return s.xmlCall(ctx, "complete multipart upload", key, k, url.Values{"uploadId": {created.UploadID}}, body, nil)
	}()
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if resp, aerr := s.do(actx, http.MethodDelete, k, url.Values{"uploadId": {created.UploadID}}, nil, nil, emptySHA256, -1); aerr == nil {
			resp.Body.Close()
		}
	}
	return err
}

// xmlCall POSTs body to k with query and decodes the XML answer into out
// (if not nil). S3 may answer 200 with an error in the body to a
// completion, which is an error too.
func (s *S3) xmlCall(ctx context.Context, op, key, k string, query url.Values, body []byte, out any) error {
	resp, err := s.do(ctx, http.MethodPost, k, query, nil, func() io.Reader { return bytes.NewReader(body) }, hexSHA256(body), int64(len(body)))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return failure(op, key, resp)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("storage: S3 %s %s: %w", op, key, err)
	}
	var e struct {
		XMLName xml.Name
		s3Error
	}
	if xml.Unmarshal(b, &e) == nil && e.XMLName.Local == "Error" {
		return fmt.Errorf("storage: S3 %s %s: %s: %s", op, key, e.Code, e.Message)
	}
	if out != nil {
		if err := xml.Unmarshal(b, out); err != nil {
			return fmt.Errorf("storage: S3 %s %s: %w", op, key, err)
		}
	}
	return nil
}

// list returns the keys (without Prefix) of the objects whose keys start
// with prefix.
func (s *S3) list(ctx context.Context, prefix string) ([]string, error) {
	full := prefix
	if s.Prefix != "" {
		full = s.Prefix + "/" + prefix
	}
	var keys []string
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {full}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		if s.listPage > 0 {
			q.Set("max-keys", strconv.Itoa(s.listPage))
		}
		resp, err := s.do(ctx, http.MethodGet, "", q, nil, nil, emptySHA256, -1)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, failure("list", prefix, resp)
		}
		var page struct {
			Contents []struct {
				Key string `xml:"Key"`
			} `xml:"Contents"`
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
		}
		err = xml.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("storage: S3 list %s: %w", prefix, err)
		}
		for _, c := range page.Contents {
			k := c.Key
			if s.Prefix != "" {
				k = strings.TrimPrefix(k, s.Prefix+"/")
			}
			if strings.HasPrefix(k, prefix) && !strings.HasSuffix(k, "/") {
				keys = append(keys, k)
			}
		}
		if !page.IsTruncated {
			return keys, nil
		}
		if page.NextContinuationToken == "" || page.NextContinuationToken == token {
			return nil, fmt.Errorf("storage: S3 list %s: truncated without a new continuation token", prefix)
		}
		token = page.NextContinuationToken
	}
}

// Delete removes the object at key and those under key/.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	keys, err := s.list(ctx, key+"/")
	if err != nil {
		return err
	}
	return s.deleteKeys(ctx, append(keys, key))
}

// deleteKeys deletes objects, a few at a time; missing ones are fine.
func (s *S3) deleteKeys(ctx context.Context, keys []string) error {
	const parallel = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, parallel)
	)
	for _, key := range keys {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := s.deleteOne(ctx, key)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

func (s *S3) deleteOne(ctx context.Context, key string) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	resp, err := s.do(ctx, http.MethodDelete, k, nil, nil, nil, emptySHA256, -1)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusOK {
		resp.Body.Close()
		return nil
	}
	if err := failure("DELETE", key, resp); !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// Open returns the storage that u names: an s3:// URL (see ParseS3URL),
// or a directory as file://dir or empty for dir. Local copies of S3
// objects go to tempDir.
func Open(ctx context.Context, u, dir, tempDir string) (Storage, error) {
	switch {
	case u == "":
		return &Dir{Root: dir}, nil
	case strings.HasPrefix(u, "file://"):
		if d := strings.TrimPrefix(u, "file://"); d != "" {
			dir = d
		}
		return &Dir{Root: dir}, nil
	case strings.HasPrefix(u, "s3://"):
		s, err := ParseS3URL(u)
		if err != nil {
			return nil, err
		}
		s.TempDir = tempDir
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := s.Check(cctx); err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, errors.New("storage: want file://dir or s3://bucket?endpoint=URL&region=R")
}
