// The platform lens: the same settings in SQS and RabbitMQ names, what has no equivalent, and
// configuration to copy that the real tools accept (checked further by the engine's tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/lens/" });

const row = (page, ours) =>
  page.$$eval("#lens-table tbody tr", (rows, ours) => {
    const r = rows.find((tr) => tr.querySelector("th").textContent === ours);
    return r && [...r.querySelectorAll("td")].map((td) => td.textContent);
  }, ours);

test("the lens switches names and defaults, and the exports follow the settings", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#lens-table");
  assert.deepEqual((await row(page, "DLQ after")).slice(0, 3), ["RedrivePolicy.maxReceiveCount", "3", "10"]);
  await page.selectOption("#platform", "rabbitmq-quorum");
  // DLQ after 3 receives is a quorum limit of 2: it counts redeliveries (semantics §2.5).
  assert.deepEqual((await row(page, "DLQ after")).slice(0, 3), ["x-delivery-limit", "2", "20 (since RabbitMQ 4.0)"]);
  // Every platform the lens knows can be chosen.
  await page.selectOption("#platform", "service-bus");
  assert.deepEqual((await row(page, "DLQ after")).slice(0, 2), ["MaxDeliveryCount", "3"]);
  await page.selectOption("#platform", "pubsub");
  assert.deepEqual((await row(page, "DLQ after")).slice(0, 2), ["deadLetterPolicy.maxDeliveryAttempts", "5"]);
  await page.selectOption("#platform", "kafka");
  assert.equal((await row(page, "DLQ after"))[0], "no equivalent");
  await page.selectOption("#platform", "rabbitmq-classic");
  const classic = await row(page, "DLQ after");
  assert.equal(classic[0], "no equivalent");
  assert.match(classic[3], /no x-max-retries argument/);
  // The platform's own default, applied to the running simulation.
  await page.selectOption("#platform", "rabbitmq-quorum");
  await page.click("#apply-platform-limit");
  // x-delivery-limit 20, the default since 4.0, is 21 deliveries.
  await page.waitForFunction(() => document.querySelector("#max-receives").value === "21");
  // Exports reflect the current settings and are valid.
  await page.selectOption("#export", "rabbitmq-quorum");
  const defs = JSON.parse(await page.textContent("#export-text"));
  assert.equal(defs.queues[0].arguments["x-delivery-limit"], 20);
  assert.ok(!JSON.stringify(defs).includes("x-max-retries"));
  await page.selectOption("#batch-failure", "report_failures");
  await page.selectOption("#export", "lambda");
  const esm = JSON.parse(await page.textContent("#export-text"));
  assert.deepEqual(esm.FunctionResponseTypes, ["ReportBatchItemFailures"]);
  await page.selectOption("#export", "terraform");
  assert.match(await page.textContent("#export-text"), /maxReceiveCount\s+= 21/);
  await screenshot(page, "platform-lens-page");
  assert.deepEqual(problems, []);
  await page.close();
});

test("A/B compare runs both sides on the same workload and lines their counters up", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#compare");
  await page.selectOption("#speed", "100");
  await page.click("#send-poison");
  await page.selectOption("#compare", "dlq");
  await page.waitForSelector("#compare-table");
  const cells = (name) =>
    page.$eval(`#compare-table tr[data-name="${name}"]`, (tr) => [...tr.querySelectorAll("td")].map((td) => Number(td.textContent)));
  await page.waitForFunction(() => {
    const tr = document.querySelector('#compare-table tr[data-name="In DLQ"]');
    return tr && Number(tr.querySelectorAll("td")[1].textContent) > 0;
  }, null, { timeout: 30_000 });
  await page.click("#play-pause");
  const [dlqA, dlqB] = await cells("In DLQ");
  assert.equal(dlqA, 0, "no DLQ on side A");
  assert.ok(dlqB > 0, "side B dead-letters the poison pills");
  const [pubA, pubB] = await cells("Published");
  assert.equal(pubA, pubB, "the same workload on both sides");
  assert.match(await page.textContent('#compare-table tr[data-name="In DLQ"] th'), /≠/, "the difference is marked in text");
  assert.equal(await page.$$eval(".overlay svg", (s) => s.length), 4, "charts on shared axes");
  await screenshot(page, "compare-dlq");
  assert.deepEqual(problems, []);
  await page.close();
});
