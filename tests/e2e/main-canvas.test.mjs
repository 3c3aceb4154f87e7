// The main queue's system on the one canvas (#12): the pizza shop is drawn as every other system
// is, above its queue's messages; its numbers are the metrics panel's in every frame; the
// synchronous baseline is drawn as the direct call it is; and a compact lesson, whose steps talk
// about the messages, leaves the picture out to stay short on a course page. At 1x with nothing
// happening, only the clock changes: nothing else on the page is redrawn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, runToMoment, useSite } from "./harness.mjs";

const site = useSite();

async function open(query = "", viewport = { width: 1280, height: 1000 }) {
  const { page, problems } = await openPage(site.browser, `${site.server.url}${query}`, { viewport });
  await page.waitForSelector("#region-diagram .canvas [data-node]");
  return { page, problems };
}

test("the pizza shop is on the canvas, and its numbers are the metrics' in every frame", async () => {
  const { page, problems } = await open();
  const nodes = await page.$$eval("#region-diagram .canvas [data-node]", (gs) => gs.map((g) => g.dataset.node));
  assert.deepEqual(nodes.sort(), ["kitchen", "order-service", "orders", "orders-db", "orders-dlq", "replies"]);
  // The canvas sits above the queue's messages, in the same region.
  const above = await page.$eval("#region-diagram", (r) => r.querySelector(".canvas").compareDocumentPosition(r.querySelector(".diagram")) & Node.DOCUMENT_POSITION_FOLLOWING);
  assert.ok(above, "the canvas comes before the diagram");
  await page.selectOption("#speed", "100");
  await page.evaluate(() => { window.boxes = [...document.querySelectorAll("#region-diagram .canvas [data-node]")]; });
  // Each sample reads the boxes and the stats in one task, so they come from one frame.
  const samples = await page.evaluate(async () => {
    // One line of a box at a time: a box's lines run together in its textContent.
    const box = (node, word) => {
      const lines = [...document.querySelectorAll(`#region-diagram .canvas [data-node="${node}"] text`)];
      const m = lines.map((t) => t.textContent.match(new RegExp(`${word} (\\d+)( |$)`))).find(Boolean);
      return m ? Number(m[1]) : NaN;
    };
    const stat = (id) => Number(document.querySelector(`#stat-${id} dd`).textContent.replace(/[^0-9]/g, ""));
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const out = [];
    for (let i = 0; i < 60; i++) {
      await frame();
      out.push({
        canvas: [box("order-service", "sent"), box("orders", "ready"), box("orders", "in flight"), box("kitchen", "processed"), box("orders-dlq", "held"), box("orders-db", "records")],
        metrics: [stat("published"), stat("visible"), stat("in-flight"), stat("processed"), stat("dlq"), stat("processed")],
      });
    }
    return out;
  });
  assert.ok(samples.at(-1).metrics[0] > samples[0].metrics[0], "the run moved");
  // Every order the kitchen cooked is one record in the store: no duplicates in this run.
  for (const s of samples) assert.deepEqual(s.canvas, s.metrics, JSON.stringify(s));
  // The numbers were written into the boxes the canvas had: the drawing was not parsed anew.
  assert.ok(await page.evaluate(() => window.boxes.every((g) => g.isConnected)), "the boxes are the elements they were");
  assert.deepEqual(problems, []);
  await page.close();
});

test("direct HTTP wiring is drawn as a call from the service to the kitchen, with no queue", async () => {
  const { page, problems } = await open();
  await page.selectOption("#mode", "http");
  await page.waitForSelector('#region-diagram .canvas title:text-is("order-service calls kitchen")', { state: "attached" });
  const nodes = await page.$$eval("#region-diagram .canvas [data-node]", (gs) => gs.map((g) => g.dataset.node));
  assert.deepEqual(nodes.sort(), ["kitchen", "order-service", "orders-db"]);
  assert.match(await page.textContent("#region-diagram figcaption"), /Not drawn until used: orders, orders-dlq, replies\./);
  // Back to the queue, the queue is back between them.
  await page.selectOption("#mode", "queue");
  await page.waitForSelector('#region-diagram .canvas [data-node="orders"]');
  assert.equal(await page.$('#region-diagram .canvas title:text-is("order-service calls kitchen")'), null);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a compact lesson on the main queue leaves the picture out; the full page draws it", async () => {
  const compact = await openPage(site.browser, `${site.server.url}?embed=1&lesson=friday-rush`, { viewport: { width: 800, height: 900 } });
  await compact.page.waitForSelector("#region-diagram .diagram");
  assert.equal(await compact.page.$("#region-diagram .canvas"), null);
  assert.deepEqual(compact.problems, []);
  await compact.page.close();
  const full = await open("?lesson=friday-rush");
  assert.ok(await full.page.isVisible('#region-diagram .canvas [data-node="orders"]'));
  assert.deepEqual(full.problems, []);
  await full.page.close();
});

test("a moment on the main queue points at the box it talks about on the canvas", async () => {
  const { page, problems } = await open("?lesson=http-vs-queue");
  await runToMoment(page, "errors");
  assert.match(await page.textContent("#moment"), /The kitchen goes down now/);
  // The synchronous baseline's kitchen, which the moment says goes down: outlined and pointed
  // at in words, and nothing else.
  const looked = await page.$$eval("#region-diagram .canvas .node.look", (gs) => gs.map((g) => g.dataset.node));
  assert.deepEqual(looked, ["kitchen"]);
  assert.match(await page.textContent('#region-diagram .canvas [data-node="kitchen"] .name'), /^kitchen ◀$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("at 1x with nothing happening only the clock moves: no canvas, panel or chart is redrawn", async () => {
  // The RabbitMQ broker from the Systems menu: nothing is published until someone does.
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=rabbitmq-pizza&x=1`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector(".canvas svg");
  await page.waitForTimeout(1000);
  const changed = await page.evaluate(() => new Promise((done) => {
    const where = (node) => {
      const el = node.nodeType === 1 ? node : node.parentElement;
      return el?.closest("#clock, #scrub, output[for=scrub]") ? "clock" : el?.closest("[id]")?.id ?? el?.tagName;
    };
    const seen = {};
    const watch = new MutationObserver((records) => {
      for (const r of records) seen[where(r.target)] = (seen[where(r.target)] ?? 0) + 1;
    });
    watch.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    setTimeout(() => (watch.disconnect(), done(seen)), 3000);
  }));
  assert.ok(changed.clock > 0, "the clock runs");
  delete changed.clock;
  assert.deepEqual(changed, {}, "nothing else changed");
  assert.deepEqual(problems, []);
  await page.close();
});
