// The lesson writer as a course author uses it, on the studio page (dist/studio/, the
// playground with the authors' tools): write a lesson on the open system, see it open and be
// told whether exactly one choice comes true, download it, and open it from its link in a fresh
// browser, where a learner answers it. Bad fields and bad links are named, and nothing breaks.
// The playground's own page, which course pages embed, links to the studio and carries none of
// the writer, nor the reader of a lesson's own file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, axeSerious, openPage, runFile, screenshotOf, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/" });
const viewport = { width: 1280, height: 1000 };

/** Opens the writer and fills its form; `choices` are [label, condition] pairs. */
async function fill(page, { title, until = "1m", choices }) {
  await page.click("#lesson-author summary");
  await page.fill("#lesson-author [name=title]", title);
  await page.fill("#lesson-author [name=goal]", "Two kitchen workers keep up with the orders.");
  await page.fill("#lesson-author [name=steps]", "Press Play.\nWatch Waiting.");
  await page.fill("#lesson-author [name=question]", "After a minute, has anything been lost?");
  await page.fill("#lesson-author [name=until]", until);
  for (const [n, [label, when]] of choices.entries()) {
    await page.fill(`#lesson-author [name=label${n + 1}]`, label);
    await page.fill(`#lesson-author [name=when${n + 1}]`, when);
  }
  await page.fill("#lesson-author [name=reveal]", "{processed} processed, {lost} lost.");
}

const status = (page) => page.textContent("#author-status");

test("the playground's own page links to the studio with the open system, except when embedded", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?s=video-upload&seed=9`, { viewport });
  await page.waitForSelector(".author-link a");
  assert.equal(await page.locator("#lesson-author").count(), 0, "no writer in the page's own download");
  const href = await page.getAttribute(".author-link a", "href");
  assert.equal(href, "studio/index.html?s=video-upload&seed=9");
  await page.click(".author-link a");
  await page.waitForSelector("#lesson-author");
  assert.ok(await page.isVisible("#region-fanout"), "the studio opens on the same system");
  assert.deepEqual(problems, []);
  const embedded = await openPage(site.browser, `${site.server.url}?embed=1&show=all`, { viewport });
  await embedded.page.waitForSelector("#region-lesson");
  assert.equal(await embedded.page.locator(".author-link").count(), 0);
  await embedded.page.close();
  await page.close();
});

test("an author writes a lesson on the pizza shop, previews it and shares it; a learner answers it from the link", async () => {
  const context = await site.browser.newContext({ viewport });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.server.url).origin });
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html`, { context });
  await page.waitForSelector("#lesson-author");
  await page.click("#lesson-author summary");
  assert.match(await page.textContent("#lesson-author .author-names"), /Numbers a choice can test: .*\blost\b.*\bwaiting\b/);
  await page.click("#lesson-author summary");

  // A bad field is named, with what was expected and given, and nothing opens.
  await fill(page, { title: "Does the kitchen keep up?", until: "soon", choices: [["Nothing is lost", "lost <= 0"], ["Orders are lost", "lost >= 1"]] });
  await page.click("#lesson-author button[type=submit]");
  assert.equal(await status(page), 'Not written: until: expected a duration after the start, like 1m or 90s; got "soon"');
  assert.equal(await page.inputValue("#lesson-picker"), "", "still in free play");
  assert.equal(await page.isVisible("#author-download"), false);

  await page.fill("#lesson-author [name=until]", "1m");
  await page.click("#lesson-author button[type=submit]");
  await page.waitForFunction(() => /^Ready/.test(document.querySelector("#author-status").textContent));
  assert.match(await status(page), /^Ready: at t = 1m00s the engine's numbers make one choice true, "Nothing is lost" \(lost = 0\)\.$/);
  // It opened as a learner sees it, named in the menu as the author's own.
  assert.equal(await page.textContent(".lesson-title"), "Does the kitchen keep up?");
  assert.equal(await page.inputValue("#lesson-picker"), "my-does-the-kitchen-keep-up");
  assert.match(await page.textContent("#lesson-picker option:checked"), /^✎ Your lesson: Does the kitchen keep up\?/);
  // The file is there to read, edit and download.
  const written = await page.inputValue("#author-file");
  const file = JSON.parse(written);
  assert.equal(file.id, "my-does-the-kitchen-keep-up");
  assert.deepEqual(file.checkpoint.choices[0].when, [{ metric: "lost", at_most: 0 }]);
  assert.equal(await page.getAttribute("#author-download", "download"), "my-does-the-kitchen-keep-up.json");
  const href = await page.getAttribute("#author-download", "href");
  assert.deepEqual(JSON.parse(decodeURIComponent(href.replace(/^data:application\/json;charset=utf-8,/, ""))), file);

  // The link carries the whole file.
  await page.waitForSelector("#author-link", { state: "visible" });
  const link = await page.inputValue("#author-link");
  assert.ok(link.startsWith(`${site.server.url}studio/index.html?l=my-does-the-kitchen-keep-up&lf=`), link);
  assert.match(link, /&lf=[A-Za-z0-9_-]+$/);
  const packed = new URL(link).searchParams.get("lf").length;
  console.log(`lesson file ${new TextEncoder().encode(written).length} B; the link's lf ${packed} characters`);
  await page.click("#author-copy");
  await page.waitForFunction(() => document.querySelector("#author-copy + .copy-status").textContent !== "");
  assert.equal(await page.textContent("#author-copy + .copy-status"), "Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  // So does the share link at the top, while the lesson is open.
  await page.click("#copy-link");
  await page.waitForFunction(() => document.querySelector("#share-url").value !== "");
  assert.match(await page.inputValue("#share-url"), /[?&]l=my-does-the-kitchen-keep-up&lf=[A-Za-z0-9_-]+/);
  await screenshotOf(page, "#region-lesson", "lesson-writer");
  // The writer, open with its outcome, its download and its link, passes axe like the rest.
  const serious = await axeSerious(page, "#region-lesson");
  assert.deepEqual(serious, []);

  // Edited by hand (a third, impossible choice), the file previews the same way.
  file.checkpoint.choices.push({ id: "3", label: "Everything is lost", when: [{ metric: "lost", at_least: 1000000 }] });
  file.title = "Does the kitchen keep up? (edited)";
  await page.fill("#author-file", JSON.stringify(file, null, 2));
  await page.click("#author-preview");
  await page.waitForFunction(() => document.querySelector(".lesson-title").textContent.endsWith("(edited)"));
  assert.match(await status(page), /^Ready/);
  assert.equal(await page.locator("#checkpoint input[type=radio]").count(), 3);
  // A file the reader refuses is named, and the open lesson stays.
  await page.fill("#author-file", JSON.stringify({ ...file, titel: "typo" }));
  await page.click("#author-preview");
  assert.match(await status(page), /^Not read: unknown field `titel`/);
  assert.equal(await page.textContent(".lesson-title"), "Does the kitchen keep up? (edited)");
  assert.deepEqual(problems, []);
  await context.close();

  // A learner opens the first link in a fresh browser and answers.
  const learner = await openPage(site.browser, link, { viewport });
  await learner.page.waitForSelector(".lesson-title");
  assert.equal(await learner.page.textContent(".lesson-title"), "Does the kitchen keep up?");
  assert.equal(await learner.page.isVisible("#link-notice"), false, "nothing to report");
  const verdict = await answer(learner.page, "1");
  assert.equal(verdict.correct, "true");
  assert.match(verdict.text, /\d+ processed, 0 lost\./);
  assert.deepEqual(learner.problems, []);
  await learner.page.close();
});

/** A system of the author's own: one bank worker for twice the payments it can take. */
const PAYMENTS = {
  version: 2,
  name: "payments",
  seed: 5,
  nodes: {
    checkout: { producer: { rate: 20 } },
    payments: { queue: { profile: "sqs_standard", delivery_limit: 2 } },
    "payments-dlq": { queue: { profile: "sqs_standard" } },
    bank: { consumer: { count: 1, processing: { mean: "100ms", distribution: "fixed" } } },
  },
  edges: [
    { kind: "publish", from: "checkout", to: "payments" },
    { kind: "subscribe", from: "payments", to: "bank" },
    { kind: "dead_letter", from: "payments", to: "payments-dlq" },
  ],
};

test("an author writes a lesson on a system of their own; its link opens it with no planner and a learner answers it", async () => {
  const context = await site.browser.newContext({ viewport });
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html`, { context });
  await page.waitForSelector("#system-file");
  await runFile(page, JSON.stringify(PAYMENTS));
  assert.match(await page.textContent("#system-file-status"), /^Read payments/);
  await page.waitForSelector("#region-own .canvas [data-node]");
  // The writer is offered on it, with the numbers of its own nodes.
  await page.click("#lesson-author summary");
  assert.match(await page.textContent("#lesson-author .author-names"), /Numbers a choice can test: .*\bbank_waiting\b.*\bbank_dead_lettered\b/);
  await page.click("#lesson-author summary");
  await fill(page, { title: "Can one bank worker keep up?", choices: [["A backlog builds", "bank_waiting >= 100"], ["It keeps up", "bank_waiting <= 99"]] });
  await page.fill("#lesson-author [name=reveal]", "{bank_waiting} payments wait.");
  await page.click("#lesson-author button[type=submit]");
  await page.waitForFunction(() => /^(Ready|Not)/.test(document.querySelector("#author-status").textContent));
  assert.match(await status(page), /^Ready: at t = 1m00s the engine's numbers make one choice true, "A backlog builds" \(bank_waiting = \d+\)\.$/);
  // The file carries the system as planned, so nothing else is needed to open it.
  const file = JSON.parse(await page.inputValue("#author-file"));
  assert.equal(file.model, "world");
  assert.deepEqual(file.scenario.members.map((m) => m.nodes[0]), ["payments"]);
  assert.equal(await page.textContent(".lesson-title"), "Can one bank worker keep up?");
  await page.waitForSelector("#region-own .canvas [data-node]");
  await page.waitForSelector("#author-link", { state: "visible" });
  const link = await page.inputValue("#author-link");
  const written = await page.inputValue("#author-file");
  console.log(`own-system lesson file ${new TextEncoder().encode(written).length} B; the link's lf ${new URL(link).searchParams.get("lf").length} characters`);
  assert.deepEqual(problems, []);
  await context.close();

  // A learner's fresh browser opens the lesson on the author's system without the builder.
  const fresh = await site.browser.newContext({ viewport });
  const requests = [];
  fresh.on("request", (r) => requests.push(r.url()));
  const learner = await openPage(site.browser, link, { context: fresh });
  await learner.page.waitForSelector(".lesson-title");
  assert.equal(await learner.page.textContent(".lesson-title"), "Can one bank worker keep up?");
  await learner.page.waitForSelector("#region-own .canvas [data-node]");
  const nodes = await learner.page.$$eval("#region-own .canvas [data-node]", (els) => els.map((e) => e.dataset.node).sort());
  assert.deepEqual(nodes, ["bank", "checkout", "payments", "payments-dlq"]);
  const verdict = await answer(learner.page, "1");
  assert.equal(verdict.correct, "true");
  assert.match(verdict.text, /\d+ payments wait\./);
  assert.ok(!requests.some((u) => u.includes("planner")), "the planner was not fetched");
  assert.deepEqual(learner.problems, []);
  await fresh.close();
});

test("a lesson where no choice comes true is opened but said not to be ready", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html?s=video-upload`, { viewport });
  await page.waitForSelector("#lesson-author");
  await fill(page, {
    title: "Uploads",
    until: "30s",
    choices: [["Nobody processed anything", "thumbnail_processed <= 0"], ["A million", "thumbnail_processed >= 1000000"]],
  });
  await page.click("#lesson-author button[type=submit]");
  await page.waitForFunction(() => /^Not ready/.test(document.querySelector("#author-status").textContent));
  assert.match(await status(page), /^Not ready: at t = 30 s no choice is true \(thumbnail_processed = \d+\)\. Exactly one must be\.$/);
  assert.equal(await page.textContent(".lesson-title"), "Uploads");
  // It runs on the fan-out, whose panel it shows.
  assert.ok(await page.isVisible("#region-fanout"));
  assert.deepEqual(problems, []);
});

test("a link whose lesson file cannot be read says so and opens the studio", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html?l=my-lesson&lf=bm90LWRlZmxhdGU`, { viewport });
  await page.waitForSelector("#link-notice");
  assert.match(
    await page.textContent("#link-notice"),
    /lf: expected a lesson file written by the lesson writer; got "text packed by this playground \(base64url of deflate\)"/,
  );
  assert.equal(await page.inputValue("#lesson-picker"), "");
  // A broken link is the learner's to report, not an error of the page.
  assert.deepEqual(problems, []);
});

test("the playground's own page says where a lesson of one's own opens", async () => {
  const { page, problems } = await openPage(site.browser, `${site.server.url}?l=my-lesson&lf=bm90LWRlZmxhdGU`, { viewport });
  await page.waitForSelector("#link-notice");
  const notice = await page.textContent("#link-notice");
  assert.match(notice, /lf: expected the studio page, studio\/index\.html, where lessons of one's own open; got "this page"/);
  assert.doesNotMatch(notice, /lesson: expected one of/, "one notice, not two");
  assert.equal(await page.inputValue("#lesson-picker"), "");
  assert.deepEqual(problems, []);
});

test("a lesson file whose log has no consumer group opens with an empty log, not a crashed page", async () => {
  const { deflateRawSync } = await import("node:zlib");
  const { readFile } = await import("node:fs/promises");
  const lesson = JSON.parse(await readFile(new URL("../../lessons/partition-keys.json", import.meta.url), "utf8"));
  lesson.id = "no-groups";
  lesson.scenario.groups = [];
  const lf = deflateRawSync(JSON.stringify(lesson)).toString("base64url");
  const { page, problems } = await openPage(site.browser, `${site.server.url}studio/index.html?l=no-groups&lf=${lf}`, { viewport });
  await page.waitForSelector("#region-stream .stream-view");
  assert.equal(await page.textContent(".lesson-title"), lesson.title);
  // No group: no lanes, no cursors and no groups table; the run plays on.
  assert.equal(await page.locator("#region-stream .lane").count(), 0);
  assert.equal(await page.locator("#stream-groups").count(), 0);
  await page.click("#play-pause");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 2000);
  assert.deepEqual(problems, []);
  await page.close();
});
