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
  // Any copy opens its envelope; the same upload in two subscriptions is the same event.
  const attr = (name) => page.$eval("#copy-detail", (d, name) => {
    const dt = [...d.querySelectorAll("dt")].find((x) => x.textContent === name);
    return dt.nextElementSibling.querySelector("code").textContent;
  }, name);
  const id = await page.getAttribute('.subscriber[data-sub="thumbnail"] .copies button', "data-msg");
  await page.click(`.subscriber[data-sub="thumbnail"] .copies button[data-msg="${id}"]`);
  await page.waitForSelector("#copy-detail");
  assert.match(await page.textContent("#copy-detail h3"), new RegExp(`thumbnail's copy of upload ${id}`));
  const thumb = { id: await attr("id"), source: await attr("source") };
  await page.click(`.subscriber[data-sub="indexer"] .copies button[data-msg="${id}"]`);
  assert.match(await page.textContent("#copy-detail h3"), new RegExp(`indexer's copy of upload ${id}`));
  assert.deepEqual({ id: await attr("id"), source: await attr("source") }, thumb, "one event, many copies");
  assert.match(await page.textContent("#copy-detail pre.binding"), /^ce-id \(String\): /m);
  await screenshotOf(page, "#region-fanout", "fanout-region");
  assert.deepEqual(problems, []);
  await page.close();
});
