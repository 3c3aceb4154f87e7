// Embedding, as a course author does it: every snippet of EMBEDDING.md is loaded here exactly as
// written, in a host page; plus the origin checks, the strict CSP and the single-file build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { answer, exportText, serveDist, launchBrowser, openPage, screenshot, ROOT, DIST } from "./harness.mjs";

/** The fenced block (```html, ```text, …) after each `<!-- test: NAME -->` marker in EMBEDDING.md. */
async function snippets() {
  const doc = await readFile(join(ROOT, "EMBEDDING.md"), "utf8");
  const out = {};
  for (const m of doc.matchAll(/<!-- test: ([a-z-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)) out[m[1]] = m[2];
  // The policy exactly as documented.
  out.csp = doc.match(/^Content-Security-Policy: (.+)$/m)?.[1];
  return out;
}

/** A host page: the snippet, plus a recorder of every message the playground posts. */
const host = (body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Course page</title><link rel="icon" href="data:,"></head>
<body><h1>Lesson 4: poison pills</h1>
<script>window.received = []; window.messages = []; addEventListener("message", (e) => { messages.push({ origin: e.origin, ...e.data }); if (e.data && e.data.source === "queue-playground") received.push({ origin: e.origin, ...e.data }); });</script>
${body}
</body></html>`;

let server;
let browser;
let docs;

before(async () => {
  docs = await snippets();
  assert.deepEqual(
    Object.keys(docs).sort(),
    ["csp", "iframe", "iframe-commands", "netlify-headers", "nginx", "poster", "script", "xapi"],
    "EMBEDDING.md snippets found",
  );
  assert.match(docs.csp, /script-src 'self' 'wasm-unsafe-eval'/);
  const crossFrame = (query) =>
    host(`<iframe id="queue-playground" src="PLAYGROUND/queue-playground/index.html?embed=1${query}" style="width:100%;height:300px;border:0"></iframe>`);
  server = await serveDist({
    prefix: "/queue-playground/",
    pages: {
      "/course/iframe.html": host(docs.iframe + "\n" + docs["iframe-commands"] + "\n" + docs.xapi),
      "/course/poster.html": host(docs.poster),
      "/course/script-poster.html": host(`<div id="p"></div><script type="module">
        import { mount } from "/queue-playground/playground.js";
        window.handle = await mount(document.getElementById("p"), { lesson: "poison-pill", poster: true });
      </script>`),
      // Records the target origin of every message the playground posts to this page.
      "/course/targets.html": host(`<script>window.targets = []; const post = window.postMessage.bind(window);
        window.postMessage = (message, target) => { targets.push(target); post(message, target); };</script>
        <iframe id="queue-playground" src="/queue-playground/index.html?embed=1&origin=https://elsewhere.example" style="width:100%;height:400px;border:0"></iframe>`),
      // Free play (running) at the top of a long course page.
      "/course/long.html": host(`<iframe id="queue-playground" src="/queue-playground/index.html?embed=1" style="width:100%;height:600px;border:0"></iframe><div style="height:4000px"></div>`),
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

/** Polls a Node-side condition (e.g. requests seen by a route) for up to 15 s. */
async function waitFor(condition, ms = 15_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${condition}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** What a screen reader is told about an element besides its name: Chromium's computed description. */
async function accessibleDescription(page, frame, selector) {
  const cdp = await page.context().newCDPSession(page);
  // Tag the element, find it in CDP's DOM (iframes included), and ask the accessibility tree.
  await frame.$eval(selector, (el) => el.setAttribute("data-ax-probe", ""));
  const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
  const find = (node) => {
    if ((node.attributes ?? []).includes("data-ax-probe")) return node;
    for (const child of [...(node.children ?? []), node.contentDocument, ...(node.shadowRoots ?? [])]) {
      const hit = child && find(child);
      if (hit) return hit;
    }
    return null;
  };
  const { backendNodeId } = find(root);
  const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { backendNodeId, fetchRelatives: false });
  await frame.$eval(selector, (el) => el.removeAttribute("data-ax-probe"));
  await cdp.detach();
  return nodes[0]?.description?.value ?? null;
}

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
  // Canvas's and H5P's own resize messages carry the same height.
  const last = await p.evaluate(() => window.received.filter((m) => m.type === "height").at(-1).height);
  await p.waitForFunction((h) => window.messages.some((m) => m.subject === "lti.frameResize" && m.height === h), last);
  await p.waitForFunction(
    (h) => window.messages.some((m) => m.context === "h5p" && m.action === "resize" && m.height === h && m.scrollHeight === h),
    last,
  );
  // A locked control says so, to sight (its tooltip) and to screen readers (its description).
  for (const id of ["#ordering", "#batch-size", "#batch-failure"]) {
    assert.equal(await frame.getAttribute(id, "aria-description"), "Locked by this course page", id);
    const tip = await frame.$eval(id, (el) => el.closest("[title]").title);
    assert.match(tip, /\(Locked by this course page\)$/, `${id}: ${tip}`);
  }
  assert.equal(await frame.getAttribute("#max-receives", "aria-description"), null, "an unlocked control says nothing");
  const description = await accessibleDescription(p, frame, "#ordering");
  assert.equal(description, "Locked by this course page", "screen readers are told why");
  await screenshot(p, "embed-iframe");
  assert.deepEqual(problems, []);
  await p.close();
});

test("an embedded lesson shows only what it needs; show= adds regions and show=all the whole page", async () => {
  const regions = async (query) => {
    const { page: p, problems } = await page(`/queue-playground/index.html?embed=1&${query}`);
    await p.waitForSelector("#region-lesson");
    const ids = await p.$$eval("main > section", (els) => els.map((e) => e.id.replace("region-", "")));
    assert.deepEqual(problems, [], query);
    await p.close();
    return ids;
  };
  const compact = await regions("lesson=kitchen-offline");
  assert.deepEqual(compact, ["lesson", "diagram", "controls", "metrics"], "the lesson, its system, and the metrics its steps point at");
  const more = await regions("lesson=kitchen-offline&show=log,dead-letters");
  assert.deepEqual(more, ["lesson", "diagram", "controls", "metrics", "dlq", "log"], "the dead-letter list is region-dlq");
  const onLog = await regions("lesson=stream-replay");
  assert.deepEqual(onLog, ["lesson", "stream", "controls"], "a log lesson needs its log, not the queue");
  // The whole page is the whole page of the lesson's system: one system at a time.
  const all = await regions("lesson=kitchen-offline&show=all");
  assert.deepEqual(all, ["lesson", "diagram", "controls", "inspector", "metrics", "dlq", "compare", "platform", "log"]);
  const freePlay = await regions("");
  assert.deepEqual(freePlay, all, "free play in an embed keeps every region of its system");
  const onRedis = await regions("s=redis-orders");
  assert.deepEqual(onRedis, ["lesson", "redis", "controls"], "another system takes the diagram's place");

  // Compact at 800 px: no lesson menu, the checkpoint beside the steps, and region headings
  // that screen readers still announce.
  const { page: p, problems } = await openPage(browser, `${server.origin}/queue-playground/index.html?embed=1&lesson=poison-pill`, { viewport: { width: 800, height: 900 } });
  await p.waitForSelector("#checkpoint");
  assert.equal(await p.isVisible("#lesson-picker"), false, "the author chose the lesson");
  const box = (sel) => p.locator(sel).boundingBox();
  const [steps, check] = [await box(".lesson-steps"), await box("#checkpoint")];
  assert.ok(check.x > steps.x + steps.width && check.y < steps.y + steps.height, "the checkpoint sits beside the steps");
  assert.ok((await box("#region-diagram-title")).height <= 1, "the heading is not drawn");
  assert.equal(await p.getAttribute("#region-diagram", "aria-labelledby"), "region-diagram-title");
  assert.ok(await p.locator("role=region[name='Diagram']").count() === 1, "but it names its region");
  // Of the controls, the clock's and the two the steps use.
  const visible = async (sel) => p.isVisible(sel);
  for (const sel of ["#play-pause", "#step", "#reset", "#speed", "#max-receives", "#send-poison"]) assert.ok(await visible(sel), sel);
  for (const sel of ["#seed", "#batch-size", "#ack", "#ordering", "#spike"]) assert.equal(await visible(sel), false, sel);
  const height = await p.evaluate(() => document.querySelector(".shell").scrollHeight);
  assert.ok(height < 1200, `${height} px tall at 800 px wide`);
  assert.deepEqual(problems, []);
  await p.close();
});

test("the iframe obeys the host's commands and reports the checkpoint, also as xAPI to an LRS", async () => {
  const { page: p, problems } = await openPage(browser, "about:blank", { viewport: { width: 1200, height: 900 } });
  const statements = [];
  await p.route("**/xAPI/statements", async (route) => {
    const request = route.request();
    statements.push({ method: request.method(), version: request.headers()["x-experience-api-version"], body: request.postDataJSON() });
    await route.fulfill({ status: 200, contentType: "application/json", body: '["id"]' });
  });
  await p.goto(`${server.origin}/course/iframe.html`);
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector("#checkpoint");
  // Predicted and run as a learner does, going on past the lesson's moment.
  await answer(frame, "forever");
  await p.waitForFunction(() => window.received.some((m) => m.type === "checkpoint-answered"), null, { timeout: 30_000 });
  const answered = await p.evaluate(() => window.received.find((m) => m.type === "checkpoint-answered"));
  assert.equal(answered.lesson, "poison-pill");
  assert.equal(answered.correct, true);
  assert.equal(answered.origin, server.origin);
  assert.ok(await p.evaluate(() => window.received.some((m) => m.type === "lesson-completed")));
  // The xapi snippet added the learner and posted both statements to the LRS endpoint.
  await p.waitForFunction(() => window.received.filter((m) => m.type === "xapi").length === 2);
  await waitFor(() => statements.length === 2);
  const lessonUrl = `${server.origin}/queue-playground/index.html?lesson=poison-pill`;
  const [answeredSt, completedSt] = statements;
  for (const s of statements) {
    assert.equal(s.method, "POST");
    assert.equal(s.version, "1.0.3");
    assert.equal(s.body.actor.mbox, "mailto:learner@example.org");
    assert.equal(s.body.object.id, lessonUrl);
    assert.equal(s.body.object.definition.name["en-US"], "The poison pill");
    assert.equal(s.body.result.success, true);
    assert.equal(s.body.result.response, "forever");
  }
  assert.equal(answeredSt.body.verb.id, "http://adlnet.gov/expapi/verbs/answered");
  assert.equal(completedSt.body.verb.id, "http://adlnet.gov/expapi/verbs/completed");
  assert.equal(completedSt.body.result.completion, true);
  // Play inside, then the host's Pause button (the snippet) stops it.
  await frame.click("#play-pause");
  await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("running"));
  await p.click("#pause-playground");
  await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("paused"));
  assert.deepEqual(problems, []);
  await p.close();
});

test("across two real origins: messages only to an allowed parent, and no console noise on either side", async () => {
  // The course page on course.test, the playground on playground.test: two sites, so the
  // iframe runs in its own process, as on a real course site.
  const course = await serveDist({ prefix: "/none/", pages: {} });
  try {
    const courseOrigin = `http://course.test:${course.port}`;
    const playground = `http://playground.test:${server.port}/queue-playground/index.html?embed=1`;
    for (const allowed of [true, false]) {
      const src = allowed ? `${playground}&origin=${encodeURIComponent(courseOrigin)}` : playground;
      const { page: p, problems } = await openPage(browser, "about:blank");
      const noise = [];
      p.on("console", (m) => {
        if (["warning", "error"].includes(m.type())) noise.push(`${m.location().url}: ${m.text()}`);
      });
      await p.route(`${courseOrigin}/course/page.html`, (r) =>
        r.fulfill({ contentType: "text/html", body: host(`<iframe id="queue-playground" src="${src}" style="width:100%;height:300px;border:0"></iframe>`) }),
      );
      await p.goto(`${courseOrigin}/course/page.html`);
      const frame = await (await p.waitForSelector("iframe")).contentFrame();
      await frame.waitForSelector(".diagram");
      await frame.waitForFunction(() => document.querySelector("#clock").textContent.includes("running"));
      await p.evaluate((target) => {
        const frame = document.getElementById("queue-playground").contentWindow;
        // Messages that are not objects addressed to the playground pass by without a word.
        for (const other of ["pause", null, 42, [1], { target: 7, command: "pause" }, { command: "pause" }]) {
          frame.postMessage(other, target);
        }
        frame.postMessage({ target: "queue-playground", command: "pause" }, target);
      }, `http://playground.test:${server.port}`);
      await p.waitForTimeout(800);
      const paused = (await frame.textContent("#clock")).includes("paused");
      // Plain HTTP from a host other than localhost is no secure context, so the page has no
      // clipboard: Copy link says so and selects the link, and nothing is logged.
      await frame.click("#copy-link");
      await frame.waitForFunction(() => document.querySelector("#copy-link + .copy-status").textContent !== "");
      assert.match(await frame.textContent("#copy-link + .copy-status"), /^Not copied/);
      assert.equal(await frame.evaluate(() => document.activeElement.id), "share-url");
      const messages = await p.evaluate(() => window.messages);
      if (allowed) {
        assert.ok(paused, "an allowed origin's command is obeyed");
        for (const m of messages) assert.equal(m.origin, `http://playground.test:${server.port}`);
        assert.ok(messages.some((m) => m.type === "ready"), "ready");
        assert.ok(messages.some((m) => m.type === "height"), "height");
        assert.ok(messages.some((m) => m.subject === "lti.frameResize"), "Canvas resize");
        assert.ok(messages.some((m) => m.context === "h5p"), "H5P resize");
        assert.deepEqual(noise, [], "no warning or error in either console");
      } else {
        assert.ok(!paused, "a command from another origin is ignored");
        assert.deepEqual(messages, [], "and nothing is posted to it");
        // The one warning is the playground's own, saying why the command was ignored.
        assert.equal(noise.length, 1, noise.join("\n"));
        assert.match(noise[0], /Queue Playground: ignored a command from http:\/\/course\.test/);
      }
      assert.deepEqual(problems.filter((x) => !x.includes("ignored a command")), []);
      await p.close();
    }
  } finally {
    await course.close();
  }
});

test("messages go to the parent's origin only, never to another allowed one (each miss is a console warning)", async () => {
  const { page: p, problems } = await page("/course/targets.html");
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector(".diagram");
  await p.waitForFunction(() => window.messages.filter((m) => m.type === "height").length > 0);
  await p.waitForTimeout(300);
  // A post is delivered a task after it is sent, and a running free play keeps posting its
  // height as it grows: take both lists at one moment when everything sent has arrived. A
  // dropped post never lets that moment come, and the lengths below then differ.
  const { targets, messages } = await p.evaluate(async () => {
    for (let i = 0; i < 100 && window.messages.length !== window.targets.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { targets: [...window.targets], messages: [...window.messages] };
  });
  assert.ok(targets.length >= 4, "ready, height, Canvas and H5P");
  assert.deepEqual([...new Set(targets)], [server.origin], "only this page's origin, though https://elsewhere.example is allowed too");
  assert.equal(messages.length, targets.length, "every post arrives: none was dropped by the browser");
  assert.deepEqual(problems, []);
  await p.close();
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
    window.statements = [];
    document.getElementById("lesson-two").addEventListener("queue-playground:xapi", (e) => window.statements.push(e.detail.statement));
  });
  await p.evaluate(async () => {
    window.playgrounds.two.loadLesson("delay-queue");
  });
  await p.waitForFunction((r) => r.querySelector(".lesson-title")?.textContent === "Delayed delivery", two);
  await p.evaluate((r) => r.querySelector('#checkpoint input[value="none"]').click(), two);
  await p.waitForFunction((r) => !r.querySelector("#run-check").disabled, two);
  await p.evaluate((r) => r.querySelector("#run-check").click(), two);
  // The run pauses at the lesson's moment; Go on, as a reader does, until it is judged.
  await p.waitForFunction((r) => {
    if (window.events.length > 0) return true;
    if (/Paused here/.test(r.querySelector("#moment")?.textContent ?? "")) r.querySelector("#go-on")?.click();
    return false;
  }, two, { timeout: 30_000, polling: 250 });
  const detail = await p.evaluate(() => window.events[0]);
  await p.waitForFunction(() => window.statements.length === 2);
  const statements = await p.evaluate(() => window.statements);
  assert.deepEqual(
    statements.map((s) => [s.verb.id, s.object.id, s.result.success, s.result.response]),
    ["answered", "completed"].map((verb) => [
      `http://adlnet.gov/expapi/verbs/${verb}`,
      `${server.origin}/queue-playground/index.html?lesson=delay-queue`,
      true,
      "none",
    ]),
  );
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

test("the script from another origin works with the documented CORS header, and not without it", async () => {
  // The header exactly as the Netlify snippet writes it; the nginx snippet sends the same one.
  const [, name, value] = docs["netlify-headers"].match(/^\s+([A-Za-z-]+): (.+)$/m);
  assert.equal(name, "Access-Control-Allow-Origin");
  const nginx = docs.nginx.match(/add_header ([A-Za-z-]+) "([^"]+)";/);
  assert.deepEqual([nginx[1], nginx[2]], [name, value], "nginx sends the same header");
  assert.match(docs["netlify-headers"], /^\/queue-playground\/\*$/m, "for every file of the folder");
  const course = await serveDist({ prefix: "/none/", pages: {} });
  try {
    const courseOrigin = `http://course.test:${course.port}`;
    for (const withHeader of [true, false]) {
      // The documented value names the course site; here that is course.test.
      const headers = withHeader ? { [name]: value.replace("https://course.example.org", courseOrigin) } : {};
      const playground = await serveDist({ prefix: "/queue-playground/", headers });
      try {
        const script = docs.script.replaceAll("/queue-playground/", `http://playground.test:${playground.port}/queue-playground/`);
        const { page: p, problems } = await openPage(browser, "about:blank");
        await p.route(`${courseOrigin}/course/script.html`, (r) => r.fulfill({ contentType: "text/html", body: host(script) }));
        await p.goto(`${courseOrigin}/course/script.html`);
        if (withHeader) {
          await p.waitForFunction(() => window.playgrounds);
          await p.waitForFunction(() => document.getElementById("lesson-one").shadowRoot?.querySelector(".diagram"));
          assert.deepEqual(problems, []);
        } else {
          await waitFor(() => problems.some((x) => /Access-Control-Allow-Origin/.test(x)));
          assert.equal(await p.evaluate(() => window.playgrounds), undefined, "nothing mounts without the header");
        }
        await p.close();
      } finally {
        await playground.close();
      }
    }
  } finally {
    await course.close();
  }
});

test("click to load: poster=1 shows a preview and fetches no wasm until clicked", async () => {
  const { page: p, problems } = await openPage(browser, "about:blank", { viewport: { width: 1200, height: 900 } });
  const wasm = [];
  p.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.url());
  });
  await p.goto(`${server.origin}/course/poster.html`);
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector("#load-playground");
  assert.match(await frame.textContent("#boot"), /Lesson: poison pill/);
  await p.waitForLoadState("networkidle");
  await p.waitForTimeout(500);
  assert.deepEqual(wasm, [], "no wasm before the click");
  await screenshot(p, "embed-poster");
  await frame.click("#load-playground");
  await frame.waitForSelector(".diagram");
  assert.equal(await frame.textContent(".lesson-title"), "The poison pill");
  assert.equal(wasm.length, 1, "the wasm, once, after the click");
  assert.deepEqual(problems, []);
  await p.close();
});

test("click to load in a script: mount(element, { poster: true }) waits for the click", async () => {
  const { page: p, problems } = await openPage(browser, "about:blank");
  const wasm = [];
  p.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.url());
  });
  await p.goto(`${server.origin}/course/script-poster.html`);
  await p.waitForSelector("#p button");
  await p.waitForTimeout(500);
  assert.deepEqual(wasm, [], "no wasm before the click");
  await p.click("#p button");
  await p.waitForFunction(() => window.handle && document.getElementById("p").shadowRoot.querySelector(".diagram"));
  assert.equal(await p.evaluate(() => document.querySelector("#p > button")), null, "the button is gone");
  assert.equal(wasm.length, 1);
  assert.deepEqual(problems, []);
  await p.close();
});

test("the playground pauses out of view or in a hidden page, and resumes only if it was playing", async () => {
  const { page: p, problems } = await page("/course/long.html");
  const frame = await (await p.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector(".diagram");
  const state = () => frame.evaluate(() => (document.querySelector("#clock").textContent.includes("running") ? "running" : "paused"));
  const until = (want) => frame.waitForFunction((w) => document.querySelector("#clock").textContent.includes(w), want);
  await until("running");
  // Scrolled out of view: paused; back in view: playing again.
  await p.evaluate(() => window.scrollTo(0, 3000));
  await until("paused");
  await p.evaluate(() => window.scrollTo(0, 0));
  await until("running");
  // A hidden page (another tab): the same.
  const setHidden = (hidden) =>
    frame.evaluate((h) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  await until("paused");
  await setHidden(false);
  await until("running");
  // Paused by the learner: it stays paused after a trip out of view.
  await frame.click("#play-pause");
  await until("paused");
  await p.evaluate(() => window.scrollTo(0, 3000));
  await p.waitForTimeout(300);
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.waitForTimeout(500);
  assert.equal(await state(), "paused");
  assert.deepEqual(problems, []);
  await p.close();
});

test("oEmbed: one response per lesson, and the page links to one for discovery", async () => {
  const { readdir } = await import("node:fs/promises");
  const files = (await readdir(join(DIST, "oembed"))).sort();
  const lessons = (await readdir(join(ROOT, "lessons"))).filter((f) => f.endsWith(".json"));
  assert.equal(files.length, lessons.length + 1, "every lesson, and index.json for free play");
  const html = await (await fetch(server.url)).text();
  const link = html.match(/<link[^>]*type="?application\/json\+oembed"?[^>]*>/)?.[0];
  assert.ok(link, "discovery link in index.html");
  const href = link.match(/href="?([^" >]+)/)[1];
  const free = await (await fetch(new URL(href, server.url))).json();
  assert.equal(free.type, "rich");
  const lesson = await (await fetch(`${server.url}oembed/poison-pill.json`)).json();
  assert.deepEqual([lesson.version, lesson.type, lesson.width, lesson.height], ["1.0", "rich", 800, 640]);
  assert.match(lesson.html, /^<iframe src="index\.html\?embed=1&lesson=poison-pill" [^>]*title="The poison pill"><\/iframe>$/);
  // As the iframe EMBEDDING.md gives: Copy link works from another origin.
  assert.match(lesson.html, / allow="clipboard-write" /);
  // The iframe it describes opens that lesson.
  const { page: p, problems } = await page("/none", `${server.url}${lesson.html.match(/src="([^"]+)"/)[1]}`);
  await p.waitForSelector(".lesson-title");
  assert.equal(await p.textContent(".lesson-title"), "The poison pill");
  assert.deepEqual(problems, []);
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
  await screenshot(p, "standalone-file");
  // A system's configuration to copy is inline too: nothing is fetched from disk.
  await p.goto(`${url}?s=video-upload`);
  await p.waitForSelector("#region-fanout details.export-box");
  assert.match(await exportText(p, "#region-fanout"), /^resource "aws_sns_topic"/);
  assert.deepEqual(problems, []);
  await p.close();
});
