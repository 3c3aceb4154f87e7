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
  // A field changed while the worker was busy: applied once it answers. Only the latest waits,
  // as arrow keys walking a select change it at every option; a second field changed within
  // the same answer's wait replaces the first one's change.
  let next = null;

  async function step(op, args, field) {
    if (busy) {
      if (op === "set") next = [op, args, field];
      return;
    }
    busy = true;
    await apply(op, args, field);
    busy = false;
    if (next) {
      const [o, a, f] = next;
      next = null;
      step(o, a, f);
    }
  }

  /** One step: asks the worker, then shows its answer in the fold. */
  async function apply(op, args, field) {
    const body = $("#builder-body");
    const area = $("#system-file-text");
    // The folds that are open stay open, and the field in use keeps the focus, so a person
    // going from field to field does not lose their place.
    const open = [...body.querySelectorAll("details[open]")].map((d) => d.dataset.node).join(",");
    const active = body.contains(document.activeElement) ? document.activeElement : null;
    const again = active?.dataset.field != null
      ? `[data-node="${active.dataset.node}"][data-field="${active.dataset.field}"]`
      : active?.id && `#${active.id}`;
    say("Planning…");
    let answer;
    try {
      answer = await ask([op, area.value, open, ...args]);
    } catch (why) {
      answer = [false, String(why)];
    }
    const [ok, text, plan, html, status] = answer;
    if (!ok) {
      const why = `Not applied: ${text}`;
      // A property the planner refused says so beside itself, and stays as typed (found
      // again: the fold may have been drawn anew since the change).
      field = field && (body.querySelector(`[data-node="${field.dataset.node}"][data-field="${field.dataset.field}"]`) ?? field);
      if (field) {
        field.setAttribute("aria-invalid", "true");
        const wrong = field.parentElement.querySelector(".builder-wrong");
        if (wrong) wrong.textContent = why;
      }
      return say(why);
    }
    area.value = text;
    body.innerHTML = html;
    // The fold drawn shows the value this answer applied; a later change waiting its turn is
    // what the person sees, or their next arrow key would walk on from the older value.
    if (next) {
      const [node, name, value] = next[1];
      const waiting = body.querySelector(`[data-node="${node}"][data-field="${name}"]`);
      if (waiting) waiting.value = value;
    }
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
    const button = e.target.closest("[data-op]");
    if (!button || !fold.contains(button)) return;
    const value = (id) => $(`#${id}`)?.value ?? "";
    const op = button.dataset.op;
    const args =
      op === "add" ? [value("builder-kind"), value("builder-name")]
      : op === "connect" ? ["builder-edge", "builder-from", "builder-to", "builder-key"].map(value)
      : op === "remove" ? [button.dataset.node]
      : op === "disconnect" ? [button.dataset.edge]
      : op === "command" ? ["builder-at", "builder-target", "builder-type", "builder-fields"].map(value)
      : op === "uncommand" ? [button.dataset.place]
      : [];
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
    if (target.dataset.field != null) step("set", [target.dataset.node, target.dataset.field, target.value], target);
  });
}
