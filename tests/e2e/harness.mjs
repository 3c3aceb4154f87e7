// Shared helpers for the end-to-end tests: a static server for dist/ under any sub-path, and
// Debian's Chromium driven by playwright-core (a test tool's own browser download is blocked here).
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { before, after } from "node:test";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const DIST = join(ROOT, "dist");
export const SCREENSHOTS = join(ROOT, "artifacts", "screenshots");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves `dir` under `prefix` (e.g. "/courses/mq/playground/") on 127.0.0.1, a free port.
 * `pages` maps other paths to HTML (host pages for the embedding tests); `headers` are added
 * to every response (e.g. a Content-Security-Policy). `precompressed` lists the encodings
 * ("br", "gzip") whose pre-compressed copies (`F.br`, `F.gz`) are served when the browser
 * accepts them, in that order of preference. With `posts` (an array), every POST is
 * answered 200 and recorded there as `{ path, headers, body }`: a stand-in for a site's own
 * endpoints, such as an xAPI forwarder.
 */
export async function serveDist({
  prefix = "/",
  dir = DIST,
  pages = {},
  headers = {},
  precompressed = [],
  posts,
} = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (posts && req.method === "POST") {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      posts.push({ path: url.pathname, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": TYPES[".json"] }).end("[]");
      return;
    }
    if (pages[url.pathname] !== undefined) {
      res.writeHead(200, { "content-type": TYPES[".html"] }).end(pages[url.pathname]);
      return;
    }
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end("outside the served prefix");
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || "index.html";
    if (rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const type = { "content-type": TYPES[extname(file)] ?? "application/octet-stream" };
      // As a static host with pre-compressed files does (nginx gzip_static/brotli_static).
      const accepts = req.headers["accept-encoding"] ?? "";
      for (const encoding of precompressed) {
        if (!accepts.includes(encoding)) continue;
        const packed = await readFile(file + (encoding === "br" ? ".br" : ".gz")).catch(() => null);
        if (packed) {
          res.writeHead(200, { ...type, "content-encoding": encoding, vary: "accept-encoding" });
          res.end(packed);
          return;
        }
      }
      const body = await readFile(file);
      res.writeHead(200, type);
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/**
 * Debian's Chromium, headless. `hostRules` replaces the default name mapping (*.test to this
 * machine), e.g. to give each test server a port-less name such as http://course.test.
 */
export async function launchBrowser({ hostRules = "MAP *.test 127.0.0.1" } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // The origin tests put a host page and the playground on two origins of this machine.
      "--disable-features=LocalNetworkAccessChecks",
      // Real host names for those two origins (course.test, playground.test), resolved here.
      `--host-resolver-rules=${hostRules}`,
    ],
  });
}

/** A page that records console errors, uncaught exceptions and failed requests. */
export async function openPage(browser, url, options = {}) {
  const page = await (options.context ?? browser).newPage(options.context ? undefined : options);
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()}`));
  await page.goto(url);
  return { page, problems };
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A screenshot of one element (e.g. a region) rather than the whole page. */
export async function screenshotOf(page, selector, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.locator(selector).screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * For a test file: serves dist/ under `prefix` and launches the browser before its tests, and
 * closes both after them. Read `site.server` and `site.browser` inside the tests.
 */
export function useSite(options) {
  const site = { server: undefined, browser: undefined };
  before(async () => {
    site.server = await serveDist(options);
    site.browser = await launchBrowser();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}

/** Picks a lesson prediction and runs until the lesson pauses at its first moment. */
export async function runToMoment(page, choice) {
  await page.check(`#checkpoint input[value="${choice}"]`);
  await page.click("#run-check");
  await page.waitForFunction(() => /Paused here/.test(document.querySelector("#moment")?.textContent ?? ""), null, { timeout: 30_000 });
}

/** Picks a lesson prediction and runs to the checkpoint; returns the verdict's data. */
export async function answer(page, choice) {
  await page.check(`#checkpoint input[value="${choice}"]`);
  await page.click("#run-check");
  // The run pauses at each of the lesson's moments, and Go on plays to the next stop.
  for (;;) {
    const at = await page.waitForFunction(() => {
      if (document.querySelector("#verdict")) return "verdict";
      return /Paused here/.test(document.querySelector("#moment")?.textContent ?? "") && "moment";
    }, null, { timeout: 30_000 });
    if ((await at.jsonValue()) === "verdict") break;
    const moment = await page.textContent("#moment");
    // The lesson's own button, beside the moment, as a learner on a phone presses it (Play is
    // further down the page there).
    await page.click("#go-on");
    // Gone on: playing, at the next moment, or judged (the next stop can come within a tick).
    await page.waitForFunction((m) => document.querySelector("#moment")?.textContent !== m, moment);
  }
  return page.evaluate(() => {
    const v = document.querySelector("#verdict");
    return { correct: v.dataset.correct, actual: v.dataset.actual, text: v.textContent };
  });
}

/**
 * The text of `region`'s configuration to copy, once its box (opened here unless it is open
 * already) has fetched it from exports/.
 */
export async function exportText(page, region) {
  const box = `${region} details.export-box`;
  if ((await page.getAttribute(box, "open")) === null) await page.click(`${box} summary`);
  await page.waitForSelector(`${box} code[data-loaded]`, { state: "attached" });
  return page.textContent(`${box} code`);
}

/** Pastes a system's file into the studio's fold and runs it; resolves once the planner has answered. */
export async function runFile(page, text) {
  if (!(await page.isVisible("#system-file-text"))) await page.click("#system-file summary");
  await page.fill("#system-file-text", text);
  await page.click("#system-file-run");
  await page.waitForFunction(() => /^(Read|Not applied)/.test(document.querySelector("#system-file-status").textContent), null, { timeout: 30_000 });
}

/** The serious and critical axe-core violations inside `selector`, one line each. */
export async function axeSerious(page, selector) {
  await page.addScriptTag({ content: await readFile(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8") });
  return page.evaluate(async (selector) =>
    (await window.axe.run(document.querySelector(selector), { resultTypes: ["violations"] })).violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), selector);
}

/** Every box of the canvas in `region`: node name to its lines of text. */
export function canvasBoxes(page, region) {
  return page.$$eval(`${region} .canvas [data-node]`, (gs) =>
    Object.fromEntries(gs.map((g) => [g.dataset.node, [...g.querySelectorAll("text")].map((t) => t.textContent)])));
}

/**
 * Runs the open system to simulated time `t` at 100×, pauses, travels back to exactly `t`,
 * and reads the canvas in `region` ([`canvasBoxes`]).
 */
export async function canvasAt(page, region, t) {
  await page.selectOption("#speed", "100");
  await page.waitForFunction((t) => Number(document.querySelector("#clock").dataset.now) > t, t, { timeout: 30_000 });
  await page.click("#play-pause");
  await page.$eval("#scrub", (el, t) => {
    el.value = String(t);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, t);
  await page.waitForFunction((t) => document.querySelector("#clock").dataset.now === String(t), t);
  return canvasBoxes(page, region);
}
