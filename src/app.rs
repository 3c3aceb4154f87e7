//! The top-level layout and the pacing: an interval owned by this component advances the engine
//! by the real time that passed times the speed; everything else is rendered from the engine.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use queue_engine::envelope::Envelope;
use queue_engine::{ConsumerStatus, Mode};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{
    Controls, Diagram, DlqList, EventLog, Footer, Header, Inspected, Inspector, LinkNotice,
    MetricsPanel, PacedAnnouncement, Region, ShareLink, TimeTravel, TOKEN_CAP,
};
use crate::state::{Action, Playground};

/// Query parameter that deliberately panics after the first render, so the end-to-end tests can
/// prove that a crash shows the error panel rather than a frozen page.
const DEBUG_PANIC_PARAM: (&str, &str) = ("debug", "panic");

/// Real milliseconds between ticks. Each tick advances by the real time that actually passed,
/// so a slow frame never slows simulated time.
const TICK_MS: u32 = 33;

#[component]
pub fn App() -> Html {
    use_effect_with((), |_| {
        if crate::url::query_param(DEBUG_PANIC_PARAM.0).as_deref() == Some(DEBUG_PANIC_PARAM.1) {
            panic!("deliberate crash requested with ?debug=panic");
        }
    });
    let state = use_reducer(Playground::from_location);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let performance = web_sys::window().and_then(|w| w.performance());
            let now = move || performance.as_ref().map_or(0.0, |p| p.now());
            let last = Rc::new(Cell::new(now()));
            let interval = Interval::new(TICK_MS, move || {
                let t = now();
                dispatcher.dispatch(Action::Tick {
                    real_ms: t - last.replace(t),
                });
            });
            move || drop(interval)
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let document = crate::document();
            // Not passive: space must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            let listener =
                EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    // Keys typed into a control belong to that control.
                    let in_control = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| {
                            matches!(
                                el.tag_name().as_str(),
                                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                            ) || el.get_attribute("role").as_deref() == Some("button")
                        });
                    if in_control || e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    match e.key().as_str() {
                        " " => {
                            e.prevent_default();
                            dispatcher.dispatch(Action::TogglePlay);
                        }
                        "ArrowRight" => {
                            e.prevent_default();
                            dispatcher.dispatch(Action::Step);
                        }
                        _ => {}
                    }
                });
            move || drop(listener)
        });
    }

    let sim = state.sim.borrow();
    let settings = Rc::new(sim.scenario().clone());
    let snapshot = Rc::new(sim.snapshot(TOKEN_CAP));
    let metrics = Rc::new(sim.metrics().clone());
    let inspected = state.selected.and_then(|id| {
        let message = sim.message(id)?.clone();
        Some(Rc::new(Inspected {
            envelope: Envelope::for_message(&message, sim.scenario()),
            timeline: sim.timeline(id),
            trace: sim.trace(id),
            message,
        }))
    });
    drop(sim);
    let events = Rc::new(state.log.borrow().iter().cloned().collect::<Vec<_>>());
    // The switch, not the status: a worker taken offline may still be finishing its batch.
    let kitchen_online = snapshot
        .consumers
        .iter()
        .any(|c| c.online && c.status != ConsumerStatus::Retired);

    let onaction = {
        let d = state.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    let onselect = {
        let d = state.dispatcher();
        Callback::from(move |id: u64| d.dispatch(Action::Select(Some(id))))
    };
    let oncommand = {
        let d = state.dispatcher();
        Callback::from(move |c| d.dispatch(Action::Command(c)))
    };
    let onseek = {
        let d = state.dispatcher();
        Callback::from(move |t| d.dispatch(Action::Seek(t)))
    };
    let ondismiss = {
        let d = state.dispatcher();
        Callback::from(move |()| d.dispatch(Action::DismissNotices))
    };
    let onlink = {
        let state = state.clone();
        Callback::from(move |()| state.link())
    };
    let onclose = {
        let d = state.dispatcher();
        Callback::from(move |()| d.dispatch(Action::Select(None)))
    };
    let clock = format!(
        "t = {} · {} at {}×",
        snapshot.now,
        if state.playing { "running" } else { "paused" },
        state.speed
    );
    let summary = format!(
        "{} published, {} waiting, {} processed, {} in the DLQ, {} duplicates, {} lost",
        snapshot.counts.published,
        snapshot.counts.visible,
        snapshot.counts.processed,
        snapshot.counts.dead_lettered,
        snapshot.counts.duplicates,
        snapshot.counts.lost
    );

    html! {
        <div class="shell">
            <Header />
            <div class="status-bar">
                <p class="clock" id="clock" data-now={snapshot.now.0.to_string()}>{ clock }</p>
                <TimeTravel now={snapshot.now} horizon={state.horizon.max(snapshot.now)} {onseek} />
                <ShareLink {onlink} />
            </div>
            <LinkNotice notices={state.notices.clone()} {ondismiss} />
            <PacedAnnouncement text={summary} />
            <main class="layout" id="main">
                <Region id="diagram" title="Diagram"
                    summary="Producers, the queue, the dead-letter queue and consumers, with messages moving between them.">
                    <Diagram snapshot={snapshot.clone()} selected={state.selected} onselect={onselect.clone()}
                        reply_queue={settings.reply_queue} data_store={settings.data_store}
                        queue_name={settings.queue.name.clone()}
                        visibility_timeout={settings.queue.visibility_timeout} />
                </Region>
                <Region id="controls" title="Controls"
                    summary="Play, pause and step the simulation; take the kitchen offline; send a poison pill.">
                    <Controls settings={settings.clone()} base={state.scenario.clone()} playing={state.playing}
                        speed={state.speed} {kitchen_online} error={state.error.clone().map(AttrValue::from)} {onaction} />
                </Region>
                <Region id="inspector" title="Message inspector"
                    summary="Click any message to read its CloudEvents envelope, field by field.">
                    <Inspector {inspected} {onclose} />
                </Region>
                <Region id="metrics" title="Metrics"
                    summary="Queue depth, messages in flight, dead letters and consumer lag over simulated time.">
                    <MetricsPanel counts={snapshot.counts.clone()} {metrics} lag_alert={snapshot.lag_alert}
                        lag_threshold={settings.metrics.lag_alert} />
                </Region>
                if settings.mode == Mode::Queue {
                    <Region id="dlq" title="Dead-letter queue" summary="Messages that failed too often.">
                        <DlqList tokens={snapshot.dlq.clone()} total={snapshot.counts.dead_lettered}
                            enabled={settings.dlq.is_some()} {oncommand} onselect={onselect.clone()} />
                    </Region>
                }
                <Region id="log" title="Event log"
                    summary="Everything that happened, in order, filterable by message and kind.">
                    <EventLog {events} {onselect} />
                </Region>
            </main>
            <Footer />
        </div>
    }
}
