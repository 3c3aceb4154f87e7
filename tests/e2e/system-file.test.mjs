// Opening a system from its scenario file in the studio (#12): an author pastes or picks a
// file, the planner worker (fetched only then) plans it, and the canvas runs it (the builder
// itself: tests/e2e/builder.test.mjs). The numbers it
// shows are the built-in system's at the same time and seed, since it is the same file. A file
// that does not plan is refused with the field at fault, and the system on the page stays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, axeSerious, canvasAt, canvasBoxes, openPage, runFile, screenshotOf, useSite } from "./harness.mjs";
import { logsIn } from "./builder-steps.mjs";

const site = useSite({ prefix: "/" });
const viewport = { width: 1280, height: 1000 };
const studio = () => `${site.server.url}studio/index.html`;
const file = (name) => readFile(join(ROOT, "scenarios", `${name}.json`), "utf8");
const status = (page) => page.textContent("#system-file-status");


/** Every box of the canvas in `region`: node name to its lines of text. */

test("a pasted file runs on the canvas with the built-in system's numbers at the same time and seed", async () => {
  const requests = [];
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  page.on("request", (r) => requests.push(r.url()));
  await page.waitForSelector("#system-file");
  assert.ok(!requests.some((u) => u.includes("planner")), "the planner is not fetched before a file is opened");
  await runFile(page, await file("pizza-shop"));
  assert.equal(await status(page), "Read pizza-shop: 6 nodes, 5 edges. It runs on the canvas.");
  assert.equal(await page.textContent("#system option:checked"), "Your system, from its file", "the menu says what runs");
  assert.ok(requests.some((u) => u.endsWith("planner_bg.wasm")), "the planner was fetched for it");
  await page.waitForSelector("#region-own .canvas [data-node]");
  const own = await canvasAt(page, "#region-own", 30_000);
  assert.deepEqual(Object.keys(own).sort(), ["kitchen", "order-service", "orders", "orders-db", "orders-dlq", "replies"]);

  const builtIn = await openPage(site.browser, `${studio()}?s=pizza-shop`, { viewport });
  await builtIn.page.waitForSelector("#region-diagram .canvas [data-node]");
  const same = await canvasAt(builtIn.page, "#region-diagram", 30_000);
  assert.deepEqual(own, same);
  assert.match(own["order-service"].join(" "), /sent [1-9]/, "the run moved");
  assert.deepEqual(problems, []);
  assert.deepEqual(builtIn.problems, []);
  await builtIn.page.close();
  await page.close();
});

test("a file of several queues opened from disk runs as the built-in fan-out does", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await page.click("#system-file summary");
  // The picker is usable once the builder's script has loaded.
  await page.waitForSelector("#system-file-pick:enabled");
  await page.setInputFiles("#system-file-pick", join(ROOT, "scenarios", "video-upload.json"));
  await page.waitForFunction(() => /^Read/.test(document.querySelector("#system-file-status").textContent), null, { timeout: 30_000 });
  assert.equal(await status(page), "Read video-upload: 14 nodes, 13 edges. It runs on the canvas.");
  assert.equal(await page.inputValue("#system-file-text"), await file("video-upload"), "the file's text is there to edit, as written");
  assert.equal(await page.locator("#builder-body .builder-nodes > li").count(), 14, "and to build on");
  const own = await canvasAt(page, "#region-own", 20_000);
  const builtIn = await openPage(site.browser, `${studio()}?s=video-upload`, { viewport });
  await builtIn.page.waitForSelector("#region-fanout .canvas [data-node]");
  assert.deepEqual(own, await canvasAt(builtIn.page, "#region-fanout", 20_000));
  await screenshotOf(page, "#region-own", "system-file-video-upload");
  assert.deepEqual(problems, []);
  await builtIn.page.close();
  await page.close();
});

test("a file of two Kafka topics draws each log apart, and a record opened in one opens in that log only", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  // Two groups of the orders topic share an initial; the payments topic has one group.
  await runFile(page, JSON.stringify({
    version: 2,
    name: "two-logs",
    seed: 7,
    nodes: {
      "order-service": { producer: { rate: 10, groups: 20 } },
      "payment-service": { producer: { rate: 5, groups: 10 } },
      orders: { log: { partitions: 2 } },
      payments: { log: { partitions: 3 } },
      kitchen: { consumer: { processing: { mean: "50ms" } } },
      "kafka-sink": { consumer: { processing: { mean: "20ms" } } },
      ledger: { consumer: { processing: { mean: "30ms" } } },
    },
    edges: [
      { kind: "publish", from: "order-service", to: "orders" },
      { kind: "publish", from: "payment-service", to: "payments" },
      { kind: "subscribe", from: "orders", to: "kitchen" },
      { kind: "subscribe", from: "orders", to: "kafka-sink" },
      { kind: "subscribe", from: "payments", to: "ledger" },
    ],
  }));
  assert.equal(await status(page), "Read two-logs: 7 nodes, 5 edges. It runs on the canvas.");
  await canvasAt(page, "#region-own", 20_000);
  const [orders, payments, ...more] = await logsIn(page, "#region-own");
  assert.deepEqual(more, []);
  assert.equal(orders.log, "orders");
  assert.equal(orders.hint, "orders: committed by ▲k kitchen, ▲2 kafka-sink; ✕ skipped, ×2 repeated by kitchen.");
  assert.equal(orders.lanes.length, 2);
  assert.deepEqual(orders.groups.map((g) => g[0]), ["kitchen", "kafka-sink"]);
  assert.equal(payments.log, "payments");
  assert.equal(payments.hint, "payments: committed by ▲l ledger; ✕ skipped, ×2 repeated by ledger.");
  assert.equal(payments.lanes.length, 3);
  assert.deepEqual(payments.groups.map((g) => g[0]), ["ledger"]);
  for (const [head] of payments.lanes) assert.match(head, /^P\d owner (ledger-1|unassigned) · end \d+ · lag ledger \d+$/);

  // The second log's records open in the second log, with its topic's name. Orders has a
  // record at the same partition and offset, so a record named without its log would open there.
  const end = (log) => Number(/ end (\d+) /.exec(log.lanes[0][0])[1]);
  assert.ok(end(orders) > end(payments), `orders' P0 ends at ${end(orders)}, payments' at ${end(payments)}`);
  const [inOrders, inPayments] = ["orders", "payments"].map((t) => page.locator(`#region-own .stream-view[aria-label="${t}"]`));
  await inPayments.locator(".lane[data-partition='0'] .rec:not(.tail) button").first().click();
  assert.match(await inPayments.locator("#record-detail").textContent(), /payments · partition 0 · offset \d+/);
  assert.equal(await inOrders.locator("#record-detail").count(), 0, "the same partition and offset in orders stays closed");
  // Opening one in the first log closes the second's: one record is open at a time.
  await inOrders.locator(".lane[data-partition='1'] .rec:not(.tail) button").first().click();
  assert.match(await inOrders.locator("#record-detail").textContent(), /orders · partition 1 · offset \d+/);
  assert.equal(await inPayments.locator("#record-detail").count(), 0);
  assert.deepEqual(await axeSerious(page, "#region-own"), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test("each queue of an opened file lists its messages by place, as many as its canvas box counts, and any of them opens in the inspector", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await runFile(page, await file("video-upload"));
  const boxes = await canvasAt(page, "#region-own", 20_000);
  const queues = await page.$$eval("#region-own .own-queue", (sections) => sections.map((q) => ({
    name: q.getAttribute("aria-label"),
    places: [...q.querySelectorAll(".own-places li")].map((li) => [li.querySelector(".own-place").textContent, li.querySelectorAll(".token[data-msg]").length]),
  })));
  assert.deepEqual(queues.map((q) => q.name), ["transcoder-queue", "thumbnail-queue", "moderation-queue", "indexer-queue"]);
  for (const { name, places } of queues) {
    for (const [place, drawn] of places) {
      const n = Number(place.split(" ").pop());
      assert.ok(n > 0 && drawn === Math.min(n, 12), `${name}: ${place}, ${drawn} drawn`);
      // The same number as the queue's box on the canvas, where the box has the line.
      const line = boxes[name].find((l) => l.startsWith(`${place.replace(/ \d+$/, "")} `));
      if (place.startsWith("ready") || place.startsWith("in flight")) assert.match(line, new RegExp(`^${place}( |$)`), `${name}: ${boxes[name]}`);
    }
  }
  assert.ok(queues.some((q) => q.places.length > 0), "messages are waiting or in flight at 20 s");
  // A message of the second queue opens there, under its own name.
  const open = async (queue) => {
    const token = page.locator(`#region-own .own-queue[aria-label="${queue}"] .token[data-msg]`).first();
    const id = await token.getAttribute("data-msg");
    await token.click();
    return id;
  };
  const busiest = queues.filter((q) => q.places.length > 0).map((q) => q.name);
  const first = await open(busiest[0]);
  const detail = `#region-own .own-queue[aria-label="${busiest[0]}"] #queue-detail`;
  assert.match(await page.textContent(`${detail} .inspector-head`), new RegExp(`^${busiest[0]}: message ${first}`));
  assert.match(await page.textContent(detail), /specversion/, "its envelope");
  assert.match(await page.getAttribute(`#region-own .own-queue[aria-label="${busiest[0]}"] .token[data-msg="${first}"]`, "class"), /\bselected\b/);
  assert.deepEqual(await axeSerious(page, "#region-own"), []);
  if (busiest.length > 1) {
    await open(busiest[1]);
    assert.equal(await page.locator("#region-own #queue-detail").count(), 1, "one message open at a time");
    assert.equal(await page.locator(detail).count(), 0);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("a file that does not plan says why by field, and the open system stays", async () => {
  const { page, problems } = await openPage(site.browser, `${studio()}?s=video-upload`, { viewport });
  await page.waitForSelector("#region-fanout");
  await runFile(page, '{"version":2,"nodes":{"orders":{"queue":{"profile":"sqs_standard","delivery_limit":0}}}}');
  // Read into the builder, to be mended there, but not run: the open system stays.
  assert.equal(await status(page), "Read the file: 1 node, 0 edges. It does not run yet: nodes.orders.queue.delivery_limit: expected a whole number from 1 to 1000 (`maxReceiveCount`, Amazon SQS standard queue); got 0");
  assert.ok(await page.isVisible("#region-fanout"), "the open system stays");
  assert.equal(await page.locator("#region-own").count(), 0);
  await runFile(page, "orders, kitchen");
  assert.match(await status(page), /^Not applied: not valid JSON at line 1, column 1/);
  await runFile(page, '{"version":2,"nodes":{"p":{"producer":{}},"q":{"queue":{}}},"edges":[{"kind":"subscribe","from":"p","to":"q"}]}');
  assert.match(await status(page), /^Read the file: 2 nodes, 1 edge\. It does not run yet: edges\[0\]\.from: expected a queue or log node/, await status(page));
  assert.equal(await page.isEnabled("#system-file-run"), true, "the button is back for the next try");
  // The fold, open with its refusal, passes axe like the rest.
  const serious = await axeSerious(page, "#region-lesson");
  assert.deepEqual(serious, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test("Copy link carries the whole file, and the link opens the same system at the same moment", async () => {
  const context = await site.browser.newContext({ viewport });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.server.url).origin });
  const { page, problems } = await openPage(site.browser, studio(), { context });
  await page.waitForSelector("#system-file");
  await runFile(page, await file("queue-vs-topic"));
  const boxes = await canvasAt(page, "#region-own", 15_000);
  await page.click("#copy-link");
  await page.waitForFunction(() => /[?&]sf=/.test(document.querySelector("#share-url").value));
  const link = await page.inputValue("#share-url");
  assert.match(link, /[?&]s=your-file(&|$)/);
  assert.match(link, /[?&]t=15000(&|$)/);
  const sf = new URL(link).searchParams.get("sf");
  console.log(`queue-vs-topic.json (${(await file("queue-vs-topic")).length} B) as sf: ${sf.length} characters; the whole link ${link.length}`);

  const opened = await openPage(site.browser, link, { viewport });
  await opened.page.waitForSelector("#region-own .canvas [data-node]");
  assert.equal(await opened.page.getAttribute("#clock", "data-now"), "15000");
  assert.deepEqual(await canvasBoxes(opened.page, "#region-own"), boxes);
  assert.equal(await opened.page.locator(".link-notice").count(), 0, "the link opened without a notice");
  assert.equal(await page.isVisible(".link-long"), false, "a link this short gets no warning");

  // A file whose description does not compress makes a link longer than some platforms keep,
  // and Copy link says so when it makes one.
  let seed = 7;
  const letters = Array.from({ length: 3000 }, () => ((seed = (seed * 48271) % 2147483647) % 36).toString(36)).join("");
  const long = JSON.parse(await file("queue-vs-topic"));
  long.description = letters;
  await runFile(page, JSON.stringify(long, null, 2));
  await page.click("#copy-link");
  await page.waitForFunction(() => document.querySelector("#share-url").value.length > 2000);
  assert.equal(await page.isVisible(".link-long"), true, "the warning shows");
  assert.match(await page.textContent(".link-long"), /Over 2,000 characters/);

  // A link whose file was cut short opens the pizza shop and says why.
  const cut = link.replace(/sf=[^&]+/, `sf=${sf.slice(0, 40)}`);
  const broken = await openPage(site.browser, cut, { viewport });
  await broken.page.waitForSelector("#region-diagram .canvas [data-node]");
  assert.match(await broken.page.textContent("body"), /sf: expected a system file packed by the studio, with s=your-file; got "/);
  assert.equal(await broken.page.locator("#region-own").count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(opened.problems, []);
  await Promise.all([page, opened.page, broken.page].map((p) => p.close()));
  await context.close();
});

test("the playground's own page has no file opener and never fetches the planner", async () => {
  const requests = [];
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport });
  page.on("request", (r) => requests.push(r.url()));
  await page.waitForSelector(".author-link a");
  assert.equal(await page.locator("#system-file").count(), 0);
  assert.ok(!requests.some((u) => u.includes("planner")));
  assert.deepEqual(problems, []);
  await page.close();
});
