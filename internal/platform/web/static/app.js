// app.js: the page's two views, the list of videos with the upload form
// ("#/") and the player ("#/watch/{id}"), over v100's JSON API.
//
// Settings kept in localStorage: "v100.key", the API key sent as
// "Authorization: Bearer …" when set; "v100.chunkSize", the bytes of a tus
// PATCH (default 8 MiB; tests make it small to stop an upload half way).
"use strict";

(() => {
  const $ = (sel) => document.querySelector(sel);
  const PAGE = 20;
  const MAX_STREAMS = 3; // event streams at once, within the browser's 6 connections
  const FINAL = new Set(["ready", "failed"]);
  const hlsMeta = document.querySelector('meta[name="v100-hls"]');
  const player = new V100Player($("#player"), { url: hlsMeta.content, integrity: hlsMeta.dataset.integrity },
    (msg) => { $("#watch-status").textContent = msg; });

  // ---- API ----

  function authHeaders() {
    const key = localStorage.getItem("v100.key");
    return key ? { Authorization: "Bearer " + key } : {};
  }

  async function api(method, path, body, signal) {
    const init = { method, headers: authHeaders(), signal };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    if (r.status === 204) return null;
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) {
      const err = new Error((data && data.error && data.error.message) || method + " " + path + " answered " + r.status);
      err.status = r.status;
      throw err;
    }
    return data;
  }

  function problem(e) {
    if (e.status === 401) return e.message + " — set an API key above.";
    return e.message;
  }

  // ---- server-sent events, read with fetch so that the key can be sent ----

  // follow calls onEvent with each status event of video id until the
  // stream ends or signal aborts; it resolves when the stream ends.
  async function follow(id, onEvent, signal) {
    const r = await fetch("/v1/videos/" + encodeURIComponent(id) + "/events", {
      headers: Object.assign({ Accept: "text/event-stream" }, authHeaders()), signal,
    });
    if (!r.ok || !r.body) throw new Error("events answered " + r.status);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let type = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const [field, ...rest] = line.split(":");
          const v = rest.join(":").replace(/^ /, "");
          if (field === "event") type = v;
          else if (field === "data") data.push(v);
        }
        if (type === "status" && data.length) {
          try { onEvent(JSON.parse(data.join("\n"))); } catch (e) { /* a malformed event */ }
        }
      }
    }
  }

  // ---- the list ----

  const rows = new Map(); // id → {tr, video}
  const following = new Map(); // id → AbortController
  const waiting = []; // ids to follow when a stream frees up
  let cursor = "";
  let listAbort = null;

  function resetList() {
    for (const c of following.values()) c.abort();
    following.clear();
    waiting.length = 0;
    rows.clear();
    $("#videos").replaceChildren();
    cursor = "";
  }

  async function loadList(more) {
    if (!more) resetList();
    if (listAbort) listAbort.abort();
    listAbort = new AbortController();
    $("#list-status").textContent = "Loading…";
    try {
      const q = "?limit=" + PAGE + (more && cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      const page = await api("GET", "/v1/videos" + q, undefined, listAbort.signal);
      for (const v of page.data) upsert(v, true);
      cursor = page.next_cursor || "";
      $("#more").hidden = !cursor;
      $("#list-status").textContent = rows.size ? "" : "No videos yet.";
    } catch (e) {
      if (e.name !== "AbortError") $("#list-status").textContent = "Listing the videos failed: " + problem(e);
    }
  }

  // upsert adds or updates the row of video v; append puts a new row last
  // (a page of the list) rather than first (a new upload).
  function upsert(v, append) {
    let row = rows.get(v.id);
    if (!row) {
      const tr = document.createElement("tr");
      tr.dataset.id = v.id;
      tr.innerHTML = '<th scope="row" class="name"></th><td class="status"></td>' +
        '<td class="progress"><progress max="100"></progress> <span class="num"></span></td>' +
        '<td class="added"></td><td class="actions"><a class="watch">Watch</a> <button type="button" class="delete">Delete</button></td>';
      const name = v.filename || v.id;
      tr.querySelector("progress").setAttribute("aria-label", "Progress of " + name);
      tr.querySelector(".delete").setAttribute("aria-label", "Delete " + name);
      tr.querySelector(".watch").setAttribute("aria-label", "Watch " + name);
      tr.querySelector(".delete").addEventListener("click", () => remove(v.id));
      row = { tr, video: {} };
      rows.set(v.id, row);
      const body = $("#videos");
      if (append) body.append(tr); else body.prepend(tr);
      $("#list-status").textContent = "";
    }
    row.video = Object.assign(row.video, v);
    render(row);
    // An upload changes only while a page sends it, and one left
    // unfinished would hold a stream for good: follow processing only.
    if (row.video.status === "waiting" || row.video.status === "processing") watchLive(v.id);
  }

  function render({ tr, video: v }) {
    tr.querySelector(".name").textContent = v.filename || v.id;
    const status = tr.querySelector(".status");
    status.textContent = v.status + (v.error ? ": " + v.error : "");
    tr.dataset.status = v.status;
    const p = tr.querySelector("progress");
    const pct = v.status === "ready" ? 100 : Math.max(0, Math.min(100, v.progress || 0));
    p.value = pct;
    tr.querySelector(".progress .num").textContent = Math.round(pct) + "%";
    if (v.created_at) tr.querySelector(".added").textContent = new Date(v.created_at).toLocaleString();
    const watch = tr.querySelector(".watch");
    if (v.status === "ready") watch.href = "#/watch/" + encodeURIComponent(v.id);
    else watch.removeAttribute("href");
    watch.hidden = v.status !== "ready";
  }

  function watchLive(id) {
    if (following.has(id) || waiting.includes(id)) return;
    if (following.size >= MAX_STREAMS) { waiting.push(id); return; }
    const ctl = new AbortController();
    following.set(id, ctl);
    const onEvent = (e) => {
      const row = rows.get(id);
      if (!row) return;
      Object.assign(row.video, { status: e.status, progress: e.progress, error: e.status === "failed" ? e.reason : "" });
      render(row);
    };
    (async () => {
      let delay = 1000;
      while (!ctl.signal.aborted) {
        try {
          await follow(id, onEvent, ctl.signal);
          delay = 1000;
        } catch (e) {
          if (ctl.signal.aborted) break;
          if (e.status === 404) break;
        }
        const row = rows.get(id);
        if (!row || ctl.signal.aborted) break;
        if (FINAL.has(row.video.status)) {
          // The final event carries no URLs: read the whole video once.
          try { upsertQuiet(await api("GET", "/v1/videos/" + encodeURIComponent(id), undefined, ctl.signal)); } catch (e) { /* next list load */ }
          break;
        }
        await sleep(delay, ctl.signal);
        delay = Math.min(delay * 2, 30000);
      }
      if (following.get(id) === ctl) following.delete(id);
      const next = waiting.shift();
      if (next && rows.has(next)) watchLive(next);
    })();
  }

  function upsertQuiet(v) {
    const row = rows.get(v.id);
    if (!row) return;
    row.video = Object.assign(row.video, v);
    render(row);
  }

  async function remove(id) {
    const row = rows.get(id);
    const name = row ? row.video.filename || id : id;
    if (!confirm("Delete " + name + " and all its files?")) return;
    try {
      await api("DELETE", "/v1/videos/" + encodeURIComponent(id));
      const c = following.get(id);
      if (c) c.abort();
      if (row) row.tr.remove();
      rows.delete(id);
      $("#list-status").textContent = name + " deleted.";
    } catch (e) {
      $("#list-status").textContent = "Deleting failed: " + problem(e);
    }
  }

  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }

  // ---- upload ----

  let upload = null;

  function setUploading(on) {
    $("#upload-start").disabled = on;
    $("#file").disabled = on;
    $("#upload-pause").hidden = !on;
  }

  function progress(sent, total) {
    const pct = total ? (sent / total) * 100 : 0;
    $("#upload-box").hidden = false;
    $("#upload-progress").value = pct;
    $("#upload-percent").textContent = pct.toFixed(pct < 100 ? 1 : 0) + "%";
  }

  // resumeHint says whether Upload would resume the chosen file, which it
  // does for the same file with the same policy.
  function resumeHint() {
    const f = $("#file").files[0];
    if (!f) return;
    const policy = new FormData($("#upload-form")).get("policy") || "public";
    $("#upload-status").textContent = localStorage.getItem(V100Upload.fingerprint(f, { filename: f.name, playback_policy: policy }))
      ? "Part of this file was uploaded before: Upload resumes it."
      : "";
    $("#upload-box").hidden = true;
  }
  $("#file").addEventListener("change", resumeHint);
  for (const r of document.querySelectorAll("input[name=policy]")) r.addEventListener("change", resumeHint);

  $("#upload-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = $("#file").files[0];
    if (!f) return;
    const policy = new FormData($("#upload-form")).get("policy") || "public";
    upload = new V100Upload(f, {
      endpoint: "/v1/uploads/",
      metadata: { filename: f.name, playback_policy: policy },
      headers: authHeaders,
      chunkSize: Number(localStorage.getItem("v100.chunkSize")) || 8 << 20,
      onProgress: progress,
      onCreated: (xhr) => {
        const id = xhr.getResponseHeader("V100-Video-Id");
        if (id) upsert({ id, filename: f.name, status: "uploading", progress: 0, created_at: new Date().toISOString() }, false);
      },
    });
    await runUpload();
  });

  $("#upload-pause").addEventListener("click", () => {
    if (!upload) return;
    if ($("#upload-pause").textContent === "Pause") {
      upload.stop();
    } else {
      runUpload();
    }
  });

  async function runUpload() {
    const f = upload.file;
    setUploading(true);
    $("#upload-pause").textContent = "Pause";
    $("#upload-status").textContent = "Uploading " + f.name + "…";
    try {
      await upload.start();
      $("#upload-status").textContent = f.name + " uploaded" + (upload.resumed ? " (resumed)" : "") + "; it is being processed.";
      $("#upload-form").reset();
      upload = null;
      setUploading(false);
      loadList(false);
    } catch (e) {
      if (e instanceof V100UploadStopped) {
        $("#upload-status").textContent = "Paused. Resume, or reload and choose the same file later.";
        $("#upload-pause").textContent = "Resume";
        $("#upload-start").disabled = true;
      } else {
        $("#upload-status").textContent = "The upload stopped: " + problem(e) + ". Choose the same file to resume.";
        upload = null;
        setUploading(false);
      }
    }
  }

  // ---- player view ----

  let watchAbort = null;

  async function showWatch(id, engine) {
    if (watchAbort) watchAbort.abort();
    watchAbort = new AbortController();
    const signal = watchAbort.signal;
    const status = $("#watch-status");
    status.textContent = "Loading…";
    $("#watch-title").textContent = "Video";
    $("#watch-info").replaceChildren();
    try {
      let v = await api("GET", "/v1/videos/" + encodeURIComponent(id), undefined, signal);
      $("#watch-title").textContent = v.filename || v.id;
      document.title = (v.filename || v.id) + " — v100";
      while (!FINAL.has(v.status) && !signal.aborted) {
        status.textContent = "The video is " + v.status + " (" + Math.round(v.progress || 0) + "%).";
        try { await follow(id, (e) => { status.textContent = "The video is " + e.status + " (" + Math.round(e.progress) + "%)."; }, signal); } catch (e) { await sleep(2000, signal); }
        v = await api("GET", "/v1/videos/" + encodeURIComponent(id), undefined, signal);
      }
      info(v);
      if (v.status === "failed") { status.textContent = "Processing failed: " + (v.error || "no reason given"); return; }
      let src = v.playback.hls;
      let poster = v.playback.poster || "";
      let storyboard = v.playback.storyboard || "";
      if (v.playback_policy === "signed") {
        const tok = await api("POST", "/v1/videos/" + encodeURIComponent(id) + "/playback-token", {}, signal);
        const q = "?token=" + encodeURIComponent(tok.token);
        src = tok.hls;
        if (poster) poster += q;
        if (storyboard) storyboard += q;
      }
      status.textContent = "";
      await player.load({ src, poster, storyboard, engine });
      $("#player").dataset.engine = player.engine;
    } catch (e) {
      if (e.name !== "AbortError") status.textContent = "Opening the video failed: " + problem(e);
    }
  }

  function info(v) {
    const dl = $("#watch-info");
    const add = (k, val) => {
      if (val === undefined || val === null || val === "") return;
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = val;
      dl.append(dt, dd);
    };
    add("Status", v.status);
    if (v.duration) add("Duration", V100Clock(v.duration));
    if (v.width) add("Size", v.width + "×" + v.height);
    if (v.renditions) add("Renditions", v.renditions.map((r) => r.height ? r.height + "p" : r.name || "").filter(Boolean).join(", "));
    add("Captions", (v.captions || []).join(", "));
    add("Playback", v.playback_policy);
    add("Playback ID", v.playback_id);
    if (v.message) add("Note", v.message);
  }

  // ---- routing ----

  function route() {
    const m = /^#\/watch\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
    const watching = !!m;
    $("#home").hidden = watching;
    $("#watch").hidden = !watching;
    if (watching) {
      for (const c of following.values()) c.abort();
      following.clear();
      waiting.length = 0;
      const engine = new URLSearchParams(m[2] || "").get("engine") || "auto";
      showWatch(decodeURIComponent(m[1]), engine);
    } else {
      if (watchAbort) watchAbort.abort();
      player.destroy();
      document.title = "v100";
      loadList(false);
    }
  }

  // ---- API key ----

  $("#key").value = localStorage.getItem("v100.key") || "";
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const k = $("#key").value.trim();
    if (k) localStorage.setItem("v100.key", k); else localStorage.removeItem("v100.key");
    $("#key-form").closest("details").open = false;
    route();
  });

  $("#more").addEventListener("click", () => loadList(true));
  window.addEventListener("hashchange", route);
  route();
})();
