use yew::prelude::*;

#[component]
pub fn Header() -> Html {
    html! {
        <header class="site-header">
            <a class="skip-link" href="#main">{ "Skip to the playground" }</a>
            <h1 class="brand">
                <span class="brand-mark" aria-hidden="true">{ "▤" }</span>
                { "Queue Playground" }
            </h1>
            <p class="tagline">{ "See how message queues really behave." }</p>
        </header>
    }
}
