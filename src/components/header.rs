//! The page's title bar, drawn only when the playground is the whole page (not embedded).
//!
//! A view function rather than a component: it has no props or state, and a component would
//! only add Yew's per-component code to the download.

use yew::prelude::*;

/// Written as the markup itself: nothing in it changes, and each `html!` element costs its own
/// code in the wasm, where this is one string.
pub fn header() -> Html {
    Html::from_html_unchecked(AttrValue::Static(concat!(
        r##"<header class="site-header"><a class="skip-link" href="#main">Skip to the playground</a>"##,
        r#"<h1 class="brand"><span class="brand-mark" aria-hidden="true">▤</span>Queue Playground</h1>"#,
        r#"<p class="tagline">See how message queues really behave.</p></header>"#,
    )))
}
