//! The page's footer with the build version, so a screenshot or a bug report says exactly which
//! build it came from.
//!
//! A view function rather than a component: it has no props or state, and a component would
//! only add Yew's per-component code to the download.

use yew::prelude::*;

/// Nothing in it changes after the build, so it is text (`super::fixed`): the version is
/// `crate::BUILD_VERSION`, which is HTML-safe (`v0.1.0 (abc12345)`).
pub fn footer() -> Html {
    super::fixed(concat!(
        r#"<footer class="site-footer"><span>Queue Playground </span>"#,
        r#"<span class="build-version" title="Build version">"#,
        env!("QP_BUILD_VERSION"),
        "</span></footer>",
    ))
}
