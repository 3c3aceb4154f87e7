// The builder's steps as an author takes them in the studio, for the builder's tests: each
// waits for the planner's answer, and all but the refusals a test expects must be applied.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, canvasAt, openPage } from "./harness.mjs";

export const status = (page) => page.textContent("#system-file-status");

/** Waits for the planner's answer to the step just taken, and returns it. */
export async function answered(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector("#system-file-status").textContent;
    return s !== "" && s !== "Planning…" && !document.querySelector("#system-file [data-op=new]").disabled;
  }, null, { timeout: 30_000 });
  return status(page);
}

/** Clicks a builder button and waits for the answer (which must not be a refusal). */
export async function act(page, selector) {
  await page.evaluate(() => (document.querySelector("#system-file-status").textContent = ""));
  await page.click(selector);
  const said = await answered(page);
  assert.doesNotMatch(said, /^Not applied/, said);
  return said;
}

export async function start(page) {
  await page.click("#system-file summary");
  return act(page, "#system-file [data-op=new]");
}

export async function add(page, kind, name) {
  await page.selectOption("#builder-kind", kind);
  await page.fill("#builder-name", name);
  return act(page, "#system-file [data-op=add]");
}

export async function connect(page, kind, from, to, key = "") {
  await page.selectOption("#builder-from", from);
  await page.selectOption("#builder-edge", kind);
  await page.selectOption("#builder-to", to);
  await page.fill("#builder-key", key);
  return act(page, "#system-file [data-op=connect]");
}

/** Sets a property in its node's fold (`node` "" for the system's own), as a person does: type, then leave the field. */
export async function set(page, node, field, value, { refused = false } = {}) {
  const input = page.locator(`#builder-body [data-node="${node}"][data-field="${field}"]`);
  if (node && !(await input.isVisible())) await page.click(`#builder-body details[data-node="${node}"] summary`);
  await page.evaluate(() => (document.querySelector("#system-file-status").textContent = ""));
  if ((await input.evaluate((el) => el.tagName)) === "SELECT") {
    await input.selectOption(value);
  } else {
    await input.fill(value);
    await input.dispatchEvent("change");
  }
  const said = await answered(page);
  if (!refused) assert.doesNotMatch(said, /^Not applied/, said);
  return said;
}

/** Adds a timed command from the builder's form. */
export async function command(page, at, node, type, fields) {
  await page.fill("#builder-at", at);
  await page.selectOption("#builder-target", node);
  await page.selectOption("#builder-type", type);
  await page.fill("#builder-fields", fields);
  return act(page, "#system-file [data-op=command]");
}

export async function builtIn(site, name, region, t) {
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html?s=${name}`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector(`${region} .canvas [data-node]`);
  const boxes = await canvasAt(page, region, t);
  assert.deepEqual(problems, []);
  await page.close();
  return boxes;
}

/**
 * The canvas of the scenario file `scenarios/<name>.json` itself, opened in the studio as an
 * author opens a file, at simulated time `t`: the numbers a system built to copy it must show.
 * (The Systems menu runs some systems without their file's timed commands, for free play.)
 */
export async function fileAt(site, name, t) {
  const text = await readFile(join(ROOT, "scenarios", `${name}.json`), "utf8");
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#system-file");
  await page.click("#system-file summary");
  await page.waitForSelector("#system-file-run:enabled");
  await page.fill("#system-file-text", text);
  assert.match(await act(page, "#system-file-run"), /It runs on the canvas\.$/);
  await page.waitForSelector("#region-own .canvas [data-node]");
  const boxes = await canvasAt(page, "#region-own", t);
  assert.deepEqual(problems, []);
  await page.close();
  return boxes;
}
