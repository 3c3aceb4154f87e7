//! The event log: the engine's events newest first, filterable by kind, message and worker,
//! each clickable to open its message. Screen readers get a paced summary, not every event.

use queue_engine::Event as SimEvent;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest last.
    pub events: super::Same<Vec<SimEvent>>,
    /// The running number of `events[0]`: rows are keyed by it, so as new events arrive at
    /// speed only the new rows are added and the old ones are left alone.
    #[prop_or_default]
    pub first_event: u64,
    pub onselect: Callback<u64>,
}

const KINDS: &[(&str, &str)] = &[
    ("", "all kinds"),
    ("published", "published"),
    ("received", "received"),
    ("processed", "processed"),
    ("failed", "failed"),
    ("dead_lettered", "dead-lettered"),
    ("visibility_expired", "visibility expired"),
    ("lost", "lost"),
    ("http_failed", "HTTP failures"),
];

/// The log, newest first, filterable by message, kind and consumer. Screen readers get a paced
/// summary in the status line rather than every event.
#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let kind = use_state(String::new);
    let msg = use_state(String::new);
    let consumer = use_state(String::new);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            kind.set(super::select_value(&e));
        })
    };
    let text_filter = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                state.set(i.value().trim().to_owned());
            }
        })
    };
    let want_msg: Option<u64> = msg.parse().ok();
    let want_consumer: Option<u32> = consumer.parse::<u32>().ok().map(|c| c.saturating_sub(1));
    let shown: Vec<(u64, &SimEvent)> = props
        .events
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (props.first_event + i as u64, e))
        .filter(|(_, e)| kind.is_empty() || e.kind_name() == kind.as_str())
        .filter(|(_, e)| want_msg.is_none() || e.msg() == want_msg)
        .filter(|(_, e)| want_consumer.is_none() || e.consumer() == want_consumer)
        .take(60)
        .collect();
    html! {
        <div class="event-log">
            <div class="control-row" role="group" aria-label="Filter the log">
                <label>{ "Kind " }
                    <select onchange={on_kind}>
                        { for KINDS.iter().map(|(v, l)| html! { <option value={*v} selected={kind.as_str() == *v}>{ *l }</option> }) }
                    </select>
                </label>
                <label>{ "Message " }<input type="text" inputmode="numeric" size="6" value={(*msg).clone()} oninput={text_filter(&msg)} /></label>
                <label>{ "Kitchen worker " }<input type="text" inputmode="numeric" size="3" value={(*consumer).clone()} oninput={text_filter(&consumer)} /></label>
            </div>
            <ol class="log-list" aria-label="Event log, newest first">
                { for shown.iter().map(|(n, e)| {
                    let id = e.msg();
                    let select = id.map(|id| { let on = props.onselect.clone(); Callback::from(move |_: MouseEvent| on.emit(id)) });
                    html! {
                        <li key={*n} class={super::class(&[Some("log"), Some(e.kind_name())])}>
                            <time>{ e.t.to_string() }</time>{ " " }
                            if let Some(select) = select {
                                <button type="button" class="link" onclick={select}>{ e.describe() }</button>
                            } else {
                                { e.describe() }
                            }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
