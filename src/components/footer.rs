use yew::prelude::*;

use crate::BUILD_VERSION;

#[component]
pub fn Footer() -> Html {
    html! {
        <footer class="site-footer">
            <span>{ "Queue Playground " }</span>
            <span class="build-version" title="Build version">{ BUILD_VERSION }</span>
        </footer>
    }
}
