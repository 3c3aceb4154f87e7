// How soon the built page is usable: from navigation until the diagram is drawn and Play is
// enabled, in Debian's Chromium, with a cold cache each time. Two conditions, as #14 states them:
//   - "fast-3g": 1.6 Mbps down, 750 kbps up, 150 ms round trip (DevTools protocol throttling);
//   - "cpu-4x": unthrottled loopback, main thread slowed 4x (Emulation.setCPUThrottlingRate).
// dist/ is served as a static host with pre-compressed files serves it: gzip only, or brotli
// when the browser asks for it (Chromium does on http://127.0.0.1), side by side. Prints one JSON line per
// condition with every run and the median; `cargo xtask bench` tabulates them. Not a test:
// it never passes or fails on a time.
import { serveDist, launchBrowser } from "../e2e/harness.mjs";

const RUNS = Number(process.env.LOAD_RUNS ?? 5);
const FAST_3G = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };
const CONDITIONS = {
  "fast-3g gzip": { network: FAST_3G, cpu: 1, encodings: ["gzip"] },
  "fast-3g brotli": { network: FAST_3G, cpu: 1, encodings: ["br", "gzip"] },
  "cpu-4x brotli": { network: null, cpu: 4, encodings: ["br", "gzip"] },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await launchBrowser();
const servers = [];
try {
  for (const [name, condition] of Object.entries(CONDITIONS)) {
    const server = await serveDist({ prefix: "/", precompressed: condition.encodings });
    servers.push(server);
    const runs = [];
    let transferred = 0;
    for (let i = 0; i < RUNS; i++) {
      // A new context is a new profile: nothing cached from the run before.
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      if (condition.network) await cdp.send("Network.emulateNetworkConditions", condition.network);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: condition.cpu });
      let bytes = 0;
      cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
      await page.goto(server.url, { waitUntil: "commit" });
      // performance.now() counts from the navigation's start, so this is navigation → usable.
      const ready = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const check = () => {
              const play = document.querySelector("#play-pause");
              const drawn = document.querySelector(".diagram");
              if (play && !play.disabled && drawn) resolve(performance.now());
              else requestAnimationFrame(check);
            };
            check();
          }),
      );
      runs.push(Math.round(ready));
      transferred = bytes;
      await context.close();
    }
    console.log(
      JSON.stringify({ condition: name, median_ms: median(runs), runs, transferred_bytes: transferred }),
    );
  }
} finally {
  await browser.close();
  for (const server of servers) await server.close();
}
