//! Components in a real browser: each control sends the engine command it should, and the
//! inspector explains the field that is clicked.
#![cfg(target_arch = "wasm32")]

mod browser;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use browser::{root, settle};
use queue_engine::envelope::Envelope;
use queue_engine::topology::plan::Plan;
use queue_engine::{AckMode, BatchFailure, Command, Millis, Scenario, World};
use queue_playground::components::{
    Controls, ControlsProps, Inspected, Inspector, InspectorProps, Same, Sends,
};
use queue_playground::state::Action;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

/// Renders the controls and returns the root plus every command they emit.
async fn controls() -> (Element, Rc<RefCell<Vec<Command>>>) {
    controls_with(Default::default()).await
}

async fn controls_with(
    embed: Rc<queue_playground::embed::EmbedOptions>,
) -> (Element, Rc<RefCell<Vec<Command>>>) {
    let root = root();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let log = sent.clone();
    let scenario = Rc::new(Scenario::default());
    let props = ControlsProps {
        settings: Same(scenario.clone()),
        base: Same(scenario),
        playing: true,
        speed: 1.0,
        kitchen_online: true,
        error: None,
        embed,
        onaction: Sends(Callback::from(move |a: Action| {
            if let Action::Command(c) = a {
                log.borrow_mut().push(c);
            }
        })),
    };
    yew::Renderer::<Controls>::with_root_and_props(root.clone(), props).render();
    settle().await;
    (root, sent)
}

fn choose(root: &Element, id: &str, value: &str) {
    let select: HtmlSelectElement = root
        .query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

fn toggle(root: &Element, id: &str) {
    let input: HtmlInputElement = root
        .query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    input.click();
}

#[wasm_bindgen_test]
async fn each_control_sends_its_engine_command() {
    let (root, sent) = controls().await;
    choose(&root, "batch-failure", "report_failures");
    choose(&root, "batch-failure", "stop_at_first");
    choose(&root, "ack", "before");
    choose(&root, "max-receives", "3");
    choose(&root, "max-receives", "off");
    choose(&root, "visibility", "5");
    choose(&root, "batch-size", "5");
    toggle(&root, "kitchen-online");
    toggle(&root, "idempotent");
    toggle(&root, "extend");
    settle().await;
    assert_eq!(
        *sent.borrow(),
        vec![
            Command::SetBatchFailure {
                mode: BatchFailure::ReportFailures
            },
            Command::SetBatchFailure {
                mode: BatchFailure::StopAtFirst
            },
            Command::SetAck {
                mode: AckMode::BeforeProcessing
            },
            Command::SetMaxReceiveCount { count: Some(3) },
            Command::SetMaxReceiveCount { count: None },
            Command::SetVisibilityTimeout {
                timeout: Millis::from_secs(5)
            },
            Command::SetBatchSize { size: 5 },
            Command::SetOnline {
                consumer: None,
                online: false
            },
            Command::SetIdempotent { on: true },
            Command::SetExtendVisibility { on: true },
        ]
    );
}

#[wasm_bindgen_test]
async fn the_buttons_send_orders_poison_pills_spikes_and_scaling() {
    let (root, sent) = controls().await;
    let buttons = root.query_selector_all("button").unwrap();
    for i in 0..buttons.length() {
        let b: HtmlElement = buttons.item(i).unwrap().dyn_into().unwrap();
        b.click();
    }
    settle().await;
    let sent = sent.borrow();
    assert!(sent.contains(&Command::Send {
        producer: 0,
        payload: queue_engine::Payload::Poison,
        group: None
    }));
    assert!(sent.contains(&Command::Send {
        producer: 0,
        payload: queue_engine::Payload::Normal,
        group: None
    }));
    assert!(sent.contains(&Command::Spike {
        factor: 10.0,
        duration: Millis::from_secs(30)
    }));
    assert!(sent.contains(&Command::ScaleConsumers { count: 2 }));
    assert!(sent.contains(&Command::ScaleConsumers { count: 0 }));
}

#[wasm_bindgen_test]
async fn the_inspector_explains_the_clicked_field() {
    let mut world = World::new(Plan::single(Scenario {
        reply_queue: true,
        ..Scenario::default()
    }))
    .unwrap();
    world.advance_to(Millis::from_secs(2));
    let sim = &world.members()[0];
    let message = sim.message(1).unwrap().clone();
    let inspected = Inspected {
        title: "Message 1".into(),
        envelope: Envelope::for_message(&message, sim.scenario()),
        timeline: world.timeline(0, 1),
        trace: world.trace(0, 1),
        message: Some(message),
        binding: None,
        note: String::new(),
        groups: Vec::new(),
    };
    assert!(inspected.trace.as_ref().is_some_and(|t| t.complete));
    let root = root();
    let props = InspectorProps {
        inspected: Some(Same(Rc::new(inspected))),
        onclose: Sends(Callback::noop()),
    };
    yew::Renderer::<Inspector>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let fields: Vec<String> = {
        let list = root.query_selector_all("button[data-field]").unwrap();
        (0..list.length())
            .map(|i| {
                list.item(i)
                    .unwrap()
                    .dyn_into::<Element>()
                    .unwrap()
                    .get_attribute("data-field")
                    .unwrap()
            })
            .collect()
    };
    for f in [
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "dataschema",
        "traceparent",
        "partitionkey",
        "replyto",
        "data",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }
    let click = |name: &str| {
        let b: HtmlElement = root
            .query_selector(&format!("button[data-field=\"{name}\"]"))
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        b.click();
    };
    let explanation = || {
        root.query_selector("#field-explanation")
            .unwrap()
            .expect("an explanation is shown")
            .text_content()
            .unwrap()
    };
    click("id");
    settle().await;
    let text = explanation();
    assert!(
        text.contains("Why it is here") && text.contains("redelivery"),
        "{text}"
    );
    click("replyto");
    settle().await;
    let text = explanation();
    assert!(text.contains("not part of CloudEvents"), "{text}");
}

/// Every system's messages open the same inspector. One with a platform binding opens in it
/// (how the event travels there is the point); one that is no queue message (a log's record,
/// a stream's entry) has its envelope and no lifecycle or trace tabs; closing it says so.
#[wasm_bindgen_test]
async fn any_systems_message_opens_the_one_inspector_in_its_platforms_binding() {
    let mut world = World::new(Plan::single(Scenario::default())).unwrap();
    world.advance_to(Millis::from_secs(2));
    let sim = &world.members()[0];
    let message = sim.message(1).unwrap().clone();
    let envelope = Envelope::for_message(&message, sim.scenario());
    let record = Inspected::envelope_only(
        "orders · partition 2 · offset 41".into(),
        envelope.clone(),
        Some(queue_engine::envelope::Binding::Kafka),
    );
    let closed = Rc::new(RefCell::new(false));
    let root = root();
    let props = InspectorProps {
        inspected: Some(Same(Rc::new(record))),
        onclose: Sends(Callback::from({
            let closed = closed.clone();
            move |()| *closed.borrow_mut() = true
        })),
    };
    yew::Renderer::<Inspector>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let text = |sel: &str| {
        root.query_selector(sel)
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    assert!(text(".inspector-head").starts_with("orders · partition 2 · offset 41 "));
    assert!(
        root.query_selector("[role=tablist]").unwrap().is_none(),
        "no lifecycle for a record"
    );
    let pressed = text(".modes [aria-pressed=true]");
    assert_eq!(pressed, "Kafka binary");
    assert!(
        text(".rendering pre").contains("ce_id: "),
        "{}",
        text(".rendering pre")
    );
    root.query_selector(".close")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    assert!(*closed.borrow());

    let copy = Inspected {
        title: "thumbnail's copy of upload 1".into(),
        envelope,
        timeline: world.timeline(0, 1),
        trace: world.trace(0, 1),
        message: Some(message),
        binding: Some(queue_engine::envelope::Binding::Sqs),
        note: String::new(),
        groups: Vec::new(),
    };
    let root = self::root();
    let props = InspectorProps {
        inspected: Some(Same(Rc::new(copy))),
        onclose: Sends(Callback::noop()),
    };
    yew::Renderer::<Inspector>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let tabs = root.query_selector_all("[role=tab]").unwrap().length();
    assert_eq!(tabs, 3, "a queue message has its lifecycle and trace");
    let pressed = root
        .query_selector(".modes [aria-pressed=true]")
        .unwrap()
        .and_then(|e| e.text_content());
    assert_eq!(pressed.as_deref(), Some("SQS binary"));
}

#[wasm_bindgen_test]
async fn locked_controls_are_disabled_and_hidden_ones_are_not_shown() {
    let (embed, notices) = {
        let (link, notices) = queue_playground::permalink::decode("lock=ordering,batch&hide=spike");
        (Rc::new(link.embed), notices)
    };
    assert!(notices.is_empty());
    let (root, _) = controls_with(embed).await;
    let disabled = |id: &str| {
        root.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("#{id}"))
            .has_attribute("disabled")
    };
    assert!(disabled("ordering"));
    assert!(disabled("batch-size"));
    assert!(disabled("batch-failure"));
    assert!(!disabled("max-receives"), "only what was locked");
    assert!(!disabled("play-pause"));
    let spike = root.query_selector("#spike").unwrap().unwrap();
    assert!(spike.has_attribute("hidden"));
    let spike: HtmlElement = spike.dyn_into().unwrap();
    assert_eq!(spike.offset_height(), 0, "a hidden control takes no space");
}

#[wasm_bindgen_test]
async fn the_lesson_panel_sends_the_chosen_prediction() {
    use queue_playground::components::{LessonPanel, LessonPanelProps};
    let root = root();
    let predicted = Rc::new(RefCell::new(Vec::<String>::new()));
    let log = predicted.clone();
    let props = LessonPanelProps {
        playing: false,
        lesson_id: Some("poison-pill".into()),
        edition: 0,
        check: None,
        progress: Same(Default::default()),
        now: Millis::ZERO,
        locked: false,
        fetching: None,
        onpick: Sends(Callback::noop()),
        onpredict: Sends(Callback::from(move |c: String| log.borrow_mut().push(c))),
    };
    yew::Renderer::<LessonPanel>::with_root_and_props(root.clone(), props).render();
    // Let the first render's effects (which clear any half-made prediction) run first.
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    let radios = root
        .query_selector_all("#checkpoint input[type=radio]")
        .unwrap();
    let lesson = queue_playground::lessons::by_id("poison-pill").unwrap();
    assert_eq!(radios.length() as usize, lesson.checkpoint.choices.len());
    let run = || -> HtmlElement {
        root.query_selector("#run-check")
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap()
    };
    assert!(run().has_attribute("disabled"), "no prediction yet");
    let second: HtmlInputElement = radios.item(1).unwrap().dyn_into().unwrap();
    second.click();
    for _ in 0..50 {
        if !run().has_attribute("disabled") {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !run().has_attribute("disabled"),
        "a prediction enables the run"
    );
    run().click();
    settle().await;
    assert_eq!(
        *predicted.borrow(),
        vec![lesson.checkpoint.choices[1].id.clone()]
    );
}

#[wasm_bindgen_test]
fn a_log_lesson_is_judged_on_its_log_at_the_checkpoint_even_if_one_tick_jumps_past_it() {
    use queue_engine::stream::CommitMode;
    use queue_playground::panels::{Panel, PanelAction, Spec};
    use queue_playground::state::Playground;
    use yew::Reducible;
    let p = Rc::new(Playground::new(Scenario::default()));
    let p = p.reduce(Action::LoadLesson(Some("rebalance-skip".into())));
    let p = p.reduce(Action::SetSpeed(5000.0));
    let p = p.reduce(Action::Predict("skipped".into()));
    // One tick at 5000× covers far more than the 40 s to the checkpoint; it stops at the
    // lesson's moment (20 s) first, and the next one at the checkpoint.
    let p = p.reduce(Action::Tick { real_ms: 1000.0 });
    assert_eq!(p.world.borrow().now(), Millis::from_secs(20));
    let p = p.reduce(Action::TogglePlay);
    let p = p.reduce(Action::Tick { real_ms: 1000.0 });
    let verdict = p.check.as_ref().unwrap().verdict.clone().unwrap();
    assert_eq!(verdict.at, Millis::from_secs(40));
    assert_eq!(verdict.actual.as_deref(), Some("skipped"), "{verdict:?}");
    assert!(verdict.correct());
    let log_now = |p: &Playground| p.panels.borrow().world(Panel::Log).unwrap().now();
    assert_eq!(
        log_now(&p),
        Millis::from_secs(40),
        "the log stands at the checkpoint"
    );
    // The learner's fix from the panel: commit after processing; the same crash, no loss.
    let Spec::Log(sc) = p.panels.borrow().spec(Panel::Log).clone() else {
        panic!("the lesson runs on the log")
    };
    let mut sc = *sc;
    sc.groups[0].commit = CommitMode::AfterProcessing;
    let p = p.reduce(Action::Panel(
        Panel::Log,
        PanelAction::LogScenario(Box::new(sc)),
    ));
    let numbers = |p: &Playground| {
        let now = p.world.borrow().now();
        p.panels.borrow_mut().numbers(Panel::Log, now)
    };
    let n = numbers(&p);
    assert_eq!(n["kitchen_skipped"], 0.0, "{n:?}");
    assert!(n["kitchen_duplicates"] >= 1.0, "{n:?}");
    // Time travel back before the crash rebuilds the log there.
    let p = p.reduce(Action::Seek(Millis::from_secs(10)));
    let n = numbers(&p);
    assert_eq!(n["kitchen_rebalances"], 0.0, "{n:?}");
}

#[wasm_bindgen_test]
fn a_link_carries_what_the_learner_did_in_a_lesson_log() {
    use queue_engine::stream::StreamCommand;
    use queue_playground::panels::{Panel, PanelAction, PanelCommand};
    use queue_playground::state::Playground;
    use yew::Reducible;
    // The learner commits after processing and crashes the other kitchen member at 30 s (`sh`
    // is how older links named the lesson's panel).
    let p = Rc::new(Playground::from_query(
        "l=rebalance-skip&lg=p4.ca.re&sh=30000.C0-1&t=40000",
    ));
    assert!(p.notices.is_empty(), "{:?}", p.notices);
    let n = p
        .panels
        .borrow_mut()
        .numbers(Panel::Log, Millis::from_secs(40));
    assert_eq!(n["kitchen_skipped"], 0.0, "{n:?}");
    assert_eq!(
        n["kitchen_rebalances"], 2.0,
        "the lesson's crash and the learner's: {n:?}"
    );
    // And Copy link says the same again.
    let p = p.reduce(Action::Panel(
        Panel::Log,
        PanelAction::Command(PanelCommand::Log(StreamCommand::AddConsumer { group: 0 })),
    ));
    let link = p.link();
    assert!(link.contains("lg=p4.ca.re"), "{link}");
    assert!(link.contains("pl=30000.C0-1~40000.A0"), "{link}");
    // A panel command in a lesson without a log is named, not silently dropped.
    let q = Playground::from_query("l=poison-pill&sh=1000.A0");
    assert_eq!(
        q.notices.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        vec!["sh: expected a lesson that runs on the log or a topic; got \"lesson poison-pill\" (ignored)".to_owned()]
    );
}

#[wasm_bindgen_test]
fn a_step_never_runs_past_a_pending_checkpoint_it_stops_there_and_judges() {
    use queue_playground::state::Playground;
    use yew::Reducible;
    let lesson = queue_playground::lessons::by_id("dlq-redrive").unwrap();
    let until = lesson.checkpoint.until;
    let p = Rc::new(Playground::new(Scenario::default()));
    let p = p.reduce(Action::LoadLesson(Some("dlq-redrive".into())));
    // A prediction starts the run; at 1× it plays to a little before the checkpoint.
    let p = p.reduce(Action::Predict(lesson.checkpoint.choices[0].id.clone()));
    let mut p = p.reduce(Action::SetSpeed(1.0));
    while p.world.borrow().now() < Millis(until.0 - 1_500) {
        if !p.playing {
            // Paused at the lesson's moment on the way: Play goes on.
            p = p.reduce(Action::TogglePlay);
        }
        p = p.reduce(Action::Tick { real_ms: 500.0 });
    }
    assert!(p.check.as_ref().unwrap().verdict.is_none());
    // Then step, event by event: the step that would cross the checkpoint stops on it.
    for _ in 0..100_000 {
        if p.check.as_ref().unwrap().verdict.is_some() {
            break;
        }
        let before = p.world.borrow().now();
        p = p.reduce(Action::Step);
        assert!(
            p.world.borrow().now() <= until,
            "stepped from {before} past {until}"
        );
    }
    let verdict = p.check.as_ref().unwrap().verdict.clone().unwrap();
    assert_eq!(verdict.at, until);
    assert_eq!(p.world.borrow().now(), until);
}

/// The canvas draws any world: every node of the queue-vs-topic file as a box that names its
/// kind in words, edges with their meaning in a title, and the pool's number is the world's.
#[wasm_bindgen_test]
async fn the_canvas_draws_every_node_with_its_kind_and_the_worlds_numbers() {
    use queue_playground::canvas::{Canvas, CanvasProps, Shown};
    use queue_playground::panels::{Panel, PanelHandle, Panels};
    let root = root();
    let panels = Rc::new(RefCell::new(Panels::new(42, None)));
    let now = Millis::from_secs(30);
    let processed = panels.borrow_mut().at(Panel::Contrast, now).members()[0]
        .counts()
        .processed;
    assert!(processed > 0, "the worker pool has done something by 30 s");
    let props = CanvasProps {
        now,
        shown: Shown::Panel(
            PanelHandle {
                panels,
                version: 0,
                onaction: Callback::noop(),
            },
            Panel::Contrast,
        ),
        look: None,
    };
    yew::Renderer::<Canvas>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let nodes = root.query_selector_all("[data-node]").unwrap();
    assert_eq!(nodes.length(), 10, "every node of the file");
    let text = |sel: &str| {
        root.query_selector(sel)
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    assert!(text(r#"[data-node="order-placed"] .kind"#).contains("router"));
    assert!(text(r#"[data-node="orders"] .kind"#).contains("queue"));
    assert_eq!(
        text(r#"[data-node="worker"] .numbers"#),
        format!("processed {processed}")
    );
    let titles: Vec<String> = (0..root.query_selector_all("title").unwrap().length())
        .filter_map(|i| root.query_selector_all("title").unwrap().item(i))
        .filter_map(|t| t.text_content())
        .collect();
    assert!(
        titles.contains(&"order-placed routes to kitchen-queue".to_owned()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"orders is read by worker".to_owned()),
        "{titles:?}"
    );
}
