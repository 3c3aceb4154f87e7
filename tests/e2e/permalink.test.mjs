// Permalinks: a copied link reopens exactly the same moment; a broken link opens anyway, with a
// notice saying what was ignored and why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/course/play/" });

const ids = ["published", "processed", "dlq", "duplicates", "visible", "in-flight"];
const read = (page) =>
  page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, document.querySelector(`#stat-${id} dd`).textContent])), ids);

test("a copied link reproduces the same counters at the same moment", async () => {
  const { page } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 900 } });
  await page.waitForSelector(".diagram");
  await page.selectOption("#speed", "100");
  await page.selectOption("#batch-size", "5");
  await page.click("#send-poison");
  await page.click("#kitchen-online");
  await page.waitForTimeout(800);
  await page.click("#kitchen-online");
  await page.waitForTimeout(800);
  await page.click("#play-pause");
  await page.waitForFunction(() => document.querySelector("#clock").textContent.includes("paused"));
  const before = await read(page);
  const now = await page.getAttribute("#clock", "data-now");
  await page.click("#copy-link");
  const url = await page.inputValue("#share-url");
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/course\/play\/\?v=1&s=pizza-shop/);
  assert.match(url, /h=.*\.z5.*\.p.*\.k0.*\.k1/);
  const other = await openPage(site.browser, url, { viewport: { width: 1280, height: 900 } });
  await other.page.waitForSelector(".diagram");
  assert.equal(await other.page.getAttribute("#clock", "data-now"), now);
  assert.match(await other.page.textContent("#clock"), /paused/);
  assert.deepEqual(await read(other.page), before);
  assert.equal(await other.page.$("#link-notice"), null, "a good link raises no notice");
  assert.deepEqual(other.problems, []);
  await page.close();
  await other.page.close();
});

test("a malformed or old link opens with a notice naming what was ignored", async () => {
  const { page } = await openPage(site.browser, `${site.server.url}?v=7&s=no-such-lesson&seed=abc&h=100.p~50.zz&t=banana`);
  await page.waitForSelector(".diagram");
  const notice = await page.textContent("#link-notice");
  for (const part of ["v: expected link version 1", "s: expected one of pizza-shop", "seed: expected a whole number", "t: expected simulated milliseconds", "h: expected entries"]) {
    assert.ok(notice.includes(part), `notice mentions "${part}": ${notice}`);
  }
  await screenshot(page, "link-notice");
  // The playground runs regardless, with the poison pill the link did carry.
  assert.ok(await page.isVisible(".diagram"));
  await page.click("#link-notice button");
  assert.equal(await page.$("#link-notice"), null);
  await page.close();
});
