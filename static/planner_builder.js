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
  // A field changed while the worker was busy (its node, name and value): applied once it
  // answers. Only the latest waits, as arrow keys walking a select change it at every option;
  // a second field changed within the same answer's wait replaces the first one's change.
  let next = null;

  async function step(op, args) {
    if (busy) {
      if (op === "set") next = args;
      return;
    }
    busy = true;
    await apply(op, args);
    busy = false;
    if (next) {
      const waited = next;
      next = null;
      step("set", waited);
    }
  }

  /** One step: asks the worker, then shows its answer in the fold. */
  async function apply(op, args) {
    const body = $("#builder-body");
    const area = $("#system-file-text");
    const property = ([node, name]) => body.querySelector(`[data-node="${node}"][data-field="${name}"]`);
    // An edge's fold is named by its place (`#3`), and removing edge #1 renumbers the ones
    // after it: a fold open, or a change waiting, on #3 follows its edge to #2, and one on the
    // edge removed goes with it (undefined, which the worker reads as no fold). The focus,
    // on the Remove button then, needs none of this.
    const follow = (node) => {
      const after = op === "disconnect" && node?.[0] === "#" ? node.slice(1) - args[0] : -1;
      return after < 0 ? node : after ? `#${node.slice(1) - 1}` : undefined;
    };
    // The folds that are open stay open, and the field in use keeps the focus, so a person
    // going from field to field does not lose their place.
    const open = [...body.querySelectorAll("details[open]")].map((d) => follow(d.dataset.node)).join(",");
    // Found again inside the fold's body, so an element focused elsewhere is left alone.
    const active = document.activeElement;
    const again = active?.dataset.field != null
      ? `[data-node="${active.dataset.node}"][data-field="${active.dataset.field}"]`
      : active?.id && `#${active.id}`;
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
    // The fold drawn shows the value this answer applied; a later change waiting its turn is
    // what the person sees, or their next arrow key would walk on from the older value.
    if (next && (next[0] = follow(next[0])) === undefined) next = null;
    const waiting = next && property(next);
    if (waiting) waiting.value = next[2];
    if (again) body.querySelector(again)?.focus();
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
