// The release build in Chromium, served under a course-site sub-path as a course author would host it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launchBrowser, openPage, screenshot } from "./harness.mjs";

const SUBPATH = "/courses/mq/playground/";
let server;
let browser;

before(async () => {
  server = await serveDist({ prefix: SUBPATH });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("loads under a sub-path with no console errors or failed requests", async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForSelector(".shell", { timeout: 15000 });
  // Give late errors (e.g. a missing asset referenced by an absolute path) a moment to surface.
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);
  assert.equal(await page.isVisible("#boot"), false, "the loading message is gone once the app mounts");
  await screenshot(page, "shell-desktop");
  await page.close();
});

test("every layout region renders, with the product name and build version", async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 360, height: 800 } });
  await page.waitForSelector(".shell");
  assert.match(await page.textContent("h1"), /Queue Playground/);
  for (const id of ["diagram", "controls", "inspector", "metrics", "log"]) {
    assert.ok(await page.isVisible(`#region-${id}`), `region ${id} is visible`);
    const heading = await page.textContent(`#region-${id}-title`);
    assert.ok(heading.trim().length > 0, `region ${id} has a heading`);
  }
  assert.match(await page.textContent(".build-version"), /^v\d+\.\d+\.\d+/);
  // The charts sit two to a row on a phone, and each line runs the whole width of its chart
  // (once the run has a few samples to draw).
  await page.waitForFunction(() => [...document.querySelectorAll("#region-metrics polyline")].every((l) => l.points.length >= 3));
  const charts = await page.$$eval("#region-metrics .spark svg", (svgs) => svgs.map((s) => {
    const box = s.getBoundingClientRect();
    const line = s.querySelector("polyline").getBoundingClientRect();
    return { top: Math.round(box.top), width: box.width, line: line.width };
  }));
  assert.equal(charts.length, 9);
  assert.equal(new Set(charts.map((c) => c.top)).size, 5, `nine charts in five rows: ${JSON.stringify(charts)}`);
  for (const c of charts) assert.ok(c.line > 0.95 * c.width, `a line spans its chart: ${JSON.stringify(c)}`);
  // Nothing is cut off at 360 px, on any system: whatever is wider than the screen (the log's
  // group table, the broker's queue table, a canvas) scrolls sideways inside its own panel.
  const systems = await page.$$eval("#system option", (os) => os.map((o) => o.value));
  assert.equal(systems.length, 12, systems.join());
  for (const system of systems) {
    await page.selectOption("#system", system);
    // Each system's region, drawn (a canvas or a table) before it is measured.
    const region = { "video-upload": "fanout", "queue-vs-topic": "queue-vs-topic", "orders-log": "stream", "rabbitmq-pizza": "exchanges", "redis-orders": "redis" }[system] ?? "diagram";
    await page.waitForSelector(`#region-${region} :is(svg, table)`);
    const cut = await page.evaluate(() => {
      const scrolls = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      return [...document.querySelectorAll(".shell *")]
        .filter((el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().right > innerWidth + 0.5 && !scrolls(el))
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.getAttribute("class") ?? ""}`);
    });
    assert.deepEqual(cut, [], `${system}: elements past the right edge of a 360 px screen`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, `${system}: the page does not scroll sideways`);
  }
  await page.selectOption("#system", "pizza-shop");
  await screenshot(page, "shell-phone-360");
  await page.close();
});

test("a crash shows a readable error panel whose Reload button reloads the page", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?debug=panic`);
  const panel = await page.waitForSelector("#panic-panel", { timeout: 15000 });
  assert.equal(await panel.getAttribute("role"), "alertdialog");
  assert.match(await page.textContent("#panic-title"), /stopped working/);
  assert.match(await page.textContent("#panic-detail"), /deliberate crash/);
  assert.ok(problems.some((p) => p.includes("Queue Playground crashed")), "the crash is logged to the console");
  await screenshot(page, "crash-panel");
  const reloaded = page.waitForEvent("load");
  await page.click("#panic-panel button[data-reload]");
  await reloaded;
  await page.waitForSelector("#panic-panel", { timeout: 15000 });
  await page.close();
});

test("the page refuses nothing outside its sub-path: all assets are relative", async () => {
  const { page } = await openPage(browser, server.url);
  await page.waitForSelector(".shell");
  const html = await page.evaluate(async () => (await fetch(location.href)).text());
  // An absolute "/..." asset URL would break under a sub-path; Trunk's public_url = "./" prevents it.
  const absolute = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(absolute, []);
  await page.close();
});
