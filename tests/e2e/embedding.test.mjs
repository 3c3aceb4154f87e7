// Embedding, as a course author does it: every snippet of EMBEDDING.md is loaded here exactly as
// written, in a host page; plus the origin checks, the strict CSP and the single-file build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serveDist, launchBrowser, openPage, screenshot, ROOT, DIST } from "./harness.mjs";

/** The ```html block after each `<!-- test: NAME -->` marker in EMBEDDING.md. */
async function snippets() {
  const doc = await readFile(join(ROOT, "EMBEDDING.md"), "utf8");
  const out = {};
  for (const m of doc.matchAll(/<!-- test: ([a-z-]+) -->\n```html\n([\s\S]*?)\n```/g)) out[m[1]] = m[2];
  // The policy exactly as documented.
  out.csp = doc.match(/^Content-Security-Policy: (.+)$/m)?.[1];
  return out;
}

/** A host page: the snippet, plus a recorder of every message the playground posts. */
const host = (body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Course page</title><link rel="icon" href="data:,"></head>
<body><h1>Lesson 4: poison pills</h1>
<script>window.received = []; addEventListener("message", (e) => { if (e.data && e.data.source === "queue-playground") received.push({ origin: e.origin, ...e.data }); });</script>
${body}
</body></html>`;

let server;
let browser;
let docs;

before(async () => {
  docs = await snippets();
  assert.deepEqual(Object.keys(docs).sort(), ["csp", "iframe", "iframe-commands", "script"], "EMBEDDING.md snippets found");
  assert.match(docs.csp, /script-src 'self' 'wasm-unsafe-eval'/);
  const crossFrame = (query) =>
    host(`<iframe id="queue-playground" src="PLAYGROUND/queue-playground/index.html?embed=1${query}" style="width:100%;height:300px;border:0"></iframe>`);
  server = await serveDist({
    prefix: "/queue-playground/",
    pages: {
      "/course/iframe.html": host(docs.iframe + "\n" + docs["iframe-commands"]),
      "/course/script.html": host(docs.script),
      "/course/cross.html": crossFrame(""),
      "/course/cross-allowed.html": crossFrame("&origin=ORIGIN"),
      "/course/bad-options.html": host(`<div id="p"></div><script type="module">
        import { mount } from "/queue-playground/playground.js";
        window.handle = await mount(document.getElementById("p"), { lesson: 42, lock: "ordering,warp-drive", colour: "red" });
        try { await mount("#p", {}); } catch (e) { window.notAnElement = e.message; }
      </script>`),
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const page = async (path, url = `${server.origin}${path}`) => openPage(browser, url, { viewport: { width: 1200, height: 900 } });

test("the iframe snippet: compact layout, locked controls, and the height fits the content", async () => {
  const { page: p, problems } = await page("/course/iframe.html");
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector(".diagram");
  assert.equal(await frame.$(".site-header"), null, "no site chrome when embedded");
  assert.equal(await frame.textContent(".lesson-title"), "The poison pill");
  assert.equal(await frame.isDisabled("#ordering"), true, "ordering locked");
  assert.equal(await frame.isDisabled("#batch-size"), true, "batch locked");
  assert.equal(await frame.isDisabled("#batch-failure"), true, "batch locked");
  assert.equal(await frame.isDisabled("#max-receives"), false, "the rest stay usable");
  // The host resized the iframe to the reported height: no inner scrollbar.
  await p.waitForFunction(() => window.received.some((m) => m.type === "height"));
  await p.waitForFunction(() => {
    const f = document.getElementById("queue-playground");
    const last = window.received.filter((m) => m.type === "height").at(-1);
    return Math.abs(f.getBoundingClientRect().height - last.height) < 1;
  });
  const fits = await frame.evaluate(() => document.scrollingElement.scrollHeight <= window.innerHeight + 1);
  assert.ok(fits, "the iframe shows all of its content without scrolling");
  await screenshot(p, "embed-iframe");
  assert.deepEqual(problems, []);
  await p.close();
});

test("the iframe obeys the host's commands and reports the checkpoint", async () => {
  const { page: p, problems } = await page("/course/iframe.html");
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector("#checkpoint");
  await frame.check('#checkpoint input[value="forever"]');
  await frame.click("#run-check");
  await p.waitForFunction(() => window.received.some((m) => m.type === "checkpoint-answered"), null, { timeout: 30_000 });
  const answered = await p.evaluate(() => window.received.find((m) => m.type === "checkpoint-answered"));
  assert.equal(answered.lesson, "poison-pill");
  assert.equal(answered.correct, true);
  assert.equal(answered.origin, server.origin);
  assert.ok(await p.evaluate(() => window.received.some((m) => m.type === "lesson-completed")));
  // Play inside, then the host's Pause button (the snippet) stops it.
  await frame.click("#play-pause");
  await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("running"));
  await p.click("#pause-playground");
  await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("paused"));
  assert.deepEqual(problems, []);
  await p.close();
});

test("another origin is ignored unless the origin option allows it", async () => {
  // The host on localhost, the playground on 127.0.0.1: two origins.
  const hostOrigin = `http://localhost:${server.port}`;
  for (const allowed of [false, true]) {
    const path = allowed ? "/course/cross-allowed.html" : "/course/cross.html";
    const html = (await (await fetch(`${server.origin}${path}`)).text())
      .replace("PLAYGROUND", server.origin)
      .replace("ORIGIN", encodeURIComponent(hostOrigin));
    const { page: p } = await openPage(browser, "about:blank");
    await p.route(`${hostOrigin}/course/page.html`, (r) => r.fulfill({ contentType: "text/html", body: html }));
    await p.goto(`${hostOrigin}/course/page.html`);
    const frame = await (await p.waitForSelector("iframe")).contentFrame();
    await frame.waitForSelector(".diagram");
    await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("running"));
    await p.evaluate((target) => {
      document.getElementById("queue-playground").contentWindow.postMessage({ target: "queue-playground", command: "pause" }, target);
    }, server.origin);
    await p.waitForTimeout(500);
    const paused = (await frame.textContent("#clock")).includes("paused");
    const heights = await p.evaluate(() => window.received.filter((m) => m.type === "height").length);
    if (allowed) {
      assert.ok(paused, "an allowed origin's command is obeyed");
      assert.ok(heights > 0, "and it receives the height");
    } else {
      assert.ok(!paused, "a command from another origin is ignored");
      assert.equal(heights, 0, "and nothing is posted to it");
    }
    await p.close();
  }
});

test("the script snippet mounts two independent playgrounds on one page", async () => {
  const { page: p, problems } = await page("/course/script.html");
  await p.waitForFunction(() => window.playgrounds);
  const one = await p.evaluateHandle(() => document.getElementById("lesson-one").shadowRoot);
  const two = await p.evaluateHandle(() => document.getElementById("lesson-two").shadowRoot);
  await p.waitForFunction((r) => r.querySelector(".diagram"), one);
  await p.waitForFunction((r) => r.querySelector(".diagram"), two);
  assert.equal(await p.evaluate((r) => r.querySelector(".lesson-title").textContent, one), "The poison pill");
  assert.equal(await p.evaluate((r) => r.querySelector(".lesson-title").textContent, two), "One bad message in a batch");
  assert.equal(await p.evaluate((r) => r.querySelector(".shell").dataset.theme, two), "dark");
  assert.equal(await p.evaluate((r) => r.querySelector("#max-receives").disabled, one), true, "lock: dlq");
  // Independent: play one, and only its clock moves.
  await p.evaluate(() => window.playgrounds.one.play());
  await p.waitForTimeout(600);
  const now = (r) => p.evaluate((root) => Number(root.querySelector("#clock").dataset.now), r);
  assert.ok((await now(one)) > 0, "one runs");
  assert.equal(await now(two), 0, "two is still paused at the start");
  // Events arrive on the element; commands go through the handle.
  await p.evaluate(() => {
    window.events = [];
    document.getElementById("lesson-two").addEventListener("queue-playground:checkpoint-answered", (e) => window.events.push(e.detail));
  });
  await p.evaluate(async () => {
    window.playgrounds.two.loadLesson("delay-queue");
  });
  await p.waitForFunction((r) => r.querySelector(".lesson-title")?.textContent === "Delayed delivery", two);
  await p.evaluate((r) => r.querySelector('#checkpoint input[value="none"]').click(), two);
  await p.waitForFunction((r) => !r.querySelector("#run-check").disabled, two);
  await p.evaluate((r) => r.querySelector("#run-check").click(), two);
  await p.waitForFunction(() => window.events.length > 0, null, { timeout: 30_000 });
  const detail = await p.evaluate(() => window.events[0]);
  assert.deepEqual({ lesson: detail.lesson, correct: detail.correct, actual: detail.actual }, { lesson: "delay-queue", correct: true, actual: "none" });
  assert.equal(await p.evaluate((r) => r.querySelector(".lesson-title").textContent, one), "The poison pill", "one is untouched");
  // Host CSS does not reach in, and ours does not leak out.
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).margin), "8px", "host page keeps its own styles");
  await p.evaluate(() => window.playgrounds.one.pause());
  // Copy link in a mounted playground opens the playground's own page at the same lesson.
  await p.evaluate((r) => r.querySelector("#copy-link").click(), one);
  await p.waitForFunction((r) => r.querySelector("#share-url"), one);
  const link = await p.evaluate((r) => r.querySelector("#share-url").value, one);
  assert.ok(link.startsWith(`${server.origin}/queue-playground/index.html?v=1&l=poison-pill`), link);
  await screenshot(p, "embed-script-two-playgrounds");
  assert.deepEqual(problems, []);
  await p.close();
});

test("bad script options are reported in the console and the playground still mounts", async () => {
  const { page: p, problems } = await page("/course/bad-options.html");
  await p.waitForFunction(() => window.handle && window.notAnElement);
  await p.waitForFunction(() => document.getElementById("p").shadowRoot.querySelector(".diagram"));
  const text = problems.join("\n");
  assert.match(text, /options\.lesson: expected a string; got 42/);
  assert.match(text, /options\.colour: not an option; expected one of lesson, link, lock/);
  assert.match(text, /lock: expected names from: play, step, .*; got "warp-drive"/);
  assert.match(await p.evaluate(() => window.notAnElement), /mount: expected an element, such as document\.getElementById\("playground"\); got "#p"/);
  assert.equal(await p.evaluate(() => document.getElementById("p").shadowRoot.querySelector("#ordering").disabled), true, "the good lock name still applies");
  await p.close();
});

test("the page runs under the documented strict Content-Security-Policy", async () => {
  const strict = await serveDist({ prefix: "/queue-playground/", headers: { "content-security-policy": docs.csp } });
  try {
    const { page: p, problems } = await openPage(browser, strict.url);
    await p.waitForSelector(".diagram");
    await p.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 0);
    assert.deepEqual(problems, [], "no CSP violation and no error");
    await p.close();
  } finally {
    await strict.close();
  }
});

test("the single-file build runs from file://", async () => {
  const url = pathToFileURL(join(DIST, "queue-playground-standalone.html")).href;
  const { page: p, problems } = await openPage(browser, url, { viewport: { width: 1280, height: 900 } });
  await p.waitForSelector(".diagram");
  await p.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 1000);
  await p.selectOption("#lesson-picker", "poison-pill");
  await p.waitForSelector("#checkpoint");
  assert.deepEqual(problems, []);
  await screenshot(p, "standalone-file");
  await p.close();
});
