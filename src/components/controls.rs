//! The main queue's controls: play, step, speed, seed, the kitchen, sends and every setting the
//! lessons use. Each is a native button, select or checkbox with a title that explains it; an
//! embedding page may hide or lock any of them, and a change that restarts the run says so.

use std::rc::Rc;

use queue_engine::Decimal;
use queue_engine::{AckMode, BatchFailure, Command, Millis, Mode, Payload, QueueKind, Scenario};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::select_value;
use crate::state::{with_ordering, Action, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The settings in force now (the scenario plus every change made while running).
    pub settings: super::Same<Scenario>,
    /// The scenario as configured, which ordering, mode and seed changes restart from.
    pub base: super::Same<Scenario>,
    pub playing: bool,
    pub speed: f64,
    pub kitchen_online: bool,
    pub error: Option<AttrValue>,
    /// What the embedding page locked or hid.
    #[prop_or_default]
    pub embed: Rc<crate::embed::EmbedOptions>,
    pub onaction: super::Sends<Action>,
}

/// A few seeds to try, always including the current one.
fn seeds(current: u64) -> Vec<u64> {
    let mut seeds = vec![1, 2, 3, 7, 42, 2026];
    if !seeds.contains(&current) {
        seeds.push(current);
        seeds.sort_unstable();
    }
    seeds
}

fn checked(e: &Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// Every control is a native button, select or checkbox (keyboard and screen-reader friendly),
/// with a title that explains it.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let s = &props.settings;
    let act = |a: fn() -> Action| {
        let on = props.onaction.clone();
        Callback::from(move |_: MouseEvent| on.emit(a()))
    };
    let cmd = |c: Command| {
        let on = props.onaction.clone();
        Callback::from(move |_: MouseEvent| on.emit(Action::Command(c.clone())))
    };
    let restart_with = |change: fn(&mut Scenario, &str)| {
        let on = props.onaction.clone();
        let base = props.base.clone();
        Callback::from(move |e: Event| {
            let mut next = (*base).clone();
            change(&mut next, &select_value(&e));
            on.emit(Action::Reset(Box::new(next)));
        })
    };
    let on_command_select = |make: fn(&str) -> Option<Command>| {
        let on = props.onaction.clone();
        Callback::from(move |e: Event| {
            if let Some(c) = make(&select_value(&e)) {
                on.emit(Action::Command(c));
            }
        })
    };
    let on_speed = {
        let on = props.onaction.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = queue_engine::parse_decimal(&select_value(&e)) {
                on.emit(Action::SetSpeed(v));
            }
        })
    };
    let on_kitchen = {
        let on = props.onaction.clone();
        Callback::from(move |e: Event| {
            on.emit(Action::Command(Command::SetOnline {
                consumer: None,
                online: checked(&e),
            }))
        })
    };
    let on_idempotent = {
        let on = props.onaction.clone();
        Callback::from(move |e: Event| {
            on.emit(Action::Command(Command::SetIdempotent { on: checked(&e) }))
        })
    };
    let on_extend = {
        let on = props.onaction.clone();
        Callback::from(move |e: Event| {
            on.emit(Action::Command(Command::SetExtendVisibility {
                on: checked(&e),
            }))
        })
    };
    let lock = |name: &str| props.embed.locked(name);
    let hide = |name: &str| props.embed.hidden(name);
    let consumers = s.consumers.count;
    let fifo = s.queue.kind == QueueKind::Fifo;
    let receives = s.dlq.as_ref().map(|d| u64::from(d.max_receive_count));
    let vt = s.queue.visibility_timeout.0 / 1000;
    // The usual choices, and the value in force if it is none of them (ActiveMQ's seven
    // deliveries, a quorum queue's 30-minute timeout, a link's own number): a select must
    // never show a value other than the one that runs.
    let dlq_choices = with_current(&[1, 2, 3, 4, 5, 10, 20, 21], receives);
    let vt_choices = with_current(&[1, 5, 10, 30, 60, 300], Some(vt));
    html! {
        <div class="controls">
            <div class="control-row" role="group" aria-label="Time">
                <button type="button" id="play-pause" class="primary" hidden={hide("play")} disabled={lock("play")} onclick={act(|| Action::TogglePlay)}
                    title="Start or stop simulated time (shortcut: space)" aria-keyshortcuts="Space">
                    { if props.playing { "Pause" } else { "Play ▸" } }
                </button>
                <button type="button" id="step" hidden={hide("step")} disabled={lock("step")} onclick={act(|| Action::Step)}
                    title="Pause and process exactly the next event (shortcut: right arrow)" aria-keyshortcuts="ArrowRight">
                    { "Step →" }
                </button>
                <button type="button" id="reset" hidden={hide("reset")} disabled={lock("reset")} onclick={{
                    let on = props.onaction.clone();
                    let base = props.base.clone();
                    Callback::from(move |_: MouseEvent| on.emit(Action::Reset(Box::new((*base).clone()))))
                }} title="Start the scenario again from time zero with the same seed">{ "Reset" }</button>
                <label hidden={hide("speed")} title="How fast simulated time runs compared with real time">
                    { "Speed " }
                    <select id="speed" disabled={lock("speed")} onchange={on_speed}>
                        { for SPEEDS.iter().map(|v| html! {
                            <option value={Decimal::short(*v).to_string()} selected={(*v - props.speed).abs() < 1e-9}>{ format!("{}×", Decimal::short(*v)) }</option>
                        }) }
                    </select>
                </label>
                <label hidden={hide("seed")} title="The seed decides every random choice: the same seed replays the same run">
                    { "Seed " }
                    <select id="seed" disabled={lock("seed")} onchange={restart_with(|sc, v| sc.seed = v.parse().unwrap_or(sc.seed))}>
                        { for seeds(props.base.seed).into_iter().map(|v| html! {
                            <option value={v.to_string()} selected={v == props.base.seed}>{ v }</option>
                        }) }
                    </select>
                </label>
            </div>
            <div class="control-row" role="group" aria-label="Kitchen and orders">
                <label class="switch" hidden={hide("kitchen")} title="Take every kitchen worker offline (they finish what they hold) or bring them back">
                    <input id="kitchen-online" disabled={lock("kitchen")} type="checkbox" checked={props.kitchen_online} onchange={on_kitchen} />
                    { " Kitchen online" }
                </label>
                <span class="stepper" hidden={hide("workers")} title="Competing consumers: more workers drain the queue faster">
                    { "Workers " }
                    <button type="button" aria-label="Fewer kitchen workers" disabled={lock("workers") || consumers == 0}
                        onclick={cmd(Command::ScaleConsumers { count: consumers.saturating_sub(1) })}>{ "−" }</button>
                    <output id="worker-count" aria-live="polite">{ consumers }</output>
                    <button type="button" aria-label="More kitchen workers" disabled={lock("workers") || consumers >= 16}
                        onclick={cmd(Command::ScaleConsumers { count: (consumers + 1).min(16) })}>{ "+" }</button>
                </span>
                <button type="button" id="send-order" hidden={hide("send")} disabled={lock("send")} onclick={cmd(Command::Send { producer: 0, payload: Payload::Normal, group: None })}
                    title="The order service sends one good order now">{ "Send one order" }</button>
                <button type="button" id="send-poison" hidden={hide("poison")} disabled={lock("poison")} onclick={cmd(Command::Send { producer: 0, payload: Payload::Poison, group: None })}
                    title="Send a malformed order (a pineapple pizza with quantity \"a dozen\") that fails every time">{ "Send a poison pill" }</button>
                <button type="button" id="spike" hidden={hide("spike")} disabled={lock("spike")} onclick={cmd(Command::Spike { factor: 10.0, duration: Millis::from_secs(30) })}
                    title="Ten times the traffic for 30 simulated seconds: the Friday rush">{ "Traffic spike ×10" }</button>
            </div>
            <div class="control-row" role="group" aria-label="Queue settings">
                <label hidden={hide("ordering")} title="Unordered (standard queue: fastest, best-effort order) or FIFO with message groups (strict order per group). Changing it starts over.">
                    { "Ordering " }
                    <select id="ordering" disabled={lock("ordering")} onchange={restart_with(|sc, v| {
                        with_ordering(sc, if v == "fifo" { QueueKind::Fifo } else { QueueKind::Standard });
                    })}>
                        <option value="standard" selected={!fifo}>{ "unordered (standard)" }</option>
                        <option value="fifo" selected={fifo}>{ "FIFO with message groups" }</option>
                    </select>
                </label>
                <label hidden={hide("wiring")} title="Through a queue, or the same services calling each other directly over HTTP. Changing it starts over.">
                    { "Wiring " }
                    <select id="mode" disabled={lock("wiring")} onchange={restart_with(|sc, v| sc.mode = if v == "http" { Mode::Http } else { Mode::Queue })}>
                        <option value="queue" selected={s.mode == Mode::Queue}>{ "queue" }</option>
                        <option value="http" selected={s.mode == Mode::Http}>{ "direct HTTP" }</option>
                    </select>
                </label>
                <label hidden={hide("dlq")} title="After this many receives without a delete, a message moves to the dead-letter queue (SQS maxReceiveCount). Off: it is retried forever.">
                    { "DLQ after " }
                    <select id="max-receives" disabled={lock("dlq")} onchange={on_command_select(|v| Some(Command::SetMaxReceiveCount { count: v.parse().ok() }))}>
                        // Service Bus's MaxDeliveryCount cannot be turned off (semantics §7).
                        if !s.queue.profile().limit_always_on() {
                            <option value="off" selected={receives.is_none()}>{ "off (retry forever)" }</option>
                        }
                        { for dlq_choices.iter().map(|n| html! {
                            <option value={n.to_string()} selected={receives == Some(*n)}>{ format!("{n} receives") }</option>
                        }) }
                    </select>
                </label>
                <label hidden={hide("visibility")} title="How long a received message stays hidden from other workers. If processing takes longer, another worker gets it too.">
                    { "Visibility timeout " }
                    <select id="visibility" disabled={lock("visibility")} onchange={on_command_select(|v| v.parse().ok().map(|s: u64| Command::SetVisibilityTimeout { timeout: Millis::from_secs(s) }))}>
                        { for vt_choices.iter().map(|v| html! {
                            <option value={v.to_string()} selected={*v == vt}>{ Millis::from_secs(*v).to_string() }</option>
                        }) }
                    </select>
                </label>
                <label class="switch" hidden={hide("extend")} title="Heartbeat: while processing, extend the visibility timeout every half timeout">
                    <input id="extend" disabled={lock("extend")} type="checkbox" checked={s.consumers.extend_visibility} onchange={on_extend} />
                    { " Extend visibility" }
                </label>
            </div>
            <div class="control-row" role="group" aria-label="Consumer behaviour">
                <label hidden={hide("batch")} title="Messages each worker takes per receive">
                    { "Batch size " }
                    <select id="batch-size" disabled={lock("batch")} onchange={on_command_select(|v| v.parse().ok().map(|size| Command::SetBatchSize { size }))}>
                        { for [1u32, 2, 5, 10].into_iter().map(|n| html! {
                            <option value={n.to_string()} selected={n == s.consumers.batch_size}>{ n }</option>
                        }) }
                    </select>
                </label>
                <label hidden={hide("batch")} title="When one message of a batch fails: the whole batch returns (duplicates), only the failures return (ReportBatchItemFailures), or, for FIFO, the failure and everything after it return">
                    { "Batch failure " }
                    <select id="batch-failure" disabled={lock("batch")} onchange={on_command_select(|v| Some(Command::SetBatchFailure { mode: match v {
                        "report_failures" => BatchFailure::ReportFailures,
                        "stop_at_first" => BatchFailure::StopAtFirst,
                        _ => BatchFailure::WholeBatch,
                    } }))}>
                        <option value="whole_batch" selected={s.consumers.batch_failure == BatchFailure::WholeBatch}>{ "whole batch retried" }</option>
                        <option value="report_failures" selected={s.consumers.batch_failure == BatchFailure::ReportFailures}>{ "partial batch response" }</option>
                        <option value="stop_at_first" selected={s.consumers.batch_failure == BatchFailure::StopAtFirst}>{ "FIFO stop at first failure" }</option>
                    </select>
                </label>
                <label hidden={hide("ack")} title="Delete before processing (at-most-once: a crash loses the message) or after (at-least-once: a crash means a redelivery)">
                    { "Ack " }
                    <select id="ack" disabled={lock("ack")} onchange={on_command_select(|v| Some(Command::SetAck { mode: if v == "before" { AckMode::BeforeProcessing } else { AckMode::AfterProcessing } }))}>
                        <option value="after" selected={s.consumers.ack == AckMode::AfterProcessing}>{ "after processing (at-least-once)" }</option>
                        <option value="before" selected={s.consumers.ack == AckMode::BeforeProcessing}>{ "before processing (at-most-once)" }</option>
                    </select>
                </label>
                <label class="switch" hidden={hide("idempotent")} title="Remember processed event ids and skip repeats, so duplicates have no effect">
                    <input id="idempotent" disabled={lock("idempotent")} type="checkbox" checked={s.consumers.idempotent} onchange={on_idempotent} />
                    { " Idempotent consumer" }
                </label>
            </div>
            if let Some(error) = &props.error {
                <p class="control-error" role="alert">{ error }</p>
            }
        </div>
    }
}

/// `usual`, with `current` added in order when it is not among them.
fn with_current(usual: &[u64], current: Option<u64>) -> Vec<u64> {
    let mut out = usual.to_vec();
    if let Some(c) = current.filter(|c| !usual.contains(c)) {
        let at = out.partition_point(|v| *v < c);
        out.insert(at, c);
    }
    out
}
