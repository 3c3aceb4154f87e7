// The builder's exports and imports (#12): RabbitMQ definitions copied from the lens of the
// built-in RabbitMQ pizza broker open in the builder and export again unchanged; a built
// system offers the exports its platform has; a system's file downloaded and opened again is
// the same system.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exportText, openPage, useSite } from "./harness.mjs";
import { act, add, connect, set, start } from "./builder-steps.mjs";

const site = useSite({ prefix: "/" });
const viewport = { width: 1280, height: 1000 };
const studio = () => `${site.server.url}studio/index.html`;

/** The text a builder link downloads. */
async function downloaded(page, selector) {
  const href = await page.getAttribute(selector, "href");
  return decodeURIComponent(href.slice(href.indexOf(",") + 1));
}

test("RabbitMQ definitions copied from the lens open in the builder and export again unchanged", async () => {
  const { page, problems } = await openPage(site.browser, `${studio()}?s=rabbitmq-pizza`, { viewport });
  await page.waitForSelector("#region-exchanges details.export-box");
  const lens = await exportText(page, "#region-exchanges");
  await page.click("#system-file summary");
  await page.waitForSelector("#system-file-run:enabled");
  await page.fill("#system-file-text", lens);
  const said = await act(page, "#system-file-run");
  assert.match(said, /^Read rabbitmq-definitions: 13 nodes, 10 edges\./);
  // Opened definitions are a scenario file now, which the builder goes on from.
  assert.equal(JSON.parse(await page.inputValue("#system-file-text")).version, 2);
  const again = await downloaded(page, '#builder-body a[download="definitions.json"]');
  assert.deepEqual(JSON.parse(again), JSON.parse(lens));
  assert.deepEqual(problems, []);
  await page.close();
});

test("a built SQS system offers Terraform and its Lambda mapping, names what it has not, and its file opens again as the same system", async () => {
  const { page, problems } = await openPage(site.browser, studio(), { viewport });
  await page.waitForSelector("#system-file");
  await start(page);
  await add(page, "producer", "shop");
  await add(page, "queue", "orders");
  await add(page, "consumer", "kitchen");
  await connect(page, "publish", "shop", "orders");
  await connect(page, "subscribe", "orders", "kitchen");
  await set(page, "kitchen", "batch_size", "10");
  const tf = await downloaded(page, '#builder-body a[download="main.tf"]');
  assert.match(tf, /resource "aws_sqs_queue" "orders"/);
  const mapping = JSON.parse(await downloaded(page, '#builder-body a[download="orders-mapping.json"]'));
  assert.equal(mapping.BatchSize, 10);
  assert.equal(mapping.FunctionName, "kitchen");
  assert.match(await page.textContent("#builder-body .builder-exports"), /RabbitMQ definitions: not offered, nodes\.orders/);
  // The file, downloaded and opened again, is the same system.
  const file = await downloaded(page, "#system-file-download");
  await act(page, "#system-file [data-op=new]");
  await page.fill("#system-file-text", file);
  assert.match(await act(page, "#system-file-run"), /^Read my-system: 3 nodes, 2 edges\. It runs on the canvas\./);
  assert.equal(await downloaded(page, '#builder-body a[download="main.tf"]'), tf);
  assert.deepEqual(problems, []);
  await page.close();
});
