// The partitioned log in the browser: records stay after reading, a rewind replays history for
// one group only, committing before processing skips records on a crash (after processing does
// not), and every record opens its envelope with the Kafka key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, screenshotOf, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/log/" });

const count = (page, group, column) =>
  page.$eval(`#stream-groups tr[data-group="${group}"] td.${column}`, (td) => Number(td.textContent));
const now = (page) => page.$eval("#clock", (c) => Number(c.dataset.now));

// Each system is its own page: `s=` opens it, as the Systems menu does.
async function open(system = "orders-log", ready = "#stream-groups") {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=${system}`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector(ready);
  await page.selectOption("#speed", "100");
  return { page, problems };
}

test("a rewound group replays the retained log; the other group does not move", async () => {
  const { page, problems } = await open();
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 30_000);
  const kitchenBefore = await count(page, "kitchen", "duplicates");
  await page.click("#stream-rewind");
  await page.waitForFunction(() => Number(document.querySelector('#stream-groups tr[data-group="analytics"] td.replayed').textContent) > 100);
  assert.equal(await count(page, "analytics", "skipped"), 0);
  assert.equal(await count(page, "kitchen", "replayed"), 0, "only analytics was rewound");
  assert.equal(await count(page, "kitchen", "duplicates"), kitchenBefore);
  // Any record opens the inspector in Kafka's binding; the key is the partition key and the
  // Kafka record key (a record's key is its store, as for every keyed message of a world). Its
  // lifecycle is its append and each group's processing; a record has no trace of its own.
  await page.click(".lane .rec button");
  await page.waitForSelector("#record-detail");
  const detail = await page.textContent("#record-detail");
  assert.match(detail, /partitionkey/);
  assert.match(await page.textContent("#record-detail .rendering pre"), /^key: (store-\d+|hot|\(no key)/m);
  assert.match(await page.textContent("#record-detail .inspector-head"), /^orders · partition \d · offset \d+ /);
  assert.deepEqual(await page.locator("#record-detail [role=tab]").allTextContents(), ["Envelope", "Lifecycle"]);
  await page.click('#record-detail [role=tab]:has-text("Lifecycle")');
  const [, offset] = (await page.textContent("#record-detail .inspector-head")).match(/offset (\d+)/);
  assert.match(await page.textContent("#record-detail .timeline li:first-child"), new RegExp(`appended to partition \\d at offset ${offset} `));
  await screenshot(page, "stream-replay");
  await screenshotOf(page, "#region-stream", "stream-region");
  // Another system and back: the log opens with no record open, as it did the first time.
  await page.selectOption("#system", "redis-orders");
  await page.waitForSelector("#region-redis li[data-consumer]");
  await page.selectOption("#system", "orders-log");
  await page.waitForSelector("#region-stream .lane");
  assert.equal(await page.$("#record-detail"), null, "no record open");
  assert.deepEqual(problems, []);
  await page.close();
});

test("committing before processing skips records on a crash; after processing does not", async () => {
  for (const [mode, skips] of [["before_processing", true], ["after_processing", false]]) {
    const { page, problems } = await open();
    await page.selectOption("#stream-commit", mode);
    await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 15_000);
    // Crash while the kitchen holds fetched work (paused, so the moment is exact).
    await page.click("#play-pause");
    for (let i = 0; i < 50 && (await count(page, "kitchen", "in-hand")) < 2; i++) {
      await page.click("#play-pause");
      await page.waitForTimeout(60);
      await page.click("#play-pause");
    }
    const inHand = await count(page, "kitchen", "in-hand");
    assert.ok(inHand >= 2, `kitchen holds fetched records (${inHand})`);
    await page.click("#stream-crash");
    await page.click("#play-pause");
    const crashedAt = await now(page);
    await page.waitForFunction((t) => Number(document.querySelector("#clock").dataset.now) > t + 20_000, crashedAt);
    await page.click("#play-pause");
    const skipped = await count(page, "kitchen", "skipped");
    assert.equal(await count(page, "kitchen", "rebalances"), 1, "one rebalance");
    if (skips) assert.ok(skipped > 0, `${mode}: records committed but never processed (${skipped})`);
    else assert.equal(skipped, 0, `${mode}: nothing skipped`);
    if (!skips) await screenshot(page, "stream-rebalance");
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test("Redis Streams: a crashed consumer's entries stay pending until claimed", async () => {
  const { page, problems } = await open("redis-orders", "#redis-pel");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 8_000);
  await page.click('li[data-consumer="kitchen-1"] .redis-crash');
  await page.waitForFunction(() => /claimed: ?[1-9]|[1-9]\d* claimed/.test(document.querySelector("#redis-summary").textContent), null, { timeout: 30_000 });
  assert.match(await page.textContent('li[data-consumer="kitchen-1"]'), /crashed/);
  await page.waitForFunction(() => /[1-9]\d* dead/.test(document.querySelector("#redis-summary").textContent), null, { timeout: 30_000 });
  const deliveries = await page.$$eval("#redis-pel td.deliveries", (tds) => tds.map((td) => Number(td.textContent)));
  assert.ok(deliveries.every((d) => d >= 1 && d <= 3), deliveries.join(","));
  // A dead entry opens as its CloudEvent, stored structured (Redis has no binding).
  await page.click("#play-pause");
  const entry = (await page.textContent("#redis-dead button code")).trim();
  await page.click("#redis-dead button");
  await page.waitForSelector("#redis-detail");
  assert.match(await page.textContent("#redis-detail .inspector-head"), new RegExp(`^orders · entry ${entry} \\(poison\\)`));
  const field = (name) => page.textContent(`#redis-detail button[data-field="${name}"] .field-value`);
  assert.equal(await field("specversion"), '"1.0"');
  assert.equal(JSON.parse(await field("data")).quantity, "a dozen");
  assert.match(await page.textContent("#redis-detail .note"), /no CloudEvents binding/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the log and the stream are drawn on the canvas, whose numbers are the panel's own", async () => {
  const box = (page, node) => page.textContent(`.canvas [data-node="${node}"]`);
  const log = await open();
  await log.page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 5_000);
  await log.page.click("#play-pause");
  assert.match(await log.page.getAttribute(".canvas svg", "aria-label"), /appends to the log orders, read by the consumer groups kitchen and analytics/);
  const published = Number((await log.page.textContent(".stream-view > .note")).match(/(\d+) records? published/)[1]);
  assert.ok(published > 0);
  assert.match(await box(log.page, "orders"), new RegExp(`records ${published}(?!\\d)`));
  for (const group of ["kitchen", "analytics"]) {
    assert.match(await box(log.page, group), new RegExp(`lag ${await count(log.page, group, "lag")}(?!\\d)`), group);
  }
  // Lane owners are counted from 1, as the events' members are: the kitchen's two are
  // kitchen-1 and kitchen-2.
  const owners = await log.page.$$eval(".lane-head span", (ss) => ss.map((s) => s.textContent.match(/owner (\S+)/)[1]));
  assert.deepEqual([...new Set(owners)].sort(), ["kitchen-1", "kitchen-2"]);
  assert.deepEqual(log.problems, []);
  await log.page.close();

  const redis = await open("redis-orders", "#redis-pel");
  await redis.page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 5_000);
  await redis.page.click("#play-pause");
  const acked = Number((await redis.page.textContent("#redis-summary")).match(/(\d+) acked/)[1]);
  assert.ok(acked > 0);
  assert.match(await box(redis.page, "kitchen"), new RegExp(`acked ${acked}(?!\\d)`));
  assert.deepEqual(redis.problems, []);
  await redis.page.close();
});

test("a new seed restarts the log from it, keeping the log's settings", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=orders-log`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#stream-groups");
  await page.selectOption("#stream-partitions", "8");
  await page.selectOption("#stream-commit", "before_processing");
  await page.selectOption("#speed", "100");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 20_000);
  const seed = await page.$eval("#seed", (s) => [...s.options].map((o) => o.value).find((v) => v !== s.value));
  await page.selectOption("#seed", seed);
  await page.click("#play-pause");
  await page.waitForFunction(() => /paused/.test(document.querySelector("#clock").textContent));
  assert.equal(await page.inputValue("#stream-partitions"), "8");
  assert.equal(await page.inputValue("#stream-commit"), "before_processing");
  assert.ok(await count(page, "kitchen", "processed") > 0, "the log runs on from the new seed");
  assert.deepEqual(problems, []);
  await page.close();
});

test("on a phone the group table scrolls sideways to Skipped and keeps each row's group in view", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?lesson=rebalance-skip`, { viewport: { width: 390, height: 844 } });
  await page.waitForSelector("#stream-groups");
  await page.locator("#stream-groups").scrollIntoViewIfNeeded();
  await page.$eval("#stream-groups", (t) => { t.scrollLeft = t.scrollWidth; });
  const seen = await page.$eval("#stream-groups", (t) => {
    const box = t.getBoundingClientRect();
    const inside = (el) => { const r = el.getBoundingClientRect(); return r.left >= box.left - 0.5 && r.right <= box.right + 0.5; };
    const skipped = [...t.querySelectorAll("th")].find((th) => th.textContent.trim() === "Skipped");
    return { scrolled: t.scrollLeft > 0, skipped: inside(skipped), group: inside(t.querySelector('tr[data-group="kitchen"] > :first-child')), name: t.querySelector('tr[data-group="kitchen"] > :first-child').textContent };
  });
  assert.deepEqual(seen, { scrolled: true, skipped: true, group: true, name: "kitchen" });
  // Each lane stays inside the panel and scrolls sideways to its newest record, where the
  // cursors are: a lane as wide as its 24 offsets ran past the panel's edge, clipped.
  await page.click("#play-pause");
  await page.waitForFunction(() => document.querySelectorAll(".lane .rec button").length >= 40);
  await page.click("#play-pause");
  // It opens there, with no scrolling: the newest record and the cursors after it are in view,
  // and the oldest drawn one is a scroll to the left, still in reach.
  const lanes = await page.$$eval(".lane .offsets", (ols) => ols.map((ol) => {
    const panel = ol.closest(".region").getBoundingClientRect();
    const seen = (el) => { const r = el.getBoundingClientRect(); return r.right <= panel.right + 0.5 && r.left >= panel.left; };
    const recs = [...ol.querySelectorAll(".rec:not(.tail) button")];
    const offsets = recs.map((b) => Number(b.textContent.replace("!", "")));
    const newest = seen(recs[0]) && seen(ol.firstElementChild);
    ol.scrollLeft = -ol.scrollWidth;
    return { fits: ol.getBoundingClientRect().right <= panel.right, newest, oldest: seen(recs.at(-1)), descending: offsets.every((o, i) => i === 0 || o === (offsets[i - 1] + 999) % 1000) };
  }));
  assert.ok(lanes.length >= 4, `${lanes.length} lanes`);
  assert.deepEqual(lanes.filter((l) => !l.fits || !l.newest || !l.oldest || !l.descending), []);
  assert.deepEqual(problems, []);
  await page.close();
});
