// browser.js drives Debian's chromium through playwright-core over v100's
// web page, as TestServeBrowser (cmd/v100) asks, and prints one JSON line
// of what it saw for the test to check. It asserts nothing itself beyond
// waiting for each step within its time limit; a step that times out ends
// the run with {"error": …}.
//
// Usage: node browser.js '{"url": …, "clip": …, "chromium": …, "out": …,
// "hlsjs": path of hls.min.js, "hlsURL": the CDN URL the page loads it from,
// "policy": "public" or "signed", "key": an API key of the server or ""}'
//
// Steps: enter the API key (if given) once the page asks for it; upload the clip through the form in chunks, cut the connection
// after the first chunk, reload, choose the file again and check that the
// upload resumes from the server's offset; wait for the list to show the
// video ready (live, without reloading the list); open the player, check the
// poster, press play, check that time advances, that a caption track has
// cues and shows one, that the caption menu switches it, and that the seek
// bar shows a storyboard preview; screenshot; then the same through hls.js,
// served to the page in place of the CDN (the test machine is offline).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const cfg = JSON.parse(process.argv[2]);
const result = { consoleErrors: [], ignoredErrors: [], steps: [] };

function step(name) {
  result.steps.push(name);
  process.stderr.write("browser: " + name + "\n");
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "v100-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: cfg.chromium,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync"],
    viewport: { width: 960, height: 800 },
  });
  try {
    await run(context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(context) {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  let errors = result.consoleErrors;
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text() + " @ " + JSON.stringify(m.location())); });
  page.on("pageerror", (e) => errors.push("uncaught: " + e.message));

  // hls.js from its CDN, answered from node_modules.
  result.hlsjsServed = 0;
  await context.route(cfg.hlsURL, (route) => {
    result.hlsjsServed++;
    route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/javascript; charset=utf-8", "Access-Control-Allow-Origin": "*" },
      body: fs.readFileSync(cfg.hlsjs),
    });
  });

  step("open the page");
  await page.goto(cfg.url + "/");
  await page.waitForSelector("#upload-form");
  const size = fs.statSync(cfg.clip).size;
  await page.evaluate((n) => localStorage.setItem("v100.chunkSize", String(n)), Math.ceil(size / 4));
  if (cfg.key) {
    // The server has a key: the list is refused until the page has it.
    step("enter the API key");
    await page.waitForFunction(() => /API key/.test(document.querySelector("#list-status").textContent));
    result.noKeyStatus = await page.textContent("#list-status");
    await page.click(".key summary");
    await page.fill("#key", cfg.key);
    await page.click("#key-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#list-status").textContent === "No videos yet.");
  }

  // Upload; the second PATCH fails as a dropped connection would.
  step("upload, interrupted after the first chunk");
  let patches = 0;
  const cut = (route) => {
    if (route.request().method() === "PATCH" && ++patches > 1) return route.abort("connectionreset");
    return route.continue();
  };
  await page.route("**/v1/uploads/**", cut);
  await page.setInputFiles("#file", cfg.clip);
  if (cfg.policy) await page.check('input[name=policy][value="' + cfg.policy + '"]');
  await page.click("#upload-start");
  await page.waitForFunction(() => /stopped/.test(document.querySelector("#upload-status").textContent));
  result.interruptedStatus = await page.textContent("#upload-status");
  await page.unroute("**/v1/uploads/**", cut);
  // The dropped connection (and the list refused before the key was
  // entered) were logged as errors; they were meant to be.
  result.ignoredErrors = errors;
  errors = result.consoleErrors = [];

  step("reload and resume");
  const offsets = [];
  page.on("request", (r) => {
    if (r.method() === "PATCH" && r.url().includes("/v1/uploads/")) offsets.push(Number(r.headers()["upload-offset"]));
  });
  await page.reload();
  await page.waitForSelector("#upload-form");
  // The same file with the same policy resumes; another policy would be
  // another upload.
  if (cfg.policy) await page.check('input[name=policy][value="' + cfg.policy + '"]');
  await page.setInputFiles("#file", cfg.clip);
  result.resumeOffered = await page.textContent("#upload-status");
  await page.click("#upload-start");
  await page.waitForFunction(() => /uploaded/.test(document.querySelector("#upload-status").textContent));
  result.uploadedStatus = await page.textContent("#upload-status");
  result.patchOffsetsAfterReload = offsets;
  result.clipSize = size;

  step("wait for the video to be ready");
  const row = page.locator("#videos tr").first();
  result.id = await row.getAttribute("data-id");
  const seen = [];
  const deadline = Date.now() + (cfg.readyTimeoutMs || 240000);
  for (;;) {
    const st = await row.getAttribute("data-status");
    const pct = await row.locator(".progress .num").textContent();
    const last = seen[seen.length - 1];
    if (!last || last.status !== st || last.progress !== pct) seen.push({ status: st, progress: pct });
    if (st === "ready" || st === "failed") break;
    if (Date.now() > deadline) throw new Error("the video was not ready in time: " + JSON.stringify(seen));
    await page.waitForTimeout(100);
  }
  result.listStatuses = seen;
  result.listShot = path.join(cfg.out, "list.png");
  await page.screenshot({ path: result.listShot });

  // The player, native HLS.
  step("open the player");
  await row.locator("a.watch").click();
  await page.waitForSelector("#watch:not([hidden])");
  await page.waitForFunction(() => document.querySelector("#player").dataset.engine);
  result.native = await playerChecks(page, "native", true);

  // The player through hls.js.
  step("open the player with hls.js");
  await page.evaluate((id) => { location.hash = "#/watch/" + id + "?engine=hls.js"; }, result.id);
  await page.waitForFunction(() => document.querySelector("#player").dataset.engine === "hls.js");
  result.hlsjs = await playerChecks(page, "hls.js", false);
}

// playerChecks plays the open video and reports what happened.
async function playerChecks(page, name, hover) {
  const out = { engine: await page.getAttribute("#player", "data-engine") };
  out.canPlayHLS = await page.evaluate(() => document.querySelector("#video").canPlayType("application/vnd.apple.mpegurl"));
  out.poster = await page.evaluate(async () => {
    const v = document.querySelector("#video");
    if (!v.poster) return { url: "" };
    const img = new Image();
    img.src = v.poster;
    try { await img.decode(); } catch (e) { return { url: v.poster, loaded: false }; }
    return { url: v.poster, loaded: img.naturalWidth > 0, width: img.naturalWidth };
  });
  await page.waitForSelector("#play:not([disabled])");
  out.posterShot = path.join(cfg.out, "poster-" + name + ".png");
  await page.locator("#player").screenshot({ path: out.posterShot });

  await page.click("#play");
  await page.waitForFunction(() => document.querySelector("#video").currentTime > 0.3, null, { timeout: 30000 });
  const t1 = await page.evaluate(() => document.querySelector("#video").currentTime);
  await page.waitForTimeout(1000);
  const t2 = await page.evaluate(() => document.querySelector("#video").currentTime);
  out.currentTime = [t1, t2];

  // A caption track with cues, one of them on screen.
  await page.waitForFunction(() => [...document.querySelector("#video").textTracks]
    .some((t) => t.mode === "showing" && t.cues && t.cues.length > 0 && t.activeCues && t.activeCues.length > 0),
  null, { timeout: 30000 }).catch(() => {});
  out.tracks = await tracks(page);
  out.activeCue = await page.evaluate(() => {
    for (const t of document.querySelector("#video").textTracks) {
      if (t.mode === "showing" && t.activeCues && t.activeCues.length) return t.activeCues[0].text;
    }
    return "";
  });
  out.captionMenu = await page.$$eval("#captions option", (os) => os.map((o) => o.textContent));
  out.screenshot = path.join(cfg.out, "playing-" + name + ".png");
  await page.screenshot({ path: out.screenshot });
  out.screenshotTime = await page.evaluate(() => document.querySelector("#video").currentTime);

  // The caption menu turns the track off and on again.
  if (out.captionMenu.length < 2) return out;
  await page.selectOption("#captions", "");
  const off = await tracks(page);
  const on = await page.$eval("#captions option:nth-child(2)", (o) => o.value);
  await page.selectOption("#captions", on);
  const again = await tracks(page);
  out.menuSwitches = off.every((t) => t.mode !== "showing") && again.some((t) => t.mode === "showing");

  if (hover) {
    // Storyboard preview on the seek bar.
    const box = await page.locator("#seek").boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.waitForSelector("#preview:not([hidden])", { timeout: 10000 }).catch(() => {});
    out.preview = await page.evaluate(() => {
      const p = document.querySelector("#preview");
      const f = p.firstElementChild;
      return { visible: !p.hidden, image: f.style.backgroundImage, position: f.style.backgroundPosition,
        width: f.style.width, time: Number(p.dataset.time || "NaN") };
    });
    out.previewShot = path.join(cfg.out, "storyboard-" + name + ".png");
    await page.locator("#player").screenshot({ path: out.previewShot });
    await page.mouse.move(0, 0);
  }
  await page.evaluate(() => document.querySelector("#video").pause());
  return out;
}

function tracks(page) {
  return page.evaluate(() => [...document.querySelector("#video").textTracks].map((t) => ({
    kind: t.kind, label: t.label, language: t.language, mode: t.mode,
    cues: t.cues ? t.cues.length : -1,
  })));
}

main().then(
  () => { console.log(JSON.stringify(result)); },
  (e) => {
    result.error = String(e && e.stack || e);
    console.log(JSON.stringify(result));
    process.exitCode = 1;
  },
);
