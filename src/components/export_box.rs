//! A built-in system's configuration to copy into a real platform, folded until asked for: the
//! text `build.rs` wrote from the system's file with the engine's own exporter
//! (`src/scenarios.rs`), and a Copy button. The platform lens has its own for the main queue,
//! whose exports follow its settings.

use crate::scenarios::Copyable;
use yew::prelude::*;

/// A view, not a component: it has no state of its own, and a component would cost about a
/// kilobyte of Yew's code. The text is selectable and focusable, for where the page may not
/// write to the clipboard (an iframe without that permission).
pub fn export_box(e: Copyable) -> Html {
    let text = e.text;
    let oncopy = Callback::from(move |e: MouseEvent| super::copy(&e, text));
    html! {
        <details class="export-box">
            <summary>{ "Configuration to copy: " }{ e.title }</summary>
            { super::copy_button("copy-export", "Copy", None, false, oncopy) }
            <pre class="export" id="export-text" tabindex="0" aria-label={e.title}
                data-format={e.format}><code>{ e.text }</code></pre>
        </details>
    }
}
