// Where the main thread's time goes while the page plays: the busy share of wall time, and how
// much of it is rendering (style, layout, paint) and how many render lifecycles run a second,
// from a DevTools trace. A probe for issue 12's "busy at 1x" target, not a test; not part of
// `cargo xtask bench`.
//
//   BENCH_DIST=target/bench-dist CHROMIUM=/usr/bin/chromium \
//     node tests/bench/busy.mjs "?scenario=ui-backlog-100" [plain|still] [speed]
//
// `still` emulates prefers-reduced-motion (no token transitions); `speed` picks a speed from the
// page's list (1 when left out). Three runs of 4 s each; single runs on a 2-core machine vary by
// about a quarter, so compare variants over several runs. `parses_per_s` counts the times the
// browser parsed markup (fixed markup that changed, such as a token's picture).
import { serveDist, launchBrowser } from "../e2e/harness.mjs";
import { trace } from "./trace.mjs";

const [query = "", mode = "plain", speed] = process.argv.slice(2);
const server = await serveDist({ prefix: "/", dir: process.env.BENCH_DIST ?? undefined });
const browser = await launchBrowser();

async function measure(page, ms) {
  const { events, threads } = await trace(page, ms, "toplevel,devtools.timeline,disabled-by-default-devtools.timeline.frame,blink");
  const main = events.filter((e) => e.ph === "X" && threads.get(`${e.pid}/${e.tid}`) === "CrRendererMain");
  const share = (name) => Math.round((main.filter((e) => e.name === name).reduce((a, e) => a + e.dur / 1000, 0) / ms) * 1000) / 10;
  const lifecycles = main.filter((e) => e.name === "WebFrameWidgetImpl::UpdateLifecycle").length;
  const parsers = main.filter((e) => e.name === "HTMLDocumentParser::append");
  const parses = parsers.filter((p) => !parsers.some((q) => q !== p && q.ts <= p.ts && q.ts + q.dur >= p.ts + p.dur)).length;
  return {
    mode,
    speed: Number(speed ?? 1),
    busy_pct: share("ThreadControllerImpl::RunTask"),
    render_pct: share("WebFrameWidgetImpl::UpdateLifecycle"),
    paint_pct: share("LocalFrameView::RunPaintLifecyclePhase"),
    lifecycles_per_s: Math.round((lifecycles / ms) * 10000) / 10,
    parses_per_s: Math.round((parses / ms) * 10000) / 10,
  };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (mode === "still") await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto(`${server.url}${query}`);
  await page.waitForTimeout(1500);
  if (speed) await page.selectOption("#speed", speed);
  await page.waitForTimeout(1000);
  for (let i = 0; i < 3; i++) console.log(JSON.stringify(await measure(page, 4000)));
} finally {
  await browser.close();
  await server.close();
}
