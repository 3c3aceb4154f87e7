use queue_engine::Millis;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimeTravelProps {
    pub now: Millis,
    pub horizon: Millis,
    pub onseek: Callback<Millis>,
    /// Locked by the embedding page: shown, not usable.
    #[prop_or_default]
    pub locked: bool,
}

/// A scrub bar over simulated time. The engine is deterministic, so going back rebuilds the run
/// from the scenario and the recorded commands, and going forward again repeats it exactly.
#[component]
pub fn TimeTravel(props: &TimeTravelProps) -> Html {
    let oninput = {
        let onseek = props.onseek.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                if let Some(v) = queue_engine::parse_decimal(&input.value()) {
                    onseek.emit(Millis(v as u64));
                }
            }
        })
    };
    let max = props.horizon.0.max(1);
    html! {
        <div class="time-travel">
            <label for="scrub">{ "Time travel " }</label>
            <input id="scrub" disabled={props.locked} type="range" min="0" max={max.to_string()} step="1"
                value={props.now.0.min(max).to_string()} {oninput}
                aria-valuetext={format!("{} of {}", props.now, props.horizon)}
                title="Drag back to any earlier moment; the run replays identically" />
            <output for="scrub">{ format!("{} / {}", props.now, props.horizon) }</output>
        </div>
    }
}
