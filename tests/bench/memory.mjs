// Memory at speed: the pizza shop played at 5000x in Debian's Chromium for MEM_MINUTES of wall
// time (10 by default, as #11 asks), sampled every MEM_EVERY_S seconds (30). Each sample: the
// simulated time reached, the wasm linear memory, the JS heap, the DOM node count and the
// renderer processes' resident memory. After warm-up all of them should stay flat. Prints one
// JSON line per sample, then a summary line; `cargo xtask bench memory` tabulates them. Not a
// test: it never passes or fails.
import { execFileSync } from "node:child_process";
import { serveDist, launchBrowser } from "../e2e/harness.mjs";

const MINUTES = Number(process.env.MEM_MINUTES ?? 10);
const EVERY_S = Number(process.env.MEM_EVERY_S ?? 30);

/** Bytes of every WebAssembly.Memory in the page, found through the DevTools protocol so the
 * page needs no hook of its own. */
async function wasmBytes(cdp) {
  const proto = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
  const found = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
  const sum = await cdp.send("Runtime.callFunctionOn", {
    objectId: found.objects.objectId,
    functionDeclaration: "function () { return this.reduce((n, m) => n + m.buffer.byteLength, 0); }",
    returnByValue: true,
  });
  await cdp.send("Runtime.releaseObjectGroup", { objectGroup: "console" }).catch(() => {});
  return sum.result.value;
}

/** Resident memory of Chromium's renderer processes, in bytes (Linux `ps`). */
function rendererRss() {
  try {
    const out = execFileSync("ps", ["-eo", "rss=,args="], { encoding: "utf8" });
    return out
      .split("\n")
      .filter((l) => l.includes("--type=renderer"))
      .reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]) * 1024, 0);
  } catch {
    return null;
  }
}

const server = await serveDist({ prefix: "/" });
const browser = await launchBrowser();
const samples = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${server.url}?s=pizza-shop&x=5000`);
  await page.waitForSelector("#clock");
  const start = Date.now();
  for (;;) {
    const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    const sample = {
      kind: "sample",
      wall_s: Math.round((Date.now() - start) / 1000),
      sim_ms: Number(await page.$eval("#clock", (c) => c.dataset.now)),
      wasm_bytes: await wasmBytes(cdp),
      js_heap_bytes: metrics.JSHeapUsedSize,
      dom_nodes: metrics.Nodes,
      renderer_rss_bytes: rendererRss(),
    };
    samples.push(sample);
    console.log(JSON.stringify(sample));
    if (Date.now() - start >= MINUTES * 60_000) break;
    await page.waitForTimeout(EVERY_S * 1000);
  }
  // Flat after warm-up: compare the first sample past the first minute with the last.
  const warm = samples.find((s) => s.wall_s >= 60) ?? samples[0];
  const last = samples[samples.length - 1];
  const growth = (k) => (warm[k] ? last[k] / warm[k] : null);
  console.log(JSON.stringify({
    kind: "summary",
    minutes: MINUTES,
    sim_reached_ms: last.sim_ms,
    wasm_growth: growth("wasm_bytes"),
    js_heap_growth: growth("js_heap_bytes"),
    dom_growth: growth("dom_nodes"),
    rss_growth: growth("renderer_rss_bytes"),
  }));
} finally {
  await browser.close();
  await server.close();
}
