package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/v100video/v100/thumbnail"
)

func runThumbnail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("thumbnail", "<input> -o <image> [-t time] [flags] | <input> -storyboard <dir>", stderr)
	out := fs.String("o", "", "output `file`; its extension picks the format (.jpg, .webp, .gif)")
	at := fs.Duration("t", 0, "`time` of the frame, or start of the animation")
	width := fs.Int("width", 0, "image `width` (even); 0 follows the height or the video")
	height := fs.Int("height", 0, "image `height` (even); 0 follows the width or the video")
	fit := fs.String("fit", "contain", "how the frame fills width×height: contain, cover or pad")
	poster := fs.Bool("poster", false, "choose a poster frame that is not black or blank (ignores -t)")
	animate := fs.Duration("animate", 0, "make an animated preview of this `duration` from -t (GIF or WebP)")
	board := fs.String("storyboard", "", "write storyboard sprite sheets and storyboard.vtt into this `directory`")
	interval := fs.Duration("interval", thumbnail.DefaultInterval, "storyboard tile interval")
	grid := fs.Int("grid", thumbnail.DefaultGrid, "storyboard tiles per row and per column")
	playlist := fs.Bool("playlist", false, "allow an HLS media playlist as input (your own renditions only)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := exactly("thumbnail", pos, 1, "one input file"); err != nil {
		return err
	}
	in := pos[0]
	f, err := parseFit(*fit)
	if err != nil {
		return err
	}

	if *board != "" {
		sb, err := thumbnail.WriteStoryboard(ctx, in, *board, &thumbnail.StoryboardOptions{
			Interval: *interval, Columns: *grid, Rows: *grid, TileWidth: *width, Playlist: *playlist,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d sheet(s) of %dx%d tiles of %dx%d, %d cues: %s\n", len(sb.Sheets), sb.Columns, sb.Rows,
			sb.TileWidth, sb.TileHeight, len(sb.Cues), filepath.Join(*board, thumbnail.VTTName))
		return nil
	}
	if *out == "" {
		return usageError("thumbnail: -o <image> (or -storyboard <dir>) is required")
	}
	format, err := formatOf(*out)
	if err != nil {
		return err
	}
	var img []byte
	switch {
	case *animate > 0:
		if format == thumbnail.JPEG {
			return usageError("thumbnail: an animation is a .gif or .webp")
		}
		img, err = thumbnail.Animated(ctx, in, *at, *animate, &thumbnail.AnimatedOptions{
			Width: *width, Height: *height, Fit: f, Format: format, Playlist: *playlist,
		})
	case format == thumbnail.GIF:
		return usageError("thumbnail: a still is a .jpg or .webp; use -animate for a GIF")
	case *poster:
		var p *thumbnail.Poster
		p, err = thumbnail.ChoosePoster(ctx, in, &thumbnail.Options{Width: *width, Height: *height, Fit: f, Format: format, Playlist: *playlist})
		if err == nil {
			img = p.Image
			fmt.Fprintf(stderr, "poster at %s (mean luma %.0f, contrast %.0f)\n", p.Sample.At, p.Sample.Mean, p.Sample.StdDev)
		}
	default:
		img, err = thumbnail.Frame(ctx, in, *at, &thumbnail.Options{Width: *width, Height: *height, Fit: f, Format: format, Playlist: *playlist})
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, img, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", *out, len(img))
	return nil
}

func parseFit(s string) (thumbnail.Fit, error) {
	switch s {
	case "contain":
		return thumbnail.Contain, nil
	case "cover":
		return thumbnail.Cover, nil
	case "pad":
		return thumbnail.Pad, nil
	}
	return 0, usageError(fmt.Sprintf("thumbnail: -fit %q: want contain, cover or pad", s))
}

func formatOf(name string) (thumbnail.Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		return thumbnail.JPEG, nil
	case ".webp":
		return thumbnail.WebP, nil
	case ".gif":
		return thumbnail.GIF, nil
	}
	return 0, usageError(fmt.Sprintf("thumbnail: %s: name the output .jpg, .webp or .gif", name))
}
