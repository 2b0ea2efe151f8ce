package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/store"
)

// enqueue moves the received source at path into storage as asset id's
// source and queues its processing, in one transaction.
func (s *Server) enqueue(ctx context.Context, tx *store.Tx, id, path string, size int64) error {
	if err := s.cfg.Storage.Import(ctx, jobs.SourceKey(id), path); err != nil {
		return err
	}
	jobID, err := s.cfg.Queue.Enqueue(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.cfg.Store.SetWaiting(ctx, tx, id, size, jobID)
}

// createMultipart creates a video from the part named "file" of a
// multipart/form-data body.
func (s *Server) createMultipart(w http.ResponseWriter, r *http.Request) {
	free, err := s.freeSpace(r.Context())
	if s.storeError(w, err) {
		return
	}
	if free == 0 {
		quotaFull(w, s.errQuotaFull(r.Context()))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxMultipart+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "want a multipart/form-data body with a \"file\" part")
		return
	}
	var name, tmp string
	var size int64
	policy := store.Public
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "reading the multipart body: "+err.Error())
			return
		}
		if part.FormName() == policyField {
			v, _ := io.ReadAll(io.LimitReader(part, 64))
			part.Close()
			var ok bool
			if policy, ok = policyOf(w, string(v)); !ok {
				return
			}
			continue
		}
		if part.FormName() != "file" || tmp != "" {
			part.Close()
			continue
		}
		name = cleanName(part.FileName())
		f, err := os.CreateTemp(s.cfg.WorkDir, "incoming-*")
		if err != nil {
			writeError(w, http.StatusInternalServerError, "storing the upload failed")
			return
		}
		tmp = f.Name()
		limit := s.cfg.MaxMultipart
		if free >= 0 && free < limit {
			limit = free
		}
		size, err = io.Copy(f, io.LimitReader(part, limit+1))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, tooLarge(s.cfg.MaxMultipart, "use a tus upload at /v1/uploads/"))
				return
			}
			writeError(w, http.StatusBadRequest, "reading the upload: "+err.Error())
			return
		}
		if size > s.cfg.MaxMultipart {
			writeError(w, http.StatusRequestEntityTooLarge, tooLarge(s.cfg.MaxMultipart, "use a tus upload at /v1/uploads/"))
			return
		}
		if size > limit {
			quotaFull(w, fmt.Errorf("%w: the file is larger than the %d bytes left", store.ErrQuota, free))
			return
		}
	}
	if tmp == "" {
		writeError(w, http.StatusBadRequest, "no \"file\" part in the body")
		return
	}
	if size == 0 {
		writeError(w, http.StatusBadRequest, "the file is empty")
		return
	}
	ctx := r.Context()
	var a *store.Asset
	err = s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		if err := s.cfg.Store.Reserve(ctx, tx, s.cfg.Quota, size); err != nil {
			return err
		}
		var err error
		if a, err = s.cfg.Store.Create(ctx, tx, store.Waiting, name, size); err != nil {
			return err
		}
		if err := s.cfg.Store.SetPolicy(ctx, tx, a.ID, policy); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, a.ID, tmp, size)
	})
	if quotaFull(w, err) {
		return
	}
	if err != nil {
		s.log.Error("creating a video", "err", err)
		if a != nil {
			s.cfg.Storage.Delete(context.WithoutCancel(ctx), jobs.SourceKey(a.ID))
		}
		writeError(w, http.StatusInternalServerError, "creating the video failed")
		return
	}
	tmp = ""
	a, err = s.cfg.Store.Get(ctx, a.ID)
	if s.storeError(w, err) {
		return
	}
	w.Header().Set("Location", "/v1/videos/"+a.ID)
	writeJSON(w, http.StatusCreated, view(a))
}

func tooLarge(max int64, hint string) string {
	return fmt.Sprintf("the file is larger than %d bytes; %s", max, hint)
}

// cleanName keeps a file name for display: its base name, valid UTF-8, no
// control characters, at most 255 bytes.
func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, "\\", "/"))
	if n == "." || n == "/" {
		return ""
	}
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(n, ""))
	for len(n) > 255 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	return n
}
