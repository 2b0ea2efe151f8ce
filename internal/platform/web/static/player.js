// player.js: plays a master playlist with its poster, captions and
// storyboard previews on the seek bar.
//
// HLS plays natively where the browser says it can
// (canPlayType("application/vnd.apple.mpegurl")), else through hls.js,
// loaded from its CDN with Subresource Integrity. A native player may not
// expose the playlist's subtitle renditions as text tracks (Chromium's does
// not); the player then adds a text track per rendition itself and fills
// it from the rendition's WebVTT segments.
"use strict";

class V100Player {
  // root holds the <video> and the controls (see index.html); hls is
  // {url, integrity} of hls.js; onStatus(message) reports problems.
  constructor(root, hls, onStatus) {
    this.root = root;
    this.hls = hls;
    this.onStatus = onStatus || (() => {});
    this.video = root.querySelector("video");
    this.el = {
      play: root.querySelector("#play"),
      seek: root.querySelector("#seek"),
      time: root.querySelector("#time"),
      captions: root.querySelector("#captions"),
      mute: root.querySelector("#mute"),
      fullscreen: root.querySelector("#fullscreen"),
      preview: root.querySelector("#preview"),
    };
    this.engine = "";
    this.hlsjs = null;
    this.board = [];
    this.seeking = false;
    this.abort = null;
    this._bindControls();
  }

  // load plays src (a master playlist URL) with poster and storyboard
  // (URLs, or "") in the video element; engine is "auto", "native" or
  // "hls.js".
  async load({ src, poster, storyboard, engine }) {
    this.destroy();
    // Absolute URLs, the base of the URIs in the files they name.
    src = new URL(src, location.href).href;
    if (storyboard) storyboard = new URL(storyboard, location.href).href;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    // A fresh element each time: text tracks added to one cannot be removed.
    const video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.preload = "metadata";
    video.id = this.video.id;
    if (poster) video.poster = poster;
    this.video.replaceWith(video);
    this.video = video;
    this._bindVideo(signal);
    this.board = [];
    if (storyboard) this._loadStoryboard(storyboard, signal);

    const native = video.canPlayType("application/vnd.apple.mpegurl") !== "";
    const mse = "MediaSource" in window || "ManagedMediaSource" in window;
    if (engine === "native" || (engine !== "hls.js" && native) || !mse) {
      if (!native) {
        this.onStatus("This browser cannot play HLS.");
        return;
      }
      this.engine = "native";
      video.addEventListener("loadedmetadata", () => this._nativeCaptions(src, signal), { once: true, signal });
      video.src = src;
    } else {
      this.engine = "hls.js";
      const Hls = await this._loadHlsJs();
      if (signal.aborted) return;
      const hls = new Hls({ enableWorker: false });
      this.hlsjs = hls;
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (data.fatal) this.onStatus("Playback failed: " + data.type + " " + data.details);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    }
  }

  destroy() {
    if (this.abort) this.abort.abort();
    this.abort = null;
    if (this.hlsjs) this.hlsjs.destroy();
    this.hlsjs = null;
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    this.el.preview.hidden = true;
  }

  // _loadHlsJs adds the pinned hls.js script once.
  _loadHlsJs() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!V100Player.hlsLoading) {
      V100Player.hlsLoading = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = this.hls.url;
        s.integrity = this.hls.integrity;
        s.crossOrigin = "anonymous";
        s.referrerPolicy = "no-referrer";
        s.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error("hls.js did not load")));
        s.onerror = () => { V100Player.hlsLoading = null; reject(new Error("loading hls.js from " + this.hls.url + " failed")); };
        document.head.appendChild(s);
      });
    }
    return V100Player.hlsLoading.catch((e) => { this.onStatus(e.message); throw e; });
  }

  // _nativeCaptions adds a text track for each subtitle rendition of the
  // master playlist when the browser has not made one itself.
  async _nativeCaptions(src, signal) {
    const have = [...this.video.textTracks].some((t) => t.kind === "subtitles" || t.kind === "captions");
    if (have) return;
    let master;
    try {
      master = await fetchText(src, signal);
    } catch (e) {
      if (!signal.aborted) this.onStatus("Loading the captions failed: " + e.message);
      return;
    }
    for (const r of parseRenditions(master, src)) {
      if (r.type !== "SUBTITLES" || !r.uri) continue;
      const track = this.video.addTextTrack("subtitles", r.name || r.language, r.language || "");
      track.mode = r.isDefault ? "showing" : "disabled";
      const load = () => {
        if (track.v100Loaded || track.mode === "disabled") return;
        track.v100Loaded = true;
        this._fillTrack(track, r.uri, signal);
      };
      this.video.textTracks.addEventListener("change", load, { signal });
      load();
    }
    this._syncCaptionMenu();
  }

  // _fillTrack adds the cues of a WebVTT subtitle playlist's segments to
  // track. Segments repeat the cues that span them; each is added once.
  async _fillTrack(track, playlistURL, signal) {
    try {
      const pl = await fetchText(playlistURL, signal);
      const segs = parseMediaPlaylist(pl, playlistURL);
      const seen = new Set();
      let next = 0;
      const worker = async () => {
        while (next < segs.length && !signal.aborted) {
          const url = segs[next++];
          for (const c of parseVTT(await fetchText(url, signal))) {
            const key = c.start + "|" + c.end + "|" + c.text;
            if (seen.has(key)) continue;
            seen.add(key);
            track.addCue(new VTTCue(c.start, c.end, c.text));
          }
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } catch (e) {
      if (!signal.aborted) this.onStatus("Loading the captions failed: " + e.message);
    }
  }

  async _loadStoryboard(url, signal) {
    try {
      const text = await fetchText(url, signal);
      this.board = parseVTT(text).map((c) => {
        const [img, frag] = c.text.trim().split("#xywh=");
        const [x, y, w, h] = (frag || "").split(",").map(Number);
        if (!img || ![x, y, w, h].every(Number.isFinite)) return null;
        return { start: c.start, end: c.end, img: new URL(img, url).href, x, y, w, h };
      }).filter(Boolean);
    } catch (e) {
      // The storyboard is an extra; the video plays without it.
    }
  }

  _bindControls() {
    const { play, seek, captions, mute, fullscreen } = this.el;
    play.addEventListener("click", () => {
      if (this.video.paused || this.video.ended) {
        this.video.play().catch((e) => { if (e.name !== "AbortError") this.onStatus("Playback failed: " + e.message); });
      } else {
        this.video.pause();
      }
    });
    seek.addEventListener("input", () => {
      this.seeking = true;
      this.video.currentTime = Number(seek.value);
      this._showPreview(Number(seek.value));
    });
    seek.addEventListener("change", () => { this.seeking = false; this.el.preview.hidden = true; });
    seek.addEventListener("pointermove", (e) => {
      const r = seek.getBoundingClientRect();
      const d = this.video.duration;
      if (!(d > 0) || r.width === 0) return;
      this._showPreview(Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1) * d);
    });
    seek.addEventListener("pointerleave", () => { if (!this.seeking) this.el.preview.hidden = true; });
    seek.addEventListener("blur", () => { this.el.preview.hidden = true; });
    captions.addEventListener("change", () => {
      const tracks = [...this.video.textTracks];
      tracks.forEach((t, i) => {
        if (t.kind === "subtitles" || t.kind === "captions") t.mode = String(i) === captions.value ? "showing" : "disabled";
      });
    });
    mute.addEventListener("click", () => { this.video.muted = !this.video.muted; });
    fullscreen.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (this.root.requestFullscreen) this.root.requestFullscreen().catch(() => {});
    });
    this.root.addEventListener("keydown", (e) => {
      if (e.target !== this.root && e.target !== this.video) return;
      if (e.key === " " || e.key === "k") { e.preventDefault(); play.click(); }
      if (e.key === "ArrowRight") this.video.currentTime += 5;
      if (e.key === "ArrowLeft") this.video.currentTime -= 5;
    });
  }

  _bindVideo(signal) {
    const v = this.video;
    const on = (type, fn) => v.addEventListener(type, fn, { signal });
    const { play, seek, mute } = this.el;
    play.disabled = true;
    seek.disabled = true;
    on("loadedmetadata", () => {
      play.disabled = false;
      seek.disabled = false;
      seek.max = String(v.duration || 0);
      this._time();
    });
    on("play", () => { play.textContent = "❚❚"; play.setAttribute("aria-label", "Pause"); });
    on("pause", () => { play.textContent = "▶"; play.setAttribute("aria-label", "Play"); });
    on("timeupdate", () => this._time());
    on("durationchange", () => { seek.max = String(v.duration || 0); this._time(); });
    on("volumechange", () => {
      mute.setAttribute("aria-pressed", String(v.muted));
      mute.setAttribute("aria-label", v.muted ? "Unmute" : "Mute");
    });
    on("error", () => {
      if (v.error) this.onStatus("Playback failed: " + (v.error.message || "media error " + v.error.code));
    });
    v.addEventListener("click", () => play.click(), { signal });
    v.textTracks.addEventListener("addtrack", () => this._syncCaptionMenu(), { signal });
    v.textTracks.addEventListener("change", () => this._syncCaptionMenu(), { signal });
    this._syncCaptionMenu();
  }

  _time() {
    const v = this.video;
    if (!this.seeking) this.el.seek.value = String(v.currentTime);
    this.el.seek.setAttribute("aria-valuetext", clock(v.currentTime) + " of " + clock(v.duration));
    this.el.time.textContent = clock(v.currentTime) + " / " + clock(v.duration);
  }

  // _syncCaptionMenu lists the caption tracks in the menu, the showing one
  // selected.
  _syncCaptionMenu() {
    const sel = this.el.captions;
    const opts = [new Option("Captions off", "")];
    let selected = "";
    [...this.video.textTracks].forEach((t, i) => {
      if (t.kind !== "subtitles" && t.kind !== "captions") return;
      opts.push(new Option(t.label || t.language || "Track " + (i + 1), String(i)));
      if (t.mode === "showing") selected = String(i);
    });
    sel.replaceChildren(...opts);
    sel.value = selected;
    sel.disabled = opts.length === 1;
  }

  _showPreview(t) {
    const p = this.el.preview;
    const c = this.board.find((b) => t >= b.start && t < b.end) || this.board[this.board.length - 1];
    const d = this.video.duration;
    if (!c || !(d > 0)) { p.hidden = true; return; }
    const frame = p.firstElementChild;
    frame.style.width = c.w + "px";
    frame.style.height = c.h + "px";
    frame.style.backgroundImage = 'url("' + c.img.replace(/["\\\n]/g, encodeURIComponent) + '")';
    frame.style.backgroundPosition = -c.x + "px " + -c.y + "px";
    p.lastElementChild.textContent = clock(t);
    const seekBox = this.el.seek.getBoundingClientRect();
    const x = Math.min(Math.max((t / d) * seekBox.width - c.w / 2, 0), Math.max(seekBox.width - c.w, 0));
    p.style.left = x + "px";
    p.hidden = false;
    p.dataset.time = String(t);
  }
}

async function fetchText(url, signal) {
  const r = await fetch(url, { signal });
  if (!r.ok) throw new Error(url.split("?")[0] + " answered " + r.status);
  return r.text();
}

// parseAttributes parses an HLS attribute list: KEY=value or KEY="value".
function parseAttributes(s) {
  const out = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/g;
  let m;
  while ((m = re.exec(s)) !== null) {
    out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
    if (m[0] === "") re.lastIndex++;
  }
  return out;
}

// parseRenditions returns the EXT-X-MEDIA renditions of a master playlist
// with their URIs resolved against base.
function parseRenditions(text, base) {
  const out = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith("#EXT-X-MEDIA:")) continue;
    const a = parseAttributes(line.slice("#EXT-X-MEDIA:".length));
    out.push({
      type: a.TYPE, name: a.NAME, language: a.LANGUAGE,
      isDefault: a.DEFAULT === "YES",
      uri: a.URI ? new URL(a.URI, base).href : "",
    });
  }
  return out;
}

// parseMediaPlaylist returns the segment URIs of a media playlist.
function parseMediaPlaylist(text, base) {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => new URL(l, base).href);
}

// parseVTT returns the cues of a WebVTT file: {start, end, text}, times in
// seconds.
function parseVTT(text) {
  const cues = [];
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n");
    const i = lines.findIndex((l) => l.includes("-->"));
    if (i < 0 || i > 1) continue;
    const m = /^\s*((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})/.exec(lines[i]);
    if (!m) continue;
    const start = vttTime(m[1]);
    const end = vttTime(m[2]);
    if (!(end > start)) continue;
    cues.push({ start, end, text: lines.slice(i + 1).join("\n").replace(/\n+$/, "") });
  }
  return cues;
}

function vttTime(s) {
  const p = s.split(":").map(Number);
  return p.length === 3 ? p[0] * 3600 + p[1] * 60 + p[2] : p[0] * 60 + p[1];
}

function clock(t) {
  if (!Number.isFinite(t) || t < 0) t = 0;
  t = Math.floor(t);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, "0");
  return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
}

window.V100Player = V100Player;
window.V100Clock = clock;
