// The playground's core flows in Chromium against the release build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openPage, screenshot, ROOT, useSite } from "./harness.mjs";

const site = useSite({ prefix: "/play/" });

async function open(viewport = { width: 1280, height: 1000 }) {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport });
  await page.waitForSelector(".diagram");
  return { page, problems };
}

/** Pauses with the Play/Pause button (a focused button would take the space key itself). */
async function pause(page) {
  await page.click("#play-pause");
  await page.waitForFunction(() => document.querySelector("#clock").textContent.includes("paused"));
}

/**
 * Pauses with at least one `selector` on screen. A list that changes while the run plays (a
 * stream's pending entries come and go) can be empty at the moment of the pause, and then
 * stays empty: play on and pause again.
 */
async function pauseWith(page, selector) {
  for (let tries = 0; tries < 10; tries++) {
    await page.locator(selector).first().waitFor();
    await pause(page);
    if ((await page.locator(selector).count()) > 0) return;
    await page.click("#play-pause");
    await page.waitForFunction(() => !document.querySelector("#clock").textContent.includes("paused"));
  }
  throw new Error(`no ${selector} was on screen at any of ten pauses`);
}

/**
 * Pauses and opens the inspector on the diagram's first message. A message's token, not the
 * legend's swatches, which share its shape and class: a test that clicked the first `.token`
 * after pausing before the first order arrived clicked the legend, and nothing opened.
 */
async function inspectFirstMessage(page) {
  const token = ".diagram .token[data-msg]";
  await page.waitForSelector(token);
  await pause(page); // so the token stays put
  // Paused just as the last message left: step until one is drawn again.
  for (let i = 0; i < 50 && !(await page.$(token)); i++) await page.click("#step");
  // A token glides to its place for 0.35 s after each step; a click mid-glide can land where
  // it was. Click the first one once it has arrived.
  await page.waitForFunction((t) => document.querySelector(t).getAnimations().length === 0, token);
  const id = await page.getAttribute(token, "data-msg");
  await page.click(token);
  await page.waitForFunction((id) => document.querySelector(".inspector-head")?.textContent.startsWith(`Message ${id} `), id);
}

const stat = async (page, id) => Number((await page.textContent(`#stat-${id} dd`)).replace(/[^0-9]/g, ""));

async function waitForStat(page, id, predicate, timeout = 20000) {
  const start = Date.now();
  for (;;) {
    const value = await stat(page, id);
    if (predicate(value)) return value;
    if (Date.now() - start > timeout) {
      const clock = await page.textContent("#clock");
      const crashed = await page.$("#panic-panel");
      const panel = crashed ? await crashed.textContent() : "no crash panel";
      await screenshot(page, `stuck-${id}`);
      const workers = await page.$$eval(".consumer text", (ts) => ts.map((t) => t.textContent).join(" | "));
      const online = await page.isChecked("#kitchen-online").catch(() => "?");
      throw new Error(`stat ${id} stuck at ${value} (${clock}; ${panel}; workers: ${workers}; online box: ${online})`);
    }
    await page.waitForTimeout(100);
  }
}

test("a poison pill with the DLQ on lands in the DLQ list after maxReceiveCount receives", async () => {
  const { page, problems } = await open();
  await page.selectOption("#speed", "100");
  await page.click("#send-poison");
  const row = await page.waitForSelector(".dlq-list tbody tr", { timeout: 30000 });
  const cells = await row.$$eval("td", (tds) => tds.map((td) => td.textContent));
  assert.match(cells[1], /received 3 times/);
  assert.match(cells[1], /validation/);
  assert.equal(cells[2], "3");
  await screenshot(page, "poison-in-dlq");
  assert.deepEqual(problems, []);
  await page.close();
});

test("kitchen offline: depth grows; back online: it drains to zero", async () => {
  const { page } = await open();
  await page.selectOption("#speed", "10");
  await page.click("#kitchen-online");
  const grown = await waitForStat(page, "visible", (v) => v >= 40);
  assert.ok(grown >= 40);
  assert.equal(await stat(page, "errors"), 0, "the producer never saw an error");
  await screenshot(page, "kitchen-offline");
  await page.click("#kitchen-online");
  // Two workers outpace 5 orders/s only slightly, so let simulated time run fast for the drain.
  await page.selectOption("#speed", "100");
  await waitForStat(page, "visible", (v) => v <= 2, 60000);
  await screenshot(page, "kitchen-back");
  await page.close();
});

test("click a message, then traceparent: its explanation shows", async () => {
  const { page } = await open();
  const cursor = (sel) => page.$eval(sel, (e) => getComputedStyle(e).cursor);
  assert.equal(await cursor(".legend .token"), "auto", "the legend's swatches do not look clickable");
  await inspectFirstMessage(page);
  assert.equal(await cursor(".diagram .token[data-msg]"), "pointer");
  // What a screen reader hears of a token, a mouse user reads on hover and a keyboard user on
  // focus: the same words, drawn by the stylesheet from its label.
  const tip = (sel) => page.$eval(sel, (e) => [e.getAttribute("aria-label"), getComputedStyle(e, "::after").content]);
  const last = ".diagram .token[data-msg]:last-child";
  await page.hover(last);
  const [label, hovered] = await tip(last);
  assert.match(label, /^Message \d+, /);
  assert.equal(hovered, JSON.stringify(label));
  await page.mouse.move(0, 0);
  assert.equal((await tip(last))[1], "none", "no tip once the mouse has left");
  await page.focus(last);
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  assert.equal((await tip(last))[1], JSON.stringify(label), "the tip shows on keyboard focus");
  await page.click('button[data-field="traceparent"]');
  const text = await page.textContent("#field-explanation");
  assert.match(text, /trace/i);
  assert.match(text, /Why it is here/);
  await page.click('button[data-field="replyto"]');
  assert.match(await page.textContent("#field-explanation"), /not part of CloudEvents/);
  await screenshot(page, "inspector-traceparent");
  await page.close();
});

test("a message's trace draws every span on one time axis", async () => {
  const { page, problems } = await open();
  await inspectFirstMessage(page);
  await page.click('.inspector [role="tab"]:text("Trace")');
  // Step on until the message has a few spans (published, waited, received, processed...).
  for (let i = 0; i < 200 && (await page.locator(".waterfall li").count()) < 3; i++) await page.click("#step");
  const tracks = await page.$$eval(".waterfall .bar-track", (ts) => ts.map((t) => {
    const r = t.getBoundingClientRect();
    return [Math.round(r.left), Math.round(r.width)];
  }));
  assert.ok(tracks.length >= 3, `${tracks.length} spans`);
  assert.ok(tracks.every(([l, w]) => l === tracks[0][0] && w === tracks[0][1]), `tracks at ${JSON.stringify(tracks)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

// Each transition or animation, however short, is one the page paints frames for: a reader who
// asked for less motion gets none, so tokens jump and the page paints only when it changes.
test("with reduced motion, the diagram's tokens jump: no animation runs while playing", async () => {
  const { page, problems } = await openPage(site.browser, site.server.url, { viewport: { width: 1280, height: 1000 }, reducedMotion: "reduce" });
  await page.waitForSelector(".diagram .token[data-msg]");
  // Every transition that starts, even one of 0.01 ms, fires transitionrun first, and every
  // animation animationstart.
  const started = await page.evaluate(() => new Promise((done) => {
    const n = { transitions: 0, animations: 0 };
    document.addEventListener("transitionrun", () => n.transitions++, true);
    document.addEventListener("animationstart", () => n.animations++, true);
    setTimeout(() => done(n), 2000);
  }));
  assert.ok((await stat(page, "processed")) >= 2, "messages moved meanwhile");
  assert.deepEqual(started, { transitions: 0, animations: 0 }, "started in 2 s of playing");
  assert.deepEqual(problems, []);
  await page.close();
});

// A glide moves a token from where it was, and its animation runs on, still, until the page
// takes the class away at a tick: past its first 0.35 s it must leave the token in its place.
test("a token that changes place glides from where it was to where it stands", async () => {
  const { page, problems } = await open();
  const at = await page.evaluate(() => new Promise((done, fail) => {
    const until = performance.now() + 20000;
    const look = () => {
      const t = document.querySelector(".diagram .token.glide");
      const a = t?.getAnimations()[0];
      if (!a) return performance.now() > until ? fail(new Error("no token glided in 20 s")) : requestAnimationFrame(look);
      const where = () => { const r = t.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y)]; };
      a.pause();
      a.currentTime = 0;
      const start = where();
      a.currentTime = 1000;
      const late = where();
      a.cancel();
      done({ start, late, still: where() });
    };
    look();
  }));
  assert.deepEqual(at.late, at.still, "after its glide the token stands in its place");
  assert.notDeepEqual(at.start, at.still, "it glided from another place");
  assert.deepEqual(problems, []);
  await page.close();
});

// An in-flight token's countdown bar shrinks by a style property of the token, so its picture,
// markup that the browser parses whenever it changes, stays the element it was.
test("an in-flight token's countdown shrinks while its picture stays", async () => {
  const { page, problems } = await open();
  const seen = await page.evaluate(() => new Promise((done, fail) => {
    const until = performance.now() + 20000;
    const left = (t) => Number(t.style.getPropertyValue("--left"));
    const bar = (t) => t.querySelector(".countdown").getBoundingClientRect().width / t.querySelector(".countdown-track").getBoundingClientRect().width;
    let first = null;
    const look = () => {
      if (performance.now() > until) return fail(new Error(`no countdown moved in 20 s (${JSON.stringify(first?.was)})`));
      const t = first?.token.isConnected && first.token.classList.contains("timed") ? first.token : document.querySelector(".diagram .token.timed[data-msg]");
      if (!t) return requestAnimationFrame(look);
      if (first?.token !== t) first = { token: t, svg: t.querySelector("svg"), was: { left: left(t), bar: bar(t) } };
      else if (left(t) < first.was.left) return done({ was: first.was, now: { left: left(t), bar: bar(t) }, same: t.querySelector("svg") === first.svg });
      requestAnimationFrame(look);
    };
    look();
  }));
  assert.ok(seen.was.left > 0 && seen.was.left <= 1, `a share of the timeout: ${seen.was.left}`);
  for (const at of [seen.was, seen.now]) assert.ok(Math.abs(at.bar - at.left) < 0.02, `the bar is as long as the share left: ${JSON.stringify(at)}`);
  assert.ok(seen.now.bar < seen.was.bar, "the bar shrank");
  assert.ok(seen.same, "the token's picture was not drawn again");
  assert.deepEqual(problems, []);
  await page.close();
});

// Every token's markup is the same string, whatever its kind (the page shows its own shape by
// class), so at speed, where a token keeps its element while messages of every kind pass
// through its place, the browser never parses a token's picture again.
test("at speed a token changes kind without its picture being drawn again", async () => {
  const { page, problems } = await open();
  await page.selectOption("#speed", "100");
  const seen = await page.evaluate(() => new Promise((done) => {
    const kinds = ["order", "poison", "transient", "large", "v2"];
    const kind = (classes) => kinds.find((k) => classes.split(" ").includes(k));
    const tally = { kindChanges: 0, picturesDrawn: 0, tokens: 0 };
    const watch = new MutationObserver((records) => {
      for (const r of records) {
        const t = r.target;
        if (!(t instanceof Element) || !t.matches(".diagram span.token")) continue;
        // A new token's picture is added once; one drawn again replaces the one it had.
        if (r.type === "childList") tally.picturesDrawn += r.removedNodes.length;
        else if (kind(r.oldValue ?? "") !== kind(t.getAttribute("class"))) tally.kindChanges += 1;
      }
    });
    watch.observe(document.querySelector(".diagram"), { subtree: true, childList: true, attributes: true, attributeFilter: ["class"], attributeOldValue: true });
    setTimeout(() => {
      watch.disconnect();
      tally.tokens = document.querySelectorAll(".diagram span.token").length;
      done(tally);
    }, 4000);
  }));
  assert.ok(seen.tokens > 0, `tokens are drawn: ${JSON.stringify(seen)}`);
  assert.ok(seen.kindChanges > 0, `some token changed kind in 4 s at 100x: ${JSON.stringify(seen)}`);
  assert.equal(seen.picturesDrawn, 0, `no token's picture was drawn again: ${JSON.stringify(seen)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the batch-failure mode changes the duplicate count", async () => {
  const duplicatesWith = async (mode) => {
    const { page } = await open();
    await page.selectOption("#batch-size", "5");
    await page.selectOption("#batch-failure", mode);
    await page.selectOption("#speed", "100");
    await page.waitForTimeout(4000);
    const d = await stat(page, "duplicates");
    const processed = await stat(page, "processed");
    await page.close();
    return { d, processed };
  };
  const whole = await duplicatesWith("whole_batch");
  const partial = await duplicatesWith("report_failures");
  assert.ok(whole.processed > 100 && partial.processed > 100);
  assert.ok(whole.d > 0, `whole batch: ${whole.d} duplicates`);
  assert.equal(partial.d, 0, "partial batch response: only failures return, nothing is redone");
});

test("keyboard: space pauses and resumes, the right arrow steps", async () => {
  const { page, problems } = await open();
  // Pause only once the run has moved: paused at t = 0, the next event can be due at 0 ms too,
  // and a step there leaves the clock's text as it was.
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.now) > 0);
  await page.keyboard.press("Space");
  const paused = await page.textContent("#clock");
  assert.match(paused, /paused/);
  await page.waitForTimeout(300);
  assert.equal(await page.textContent("#clock"), paused, "time stands still while paused");
  await page.keyboard.press("ArrowRight");
  // Waits for the re-render instead of a fixed 100 ms, which a loaded CI machine once missed.
  await page
    .waitForFunction((before) => document.querySelector("#clock").textContent !== before, paused, { timeout: 5000 })
    .catch(() => {});
  assert.notEqual(await page.textContent("#clock"), paused, "a step moves to the next event");
  await page.keyboard.press("Space");
  assert.match(await page.textContent("#clock"), /running/);
  assert.deepEqual(problems, [], "the shortcuts raise no console errors");
  await page.close();
});

test("no serious or critical accessibility violations (axe-core)", async () => {
  const { page } = await open();
  await inspectFirstMessage(page);
  const axe = await readFile(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
  await page.addScriptTag({ content: axe });
  const violations = async () => {
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  };
  assert.deepEqual(await violations(), []);
  // Every other system in the menu, each on its own page (the canvas among them).
  const regions = { "video-upload": "fanout", "queue-vs-topic": "queue-vs-topic", "orders-log": "stream", "rabbitmq-pizza": "exchanges", "redis-orders": "redis" };
  // With one of its messages open in the inspector, where the system has a list of them.
  const opens = { "video-upload": ".copies button", "orders-log": ".lane .rec button", "redis-orders": "#redis-pel button", "rabbitmq-pizza": '#rmq-queues tr[data-queue="audit"] button.head' };
  for (const [system, region] of Object.entries(regions)) {
    await page.selectOption("#system", system);
    await page.waitForSelector(`#region-${region} :is(svg, table)`);
    if (opens[system]) {
      if (system === "rabbitmq-pizza") await page.click('#rmq-publish button:has-text("Publish")');
      await pauseWith(page, opens[system]);
      await page.locator(opens[system]).first().click();
      await page.waitForSelector(`#region-${region} .inspector`);
    } else {
      await pause(page);
    }
    assert.deepEqual(await violations(), [], system);
  }
  await page.close();
});

test("time travel: scrub back, then forward again, gives the same counters", async () => {
  const { page } = await open();
  await page.selectOption("#speed", "100");
  await page.click("#send-poison");
  await page.waitForTimeout(2500);
  await pause(page);
  const ids = ["published", "processed", "dlq", "duplicates", "visible"];
  const read = async () => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await stat(page, id)])));
  const before = await read();
  const now = await page.getAttribute("#clock", "data-now");
  const max = Number(await page.getAttribute("#scrub", "max"));
  assert.ok(max > 60000, `ran ${max} ms of simulated time`);
  const seek = (v) =>
    page.$eval("#scrub", (el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, v);
  await seek(Math.floor(max / 2));
  await page.waitForFunction((p) => Number(document.querySelector("#stat-published dd").textContent) < p, before.published);
  const middle = await read();
  assert.ok(middle.published < before.published);
  await screenshot(page, "time-travel-middle");
  assert.equal(String(max), now, "the scrub bar ends where the run is");
  await seek(max);
  await page.waitForFunction((t) => document.querySelector("#clock").dataset.now === t, now);
  assert.deepEqual(await read(), before, "replaying forward reproduces the same run");
  await page.close();
});

test("while playing, the diagram's counts are the metrics panel's in every frame (#12)", async () => {
  const { page, problems } = await open();
  await page.selectOption("#speed", "100");
  // Each sample reads both numbers in one task, so they come from one rendered frame.
  const samples = await page.evaluate(async () => {
    const out = [];
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    for (let i = 0; i < 60; i++) {
      await frame();
      const sent = [...document.querySelectorAll(".diagram text")]
        .map((t) => t.textContent.match(/^sent (\d+)$/))
        .find(Boolean);
      const published = document.querySelector("#stat-published dd").textContent;
      out.push([sent ? Number(sent[1]) : NaN, Number(published.replace(/[^0-9]/g, ""))]);
    }
    return out;
  });
  const moved = samples[samples.length - 1][1] > samples[0][1];
  assert.ok(moved, `the run moved: ${JSON.stringify(samples.slice(-1))}`);
  for (const [sent, published] of samples) assert.equal(sent, published, "diagram sent vs Published");
  assert.deepEqual(problems, []);
  await page.close();
});
