package thumbnail

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults of [WriteStoryboard].
const (
	// MinInterval is the shortest time between two tiles.
	MinInterval = 100 * time.Millisecond
	// MaxTiles bounds the tiles (and cues) of one storyboard.
	MaxTiles = 10000
	// MaxGrid bounds the columns and the rows of a sheet.
	MaxGrid = 20
	// MaxTileWidth bounds StoryboardOptions.TileWidth.
	MaxTileWidth = 640
	// MaxSheetSide bounds a sheet's width and height in pixels.
	MaxSheetSide = 8192

	DefaultInterval  = 5 * time.Second
	DefaultGrid      = 10
	DefaultTileWidth = 160

	// VTTName is the name of the WebVTT track WriteStoryboard writes.
	VTTName = "storyboard.vtt"
)

// StoryboardOptions configure [WriteStoryboard]; nil means defaults: a
// 160-pixel-wide tile every 5 s, 10×10 tiles to a JPEG sheet.
type StoryboardOptions struct {
	// Interval between tiles, in whole milliseconds (finer parts are
	// dropped), at least MinInterval; if zero, DefaultInterval.
	Interval time.Duration
	// Columns and Rows of tiles in a sheet, each at most MaxGrid; if zero,
	// DefaultGrid.
	Columns, Rows int
	// TileWidth in pixels, even, in [MinSide, MaxTileWidth]; if zero,
	// DefaultTileWidth. The tile height follows the display aspect ratio.
	TileWidth int
	// Format of the sheets, JPEG or WebP; if zero, JPEG.
	Format Format
	// Quality, 1–100; if zero, DefaultQuality.
	Quality int
	// URLPrefix is written before each sheet name in the WebVTT cues, such
	// as "https://cdn.example.com/v/42/"; if empty, the names are relative
	// to the track. It may not hold white space, control characters or
	// "-->".
	URLPrefix string
	// Playlist allows the input to be an HLS media playlist: make
	// storyboards from the smallest rendition, not the source. Never set it
	// for an upload.
	Playlist bool
	// FFmpeg and FFprobe are the executables; if empty, found in PATH.
	FFmpeg, FFprobe string
}

// Storyboard describes the sheets and the track [WriteStoryboard] wrote.
type Storyboard struct {
	// Sheets are the file names of the sheets in the output directory, in
	// order: storyboard-1.jpg, storyboard-2.jpg, …
	Sheets []string
	// Columns and Rows of tiles in every sheet; a sheet is
	// Columns×TileWidth by Rows×TileHeight pixels, and the unused tiles of
	// the last one are black.
	Columns, Rows int
	// TileWidth and TileHeight are the size of one tile in pixels.
	TileWidth, TileHeight int
	// Interval is the time between tiles; Duration that of the video, in
	// whole milliseconds: as the input states it, or as measured when it
	// does not or ends well before it (see WriteStoryboard).
	Interval, Duration time.Duration
	// Cues has one entry per tile, in time order.
	Cues []Cue
	// VTT is the WebVTT track, also written to VTTName in the directory.
	VTT []byte
}

func (o StoryboardOptions) check() (StoryboardOptions, error) {
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	o.Interval = o.Interval.Truncate(time.Millisecond)
	if o.Interval < MinInterval {
		return o, fmt.Errorf("%w: interval %v below %v", ErrInvalid, o.Interval, MinInterval)
	}
	for _, g := range []struct {
		name string
		v    *int
	}{{"columns", &o.Columns}, {"rows", &o.Rows}} {
		if *g.v == 0 {
			*g.v = DefaultGrid
		}
		if *g.v < 1 || *g.v > MaxGrid {
			return o, fmt.Errorf("%w: %s %d outside [1, %d]", ErrInvalid, g.name, *g.v, MaxGrid)
		}
	}
	if o.TileWidth == 0 {
		o.TileWidth = DefaultTileWidth
	}
	if err := checkSize("tile width", o.TileWidth, MaxTileWidth); err != nil {
		return o, err
	}
	if o.Columns*o.TileWidth > MaxSheetSide {
		return o, fmt.Errorf("%w: sheet width %d×%d above %d", ErrInvalid, o.Columns, o.TileWidth, MaxSheetSide)
	}
	if o.Format == 0 {
		o.Format = JPEG
	}
	if o.Format != JPEG && o.Format != WebP {
		return o, fmt.Errorf("%w: format %v for storyboard sheets (want jpeg or webp)", ErrInvalid, o.Format)
	}
	var err error
	if o.Quality, err = checkQuality(o.Quality); err != nil {
		return o, err
	}
	return o, checkURLPrefix(o.URLPrefix)
}

// WriteStoryboard writes storyboard sprite sheets of the video to the
// directory outDir (created if missing) and a WebVTT track, VTTName, whose
// cues point into them (sprite.jpg#xywh=x,y,w,h), which players read for
// seek-bar previews.
//
// Tile i shows the frame shown at i×Interval (as [Frame] picks it) and its
// cue covers [i×Interval, (i+1)×Interval), the last cue ending at the end
// of the video; there is one tile for every interval begun. One ffmpeg run
// decodes the whole input (fps, scale and tile filters), so pass the
// smallest rendition (an HLS media playlist with Playlist set) rather than
// the source.
//
// The duration is the video stream's, in whole milliseconds. Before
// decoding, a pass that reads the input without decoding it measures
// where the video really ends: when the input does not state its duration
// (a WebM from a browser's MediaRecorder), or ends more than two intervals
// before the duration it states (a truncated upload, a lying header), the
// storyboard covers the measured video, and Storyboard.Duration says so.
//
// The sheets are written to a temporary directory inside outDir and moved
// into place when ffmpeg has succeeded, the sheets first, then the track
// (each rename is atomic); sheets named as this function names them
// ("storyboard-N.jpg" or ".webp") that the new track does not use, left by
// an earlier, longer storyboard, are then removed. A failure leaves outDir
// as it was, and removes it if the call created it.
func WriteStoryboard(ctx context.Context, input, outDir string, opts *StoryboardOptions) (*Storyboard, error) {
	if opts == nil {
		opts = &StoryboardOptions{}
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	src := &source{path: input, playlist: o.Playlist, ffmpeg: o.FFmpeg, ffprobe: o.FFprobe}
	if err := src.check(); err != nil {
		return nil, err
	}
	m, err := src.probe(ctx)
	if err != nil {
		return nil, err
	}
	if m.width <= 0 || m.height <= 0 {
		return nil, fmt.Errorf("thumbnail: %w: no picture size", ErrNotMedia)
	}
	measured, err := src.measure(ctx)
	if err != nil {
		return nil, err
	}
	d := m.duration
	if d <= 0 || measured < d-2*o.Interval {
		d = measured
	}
	if d = d.Truncate(time.Millisecond); d <= 0 {
		return nil, fmt.Errorf("thumbnail: %w: no video frame", ErrNotMedia)
	}
	n := tilesFor(d, o.Interval)
	if n > MaxTiles {
		return nil, fmt.Errorf("%w: %d tiles of %v over %v, above %d", ErrInvalid, n, o.Interval, d, MaxTiles)
	}
	g := grid{
		n: int(n), cols: o.Columns, rows: o.Rows, w: o.TileWidth,
		h:        max(2, int(math.Round(float64(o.TileWidth)*float64(m.height)/float64(m.width)/2))*2),
		interval: o.Interval, duration: d, ext: o.Format.Ext(),
	}
	if g.rows*g.h > MaxSheetSide {
		return nil, fmt.Errorf("%w: sheet height %d×%d above %d", ErrInvalid, g.rows, g.h, MaxSheetSide)
	}

	created, err := mkdirAll(outDir)
	if err != nil {
		return nil, err
	}
	sb, err := src.writeStoryboard(ctx, g, o, outDir)
	if err != nil {
		// Remove the directories this call created, deepest first; one
		// that something else has written to since stays.
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
		return nil, err
	}
	return sb, nil
}

// writeStoryboard makes the sheets and the track of g in a temporary
// directory inside outDir, then moves them into place.
func (s *source) writeStoryboard(ctx context.Context, g grid, o StoryboardOptions, outDir string) (*Storyboard, error) {
	tmp, err := os.MkdirTemp(outDir, ".storyboard-")
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := s.tiles(ctx, g, o, tmp); err != nil {
		return nil, err
	}
	sb := &Storyboard{
		Columns: g.cols, Rows: g.rows, TileWidth: g.w, TileHeight: g.h,
		Interval: g.interval, Duration: g.duration, Cues: g.cues(),
	}
	sb.VTT = buildVTT(sb.Cues, o.URLPrefix)
	for i := 1; i <= g.sheets(); i++ {
		sb.Sheets = append(sb.Sheets, g.sheetName(i))
	}
	// Check ffmpeg wrote exactly the sheets the cues point to.
	if _, err := os.Stat(filepath.Join(tmp, g.sheetName(g.sheets()+1))); err == nil {
		return nil, fmt.Errorf("thumbnail: ffmpeg wrote more than the %d sheets expected", g.sheets())
	}
	for _, name := range sb.Sheets {
		if _, err := os.Stat(filepath.Join(tmp, name)); err != nil {
			return nil, fmt.Errorf("thumbnail: ffmpeg did not write %s of the %d sheets expected", name, g.sheets())
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, VTTName), sb.VTT, 0o644); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	// The sheets, then the track that points to them.
	for _, name := range append(sb.Sheets, VTTName) {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(outDir, name)); err != nil {
			return nil, fmt.Errorf("thumbnail: %w", err)
		}
	}
	// Then the sheets of an earlier storyboard no track points to now.
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	for _, e := range entries {
		if i, ok := sheetNumber(e.Name()); ok && (i > g.sheets() || !strings.HasSuffix(e.Name(), g.ext)) {
			if err := os.Remove(filepath.Join(outDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("thumbnail: removing an earlier sheet: %w", err)
			}
		}
	}
	return sb, nil
}

// sheetNumber reports whether name is one of the sheet names
// WriteStoryboard writes, storyboard-N.jpg or storyboard-N.webp, and N.
func sheetNumber(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "storyboard-")
	if !ok {
		return 0, false
	}
	num, ext, _ := strings.Cut(rest, ".")
	if ext != "jpg" && ext != "webp" || num == "" || num[0] == '0' {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil && i > 0
}

// mkdirAll creates dir and its missing parents and returns the ones it
// created, parents first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append([]string{d}, missing...)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	return missing, nil
}

// tiles runs ffmpeg once to write the sheets of g into dir. fps (with
// start_time=0, so that a video that starts after its audio is not one
// interval late) gives the frame shown at each multiple of the interval:
// round=up makes tile i the last frame that starts at or before
// i×interval. tpad repeats the last frame for up to two intervals, as far
// as the duration may be from the last frame's end before the storyboard
// follows the measured end instead, so that fps has a frame for every
// tile; trim stops after exactly g.n tiles.
func (s *source) tiles(ctx context.Context, g grid, o StoryboardOptions, dir string) error {
	in, err := s.openAll()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	filter := fmt.Sprintf("tpad=stop_mode=clone:stop_duration=%s,fps=1000/%d:start_time=0:round=up,trim=end_frame=%d,scale=%d:%d,setsar=1,tile=%dx%d",
		secs(2*g.interval), g.interval.Milliseconds(), g.n, g.w, g.h, g.cols, g.rows)
	args := []string{"-map", "0:V:0", "-vf", filter}
	args = append(args, o.Format.encoder(o.Quality)...)
	// image2 reads % in the name as a pattern: escape the directory's.
	pattern := strings.ReplaceAll(filepath.Join(abs, "storyboard-"), "%", "%%") + "%d" + g.ext
	args = append(args, "-f", "image2", "-start_number", "1", "file:"+pattern)
	_, err = s.run(ctx, in, args)
	return err
}
