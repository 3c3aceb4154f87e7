//! The page's footer with the build version, so a screenshot or a bug report says exactly which
//! build it came from.
//!
//! A view function rather than a component: it has no props or state, and a component would
//! only add Yew's per-component code to the download.

use yew::prelude::*;

/// Written as the markup itself: the version is fixed at build time (`crate::BUILD_VERSION`,
/// which is HTML-safe: `v0.1.0 (abc12345)`), and each `html!` element costs its own code in
/// the wasm, where this is one string.
pub fn footer() -> Html {
    Html::from_html_unchecked(AttrValue::Static(concat!(
        r#"<footer class="site-footer"><span>Queue Playground </span>"#,
        r#"<span class="build-version" title="Build version">"#,
        env!("QP_BUILD_VERSION"),
        "</span></footer>",
    )))
}
