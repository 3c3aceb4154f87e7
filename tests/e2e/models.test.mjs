// Lessons on the log and on topics are judged on the panel the learner sees, and RabbitMQ's
// exchanges route, dead-letter and refuse bad input in the browser as the engine says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, exportText, openPage, runToMoment, screenshotOf, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/models/" });

const cell = (page, group, column) =>
  page.$eval(`#stream-groups tr[data-group="${group}"] td.${column}`, (td) => Number(td.textContent));

test("a log lesson puts the log beside the lesson, is judged on it, and the learner's fix changes it", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?lesson=rebalance-skip&x=5000`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#checkpoint");
  const top = async (sel) => Math.round((await page.locator(sel).boundingBox()).y);
  assert.equal(await page.locator("#region-diagram").count(), 0, "the lesson's system is the only one");
  assert.equal(await top("#region-stream"), await top("#region-lesson"), "the log beside the lesson, at the top");
  assert.equal(await page.inputValue("#stream-commit"), "before_processing", "the lesson's settings are on the panel");
  const verdict = await answer(page, "skipped");
  assert.equal(verdict.actual, "skipped", verdict.text);
  assert.equal(verdict.correct, "true");
  // The verdict's number is the one on the panel.
  const skipped = await cell(page, "kitchen", "skipped");
  assert.ok(skipped > 0, `${skipped} skipped`);
  assert.match(verdict.text, new RegExp(`${skipped} records were skipped`));
  await screenshotOf(page, "#region-stream", "lesson-rebalance-skip-log");
  // The fix: commit after processing. The log starts over with the same crash and catches up.
  await page.selectOption("#stream-commit", "after_processing");
  await page.waitForFunction(() => document.querySelector('#stream-groups tr[data-group="kitchen"] td.duplicates').textContent !== "0");
  assert.equal(await cell(page, "kitchen", "skipped"), 0, "nothing skipped when committing after processing");
  assert.ok(await cell(page, "kitchen", "rebalances") >= 1, "the same crash happened");
  // Copy link keeps what the learner did in the log: its settings and its buttons.
  await page.click("#stream-add");
  await page.click("#copy-link");
  const url = await page.inputValue("#share-url");
  assert.match(url, /[?&]lg=p4\.ca\.re/);
  assert.match(url, /[?&]pl=40000\.A0/);
  const row = (p) => p.$eval('#stream-groups tr[data-group="kitchen"]', (tr) => tr.textContent);
  const { page: again, problems: againProblems } = await openPage(site.browser, url, { viewport: { width: 1280, height: 1000 } });
  await again.waitForSelector("#stream-groups");
  assert.equal(await again.inputValue("#stream-commit"), "after_processing");
  assert.equal(await row(again), await row(page), "the same kitchen numbers");
  assert.deepEqual(againProblems, []);
  await again.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test("partition keys: the lesson's hot key shows on the switch and in one lane's lag", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?lesson=partition-keys&x=5000`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#checkpoint");
  assert.equal(await page.isChecked("#stream-hot"), false, "no hot key before 30 s");
  const verdict = await answer(page, "per-key");
  assert.equal(verdict.correct, "true", verdict.text);
  assert.equal(await page.isChecked("#stream-hot"), true, "the lesson's hot key (at 30 s) is on");
  const lags = await page.$$eval(".lane .lane-head span", (spans) => spans.map((s) => Number(/lag kitchen (\d+)/.exec(s.textContent)[1])));
  const sorted = [...lags].sort((a, b) => b - a);
  assert.ok(sorted[0] >= 50 && sorted[1] <= 10, `one lane lags: ${lags}`);
  assert.match(verdict.text, new RegExp(`partition is ${sorted[0]} records behind`));
  assert.deepEqual(problems, []);
  await page.close();
});

test("queue vs topic: each order once on the queue, once per subscription on the topic", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?lesson=pubsub-vs-queue&x=5000`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#qt-queue");
  const verdict = await answer(page, "once-thrice");
  assert.equal(verdict.correct, "true", verdict.text);
  assert.match(await page.textContent("#qt-queue"), /\(×1\.0\)/);
  assert.match(await page.textContent("#qt-topic"), /\(×3\.0\)/);
  // The canvas: the pool's second line is each worker's share ("each 40/41/39"), and each
  // subscription's consumer box says how many it processed.
  const lines = (node) => page.$$eval(`#region-queue-vs-topic [data-node="${node}"] .numbers`, (ts) => ts.map((t) => t.textContent));
  const workers = (await lines("worker"))[1].replace("each ", "").split("/").map(Number);
  const subs = [];
  for (const sub of ["kitchen", "billing", "loyalty"]) subs.push(Number((await lines(sub))[0].replace("processed ", "")));
  const total = Number((await page.textContent("#qt-queue")).split(" ")[1]);
  assert.equal(workers.reduce((a, b) => a + b, 0), total, "each processing by exactly one worker");
  assert.ok(workers.every((n) => n > 0), `the workers share the load: ${workers}`);
  assert.ok(Math.min(...subs) >= Math.max(...workers), `each subscription handled every order: ${subs} vs ${workers}`);
  await screenshotOf(page, "#region-queue-vs-topic", "queue-vs-topic");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the canvas moves each message along its edges at 1x, and says its flow at speed or with less motion", async () => {
  const region = "#region-queue-vs-topic";
  // Each token with the stops it was given (its inline style, which is what the page
  // controls) and whether its first and last are the two ends of one of the drawing's edges,
  // the edge's end first for an ack, which goes back.
  const tokens = (page) =>
    page.$$eval(`${region} .tok`, (gs, region) => {
      const edges = [...document.querySelectorAll(`${region} .canvas .edge path`)].map((p) => p.getAttribute("d"));
      return gs.map((g) => {
        const stop = (name) => g.style.getPropertyValue(`--${name}`).replace("px", "");
        const [a, b] = g.classList.contains("back") ? [3, 0] : [0, 3];
        const [from, to] = [`M${stop(`x${a}`)},${stop(`y${a}`)} `, ` ${stop(`x${b}`)},${stop(`y${b}`)}`];
        return { text: g.textContent, shown: getComputedStyle(g).display !== "none", from, to, onEdge: edges.some((d) => d.startsWith(from) && d.endsWith(to)) };
      });
    }, region);
  const figures = (page) => page.$$eval(`${region} .flow`, (ts) => ts.filter((t) => getComputedStyle(t).display !== "none").map((t) => t.textContent));
  // At 1x each token is a letter (with a count for a burst) travelling the path of its edge.
  // Reached from another system through the menu: the region that replaces the log's must
  // report its own visibility, not the log's (checked below by scrolling it away).
  const slow = await openPage(site.browser, `${site.server.url}?s=orders-log&x=1`, { viewport: { width: 1280, height: 1000 } });
  await slow.page.waitForSelector("#stream-groups");
  await slow.page.selectOption("#system", "queue-vs-topic");
  await slow.page.waitForSelector(`${region} .canvas svg`);
  // Tokens move only where the drawing can be seen.
  await slow.page.locator(`${region} .canvas`).scrollIntoViewIfNeeded();
  await slow.page.waitForSelector(`${region} .tok`);
  await slow.page.waitForTimeout(2500);
  const moving = await tokens(slow.page);
  const letters = new Set(moving.map((t) => t.text[0]));
  for (const l of ["P", "R", "D", "A"]) assert.ok(letters.has(l), `a ${l} token among ${[...letters]}`);
  for (const t of moving) assert.match(t.text, /^[PRDAXWY]( \d+)?$/);
  assert.ok(moving.every((t) => t.shown && t.onEdge), `tokens follow their edges: ${JSON.stringify(moving)}`);
  assert.deepEqual(await figures(slow.page), [], "no figures while tokens can be followed");
  // Scrolled away, the panel stops redrawing (each redraw and each moving token costs the main
  // thread), and seen again it catches up with the clock at once.
  const drawing = (page) => page.$eval(`${region} .canvas`, (f) => f.innerHTML);
  // The system is at the top of its page, so a course page's text below it stands in for
  // whatever a reader scrolls on to.
  await slow.page.evaluate(() => {
    document.querySelector(".shell").style.paddingBottom = "300vh";
    window.scrollTo(0, document.body.scrollHeight);
  });
  await slow.page.waitForTimeout(300);
  const away = await drawing(slow.page);
  await slow.page.waitForTimeout(1500);
  assert.equal(await drawing(slow.page), away, "nothing redrawn out of view");
  await slow.page.locator(`${region} .canvas`).scrollIntoViewIfNeeded();
  await slow.page.waitForFunction(([r, was]) => document.querySelector(`${r} .canvas`).innerHTML !== was, [region, away]);
  assert.deepEqual(slow.problems, []);
  await slow.page.close();
  // At 1000x nothing moves; each busy edge says its flow per simulated second: 3 orders a second.
  const fast = await openPage(site.browser, `${site.server.url}?s=queue-vs-topic&x=1000`, { viewport: { width: 1280, height: 1000 } });
  await fast.page.waitForSelector(`${region} .canvas svg`);
  await fast.page.locator(`${region} .canvas`).scrollIntoViewIfNeeded();
  await fast.page.waitForFunction((r) => document.querySelectorAll(`${r} .flow`).length > 0, region);
  await fast.page.waitForTimeout(1500);
  assert.deepEqual(await tokens(fast.page), [], "no token at 1000x");
  const flows = await figures(fast.page);
  assert.ok(flows.length >= 4, `figures on the busy edges: ${flows}`);
  for (const f of flows) assert.match(f, /^[1-6]\/s$/);
  await fast.page.close();
  // A reader who asked for less motion gets the figures, and no moving tokens, at 1x too.
  const calm = await openPage(site.browser, `${site.server.url}?s=queue-vs-topic&x=1`, { viewport: { width: 1280, height: 1000 }, reducedMotion: "reduce" });
  await calm.page.waitForSelector(`${region} .canvas svg`);
  await calm.page.locator(`${region} .canvas`).scrollIntoViewIfNeeded();
  await calm.page.waitForFunction((r) => document.querySelectorAll(`${r} .flow`).length > 0, region);
  assert.ok((await figures(calm.page)).length > 0, "figures instead");
  assert.ok((await tokens(calm.page)).every((t) => !t.shown), "no moving token");
  await calm.page.close();
});

test("exchanges route by binding, dead-letter with x-death, and refuse a bad key with a reason", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=rabbitmq-pizza`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#rmq-publish");
  await page.click("#play-pause");
  const last = () => page.textContent("#rmq-last");
  const ready = (q) => page.$eval(`#rmq-queues tr[data-queue="${q}"] td.ready`, (td) => Number(td.textContent));
  await page.click("button.preset:has-text('orders ← order.pizza.eu')");
  assert.match(await last(), /copied to kitchen, audit, eu-billing/);
  // The canvas ticks the bindings that matched and the queues that got a copy.
  assert.equal(await page.locator("#region-exchanges .canvas .edge.hit").count(), 3, "three bindings matched");
  assert.deepEqual(await page.$$eval("#region-exchanges .canvas .node.hit", (gs) => gs.map((g) => g.dataset.node)), ["kitchen", "audit", "eu-billing"]);
  assert.match(await page.textContent('#region-exchanges .canvas [data-node="kitchen"]'), /✓ kitchen/);
  // Keyboard only: type a key and press Enter.
  await page.fill("#rmq-key", "order.drink.eu");
  await page.press("#rmq-key", "Enter");
  assert.match(await last(), /copied to bar, audit, eu-billing/);
  assert.equal(await ready("audit"), 2);
  await page.click("button.preset:has-text('refund.pizza.us')");
  assert.match(await last(), /unroutable/);
  assert.match(await page.textContent("#rmq-totals"), /Unroutable: 1 /);
  // Rejected without requeue: into orders.dead with its x-death.
  await page.click('#rmq-queues tr[data-queue="kitchen"] button:has-text("Reject")');
  assert.match(await page.textContent("#x-deaths"), /reason rejected · queue kitchen · count 1 · exchange orders · routing-keys \[order\.pizza\.eu\]/);
  // The dead message opens as the same CloudEvent, in the AMQP binding, with its x-death header.
  await page.click("#x-deaths button");
  await page.waitForSelector("#rmq-detail");
  assert.match(await page.textContent("#rmq-detail .inspector-head"), /^orders\.dead · message #1 · routing key order\.pizza\.eu /);
  assert.match(await page.textContent("#rmq-detail .rendering pre"), /^cloudEvents:id: [0-9a-f-]{36}$/m);
  assert.match(await page.textContent("#rmq-x-death"), /reason=rejected, queue=kitchen, exchange=orders/);
  assert.match(await page.textContent("#rmq-x-death"), /x-first-death-queue: kitchen\nx-first-death-reason: rejected\nx-first-death-exchange: orders/);
  const deadId = await page.textContent("#rmq-detail .rendering pre");
  await page.click('#rmq-queues tr[data-queue="audit"] button.head');
  assert.match(await page.textContent("#rmq-detail .inspector-head"), /^audit · message #1 /);
  assert.equal(await page.textContent("#rmq-detail .rendering pre"), deadId, "audit's copy is the same event");
  // A classic queue with no DLX: the rejected drink is dropped.
  await page.click('#rmq-queues tr[data-queue="bar"] button:has-text("Reject")');
  assert.match(await page.textContent("#rmq-totals"), /dropped \(no dead-letter exchange\): 1/);
  // A key AMQP cannot carry is refused, and nothing is published.
  const before = await last();
  await page.fill("#rmq-key", "k".repeat(300));
  await page.press("#rmq-key", "Enter");
  assert.match(await page.textContent("#rmq-error"), /routing key: expected at most 255 bytes .*got 300 bytes/);
  assert.equal(await last(), before);
  // Six pizzas into a queue of five: the oldest dies of maxlen; a minute on, the rest expire.
  for (let i = 0; i < 6; i++) await page.click("button.preset:has-text('orders ← order.pizza.eu')");
  assert.equal(await page.textContent("#rmq-error"), "", "the error clears on a good publish");
  assert.equal(await ready("kitchen"), 5);
  assert.match(await page.textContent("#x-deaths"), /reason maxlen · queue kitchen/);
  await page.selectOption("#speed", "100");
  await page.click("#play-pause");
  // A panel redraws only while it can be seen; Play is at the top of the page.
  await page.locator("#x-deaths").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => /reason expired/.test(document.querySelector("#x-deaths").textContent));
  await page.click("#play-pause");
  assert.equal(await ready("kitchen"), 0);
  await screenshotOf(page, "#region-exchanges", "exchanges-region");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the broker's RabbitMQ definitions fold under it, hold what the canvas draws, and copy", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=rabbitmq-pizza`, { viewport: { width: 1280, height: 1000 } });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.server.url).origin });
  await page.waitForSelector("#region-exchanges .canvas svg");
  const box = "#region-exchanges details.export-box";
  assert.match(await page.textContent(`${box} summary`), /^Configuration to copy: RabbitMQ definitions, for rabbitmqctl import_definitions$/);
  assert.ok(!(await page.isVisible("#export-text")), "folded until asked for");
  const fetched = [];
  page.on("request", (r) => r.url().includes("/exports/") && fetched.push(r.url()));
  // By keyboard: the summary is a control of its own.
  await page.focus(`${box} summary`);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#export-text", { state: "visible" });
  const text = await exportText(page, "#region-exchanges");
  // Fetched when first opened, once: closed and opened again, it is not fetched again.
  assert.deepEqual(fetched, [`${site.server.url}exports/rabbitmq-pizza.txt`], "beside the page");
  await page.click(`${box} summary`);
  await page.click(`${box} summary`);
  assert.equal(await exportText(page, "#region-exchanges"), text);
  assert.equal(fetched.length, 1);
  const defs = JSON.parse(text);
  const drawn = (kind) => page.$$eval(`#region-exchanges .canvas .node.${kind}`, (gs) => gs.map((g) => g.dataset.node).sort());
  const queues = defs.queues.map((q) => q.name).sort();
  assert.deepEqual(queues.filter((q) => q !== "orders.dead"), await drawn("queue"), "every queue the canvas draws");
  assert.ok(queues.includes("orders.dead"), "and the dead-letter queue");
  for (const router of await drawn("router")) assert.ok(defs.exchanges.some((x) => x.name === router), `exchange ${router}`);
  const kitchen = defs.queues.find((q) => q.name === "kitchen").arguments;
  assert.deepEqual(
    // drop-head is RabbitMQ's default overflow, so the file need not say it.
    [kitchen["x-queue-type"], kitchen["x-delivery-limit"], kitchen["x-max-length"], kitchen["x-overflow"] ?? "drop-head", kitchen["x-dead-letter-exchange"]],
    ["quorum", 2, 5, "drop-head", "orders.dlx"],
  );
  assert.ok(defs.bindings.some((b) => b.source === "orders" && b.destination === "kitchen" && b.routing_key === "order.pizza.*"));
  await page.click("#copy-export");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text, "Copy puts the whole file on the clipboard");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the fan-out's Terraform holds its topic, every queue the canvas draws and a subscription each", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=video-upload`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#region-fanout .canvas svg");
  assert.match(await page.textContent("#region-fanout details.export-box summary"), /^Configuration to copy: Terraform/);
  const hcl = await exportText(page, "#region-fanout");
  const tf = (name) => name.replace(/[^a-z0-9]/gi, "_").toLowerCase();
  const drawn = await page.$$eval("#region-fanout .canvas .node.queue, #region-fanout .canvas .node.dead-letters", (gs) => gs.map((g) => g.dataset.node));
  assert.equal(drawn.length, 8, "four queues and their dead-letter queues");
  for (const q of drawn) assert.match(hcl, new RegExp(`resource "aws_sqs_queue" "${tf(q)}" \\{\\n  name += "${q}"`), q);
  assert.match(hcl, /resource "aws_sns_topic" "video_uploaded" \{\n  name = "video-uploaded"/);
  assert.equal(hcl.match(/resource "aws_sns_topic_subscription"/g).length, 4);
  assert.equal(hcl.match(/maxReceiveCount += 3/g).length, 4, "each queue's redrive policy");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the orders log's Kafka configuration holds its topic, each group the table lists, and the file's settings", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=orders-log`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#region-stream .lane");
  assert.match(await page.textContent("#region-stream details.export-box summary"), /^Configuration to copy: Kafka: .*not the switches above/);
  const text = await exportText(page, "#region-stream");
  const lanes = await page.$$eval("#region-stream .lane", (ls) => ls.length);
  assert.match(text, new RegExp(`--create --topic orders --partitions ${lanes} --config retention\\.ms=600000\\n`), "as many partitions as lanes");
  assert.match(text, /--create --topic orders-dlt /, "the dead-letter topic the panel counts");
  const groups = await page.$$eval("#stream-groups tbody th", (ths) => ths.map((th) => th.textContent.trim()));
  assert.deepEqual(groups, ["kitchen", "analytics"]);
  for (const g of groups) assert.match(text, new RegExp(`\\ngroup\\.id=${g}\\n`), g);
  // The Commit switch shows the kitchen's mode, which the properties say too.
  assert.equal(await page.inputValue("#stream-commit"), "after_processing");
  assert.match(text, /group\.id=kitchen\nauto\.offset\.reset=earliest\n# Commit after processing[^\n]*\nenable\.auto\.commit=false\n/);
  assert.match(text, /group\.id=analytics\n[\s\S]*enable\.auto\.commit=true\nauto\.commit\.interval\.ms=5000\n[\s\S]*CooperativeStickyAssignor/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the Redis stream's commands name its stream, group and consumers, with the janitor and the dead stream", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=redis-orders`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#region-redis li[data-consumer]");
  assert.match(await page.textContent("#region-redis details.export-box summary"), /^Configuration to copy: Redis: /);
  const text = await exportText(page, "#region-redis");
  const consumers = await page.$$eval("#region-redis li[data-consumer]", (ls) => ls.map((l) => l.dataset.consumer));
  assert.deepEqual(consumers, ["kitchen-1", "kitchen-2"]);
  assert.match(text, new RegExp(`Each of its ${consumers.length} consumers`));
  assert.match(text, /\nXGROUP CREATE orders kitchen \$ MKSTREAM\n/);
  assert.match(text, /\nXREADGROUP GROUP kitchen kitchen-1 COUNT 10 STREAMS orders >\n/);
  assert.match(text, /\nXAUTOCLAIM orders kitchen kitchen-2 10000 0-0 COUNT 10\n/);
  assert.match(text, /\nXADD orders:dead \* entry <entry id> deliveries 3\n/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a link copied on each system carries its buttons and reopens it with the same numbers", async () => {
  // Each system with what a learner does in it, the link parameter that records that, and
  // what shows its numbers. Queue vs topic has no buttons: its link carries only the time.
  const systems = [
    ["rabbitmq-pizza", "px", ["#rmq-queues", "#x-deaths"], async (p) => {
      await p.click("button.preset:has-text('orders ← order.pizza.eu')");
      await p.click('#rmq-queues tr[data-queue="kitchen"] button:has-text("Reject")');
    }],
    ["redis-orders", "pr", ["#redis-summary", "#redis-pel"], (p) => p.click('li[data-consumer="kitchen-1"] .redis-crash')],
    ["video-upload", "pf", ["#region-fanout .subscribers"], (p) => p.click('.subscriber[data-sub="indexer"] .sub-toggle')],
    ["orders-log", "pl", ["#stream-groups"], (p) => p.click("#stream-add")],
    ["queue-vs-topic", null, ["#qt-queue"], async () => {}],
  ];
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#system");
  await page.selectOption("#speed", "100");
  for (const [system, param, shown, act] of systems) {
    // The menu starts the system over, playing.
    await page.selectOption("#system", system);
    await page.waitForSelector(shown[0]);
    await page.click("#play-pause");
    await act(page);
    await page.click("#play-pause");
    await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 60000);
    await page.click("#play-pause");
    const numbers = (p) => p.evaluate((sels) => ["#clock", ...sels].map((sel) => [sel, document.querySelector(sel)?.textContent ?? "(missing)"]), shown);
    const before = await numbers(page);
    assert.ok(before.every(([, text]) => text !== "(missing)"), JSON.stringify(before));
    await page.click("#copy-link");
    const url = await page.inputValue("#share-url");
    assert.match(url, new RegExp(`[?&]s=${system}&`), url);
    if (param) assert.match(url, new RegExp(`[?&]${param}=\\d+\\.`), `${param} in ${url}`);
    const { page: again, problems: againProblems } = await openPage(site.browser, url, { viewport: { width: 1280, height: 1000 } });
    await again.waitForSelector(shown[0]);
    assert.equal(await again.inputValue("#system"), system, "the menu names the system the link opened");
    assert.deepEqual(await numbers(again), before, `${system} shows the same numbers`);
    assert.deepEqual(againProblems, []);
    await again.close();
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("each system and lesson that a broker run backs says which broker, when, and how much agreed", async () => {
  const { readFile } = await import("node:fs/promises");
  const json = async (p) => JSON.parse(await readFile(new URL(`../../verify/${p}`, import.meta.url), "utf8"));
  const figures = await json("checked.json");
  const shown = await json("shown-on.json");
  // The page's numbers are the broker runs' numbers, summed over the scenarios behind each part.
  const sum = (id) => shown[id].reduce((n, s) => n + figures.scenarios[s].agree, 0);
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  // Each system's line is under it, so each is opened in turn from the menu.
  const line = async (system, sel) => {
    await page.selectOption("#system", system);
    await page.waitForSelector(sel);
    return page.$eval(sel, (p) => p.textContent);
  };
  const rmq = await line("rabbitmq-pizza", "#region-exchanges .checked");
  assert.equal(
    rmq,
    `Checked on RabbitMQ ${figures.brokers.rabbitmq.version} (${figures.date}): ${sum("exchanges")} of ${sum("exchanges")} messages agree in ${shown.exchanges.length} scenarios.`,
  );
  assert.match(await line("pizza-shop", "#region-diagram .checked"), new RegExp(`^Checked on moto \\(SQS\\) ${figures.brokers.moto.version} `));
  assert.equal(await page.$$eval("#region-controls .checked, #region-metrics .checked", (ps) => ps.length), 0, "only what a run backs");
  assert.match(await line("redis-orders", "#region-redis .checked"), /^Checked on Redis \d+\.\d+\.\d+ /);
  assert.match(await line("orders-log", "#region-stream .checked"), /^Not checked against a Kafka broker/);
  assert.deepEqual(problems, []);
  await page.close();

  const lesson = await openPage(site.browser, `${site.server.url}?lesson=ordering`, { viewport: { width: 1280, height: 1000 } });
  await lesson.page.waitForSelector("#checkpoint");
  assert.equal(
    await lesson.page.$eval(".lesson .checked", (p) => p.textContent),
    `Checked on moto (SQS) ${figures.brokers.moto.version} (${figures.date}): ${sum("ordering")} of ${sum("ordering")} messages agree in ${shown.ordering.length} scenarios.`,
  );
  await lesson.page.close();
  const unbacked = await openPage(site.browser, `${site.server.url}?lesson=throw-vs-return`, { viewport: { width: 1280, height: 1000 } });
  await unbacked.page.waitForSelector("#checkpoint");
  assert.equal(await unbacked.page.$$eval(".lesson .checked", (ps) => ps.length), 0, "no claim for a lesson nothing checked");
  await unbacked.page.close();
});

test("the shop on each broker's queue is that broker's: its type in the diagram, its lens and its check", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#system");
  // [system, the queue's type in the diagram, the lens's platform, its DLQ-after value, the line
  // under it, and what the controls show: deliveries before the DLQ, and the timeout]
  const brokers = [
    ["rabbitmq-quorum-orders", "quorum", "rabbitmq-quorum", "3", /^Checked on RabbitMQ \d/, "4 receives", "30m00s"],
    ["service-bus-orders", "Service Bus", "service-bus", "5", /^Not checked against Service Bus/, "5 receives", "1m00s"],
    ["pubsub-orders", "Pub/Sub", "pubsub", "5", /^Not checked against Pub\/Sub/, "5 receives", "10 s"],
    ["activemq-orders", "ActiveMQ", "activemq", "6", /^Checked on ActiveMQ Classic 5\./, "7 receives", "12h00m"],
    ["pizza-shop", "standard", "sqs", "3", /^Checked on moto \(SQS\)/, "3 receives", "30 s"],
  ];
  const chosen = (sel) => page.$eval(sel, (s) => s.selectedOptions[0].textContent);
  for (const [system, kind, platform, limit, line, receives, timeout] of brokers) {
    await page.selectOption("#system", system);
    await page.waitForFunction((k) => document.querySelector("#region-diagram .queue-name")?.textContent.endsWith(`(${k})`), kind);
    assert.equal(await page.inputValue("#platform"), platform, `${system}: the lens opens on its platform`);
    const dlqAfter = await page.$eval("#lens-table tbody tr:has(th:text-is('DLQ after')) td:nth-of-type(2)", (td) => td.textContent);
    assert.equal(dlqAfter, limit, `${system}: DLQ after in the platform's own count`);
    assert.match(await page.textContent("#region-diagram .checked"), line, system);
    // The controls show the values that run, even where they are not among the usual choices.
    assert.deepEqual([await chosen("#max-receives"), await chosen("#visibility")], [receives, timeout], system);
    // Service Bus's MaxDeliveryCount cannot be turned off (semantics §7); the others can.
    const canTurnOff = await page.$$eval("#max-receives option[value=off]", (o) => o.length === 1);
    assert.equal(canTurnOff, system !== "service-bus-orders", `${system}: DLQ after offers off`);
  }
  // A platform the learner picks stays picked while the same system runs on.
  await page.selectOption("#platform", "kafka");
  await page.click("#step");
  assert.equal(await page.inputValue("#platform"), "kafka");
  assert.deepEqual(problems, []);
  await page.close();
});

test("at the crash in rebalance-skip the log marks each skipped record and points at the Skipped count", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?lesson=rebalance-skip`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#checkpoint");
  await runToMoment(page, "skipped");
  assert.equal(await page.getAttribute("#clock", "data-now"), "20000");
  // The records the crashed member had fetched, committed and not cooked are all still in the
  // lanes at this moment: one struck-through, ✕-marked record per skipped offset.
  const skipped = await cell(page, "kitchen", "skipped");
  assert.ok(skipped > 0, `${skipped} skipped`);
  const marks = await page.$$eval("#region-stream .lane .rec.skipped button", (bs) => bs.map((b) => ({
    line: getComputedStyle(b).textDecorationLine, mark: getComputedStyle(b, "::after").content, title: b.title,
  })));
  assert.equal(marks.length, skipped, "each skipped record is marked");
  for (const m of marks) {
    assert.deepEqual([m.line, m.mark], ["line-through", '"✕"']);
    assert.match(m.title, /; kitchen skipped it$/);
  }
  // A skipped record opens with what its mark means, and its lifecycle has no processing by
  // the kitchen, only its append and analytics' read, each group called by its name.
  await page.click("#region-stream .lane .rec.skipped button");
  assert.match(await page.textContent("#record-detail .note"), /^kitchen skipped this record: the group committed past it/);
  await page.click('#record-detail [role=tab]:has-text("Lifecycle")');
  const lifecycle = await page.$$eval("#record-detail .timeline li", (lis) => lis.map((li) => li.textContent));
  assert.match(lifecycle[0], /appended to partition/);
  assert.ok(!lifecycle.some((l) => /Group kitchen member \d+ processed/.test(l)), lifecycle.join("\n"));
  assert.ok(lifecycle.some((l) => /Group analytics member \d+ processed/.test(l)), lifecycle.join("\n"));
  // The moment points at the number it talks about: the kitchen's Skipped, outlined.
  const outline = await page.$eval('#stream-groups tr[data-group="kitchen"] td.skipped', (td) => getComputedStyle(td).outlineStyle);
  assert.equal(outline, "solid");
  await screenshotOf(page, "#region-stream", "lesson-rebalance-skip-marks");
  assert.deepEqual(problems, []);
  await page.close();
});
