// Reads the in-browser engine benchmark (index.html?bench=engine) from the built dist/ in
// Debian's Chromium and prints its JSON. Used by `cargo xtask bench`; not a test.
import { serveDist, launchBrowser } from "../e2e/harness.mjs";

const server = await serveDist({ prefix: "/" });
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
