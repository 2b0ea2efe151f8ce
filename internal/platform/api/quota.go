package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/v100video/v100/internal/platform/store"
)

// With Config.Quota set, an upload that would take the disk use (see
// store.Store.Usage) over the quota is refused with 507 Insufficient
// Storage: a tus upload at its creation, from its declared length; a
// multipart upload as its bytes arrive; a source URL at its creation when
// the quota is already full, and by its job once the download's size is
// known.

// quotaMessage is the API's message for an error wrapping store.ErrQuota.
func quotaMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "store: ") + "; delete videos to free space"
}

// quotaFull writes 507 for an error wrapping store.ErrQuota and reports
// whether err was one.
func quotaFull(w http.ResponseWriter, err error) bool {
	if !errors.Is(err, store.ErrQuota) {
		return false
	}
	writeError(w, http.StatusInsufficientStorage, quotaMessage(err))
	return true
}

// freeSpace returns the bytes left under the quota, or -1 for no quota.
// The answer is advisory: uploads check again in the transaction that
// records them.
func (s *Server) freeSpace(ctx context.Context) (int64, error) {
	if s.cfg.Quota <= 0 {
		return -1, nil
	}
	used, err := s.cfg.Store.Usage(ctx, nil)
	if err != nil {
		return 0, err
	}
	return max(s.cfg.Quota-used, 0), nil
}

// errQuotaFull is freeSpace's zero as an error wrapping store.ErrQuota.
func (s *Server) errQuotaFull(ctx context.Context) error {
	used, _ := s.cfg.Store.Usage(ctx, nil)
	return fmt.Errorf("%w: %d of %d bytes used", store.ErrQuota, used, s.cfg.Quota)
}
