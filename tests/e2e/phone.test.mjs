// Phones from 360 px lose nothing: in every system of the Systems menu, whatever is wider than
// its panel scrolls sideways inside it (a table, a lane, the canvas), and nothing runs past the
// panel's edge where the panel would clip it out of reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/phone/" });

/** Everything in a region that reaches past its edges with no scrolling box on the way. */
function clipped() {
  const scrolls = (el) => {
    for (let a = el.parentElement; a && !a.classList.contains("region"); a = a.parentElement) {
      const s = getComputedStyle(a);
      if ((s.overflowX === "auto" || s.overflowX === "scroll") && a.scrollWidth > a.clientWidth) return true;
    }
    return false;
  };
  const out = new Set();
  for (const region of document.querySelectorAll(".region")) {
    const box = region.getBoundingClientRect();
    for (const el of region.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if ((r.right > box.right + 1 || r.left < box.left - 1) && !scrolls(el)) {
        out.add(`${region.id} ${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join("")}: ${Math.round(r.left)}–${Math.round(r.right)} px in ${Math.round(box.left)}–${Math.round(box.right)}`);
      }
    }
  }
  return [...out];
}

test("at 360 px nothing in any system runs past its panel: what is wider scrolls inside it", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 360, height: 800 } });
  await page.waitForSelector("#system");
  const systems = await page.$$eval("#system option", (os) => os.map((o) => o.value));
  assert.ok(systems.length >= 12, systems.join(", "));
  const found = {};
  for (const system of systems) {
    await page.selectOption("#system", system);
    // Long enough for every panel to fill: lanes, tables, tokens.
    await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) >= 3000);
    const bad = await page.evaluate(clipped);
    if (bad.length) found[system] = bad.slice(0, 6);
  }
  assert.deepEqual(found, {});
  assert.deepEqual(problems, []);
  await page.close();
});
