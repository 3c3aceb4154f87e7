//! The page's title bar, drawn only when the playground is the whole page (not embedded).
//!
//! A view function rather than a component: it has no props or state, and a component would
//! only add Yew's per-component code to the download.

use yew::prelude::*;

/// Nothing in it changes, so it is text (`super::fixed`).
pub fn header() -> Html {
    super::fixed(concat!(
        r##"<header class="site-header"><a class="skip-link" href="#main">Skip to the playground</a>"##,
        r#"<h1 class="brand"><span class="brand-mark" aria-hidden="true">▤</span>Queue Playground</h1>"#,
        r#"<p class="tagline">See how message queues really behave.</p></header>"#,
    ))
}
