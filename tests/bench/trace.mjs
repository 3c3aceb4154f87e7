// A DevTools trace of a page, shared by the benchmarks that read main-thread time from one
// (frames.mjs, busy.mjs). Not a test.

/**
 * Records `ms` of `page` with the trace `categories` and returns every event, and the thread
 * names by `pid/tid` (the renderer's main thread is "CrRendererMain").
 */
export async function trace(page, ms, categories = "toplevel,devtools.timeline,disabled-by-default-devtools.timeline.frame") {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const complete = new Promise((done) => cdp.once("Tracing.tracingComplete", done));
  await cdp.send("Tracing.start", { categories, transferMode: "ReportEvents" });
  await page.waitForTimeout(ms);
  await cdp.send("Tracing.end");
  await complete;
  await cdp.detach();
  const threads = new Map(
    events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}/${e.tid}`, e.args.name]),
  );
  return { events, threads };
}
