//! The top-level layout: which region sits where. Each region is its own component.

use yew::prelude::*;

use crate::components::{Footer, Header, Region};

/// Query parameter that deliberately panics after the first render, so the end-to-end tests can
/// prove that a crash shows the error panel rather than a frozen page.
const DEBUG_PANIC_PARAM: (&str, &str) = ("debug", "panic");

#[component]
pub fn App() -> Html {
    use_effect_with((), |_| {
        if query_param(DEBUG_PANIC_PARAM.0).as_deref() == Some(DEBUG_PANIC_PARAM.1) {
            panic!("deliberate crash requested with ?debug=panic");
        }
    });

    html! {
        <div class="shell">
            <Header />
            <main class="layout" id="main">
                <Region id="diagram" title="Diagram"
                    summary="Producers, the queue, the dead-letter queue and consumers, with messages moving between them." />
                <Region id="controls" title="Controls"
                    summary="Play, pause and step the simulation; take the kitchen offline; send a poison pill." />
                <Region id="inspector" title="Message inspector"
                    summary="Click any message to read its CloudEvents envelope, field by field." />
                <Region id="metrics" title="Metrics"
                    summary="Queue depth, messages in flight, dead letters and consumer lag over simulated time." />
                <Region id="log" title="Event log"
                    summary="Everything that happened, in order, filterable by message and kind." />
            </main>
            <Footer />
        </div>
    }
}

fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}
