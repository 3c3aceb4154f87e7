// The studio's builder in the page: carries each step between the fold "Build a system, or
// open its file" and the planner worker (planner/src/main.rs), which checks it, applies it
// and draws the controls for the next one (planner/src/form.rs). Every decision is the
// worker's; this file only moves text and keeps the author's place.
//
// Loaded by static/studio.js the first time the fold opens, or at once for a link that
// carries a system (`sf`), so neither the playground's page nor the studio's first load
// downloads it: its bytes count with the worker's (xtask/src/budget.rs). Plain JS because
// wiring the DOM costs far fewer bytes here than through wasm-bindgen (as boot.js does for
// an iframe's messages).
//
// A system that runs goes to the app as the event `queue-playground:open-system` on the
// document, with the plan and the file packed for links (src/planner.rs takes it from there).

const LOST = "the planner did not load (planner_loader.js, beside this page); reload the page and try again";
const MAX_BYTES = 256 * 1024;

let worker;
let ready;

/** The worker, started once and ready for steps (its first message says so). */
function started() {
  ready ??= new Promise((ok, fail) => {
    worker = new Worker("./planner_loader.js");
    worker.onmessage = ok;
    worker.onerror = () => fail(LOST);
  });
  return ready;
}

/** One step, `[op, file, open folds, args…]`, and the worker's answer. */
async function ask(message) {
  await started();
  return new Promise((ok, fail) => {
    worker.onmessage = (e) => ok(e.data);
    worker.onerror = () => fail(LOST);
    worker.postMessage(message);
  });
}

/** Text as a link carries it: deflate-raw, then base64url without padding (src/packed.rs). */
async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

async function unpack(data) {
  const binary = atob(data.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

/** The system a link carries (`sf`), planned: `{ plan, packed }`, or why not (a string). */
export async function openLink(sf) {
  let text;
  try {
    text = await unpack(sf);
  } catch {
    throw "text packed by this playground (base64url of deflate)";
  }
  const [ok, said, plan, , status] = await ask(["show", text, ""]);
  if (!ok) throw said;
  if (!plan) throw status.replace(". It does not run yet: ", ", which does not run: ");
  return { plan, packed: sf };
}

/** Wires the fold `fold`: its buttons, its fields and its file picker. */
export function attach(fold) {
  const $ = (selector) => fold.querySelector(selector);
  const say = (text) => ($("#system-file-status").textContent = text);
  let busy = false;
  // Steps taken while the worker was busy, `[op, args]`, applied in turn once it answers. A
  // field changed again while its change waits replaces that change, as arrow keys walking a
  // select change it at every option.
  let waiting = [];

  async function step(op, args) {
    if (busy) {
      const last = waiting.at(-1);
      if (op === "set" && last?.[0] === op && last[1][0] === args[0] && last[1][1] === args[1]) last[1] = args;
      else waiting.push([op, args]);
      return;
    }
    busy = true;
    await apply(op, args);
    busy = false;
    if (waiting.length) step(...waiting.shift());
  }

  /** One step: asks the worker, then shows its answer in the fold. */
  async function apply(op, args) {
    const body = $("#builder-body");
    const area = $("#system-file-text");
    // Found again inside the fold's body, so an element focused elsewhere is left alone.
    const active = document.activeElement;
    const property = ([node, name]) => body.querySelector(`[data-node="${node}"][data-field="${name}"]`);
    // An edge's fold is named by its place (`#3`). Removing edge #1, or a node with its
    // edges, renumbers the edges after: a fold open, or a step waiting, on #3 follows its
    // edge to #2, and one on an edge or node removed goes with it (undefined, which the
    // worker reads as no fold). Each edge's Remove button names its ends.
    const kept = [...body.querySelectorAll("[data-op=disconnect]")]
      .filter((b) => {
        const [from, to] = b.getAttribute("aria-label").slice(16).split(/ → |: /);
        return op === "disconnect" ? b.dataset.edge !== args[0] : op !== "remove" || (from !== args[0] && to !== args[0]);
      })
      .map((b) => b.dataset.edge);
    const follow = (node) => {
      if (node?.[0] !== "#") return op === "remove" && node === args[0] ? undefined : node;
      const place = kept.indexOf(node.slice(1));
      return place < 0 ? undefined : `#${place}`;
    };
    // A Remove button goes with its item: the focus moves to the item now in its place, the
    // one before it, or the list's heading just above it, which says how many are left.
    const item = active?.closest("li");
    const list = item?.parentElement;
    const at = list && [...list.children].indexOf(item);
    // The folds that are open stay open, and the field in use keeps the focus, so a person
    // going from field to field does not lose their place.
    const open = [...body.querySelectorAll("details[open]")].map((d) => follow(d.dataset.node)).join(",");
    const again = active?.dataset.field != null
      ? `[data-node="${active.dataset.node}"][data-field="${active.dataset.field}"]`
      : active?.id ? `#${active.id}`
      : /^(add|connect|command)$/.test(active?.dataset.op) && `[data-op=${active.dataset.op}]`;
    say("Planning…");
    let answer;
    try {
      answer = await ask([op, area.value, open, ...args]);
    } catch (why) {
      answer = [false, why];
    }
    const [ok, text, plan, html, status] = answer;
    if (!ok) {
      const why = `Not applied: ${text}`;
      // A property the planner refused says so beside itself, and stays as typed.
      const field = op === "set" && property(args);
      if (field) {
        field.ariaInvalid = "true";
        const wrong = field.parentElement.querySelector(".builder-wrong");
        if (wrong) wrong.textContent = why;
      }
      return say(why);
    }
    area.value = text;
    body.innerHTML = html;
    // Steps waiting their turn follow their edge; those on what went, go. The fold drawn
    // shows the value this answer applied; a change waiting its turn is what the person sees,
    // or their next arrow key would walk on from the older value.
    waiting = waiting.filter(([o, a]) => {
      if (!/^(set|remove|disconnect)$/.test(o)) return true;
      const to = follow(o === "disconnect" ? `#${a[0]}` : a[0]);
      if (to === undefined) return false;
      a[0] = o === "disconnect" ? to.slice(1) : to;
      const field = o === "set" && property(a);
      if (field) field.value = a[2];
      return true;
    });
    if (again) body.querySelector(again)?.focus();
    else if (list && !item.isConnected) {
      const items = body.querySelector(`.${list.className}`);
      const into = items?.children[at] ?? items?.children[at - 1];
      (into?.querySelector("summary, button") ?? items?.previousElementSibling)?.focus();
    }
    if (plan) {
      const packed = await pack(text).catch(() => "");
      document.dispatchEvent(new CustomEvent("queue-playground:open-system", { detail: { plan, packed } }));
    }
    // Said last: "It runs on the canvas" once the system has been handed over.
    say(status);
  }

  // Disabled until now (src/components/system_file.rs), so no early click went nowhere.
  for (const control of fold.querySelectorAll("[disabled]")) control.disabled = false;

  fold.addEventListener("click", (e) => {
    // Only the fold's own controls have an op, so the nearest is always the fold's.
    const button = e.target.closest("[data-op]");
    if (!button) return;
    // The form's fields, `builder-<name>`, in the order the worker reads them (a missing one
    // as empty, as the worker reads anything that is not text).
    const values = (names) => names.split(" ").map((name) => $(`#builder-${name}`)?.value);
    const op = button.dataset.op;
    // A button that removes something names it (remove, disconnect, uncommand); for the
    // others the name is missing, which the worker reads as no argument.
    const args =
      op === "add" ? values("kind name")
      : op === "connect" ? values("edge from to key")
      : op === "command" ? values("at target type fields")
      : [button.dataset.node ?? button.dataset.edge ?? button.dataset.place];
    step(op, args);
  });

  fold.addEventListener("change", async (e) => {
    const target = e.target;
    if (target.id === "system-file-pick") {
      const file = target.files[0];
      if (!file) return;
      if (file.size > MAX_BYTES) {
        return say(`Not applied: file: expected a scenario file of at most 256 kB; got ${Math.ceil(file.size / 1024)} kB`);
      }
      $("#system-file-text").value = await file.text();
      return step("show", []);
    }
    // Each command type's example fields, beside the field they are typed in.
    if (target.id === "builder-type") {
      $("#builder-type-hint").textContent = target.selectedOptions[0].dataset.hint;
      return;
    }
    if (target.dataset.field != null) step("set", [target.dataset.node, target.dataset.field, target.value]);
  });
}
