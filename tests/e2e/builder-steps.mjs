// The builder's steps as an author takes them in the studio, for the builder's tests: each
// waits for the planner's answer, and all but the refusals a test expects must be applied.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, canvasAt, openPage } from "./harness.mjs";

export const status = (page) => page.textContent("#system-file-status");

/** Pages whose steps are taken with the keyboard alone: focus, keys, Enter and Tab. */
const keyed = new WeakSet();

/** From now on, every step on `page` is taken by keyboard (see `keyed`). */
export function byKeyboard(page) {
  keyed.add(page);
}

/** Picks `value` in a select: with the arrow keys on a keyboard page. */
async function choose(page, selector, value) {
  if (!keyed.has(page)) return page.selectOption(selector, value);
  await page.focus(selector);
  // Arrow keys walk a closed select's options on Linux; from the top, down to the one wanted.
  await page.keyboard.press("Home");
  const count = await page.locator(`${selector} option`).count();
  for (let i = 0; i < count && (await page.inputValue(selector)) !== value; i++) await page.keyboard.press("ArrowDown");
  assert.equal(await page.inputValue(selector), value, `${selector} by keyboard`);
}

/** Types `value` into a text field, replacing what it held: by keys on a keyboard page. */
async function type(page, selector, value) {
  if (!keyed.has(page)) return page.fill(selector, value);
  await page.focus(selector);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  if (value) await page.keyboard.type(value);
}

/** Presses a button: Enter on it, on a keyboard page. */
async function press(page, selector) {
  if (!keyed.has(page)) return page.click(selector);
  await page.focus(selector);
  await page.keyboard.press("Enter");
}

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
  await press(page, selector);
  const said = await answered(page);
  assert.doesNotMatch(said, /^Not applied/, said);
  return said;
}

export async function start(page) {
  await press(page, "#system-file summary");
  await page.waitForSelector("#system-file [data-op=new]:enabled");
  return act(page, "#system-file [data-op=new]");
}

export async function add(page, kind, name) {
  await choose(page, "#builder-kind", kind);
  await type(page, "#builder-name", name);
  return act(page, "#system-file [data-op=add]");
}

export async function connect(page, kind, from, to, key = "") {
  await choose(page, "#builder-from", from);
  await choose(page, "#builder-edge", kind);
  await choose(page, "#builder-to", to);
  await type(page, "#builder-key", key);
  return act(page, "#system-file [data-op=connect]");
}

/** Sets a property in its node's fold (`node` "" for the system's own), as a person does: type, then leave the field. */
export async function set(page, node, field, value, { refused = false } = {}) {
  const selector = `#builder-body [data-node="${node}"][data-field="${field}"]`;
  const input = page.locator(selector);
  if (node && !(await input.isVisible())) await press(page, `#builder-body details[data-node="${node}"] summary`);
  await page.evaluate(() => (document.querySelector("#system-file-status").textContent = ""));
  const select = (await input.evaluate((el) => el.tagName)) === "SELECT";
  if (select && keyed.has(page)) {
    const values = await input.evaluate((el) => [...el.options].map((o) => o.value));
    const key = values.indexOf(value) > values.indexOf(await input.inputValue()) ? "ArrowDown" : "ArrowUp";
    await page.focus(selector);
    for (let i = 0; i < values.length && (await input.inputValue()) !== value; i++) {
      await page.evaluate(() => (document.querySelector("#system-file-status").textContent = ""));
      await page.keyboard.press(key);
      // Each option passed on the way is a change the builder applies; the field keeps the
      // focus when the fold is drawn again.
      await answered(page);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.field), field, "the field keeps the focus");
    }
    assert.equal(await input.inputValue(), value, `${selector} by keyboard`);
  } else if (select) {
    await input.selectOption(value);
  } else if (keyed.has(page)) {
    await type(page, selector, value);
    // Leaving the field is what applies it.
    await page.keyboard.press("Tab");
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
 * With `also`, what `also(page)` reads there at that time too: `{ boxes, more }`.
 */
export async function fileAt(site, name, t, also) {
  const text = await readFile(join(ROOT, "scenarios", `${name}.json`), "utf8");
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html`, { viewport: { width: 1280, height: 1000 } });
  await page.waitForSelector("#system-file");
  await page.click("#system-file summary");
  await page.waitForSelector("#system-file-run:enabled");
  await page.fill("#system-file-text", text);
  assert.match(await act(page, "#system-file-run"), /It runs on the canvas\.$/);
  await page.waitForSelector("#region-own .canvas [data-node]");
  const boxes = await canvasAt(page, "#region-own", t);
  const more = also && (await also(page));
  assert.deepEqual(problems, []);
  await page.close();
  return also ? { boxes, more } : boxes;
}

/**
 * What the studio draws under an own system's canvas for each of its Kafka-style logs: the
 * legend, each partition's lane (its head, then every record's offset and cursor marks) and
 * the groups' table, as text.
 */
export async function logsIn(page, region) {
  return page.$$eval(`${region} .stream-view`, (views) => views.map((v) => ({
    log: v.getAttribute("aria-label"),
    hint: v.querySelector(".hint").textContent,
    lanes: [...v.querySelectorAll(".lane")].map((l) => [l.querySelector(".lane-head").textContent, ...[...l.querySelectorAll(".rec")].map((r) => r.textContent)]),
    groups: [...v.querySelectorAll(".stream-groups tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent)),
  })));
}
