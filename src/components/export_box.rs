//! A built-in system's configuration to copy into a real platform, folded until asked for: the
//! engine's own exporter's text for the system's file (`exports/NAME.txt`, see
//! `src/scenarios.rs`), and a Copy button. The platform lens has its own for the main queue,
//! whose exports follow its settings.
//!
//! Contract: where the build does not carry the text (`fetched-lessons`: the page and the
//! studio), the box fetches its file the first time it is opened and writes it into its own
//! `<code>`, which Yew leaves alone (it draws it empty); a file that cannot be fetched is said
//! in its place, and opening the box again tries again. Copy copies what the box shows.

use web_sys::Element;
use yew::prelude::*;

use super::find;
use crate::scenarios::Copyable;

/// A view, not a component: it has no state of its own, and a component would cost about a
/// kilobyte of Yew's code. The text is selectable and focusable, for where the page may not
/// write to the clipboard (an iframe without that permission).
pub fn export_box(e: Copyable) -> Html {
    let oncopy = Callback::from(|e: MouseEvent| {
        let code = super::around(&e, ".export-box").and_then(|b| find::<Element>(&b, "code"));
        let text = code.and_then(|c| c.text_content()).unwrap_or_default();
        super::copy(&e, &text)
    });
    let name = e.name;
    let ontoggle = e.text.is_empty().then(|| {
        Callback::from(move |e: Event| {
            if let Some(code) = super::around(&e, ".export-box[open]")
                .and_then(|b| find::<Element>(&b, "code:not([data-loaded])"))
            {
                load(code, name);
            }
        })
    });
    html! {
        <details class="export-box" {ontoggle}>
            <summary>{ "Configuration to copy: " }{ e.title }</summary>
            { super::copy_button("copy-export", "Copy", None, false, oncopy) }
            <pre class="export" id="export-text" tabindex="0" aria-label={e.title}
                data-format={e.format}><code>{ e.text }</code></pre>
        </details>
    }
}

/// Fetches system `name`'s configuration into `code`, saying so while it comes.
fn load(code: Element, name: &'static str) {
    code.set_text_content(Some("Loading…"));
    wasm_bindgen_futures::spawn_local(async move {
        match crate::lesson_files::export(name).await {
            Ok(text) => {
                code.set_text_content(Some(&text));
                let _ = code.set_attribute("data-loaded", "");
            }
            Err(why) => code.set_text_content(Some(&format!(
                "Not loaded ({why}); open this box again to retry."
            ))),
        }
    });
}
