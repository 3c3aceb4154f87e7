//! A scrub bar over simulated time. The engine is deterministic, so going back rebuilds the run
//! from the scenario and the recorded commands, and going forward again repeats it exactly.
//!
//! A view function rather than a component: its time changes on every frame, so a component
//! would redraw as often and only add Yew's per-component code to the download.

use queue_engine::Millis;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The bar at `now` over the run so far (`horizon`); `onseek` gets the moment dragged to.
/// `locked` by the embedding page: shown, not usable.
pub fn time_travel(now: Millis, horizon: Millis, onseek: Callback<Millis>, locked: bool) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            if let Some(v) = queue_engine::parse_decimal(&input.value()) {
                onseek.emit(Millis(v as u64));
            }
        }
    });
    let max = horizon.0.max(1);
    html! {
        <div class="time-travel">
            { super::fixed(r#"<label for="scrub">Time travel </label>"#) }
            <input id="scrub" disabled={locked} type="range" min="0" max={max.to_string()} step="1"
                value={now.0.min(max).to_string()} {oninput}
                aria-valuetext={format!("{now} of {horizon}")}
                title="Drag back to any earlier moment; the run replays identically" />
            <output for="scrub">{ format!("{now} / {horizon}") }</output>
        </div>
    }
}
