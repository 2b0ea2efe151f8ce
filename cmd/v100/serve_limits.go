package main

import (
	"errors"
	"flag"
	"time"

	"github.com/v100video/v100/gateway"
	"github.com/v100video/v100/internal/platform"
	"github.com/v100video/v100/transcode"
)

// limitFlags defines the flags bounding what serve accepts and keeps: the
// sources' duration and frame size, checked after the probe and before
// the encode, and the disk quota.
func limitFlags(fs *flag.FlagSet, cfg *platform.Config) {
	lim := transcode.DefaultLimits()
	// The upload limits and the quota bound a source's size.
	lim.MaxSize = 0
	lim.MaxDuration = 4 * time.Hour
	fs.DurationVar(&lim.MaxDuration, "max-duration", lim.MaxDuration, "longest source `duration`; longer videos fail")
	fs.IntVar(&lim.MaxWidth, "max-width", lim.MaxWidth, "widest source frame in `pixels` (as displayed); wider videos fail")
	fs.IntVar(&lim.MaxHeight, "max-height", lim.MaxHeight, "tallest source frame in `pixels` (as displayed); taller videos fail")
	fs.IntVar(&lim.MaxPixels, "max-pixels", lim.MaxPixels, "largest source frame area, width × height, in `pixels`")
	fs.Float64Var(&lim.MaxFrameRate, "max-frame-rate", lim.MaxFrameRate, "highest source frame rate in `fps`")
	cfg.Limits = lim
	fs.Func("quota", "disk `size` for media and uploads, e.g. 50GB or 200GiB; uploads beyond it get 507 (default: no limit)", func(v string) error {
		var b gateway.ByteSize
		if err := b.UnmarshalText([]byte(v)); err != nil {
			return err
		}
		if b < 0 {
			return errors.New("want a size of zero or more")
		}
		cfg.Quota = int64(b)
		return nil
	})
}
