// The builder in the studio (#12): systems built from an empty canvas with the builder alone,
// by pointer and by keyboard, run exactly as the built-in scenario files they copy (the same
// numbers at the same time and seed). A value a node refuses is named beside its field and
// changes nothing; Undo and Redo walk the steps; the file built can be downloaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axeSerious, canvasAt, openPage, screenshotOf, useSite } from "./harness.mjs";
import { act, add, answered, builtIn, byKeyboard, command, connect, fileAt, logsIn, set, start } from "./builder-steps.mjs";

const site = useSite({ prefix: "/" });
const viewport = { width: 1280, height: 1000 };
const studio = () => `${site.server.url}studio/index.html`;
test("the pizza shop with its DLQ, built from an empty canvas, runs as scenarios/pizza-shop.json does", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  assert.match(await start(page), /^A new, empty system\. It does not run yet: /);
  await set(page, "", "name", "pizza-shop");
  await set(page, "", "seed", "42");
  for (const [kind, name] of [["producer", "order-service"], ["queue", "orders"], ["queue", "orders-dlq"], ["consumer", "kitchen"], ["queue", "replies"], ["store", "orders-db"]]) {
    assert.match(await add(page, kind, name), new RegExp(`^Added the ${kind} ${name}\\.`));
  }
  await connect(page, "publish", "order-service", "orders");
  await connect(page, "subscribe", "orders", "kitchen");
  await connect(page, "dead_letter", "orders", "orders-dlq");
  await connect(page, "reply", "kitchen", "replies");
  assert.match(await connect(page, "write", "kitchen", "orders-db"), /It runs on the canvas\.$/);
  await set(page, "order-service", "rate", "5");
  await set(page, "order-service", "poison_share", "0.02");
  await set(page, "order-service", "transient_share", "0.05");
  // A value the platform refuses is named beside its field, and nothing changes.
  const before = await page.inputValue("#system-file-text");
  const refused = await set(page, "orders", "delivery_limit", "0", { refused: true });
  assert.equal(refused, "Not applied: nodes.orders.queue.delivery_limit: expected a whole number from 1 to 1000 (`maxReceiveCount`, Amazon SQS standard queue); got 0");
  assert.equal(await page.getAttribute('[data-node="orders"][data-field="delivery_limit"]', "aria-invalid"), "true");
  assert.match(await page.textContent('[data-node="orders"][data-field="delivery_limit"] ~ .builder-wrong'), /maxReceiveCount/);
  assert.equal(await page.inputValue("#system-file-text"), before, "the file is unchanged");
  await set(page, "orders", "delivery_limit", "3");
  await set(page, "kitchen", "count", "2");
  await set(page, "kitchen", "processing.mean", "300ms");
  await set(page, "kitchen", "processing.distribution", "exponential");
  assert.equal(await page.textContent("#system option:checked"), "Your system, from its file");
  // Nodes and edges are lists a screen reader reads as such.
  assert.equal(await page.locator("#builder-body .builder-nodes > li").count(), 6);
  assert.match(await page.textContent("#builder-body .builder-edges"), /order-service → orders: publish/);
  await screenshotOf(page, "#region-lesson", "builder-pizza-shop");

  const built = await canvasAt(page, "#region-own", 30_000);
  assert.deepEqual(built, await builtIn(site, "pizza-shop", "#region-diagram", 30_000));
  assert.match(built["order-service"].join(" "), /sent [1-9]/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the video-upload fan-out (an SNS topic, four SQS subscriptions, each with a DLQ), built by keyboard, runs as its file does", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  // Every step below is taken with the keyboard alone: focus, typing, arrow keys, Enter, Tab.
  byKeyboard(page);
  await start(page);
  await set(page, "", "name", "video-upload");
  await set(page, "", "seed", "7");
  const subscribers = [["transcoder", 2, "1500ms", "0"], ["thumbnail", 1, "100ms", "0"], ["moderation", 2, "300ms", "0.2"], ["indexer", 1, "200ms", "0"]];
  await add(page, "producer", "upload-service");
  await add(page, "router", "video-uploaded");
  for (const [name] of subscribers) {
    await add(page, "queue", `${name}-queue`);
    await add(page, "queue", `${name}-dlq`);
    await add(page, "consumer", name);
  }
  await set(page, "video-uploaded", "type", "sns");
  await connect(page, "publish", "upload-service", "video-uploaded");
  for (const [name] of subscribers) await connect(page, "bind", "video-uploaded", `${name}-queue`);
  for (const [name] of subscribers) await connect(page, "subscribe", `${name}-queue`, name);
  for (const [name] of subscribers) await connect(page, "dead_letter", `${name}-queue`, `${name}-dlq`);
  await set(page, "upload-service", "rate", "2");
  await set(page, "upload-service", "poison_share", "0.02");
  for (const [name, count, mean, failure] of subscribers) {
    await set(page, `${name}-queue`, "delivery_limit", "3");
    if (count !== 1) await set(page, name, "count", String(count));
    await set(page, name, "processing.mean", mean);
    await set(page, name, "processing.distribution", "exponential");
    if (failure !== "0") await set(page, name, "failure_rate", failure);
  }
  const built = await canvasAt(page, "#region-own", 20_000);
  assert.deepEqual(built, await builtIn(site, "video-upload", "#region-fanout", 20_000));
  assert.deepEqual(problems, []);
  await page.close();
});

/**
 * A new system with one router, `events`, whose fold is open: its type select, that select's
 * options and the index of the one chosen.
 */
async function routerTypeSelect(page) {
  await page.waitForSelector("#system-file");
  await start(page);
  await add(page, "router", "events");
  const selector = '#builder-body [data-node="events"][data-field="type"]';
  if (!(await page.isVisible(selector))) await page.click('#builder-body details[data-node="events"] summary');
  const values = await page.$$eval(`${selector} option`, (os) => os.map((o) => o.value));
  return { selector, values, from: values.indexOf(await page.inputValue(selector)) };
}

test("arrow keys walked quickly through a node's select lose no change: the last one is applied", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  const { selector, values, from } = await routerTypeSelect(page);
  const last = values[values.length - 1];
  assert.ok(values.length - 1 - from >= 2, `options ${values} from ${from}`);
  await page.focus(selector);
  // Each press is a change, and they come faster than the planner answers.
  for (let i = from; i < values.length - 1; i++) await page.keyboard.press("ArrowDown");
  await page.waitForFunction(({ selector, last }) => {
    if (document.querySelector("#system-file-status").textContent === "Planning…") return false;
    try {
      const file = JSON.parse(document.querySelector("#system-file-text").value);
      return file.nodes.events.router.type === last && document.querySelector(selector)?.value === last;
    } catch {
      return false;
    }
  }, { selector, last }, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.field), "type", "the field keeps the focus");
  assert.deepEqual(problems, []);
  await page.close();
});

/** The studio in a context of its own where each step reaches the worker 400 ms late. */
async function withLateWorker() {
  const context = await site.browser.newContext({ viewport });
  await context.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (...message) {
      setTimeout(() => post.apply(this, message), 400);
    };
  });
  return { ...(await openPage(site.browser, studio(), { context })), context };
}

/** shop publishing to the log orders, read by one consumer group per name, built in a studio
 * whose worker answers late; `open()` lists the open folds as "place summary". */
async function lateLog(groups) {
  const late = await withLateWorker();
  const { page } = late;
  await page.waitForSelector("#system-file");
  await start(page);
  await add(page, "producer", "shop");
  await add(page, "log", "orders");
  for (const group of groups) await add(page, "consumer", group);
  await connect(page, "publish", "shop", "orders");
  for (const group of groups) await connect(page, "subscribe", "orders", group);
  const open = () => page.$$eval("#builder-body details[open]", (folds) => folds.map((f) => `${f.dataset.node} ${f.querySelector("summary").textContent}`));
  return { ...late, open };
}

test("an arrow key pressed while an earlier change waits its turn walks on from that change, not from the one last drawn", async () => {
  // The window this test needs, a step waiting for the answer to another, is always open.
  const { page, problems, context } = await withLateWorker();
  const { selector, values, from } = await routerTypeSelect(page);
  assert.ok(values.length - 1 - from >= 3, `options ${values} from ${from}`);
  const type = () => page.evaluate(() => JSON.parse(document.querySelector("#system-file-text").value).nodes.events.router.type);
  await page.focus(selector);
  // The first press goes to the worker; the second waits for its answer.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction((v) => JSON.parse(document.querySelector("#system-file-text").value).nodes.events.router.type === v, values[from + 1]);
  // The fold is drawn from the first answer; the field shows the change still waiting.
  assert.equal(await page.inputValue(selector), values[from + 2]);
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction((v) => JSON.parse(document.querySelector("#system-file-text").value).nodes.events.router.type === v, values[from + 3], { timeout: 10_000 });
  assert.equal(await type(), values[from + 3]);
  assert.equal(await page.inputValue(selector), values[from + 3]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("removing an edge renumbers the ones after it, and an open fold or a change waiting its turn follows its edge", async () => {
  // A change made just after a removal waits for the removal's answer.
  const { page, problems, context, open } = await lateLog(["a", "b", "c"]);
  for (const edge of ["#1", "#3"]) await page.click(`#builder-body details[data-node="${edge}"] summary`);
  assert.deepEqual(await open(), ["#1 orders → a: subscribe", "#3 orders → c: subscribe"]);
  // Edge #1 goes; before the answer, orders → c's max_poll_records changes in its fold (#3).
  await page.click('#builder-body details[data-node="#1"] [data-op=disconnect]');
  await page.$eval('#builder-body [data-node="#3"][data-field="group.max_poll_records"]', (field) => {
    field.value = "7";
    field.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const edges = () => page.evaluate(() => JSON.parse(document.querySelector("#system-file-text").value).edges);
  await page.waitForFunction(() => JSON.parse(document.querySelector("#system-file-text").value).edges.some((e) => e.group?.max_poll_records), null, { timeout: 10_000 });
  assert.deepEqual((await edges()).map((e) => `${e.from} → ${e.to} ${e.group?.max_poll_records ?? "-"}`), ["shop → orders -", "orders → b -", "orders → c 7"]);
  // The fold of the edge removed is gone, not handed to b; c's stays open at its new place.
  assert.deepEqual(await open(), ["#2 orders → c: subscribe"]);
  assert.equal(await page.inputValue('#builder-body [data-node="#2"][data-field="group.max_poll_records"]'), "7");
  assert.deepEqual(problems, []);
  await context.close();
});

test("removing a node takes its edges, an open edge fold follows its edge, a click made meanwhile is kept, and the focus stays in the list", async () => {
  const { page, problems, context, open } = await lateLog(["a", "b"]);
  for (const fold of ["a", "#2"]) await page.click(`#builder-body details[data-node="${fold}"] summary`);
  assert.deepEqual((await open()).map((f) => f.split(" ")[0]), ["a", "#2"]);
  // The next node is typed in, then a is removed by keyboard; Add is clicked before the answer.
  await page.selectOption("#builder-kind", "consumer");
  await page.fill("#builder-name", "c");
  await page.focus('#builder-body [data-op=remove][data-node="a"]');
  await page.keyboard.press("Enter");
  await page.$eval("#system-file [data-op=add]", (button) => button.click());
  const nodes = () => page.evaluate(() => Object.keys(JSON.parse(document.querySelector("#system-file-text").value).nodes).sort());
  await page.waitForFunction(() => "c" in JSON.parse(document.querySelector("#system-file-text").value).nodes, null, { timeout: 10_000 });
  assert.deepEqual(await nodes(), ["b", "c", "orders", "shop"]);
  const edges = await page.evaluate(() => JSON.parse(document.querySelector("#system-file-text").value).edges.map((e) => `${e.from} → ${e.to}`));
  assert.deepEqual(edges, ["shop → orders", "orders → b"]);
  // orders → b's fold is open at its new place, #1; a's went with a.
  assert.deepEqual(await open(), ["#1 orders → b: subscribe"]);
  // The focus left the Remove button for the node now in a's place in the list.
  assert.equal(await page.evaluate(() => document.activeElement.closest(".builder-nodes > li")?.querySelector("summary b")?.textContent), "b");
  // The edges removed by keyboard, the last first: the focus goes to the edge left (its
  // fold's summary), then, with none left, to the list's heading.
  const edgesLeft = (n) => page.waitForFunction((n) => (JSON.parse(document.querySelector("#system-file-text").value).edges ?? []).length === n, n, { timeout: 10_000 });
  await page.focus('#builder-body [data-op=disconnect][data-edge="1"]');
  await page.keyboard.press("Enter");
  await edgesLeft(1);
  assert.match(await page.evaluate(() => document.activeElement.closest(".builder-edges > li")?.textContent), /^shop → orders: publish/);
  // Enter on the summary opens the fold, then its Remove button takes the last edge.
  await page.keyboard.press("Enter");
  await page.focus('#builder-body [data-op=disconnect][data-edge="0"]');
  await page.keyboard.press("Enter");
  await edgesLeft(0);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Edges (0)");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a Kafka topic with two consumer groups, each group's settings on its edge and a timeline of commands, runs as the file scenarios/orders-log.json does", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await start(page);
  await set(page, "", "name", "orders-log");
  await set(page, "", "seed", "42");
  await add(page, "producer", "order-service");
  await add(page, "log", "orders");
  await add(page, "consumer", "kitchen");
  await add(page, "consumer", "analytics");
  await connect(page, "publish", "order-service", "orders");
  await connect(page, "subscribe", "orders", "kitchen");
  await connect(page, "subscribe", "orders", "analytics");
  await set(page, "order-service", "rate", "20");
  await set(page, "order-service", "groups", "50");
  await set(page, "order-service", "poison_share", "0.005");
  await set(page, "orders", "partitions", "4");
  await set(page, "orders", "retention", "10m");
  await set(page, "kitchen", "count", "2");
  await set(page, "kitchen", "processing.mean", "90ms");
  await set(page, "analytics", "processing.mean", "20ms");
  // A group's settings belong to its subscription: the edge's fold holds them.
  assert.match(await set(page, "#1", "group.commit", "after_processing"), /^orders → kitchen: group\.commit is after_processing\./);
  await set(page, "#1", "group.offset_reset", "earliest");
  await set(page, "#1", "group.max_poll_records", "20");
  await set(page, "#2", "group.offset_reset", "earliest");
  await set(page, "#2", "group.rebalance", "cooperative");
  // The form shows an example of each command's fields as its type is chosen.
  await page.selectOption("#builder-type", "seek");
  assert.equal(await page.textContent("#builder-type-hint"), "for example to=earliest");
  const refused = await page.evaluate(() => (document.querySelector("#system-file-status").textContent = ""))
    .then(() => page.fill("#builder-at", "soon"))
    .then(() => page.click("#system-file [data-op=command]"))
    .then(() => answered(page));
  assert.equal(refused, 'Not applied: at: expected a time in the run, in ms or like 60s or 2m; got "soon"');
  assert.match(await command(page, "60s", "kitchen", "crash", "consumer=0"), /^Added the command at 1m00s, kitchen: crash consumer=0\./);
  await command(page, "120s", "analytics", "scale_consumers", "count=2");
  await command(page, "180s", "analytics", "seek", "to=earliest");
  assert.equal(await page.locator("#builder-body .builder-commands button").count(), 3);
  const built = await canvasAt(page, "#region-own", 200_000);
  const file = await fileAt(site, "orders-log", 200_000, (p) => logsIn(p, "#region-own"));
  assert.deepEqual(built, file.boxes);
  // Under the canvas, the log as the built-in orders log is drawn: a lane per partition with
  // both groups' cursors, and the groups' table, the same as the file's own.
  const [log] = await logsIn(page, "#region-own");
  assert.deepEqual([log], file.more);
  assert.equal(log.log, "orders");
  assert.equal(log.hint, "orders: committed by ▲k kitchen, ▲a analytics; ✕ skipped, ×2 repeated by kitchen.");
  assert.equal(log.lanes.length, 4);
  for (const [head] of log.lanes) assert.match(head, /^P\d owner (kitchen-\d|unassigned) · end \d+ · lag kitchen \d+ · analytics \d+$/);
  assert.deepEqual(log.groups.map((g) => g[0]), ["kitchen", "analytics"]);
  assert.equal(log.groups[1][1], "2", "analytics scaled to two members at 2m00s");
  assert.ok(log.lanes.every((l) => !l.slice(1).some((r) => r.includes("▲k"))), "the kitchen's cursor is behind every lane's newest");
  // By 3m20s the crashed kitchen and the rewound analytics are far behind their lanes' newest
  // records; at 30 s both keep up, so both cursors sit among them.
  await page.$eval("#scrub", (el) => {
    el.value = "30000";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector("#clock").dataset.now === "30000");
  const [early] = await logsIn(page, "#region-own");
  for (const mark of ["▲k", "▲a"]) {
    assert.ok(early.lanes.every((l) => l.slice(1).some((r) => r.includes(mark))), `${mark} in every lane at 30 s`);
  }
  // Any record opens in the inspector, with its envelope and its life in this log.
  await page.click("#region-own .lane .rec:not(.tail) button");
  const [, partition, offset] = /orders · partition (\d) · offset (\d+)/.exec(await page.textContent("#region-own #record-detail")).map(Number);
  assert.deepEqual(await axeSerious(page, "#region-own .stream-view"), []);
  // A builder step opens the system anew from time zero: the record opened before is
  // forgotten, not opened again by itself once the rerun writes its offset again.
  await set(page, "analytics", "processing.mean", "25ms");
  await page.selectOption("#speed", "100");
  // In view, since a system out of view stands still until it is seen again.
  await page.locator("#region-own .lanes").scrollIntoViewIfNeeded();
  await page.waitForFunction(([p, off]) => Number(/ end (\d+) /.exec(document.querySelector(`#region-own .lane[data-partition="${p}"] .lane-head`)?.textContent)?.[1]) > off + 1, [partition, offset], { timeout: 30_000 });
  assert.equal(await page.locator("#region-own #record-detail").count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a RabbitMQ topic exchange with a dead-letter exchange and scripted publishes and takes runs as the file scenarios/rabbitmq-pizza.json does", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await start(page);
  await set(page, "", "name", "rabbitmq-pizza");
  await add(page, "producer", "order-service");
  for (const [name, type] of [["orders", "topic"], ["notifications", "fanout"], ["payments", "direct"], ["orders.dlx", "fanout"]]) {
    await add(page, "router", name);
    await set(page, name, "type", type);
  }
  for (const name of ["kitchen", "bar", "audit", "eu-billing", "email", "sms", "ledger", "retries", "orders.dead"]) {
    await add(page, "queue", name);
    await set(page, name, "profile", name === "kitchen" ? "rabbitmq_quorum" : "rabbitmq_classic");
  }
  await set(page, "order-service", "rate", "0");
  await set(page, "kitchen", "retention", "60s");
  await set(page, "kitchen", "max_depth", "5");
  await set(page, "kitchen", "delivery_limit", "2");
  await connect(page, "publish", "order-service", "orders", "order.pizza.eu");
  for (const [from, to, key] of [["orders", "kitchen", "order.pizza.*"], ["orders", "bar", "order.drink.*"], ["orders", "audit", "order.#"], ["orders", "eu-billing", "*.*.eu"], ["notifications", "email", ""], ["notifications", "sms", ""], ["payments", "ledger", "payment.ok"], ["payments", "retries", "payment.failed"]]) {
    await connect(page, "bind", from, to, key);
  }
  await connect(page, "dead_letter", "kitchen", "orders.dlx");
  await connect(page, "bind", "orders.dlx", "orders.dead");
  await command(page, "1s", "order-service", "publish", "exchange=orders key=order.pizza.eu");
  await command(page, "2s", "order-service", "publish", "exchange=orders key=order.drink.us");
  await command(page, "3s", "order-service", "publish", "exchange=orders key=refund.pizza.us");
  await command(page, "4s", "order-service", "publish", "exchange= key=kitchen");
  await command(page, "5s", "kitchen", "take", "outcome=requeue");
  assert.match(await command(page, "6s", "kitchen", "take", "outcome=reject"), /It runs on the canvas\.$/);
  const built = await canvasAt(page, "#region-own", 10_000);
  assert.deepEqual(built, await fileAt(site, "rabbitmq-pizza", 10_000));
  assert.match(built["orders.dead"].join(" "), /1/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("Undo and Redo walk the steps, removing a node takes its edges, and the file built downloads", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await start(page);
  await add(page, "producer", "p");
  await add(page, "queue", "q");
  await add(page, "consumer", "c");
  await connect(page, "publish", "p", "q");
  assert.match(await connect(page, "subscribe", "q", "c"), /It runs on the canvas/);
  await page.waitForSelector("#region-own .canvas [data-node=c]");
  await page.click('#builder-body details[data-node="q"] summary');
  assert.match(await act(page, '#builder-body [data-op=remove][data-node="q"]'), /^Removed q and 2 edges\. It does not run yet/);
  assert.equal(await page.locator("#builder-body .builder-edges button").count(), 0);
  await act(page, "#system-file [data-op=undo]");
  assert.equal(await page.locator("#builder-body .builder-edges button").count(), 2, "undone: q and its edges are back");
  await act(page, "#system-file [data-op=redo]");
  assert.equal(await page.locator("#builder-body .builder-edges button").count(), 0, "redone");
  await act(page, "#system-file [data-op=undo]");
  // Wiring that means nothing is refused before it is added.
  await page.selectOption("#builder-from", "p");
  await page.selectOption("#builder-edge", "subscribe");
  await page.selectOption("#builder-to", "c");
  await page.click("#system-file [data-op=connect]");
  assert.match(await answered(page), /^Not applied: edge\.from: expected a queue or log node/);
  const href = await page.getAttribute("#system-file-download", "href");
  const file = JSON.parse(decodeURIComponent(href.replace("data:application/json;charset=utf-8,", "")));
  assert.deepEqual(Object.keys(file.nodes), ["p", "q", "c"]);
  assert.equal(file.edges.length, 2);
  // The builder, open with its lists and a refusal, passes axe like the rest.
  // A fold left open stays open through the steps.
  await page.click('#builder-body details[data-node="q"] summary');
  await act(page, "#system-file-run");
  assert.equal(await page.getAttribute('#builder-body details[data-node="q"]', "open"), "");
  const serious = await axeSerious(page, "#region-lesson");
  assert.deepEqual(serious, []);
  assert.deepEqual(problems, []);
  await page.close();
});
