// Where the main thread's time goes while the page plays: the busy share of wall time, and how
// much of it is rendering (style, layout, paint) and how many render lifecycles run a second,
// from a DevTools trace. A probe for issue 12's "busy at 1x" target, not a test; not part of
// `cargo xtask bench`.
//
//   BENCH_DIST=target/bench-dist CHROMIUM=/usr/bin/chromium \
//     node tests/bench/busy.mjs "?scenario=ui-backlog-100" [plain|still]
//
// `still` emulates prefers-reduced-motion (no token transitions). Three runs of 4 s each; single runs
// on a 2-core machine vary by about a quarter, so compare variants over several runs.
import { serveDist, launchBrowser } from "../e2e/harness.mjs";
import { trace } from "./trace.mjs";

const [query = "", mode = "plain"] = process.argv.slice(2);
const server = await serveDist({ prefix: "/", dir: process.env.BENCH_DIST ?? undefined });
const browser = await launchBrowser();

async function measure(page, ms) {
  const { events, threads } = await trace(page, ms, "toplevel,devtools.timeline,disabled-by-default-devtools.timeline.frame,blink");
  const main = events.filter((e) => e.ph === "X" && threads.get(`${e.pid}/${e.tid}`) === "CrRendererMain");
  const share = (name) => Math.round((main.filter((e) => e.name === name).reduce((a, e) => a + e.dur / 1000, 0) / ms) * 1000) / 10;
  const lifecycles = main.filter((e) => e.name === "WebFrameWidgetImpl::UpdateLifecycle").length;
  return {
    mode,
    busy_pct: share("ThreadControllerImpl::RunTask"),
    render_pct: share("WebFrameWidgetImpl::UpdateLifecycle"),
    paint_pct: share("LocalFrameView::RunPaintLifecyclePhase"),
    lifecycles_per_s: Math.round((lifecycles / ms) * 10000) / 10,
  };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (mode === "still") await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto(`${server.url}${query}`);
  await page.waitForTimeout(1500);
  await page.waitForTimeout(1000);
  for (let i = 0; i < 3; i++) console.log(JSON.stringify(await measure(page, 4000)));
} finally {
  await browser.close();
  await server.close();
}
