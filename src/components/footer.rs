//! The page's footer with the build version, so a screenshot or a bug report says exactly which
//! build it came from.
//!
//! A view function rather than a component: it has no props or state, and a component would
//! only add Yew's per-component code to the download.

use yew::prelude::*;

use crate::BUILD_VERSION;

pub fn footer() -> Html {
    html! {
        <footer class="site-footer">
            <span>{ "Queue Playground " }</span>
            <span class="build-version" title="Build version">{ BUILD_VERSION }</span>
        </footer>
    }
}
