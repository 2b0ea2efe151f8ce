package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/v100video/v100/caption"
	"github.com/v100video/v100/hls"
	"github.com/v100video/v100/internal/platform/jobs"
	"github.com/v100video/v100/internal/platform/store"
)

// langRE is a BCP 47 tag, loosely: a primary language and up to four
// subtags ("en", "pt-BR", "zh-Hant-TW"). Nothing else reaches a path.
var langRE = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,4}$`)

// canonicalLang writes tag's subtags in their usual case: "pt-BR",
// "zh-Hant".
func canonicalLang(tag string) string {
	parts := strings.Split(tag, "-")
	for i, p := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(p)
		case len(p) == 2:
			parts[i] = strings.ToUpper(p)
		case len(p) == 4:
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-")
}

// langNames name the subtitle renditions of common languages, when the
// upload does not.
var langNames = map[string]string{
	"ar": "Arabic", "de": "Deutsch", "en": "English", "es": "Español", "fr": "Français",
	"hi": "Hindi", "it": "Italiano", "ja": "日本語", "ko": "한국어", "nl": "Nederlands",
	"pl": "Polski", "pt": "Português", "ru": "Русский", "sv": "Svenska", "tr": "Türkçe",
	"uk": "Українська", "zh": "中文",
}

// putCaptions adds or replaces the subtitles of a ready video in one
// language: PUT /v1/videos/{id}/captions/{lang} with a WebVTT or SRT body,
// and an optional ?name= for the player's menu. The file is normalised
// (caption.Normalize), cut into WebVTT segments aligned with the video's,
// and listed in the master playlist's subtitle group, replacing the
// rendition of the same language (auto captions included).
//
// Each upload goes to a new directory (subs/{lang}.{version}/): segments are
// served as immutable, so a replaced file must never reuse a name. The
// master playlist is served with max-age=60, so players and the playback
// cache see the change within a minute; until then they may ask for the
// replaced files, which are therefore kept until the video is deleted.
func (s *Server) putCaptions(w http.ResponseWriter, r *http.Request) {
	tag := r.PathValue("lang")
	if len(tag) > 35 || !langRE.MatchString(tag) {
		writeError(w, http.StatusBadRequest, "language: want a BCP 47 tag such as en or pt-BR")
		return
	}
	lang := canonicalLang(tag)
	name := cleanName(r.URL.Query().Get("name"))
	if len(name) > 64 || strings.ContainsAny(name, "\"") {
		writeError(w, http.StatusBadRequest, "name: at most 64 bytes, without double quotes")
		return
	}
	if name == "" {
		name = langNames[strings.Split(lang, "-")[0]]
		if name == "" || strings.Contains(lang, "-") {
			name = strings.TrimSpace(name + " (" + lang + ")")
		}
	}

	ctx := r.Context()
	a, err := s.cfg.Store.Get(ctx, r.PathValue("id"))
	if s.storeError(w, err) {
		return
	}
	if a.Status != store.Ready || len(a.Info.Renditions) == 0 {
		writeError(w, http.StatusConflict, "the video is not ready: "+string(a.Status))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, caption.MaxFileBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a caption file is at most %d bytes", caption.MaxFileBytes))
			return
		}
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	cues, err := caption.Normalize(strings.NewReader(string(body)), uploadName(r))
	if err != nil {
		var pe *caption.ParseError
		msg := strings.TrimPrefix(err.Error(), "caption: ")
		if errors.As(err, &pe) && pe.Line > 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{
				"status": http.StatusBadRequest, "message": msg, "line": pe.Line,
			}})
			return
		}
		writeError(w, http.StatusBadRequest, msg)
		return
	}

	// One caption change at a time: each rewrites the master playlist.
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	a, err = s.cfg.Store.Get(ctx, a.ID) // deleted meanwhile?
	if s.storeError(w, err) {
		return
	}
	base := jobs.AssetKey(a.ID) + "/"
	durs, opts, err := s.videoSegments(r, base+a.Info.Renditions[0].Playlist)
	if err != nil {
		s.log.Error("captions: reading the video's playlist", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "reading the video's playlist failed")
		return
	}
	subs, err := caption.SegmentVTT(cues, durs, opts)
	if err != nil {
		writeError(w, http.StatusBadRequest, "segmenting the captions: "+strings.TrimPrefix(err.Error(), "caption: "))
		return
	}
	tmp, err := os.MkdirTemp(s.cfg.WorkDir, "captions-*")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "storing the captions failed")
		return
	}
	defer os.RemoveAll(tmp)
	dir := "subs/" + strings.ToLower(lang) + "." + store.NewID()[:8]
	if err := subs.WriteDir(tmp+"/subs", "index.m3u8"); err != nil {
		writeError(w, http.StatusInternalServerError, "storing the captions failed")
		return
	}
	if err := s.cfg.Storage.Import(ctx, base+dir, tmp+"/subs"); err != nil {
		s.log.Error("captions: import", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "storing the captions failed")
		return
	}
	old, replaced, err := s.addSubtitleRendition(r, base+"master.m3u8", tmp+"/master.m3u8", name, lang, dir+"/index.m3u8")
	if err != nil {
		s.cfg.Storage.Delete(ctx, base+dir)
		s.log.Error("captions: master playlist", "asset", a.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "updating the master playlist failed")
		return
	}
	if old != "" {
		// The replaced files stay: players and caches may hold the old
		// master playlist for its max-age. Deleting the video removes them.
		s.log.Info("captions replaced", "asset", a.ID, "lang", lang, "old", old, "new", dir)
	}
	info := a.Info
	info.Captions = slices.DeleteFunc(slices.Clone(info.Captions), func(l string) bool { return strings.EqualFold(l, lang) })
	info.Captions = append(info.Captions, lang)
	if err := s.cfg.Store.SetReady(ctx, a.ID, a.Duration, info); s.storeError(w, err) {
		return
	}
	// The server's own caches must not hand out the old master playlist or
	// asset; caches downstream may, for the playlist's max-age.
	s.play.assets.Delete(ctx, a.PlaybackID)
	s.play.files.Purge("", "/v1/playback/"+a.PlaybackID+"/master.m3u8")
	a, err = s.cfg.Store.Get(ctx, a.ID)
	if s.storeError(w, err) {
		return
	}
	code := http.StatusCreated
	if replaced {
		code = http.StatusOK
	}
	writeJSON(w, code, view(a))
}

// uploadName is the file name given to caption.Normalize: from ?filename=,
// else from the Content-Type, which tells a WebVTT file without its header.
func uploadName(r *http.Request) string {
	if n := cleanName(r.URL.Query().Get("filename")); n != "" {
		return n
	}
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case "text/vtt":
		return "captions.vtt"
	case "application/x-subrip", "text/srt":
		return "captions.srt"
	}
	return "captions"
}

// videoSegments returns the segment durations of the media playlist at key
// and the subtitle options that match its timestamps.
func (s *Server) videoSegments(r *http.Request, key string) ([]time.Duration, *caption.HLSOptions, error) {
	obj, err := s.cfg.Storage.Open(r.Context(), key)
	if err != nil {
		return nil, nil, err
	}
	pl, err := hls.ParseMedia(obj)
	obj.Close()
	if err != nil {
		return nil, nil, err
	}
	if len(pl.Segments) == 0 {
		return nil, nil, errors.New("no segments")
	}
	durs := make([]time.Duration, len(pl.Segments))
	for i, seg := range pl.Segments {
		durs[i] = time.Duration(seg.Duration * float64(time.Second))
	}
	opts := &caption.HLSOptions{}
	if path.Ext(pl.Segments[0].URI) == ".ts" {
		opts.MPEGTS = caption.MPEGTSFFmpeg
	}
	return durs, opts, nil
}

// addSubtitleRendition rewrites the master playlist at key (through the
// local file tmp) with a subtitle rendition for lang at uri, in place of
// the one of the same language if any, whose directory it returns.
func (s *Server) addSubtitleRendition(r *http.Request, key, tmp, name, lang, uri string) (oldDir string, replaced bool, err error) {
	obj, err := s.cfg.Storage.Open(r.Context(), key)
	if err != nil {
		return "", false, err
	}
	m, err := hls.ParseMaster(obj)
	obj.Close()
	if err != nil {
		return "", false, err
	}
	def, others := false, 0
	media := m.Media[:0:0]
	for _, x := range m.Media {
		if x.Type == hls.Subtitles && x.GroupID == caption.SubtitleGroup {
			if strings.EqualFold(x.Language, lang) {
				oldDir, replaced, def = path.Dir(x.URI), true, x.Default
				continue
			}
			others++
			if x.Name == name {
				name += " (" + lang + ")"
			}
		}
		media = append(media, x)
	}
	m.Media = append(media, caption.Rendition(name, lang, uri, def || others == 0))
	for i := range m.Variants {
		m.Variants[i].Subtitles = caption.SubtitleGroup
	}
	b, err := m.Encode()
	if err != nil {
		return "", false, err
	}
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return "", false, err
	}
	return oldDir, replaced, s.cfg.Storage.Import(r.Context(), key, tmp)
}
