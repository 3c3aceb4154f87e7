// Every Copy button (the link to this moment, the platform lens's export, a system's
// configuration) says "Copied" only when the clipboard took the text. Where the browser refuses
// (a course page's iframe without clipboard-write, a page served over plain HTTP), it says so
// and selects the text, so the keyboard's copy still works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exportText, openPage, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/" });
const viewport = { width: 1280, height: 1000 };

/** A browser context whose clipboard refuses every write, as an iframe without the permission. */
async function refusing(script) {
  const context = await site.browser.newContext({ viewport });
  await context.addInitScript(script);
  return context;
}

const status = (page, button) => page.textContent(`${button} + .copy-status`);
const waitStatus = (page, button) =>
  page.waitForFunction((b) => document.querySelector(`${b} + .copy-status`).textContent !== "", button);

test("with the clipboard allowed, each Copy button copies its text and says so", async () => {
  const context = await site.browser.newContext({ viewport });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.server.url).origin });
  const { page, problems } = await openPage(site.browser, site.server.url, { context });
  await page.waitForSelector("#lens-table");
  assert.equal(await status(page, "#copy-link"), "", "nothing is said before a click");
  assert.match(await page.getAttribute("#copy-link", "title"), /reopens exactly this moment/, "what it copies");
  assert.equal(await page.isVisible("#share-url"), false, "the field appears with the link");

  await page.click("#copy-link");
  await waitStatus(page, "#copy-link");
  assert.equal(await status(page, "#copy-link"), "Copied");
  const link = await page.inputValue("#share-url");
  assert.match(link, /\?v=1&s=pizza-shop/);
  assert.ok(await page.isVisible("#share-url"));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  await page.selectOption("#export", "kafka");
  await page.click(".platform-lens #copy-export");
  await waitStatus(page, ".platform-lens #copy-export");
  assert.equal(await status(page, ".platform-lens #copy-export"), "Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.textContent(".platform-lens #export-text"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("a refused clipboard is said, and the text is selected for the keyboard's copy", async () => {
  const context = await refusing(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
  });
  const { page, problems } = await openPage(site.browser, site.server.url, { context });
  await page.waitForSelector("#lens-table");

  await page.click("#copy-link");
  await waitStatus(page, "#copy-link");
  assert.match(await status(page, "#copy-link"), /^Not copied: .*Ctrl\+C/);
  const field = await page.evaluate(() => {
    const f = document.activeElement;
    return { id: f.id, start: f.selectionStart, end: f.selectionEnd, length: f.value.length };
  });
  assert.deepEqual(field, { id: "share-url", start: 0, end: field.length, length: field.length }, "the whole link is selected");
  assert.ok(field.length > 20);

  await page.click(".platform-lens #copy-export");
  await waitStatus(page, ".platform-lens #copy-export");
  assert.match(await status(page, ".platform-lens #copy-export"), /^Not copied/);
  // A selection's text leaves out the file's last line break.
  assert.equal(
    await page.evaluate(() => getSelection().toString()),
    (await page.textContent(".platform-lens #export-text")).trimEnd(),
    "the whole export is selected",
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test("without a clipboard at all (plain HTTP), a system's configuration is selected instead", async () => {
  const context = await refusing(() => {
    Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
  });
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=video-upload`, { context });
  await page.waitForSelector("#region-fanout .canvas svg");
  await exportText(page, "#region-fanout");
  await page.click("#region-fanout #copy-export");
  await waitStatus(page, "#region-fanout #copy-export");
  assert.match(await status(page, "#region-fanout #copy-export"), /^Not copied/);
  const text = await page.textContent("#region-fanout #export-text");
  assert.match(text, /resource "aws_sns_topic"/);
  assert.equal(await page.evaluate(() => getSelection().toString()), text.trimEnd());
  // The page goes on: the clock still runs after the refusal.
  const now = await page.getAttribute("#clock", "data-now");
  await page.waitForFunction((t) => document.querySelector("#clock").dataset.now !== t, now);
  assert.deepEqual(problems, []);
  await context.close();
});
