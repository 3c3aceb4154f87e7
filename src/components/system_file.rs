//! The studio's builder: an author builds a system node by node, or opens one from its
//! scenario file, and the canvas runs it. Both are the same thing underneath: a scenario file,
//! changed one step at a time (start empty, add, remove, connect, disconnect, set a property,
//! or read the file as it is), which the author can also edit, download and share.
//!
//! This is the fold the author works in. Each step goes to the planner worker (`planner/`),
//! which checks it, applies it and draws the controls for the next one; a step it refuses
//! changes nothing and says why, beside the field when a property was at fault. A system that
//! does not run yet (a pool that reads nothing) is kept, and the status says what it lacks.
//! Each step that leaves it running starts it again on the canvas ([`crate::planner`]). Undo
//! and Redo walk the steps, which the worker keeps.
//!
//! The fold is plain HTML that Yew never redraws. Its buttons and fields are wired by
//! `static/planner_builder.js`, loaded the first time it opens: carrying text between the DOM
//! and the worker costs far fewer bytes in JS than through wasm-bindgen, and this way none of
//! it is in the studio's first download. Until it is wired, its controls are disabled, so a
//! quick click is never lost.

use yew::prelude::*;

const MARKUP: &str = concat!(
    r#"<summary>Build a system, or open its file</summary><p class="hint">Build a system node by node, or open a scenario file (version 1 or 2, as the README's "Scenario files" describes). It runs on the canvas from its own seed. The planner behind the builder is fetched the first time.</p>"#,
    r#"<div class="builder-actions"><button type="button" data-op="new" disabled>Start an empty system</button></div>"#,
    r#"<p id="system-file-status" role="status"></p><div id="builder-body"></div>"#,
    r#"<label>Open a file <input type="file" id="system-file-pick" accept=".json,application/json" disabled></label>"#,
    r#"<label>The file, which you may edit or paste <textarea id="system-file-text" rows="8" spellcheck="false"></textarea></label>"#,
    r#"<button type="button" data-op="show" id="system-file-run" class="primary" disabled>Run this file</button>"#,
);

/// The fold.
pub fn system_file() -> Html {
    html! {
        <details class="author" id="system-file">
            { super::fixed(MARKUP) }
        </details>
    }
}
