// Reads the in-browser engine benchmark (index.html?bench=engine) from the build with the
// `bench` feature (BENCH_DIST, which `cargo xtask bench` sets; dist/ never has it) in Debian's
// Chromium and prints its JSON. Used by `cargo xtask bench`; not a test.
import { resolve } from "node:path";
import { serveDist, launchBrowser, ROOT } from "../e2e/harness.mjs";

const server = await serveDist({ prefix: "/", dir: resolve(ROOT, process.env.BENCH_DIST ?? "target/bench-dist") });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}?bench=engine`);
  const pre = await page.waitForSelector("#bench-result", { timeout: 300000 });
  console.log(await pre.textContent());
} finally {
  await browser.close();
  await server.close();
}
