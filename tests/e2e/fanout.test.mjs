// Fan-out in the browser: every subscription receives every upload; taking one subscriber
// offline leaves the others flowing while its own copies wait.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshotOf, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/fan/" });

// A subscription's numbers: received from its card, the rest from its boxes on the canvas
// (the queue's "ready N" and "in flight N", perhaps with its countdown "· 28 s" after it, and
// the consumers' "processed N"): the first number on each line.
const column = (page, sub) =>
  page.$eval("#region-fanout", (region, sub) => {
    const lines = (node) => [...region.querySelectorAll(`.canvas [data-node="${node}"] .numbers`)].map((t) => t.textContent);
    const first = (text) => Number(/\d+/.exec(text)[0]);
    const [ready, inFlight] = lines(`${sub}-queue`).map(first);
    return {
      received: Number(/received (\d+)/.exec(region.querySelector(`.subscriber[data-sub="${sub}"] .received`).textContent)[1]),
      processed: first(lines(sub)[0]),
      waiting: ready + inFlight,
    };
  }, sub);

test("one upload reaches every subscriber, and an offline one blocks nobody", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  // Opened from the Systems menu, the fan-out takes the diagram's place, alone.
  await page.selectOption("#system", "video-upload");
  await page.waitForSelector(".subscriber");
  assert.equal(await page.locator("#region-diagram, #region-stream, #region-exchanges").count(), 0, "one system at a time");
  await page.click("#play-pause");
  await page.click('.subscriber[data-sub="indexer"] .sub-toggle');
  const before = await column(page, "indexer");
  await page.click("#play-pause");
  await page.selectOption("#speed", "100");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 60_000);
  await page.click("#play-pause");
  const subs = ["transcoder", "thumbnail", "moderation", "indexer"];
  const cols = Object.fromEntries(await Promise.all(subs.map(async (s) => [s, await column(page, s)])));
  const received = cols.thumbnail.received;
  assert.ok(received > 100, `${received} uploads`);
  for (const s of subs) assert.equal(cols[s].received, received, `${s} received every upload`);
  // Going offline is graceful: its one worker may finish the upload it already held, nothing after.
  assert.ok(cols.indexer.processed <= before.processed + 1, `the offline indexer did nothing more (${before.processed} → ${cols.indexer.processed})`);
  assert.ok(cols.indexer.waiting >= received - before.received - 1, "its copies wait for it");
  assert.ok(cols.thumbnail.waiting <= 5 && cols.thumbnail.processed > received / 2, `thumbnails did not wait for the indexer (${JSON.stringify(cols.thumbnail)})`);
  assert.ok(cols.transcoder.waiting > cols.thumbnail.waiting, "the slow transcoder has its own backlog");
  assert.match(await page.textContent('.subscriber[data-sub="indexer"]'), /offline/);
  // Any copy opens the inspector, in SQS's binding first; the same upload in two subscriptions
  // is the same event.
  const attr = async (name) => (await page.textContent("#copy-detail .rendering pre")).match(new RegExp(`^ce-${name} \\(String\\): (.*)$`, "m"))[1];
  const id = await page.getAttribute('.subscriber[data-sub="thumbnail"] .copies button', "data-msg");
  await page.click(`.subscriber[data-sub="thumbnail"] .copies button[data-msg="${id}"]`);
  await page.waitForSelector("#copy-detail");
  assert.match(await page.textContent("#copy-detail .inspector-head"), new RegExp(`^thumbnail's copy of upload ${id} `));
  const thumb = { id: await attr("id"), source: await attr("source") };
  await page.click(`.subscriber[data-sub="indexer"] .copies button[data-msg="${id}"]`);
  assert.match(await page.textContent("#copy-detail .inspector-head"), new RegExp(`^indexer's copy of upload ${id} `));
  assert.deepEqual({ id: await attr("id"), source: await attr("source") }, thumb, "one event, many copies");
  // A copy is a queue message: its lifecycle in that subscription is one tab away.
  await page.click('#copy-detail [role=tab]:has-text("Lifecycle")');
  assert.match(await page.textContent("#copy-detail .timeline"), /published/i);
  await page.click("#copy-detail .close");
  assert.equal(await page.locator("#copy-detail").count(), 0, "closed");
  await screenshotOf(page, "#region-fanout", "fanout-region");
  assert.deepEqual(problems, []);
  await page.close();
});

// On a phone the system is wider than the screen. Real touches through the DevTools protocol
// (Chromium's own gesture handling, not synthetic events): one finger pans the canvas
// sideways, two fingers zoom the page as they do anywhere, the buttons zoom the drawing, and
// Fit shows the whole system at once.
test("on a phone, one finger pans the canvas, two zoom the page, and Fit shows it all", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=video-upload`, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await page.waitForSelector("#region-fanout .canvas svg");
  await page.click("#play-pause");
  const canvas = page.locator("#region-fanout figure.canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, points) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  const y = box.y + 40;
  const state = () =>
    page.$eval("#region-fanout", (r) => ({
      scroll: r.querySelector("figure.canvas").scrollLeft,
      shown: r.querySelector(".zoom > output").textContent,
      svg: r.querySelector("figure.canvas > svg").getBoundingClientRect().width,
      room: r.querySelector("figure.canvas").clientWidth,
    }));
  assert.equal((await state()).shown, "100 %");
  // One finger dragged from right to left scrolls the drawing, at the same size.
  await touch("touchStart", [[box.x + 300, y]]);
  for (let x = 300; x >= 60; x -= 20) await touch("touchMove", [[box.x + x, y]]);
  await touch("touchEnd", []);
  await page.waitForTimeout(300);
  const panned = await state();
  assert.ok(panned.scroll > 100, `panned by ${panned.scroll} px`);
  assert.equal(panned.shown, "100 %", "one finger does not zoom");
  // Two fingers moving apart zoom the page, as anywhere: the canvas does not block them.
  const [l, r] = [box.x + 150, box.x + 230];
  await touch("touchStart", [[l, y], [r, y]]);
  for (let d = 0; d <= 60; d += 10) await touch("touchMove", [[l - d, y], [r + d, y]]);
  await touch("touchEnd", []);
  await page.waitForTimeout(300);
  const pageScale = await page.evaluate(() => window.visualViewport.scale);
  assert.ok(pageScale > 1.2, `pinched the page to ${pageScale}`);
  await cdp.send("Emulation.setPageScaleFactor", { pageScaleFactor: 1 });
  // Zooming the drawing itself is the buttons' job.
  await page.click('#region-fanout button[aria-label="Zoom in"]');
  assert.equal((await state()).shown, "150 %");
  // Fit: the whole width of the system in the panel, by keyboard.
  await page.focus('#region-fanout button[aria-label="Fit the whole system in view"]');
  await page.keyboard.press("Enter");
  await page.waitForTimeout(100);
  const fitted = await state();
  assert.ok(parseInt(fitted.shown) < 100, `fitted at ${fitted.shown}`);
  assert.ok(fitted.svg <= fitted.room + 1, `${fitted.svg} px drawn in ${fitted.room} px`);
  await screenshotOf(page, "#region-fanout", "fanout-phone-fit");
  assert.deepEqual(problems, []);
  await page.close();
});
