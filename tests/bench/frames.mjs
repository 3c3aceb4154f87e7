// Frame times of the playground in headless Chromium (requestAnimationFrame deltas), at 1x and
// 1000x with about 100, 1,000 and 10,000 messages in the system, plus how long a time-travel jump
// takes in a 10-minute run. Prints JSON lines; `cargo xtask bench` tabulates them. Not a test.
import { serveDist, launchBrowser } from "../e2e/harness.mjs";

const server = await serveDist({ prefix: "/" });
const browser = await launchBrowser();

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function frames(page, count) {
  return page.evaluate(
    (count) =>
      new Promise((resolve) => {
        const deltas = [];
        let last = performance.now();
        const frame = (t) => {
          deltas.push(t - last);
          last = t;
          if (deltas.length < count) requestAnimationFrame(frame);
          else resolve(deltas.slice(5));
        };
        requestAnimationFrame(frame);
      }),
    count,
  );
}

try {
  for (const n of [100, 1000, 10000]) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}?scenario=ui-backlog-${n}`);
    await page.waitForSelector(".diagram");
    await page.waitForTimeout(1500);
    for (const speed of ["1", "1000"]) {
      await page.selectOption("#speed", speed);
      await page.waitForTimeout(500);
      const d = await frames(page, 185);
      const inSystem = await page.$eval("#stat-visible dd", (e) => Number(e.textContent));
      console.log(JSON.stringify({ kind: "frames", messages: n, in_system_at_end: inSystem, speed: Number(speed), p50_ms: quantile(d, 0.5), p95_ms: quantile(d, 0.95), frames: d.length }));
    }
    await page.close();
  }

  // The partitioned log with 8 partitions and 2 consumer groups, alongside the queue, at 1000x.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector("#stream-partitions");
    await page.selectOption("#stream-partitions", "8");
    await page.selectOption("#speed", "1000");
    await page.waitForTimeout(1500);
    // Five seconds of frames: the share that met the 60 fps deadline says more than one quantile.
    const d = await frames(page, 305);
    const records = await page.$eval("#stream-groups", () => document.querySelectorAll(".lane").length);
    const onTime = d.filter((x) => x < 17.5).length / d.length;
    console.log(JSON.stringify({ kind: "log-frames", partitions: records, groups: 2, speed: 1000, p50_ms: quantile(d, 0.5), p95_ms: quantile(d, 0.95), on_time_pct: Math.round(onTime * 1000) / 10, frames: d.length }));
    await page.close();
  }

  // Time travel in a 10-minute run of the pizza shop.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector(".diagram");
  await page.selectOption("#speed", "1000");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) >= 600000, null, { timeout: 60000 });
  await page.click("#play-pause");
  const max = Number(await page.getAttribute("#scrub", "max"));
  const jumps = [];
  for (const target of [0, max / 2, max, max / 4, (3 * max) / 4, max, 1000, max]) {
    const v = String(Math.floor(target));
    const ms = await page.evaluate(
      (v) =>
        new Promise((resolve) => {
          const el = document.querySelector("#scrub");
          const t0 = performance.now();
          el.value = v;
          el.dispatchEvent(new Event("input", { bubbles: true }));
          const check = () => (document.querySelector("#clock").dataset.now === v ? resolve(performance.now() - t0) : requestAnimationFrame(check));
          check();
        }),
      v,
    );
    jumps.push(ms);
  }
  console.log(JSON.stringify({ kind: "seek", run_ms: max, jumps: jumps.length, p50_ms: quantile(jumps, 0.5), max_ms: Math.max(...jumps) }));
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
