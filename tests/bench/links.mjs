// How long a studio link to each built-in system is: each scenario file is opened in the
// studio (dist/studio/) as an author opens a file, the builder writes it back in its own form,
// and Copy link packs that in the browser (deflate-raw, then base64url, as `sf=`). Prints one
// JSON line per system and a Markdown table of the figures the README quotes ("Link lengths").
// A report, not a test: it never passes or fails.
//
//   CHROMIUM=/usr/bin/chromium node tests/bench/links.mjs   (against dist/)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, launchBrowser, openPage, runFile, serveDist } from "../e2e/harness.mjs";

const systems = [
  "pizza-shop", "http-vs-queue", "kitchen-outage", "video-upload", "queue-vs-topic", "orders-log", "rabbitmq-pizza",
  "redis-orders", "rabbitmq-quorum-orders", "service-bus-orders", "pubsub-orders", "activemq-orders",
];

const server = await serveDist({ prefix: "/" });
const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(server.url).origin });
const rows = [];
try {
  for (const name of systems) {
    const { page, problems } = await openPage(browser, `${server.url}studio/index.html`, { context });
    await page.waitForSelector("#system-file");
    await runFile(page, await readFile(join(ROOT, "scenarios", `${name}.json`), "utf8"));
    const written = (await page.inputValue("#system-file-text")).length;
    await page.evaluate(() => (document.querySelector("#share-url").value = ""));
    await page.click("#copy-link");
    await page.waitForFunction(() => /[?&]sf=/.test(document.querySelector("#share-url").value));
    const link = await page.inputValue("#share-url");
    const sf = new URL(link).searchParams.get("sf").length;
    const row = { system: name, written_bytes: written, sf_chars: sf, link_chars: link.length, problems };
    console.log(JSON.stringify(row));
    rows.push(row);
    await page.close();
  }
} finally {
  await context.close();
  await browser.close();
  await server.close();
}
const n = (x) => x.toLocaleString("en-US");
console.log("\n| system | file as written | `sf` |\n|---|---:|---:|");
for (const r of rows) console.log(`| ${r.system} | ${n(r.written_bytes)} B | ${n(r.sf_chars)} |`);
