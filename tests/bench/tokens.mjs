// Tokens at the scale of the four systems issue 12's builder test builds (the pizza shop, SNS
// to four SQS queues, a Kafka topic with two groups, a RabbitMQ topic exchange): for each,
// opened by its link at 1x, the page's main-thread busy share over 4 s (DevTools trace), then
// over the next 4 s how many tokens travel its canvas at once (sampled every 100 ms, which
// itself costs the main thread, hence after the trace) and how many token elements the canvas
// draws a second (each redraw of its overlay draws every moving token anew). The RabbitMQ
// broker runs without its scripted publishes, so nothing moves until someone publishes. A
// report, not a test; not part of `cargo xtask bench`.
//
//   CHROMIUM=/usr/bin/chromium node tests/bench/tokens.mjs   (against dist/, or BENCH_DIST=DIR)
import { serveDist, launchBrowser } from "../e2e/harness.mjs";
import { trace } from "./trace.mjs";

const server = await serveDist({ prefix: "/", dir: process.env.BENCH_DIST ?? undefined });
const browser = await launchBrowser();
const systems = ["pizza-shop", "video-upload", "orders-log", "rabbitmq-pizza"];
const ms = 4000;

try {
  for (const s of systems) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}?s=${s}&x=1`);
    await page.waitForSelector(".canvas svg");
    await page.locator(".canvas").first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(2000);
    const { events, threads } = await trace(page, ms);
    // Tokens on screen, and elements drawn.
    const sampled = await page.evaluate((ms) => new Promise((done) => {
      const seen = new WeakSet();
      const counts = [];
      let drawn = 0;
      const look = () => {
        const toks = [...document.querySelectorAll(".canvas .tok")];
        for (const t of toks) if (!seen.has(t)) { seen.add(t); drawn++; }
        counts.push(toks.filter((t) => getComputedStyle(t).opacity !== "0").length);
      };
      const timer = setInterval(look, 100);
      setTimeout(() => { clearInterval(timer); done({ counts, drawn }); }, ms);
    }), ms);
    const { counts, drawn } = sampled;
    const main = events.filter((e) => e.ph === "X" && threads.get(`${e.pid}/${e.tid}`) === "CrRendererMain" && e.name === "ThreadControllerImpl::RunTask");
    const busy = main.reduce((a, e) => a + e.dur / 1000, 0) / ms;
    const sorted = [...counts].sort((a, b) => a - b);
    console.log(JSON.stringify({
      system: s,
      edges: await page.$$eval(".canvas .edge", (es) => es.length),
      tokens_median: sorted[Math.floor(sorted.length / 2)],
      tokens_max: sorted[sorted.length - 1],
      elements_drawn_per_s: Math.round((drawn / ms) * 10000) / 10,
      busy_pct: Math.round(busy * 1000) / 10,
    }));
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
