//! The App's effects: what it does outside its own markup after each render. They run as
//! one `use_effect` that compares what each acted on last (`Seen`) with the state now (`Now`),
//! because each `use_effect_with` of its own types is its own copy of Yew's effect code:
//! folding the App's eight effects into this one took 2.1 kB of gzip off the page.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::{NodeRef, UseReducerDispatcher};

use crate::components::{Chosen, Opened};
use crate::lessons::{Lesson, Verdict};
use crate::panels::Panel;
use crate::state::{Action, Playground};

/// Query parameter that deliberately panics after the first render, so the end-to-end tests can
/// prove that a crash shows the error panel rather than a frozen page.
const DEBUG_PANIC_PARAM: (&str, &str) = ("debug", "panic");

/// Real milliseconds between ticks at `speed`. Each tick advances by the real time that
/// actually passed, so a slow frame never slows simulated time. Above 1x a tick every 33 ms
/// keeps counts moving smoothly. At 1x and slower a tick every 300 ms moves the clock by three
/// of its finest digit (0.1 s), and what moves in between is animated by CSS (the diagram's
/// tokens between places, the canvas's tokens along edges). Renders are most of the main
/// thread's time at 1x: from 100 ms to 200 ms took its busy share on the pizza shop from
/// 12.6 % to 7.4 %, and with reduced motion from 7.0 % to 4.1 % (tests/bench/busy.mjs, two
/// alternating rounds of three runs per build, medians); from 200 ms to 300 ms took it from
/// 4.8-6.1 % to 2.9-4.2 % on backlogs of 50 to 10,000 messages (`cargo xtask bench frames`,
/// the two builds alternating, two rounds each).
pub fn tick_ms(speed: f64) -> u32 {
    if speed <= 1.0 {
        300
    } else {
        33
    }
}

/// What the effects read from a render.
pub struct Now {
    pub shell: NodeRef,
    pub embed: Rc<crate::embed::EmbedOptions>,
    pub host: Option<web_sys::Element>,
    pub page: Option<yew::AttrValue>,
    pub dispatcher: UseReducerDispatcher<Playground>,
    pub progress: Rc<crate::progress::Progress>,
    pub fetching: Option<Rc<str>>,
    pub lesson: Option<&'static Lesson>,
    pub verdict: Option<Verdict>,
    /// The tick's pace, [`tick_ms`] of the speed.
    pub every: u32,
    /// The system on show and the lesson.
    pub shown: (Option<Panel>, Option<&'static str>),
    /// The fan-out's, the log's and the Redis stream's opened messages.
    pub opened: [Chosen<Option<Opened>>; 3],
}

/// What the effects last acted on.
#[derive(Default)]
pub struct Seen {
    progress: Option<Rc<crate::progress::Progress>>,
    fetching: Option<Rc<str>>,
    verdict: Option<Verdict>,
    every: u32,
    interval: Option<Interval>,
    shown: (Option<Panel>, Option<&'static str>),
    /// What [`set_up`] returned, once it has run.
    held: Option<Box<dyn std::any::Any>>,
}

/// Acts on whatever changed since the last render, and after the first sets up what lives as
/// long as the App.
pub fn after_render(seen: &mut Seen, now: Now) {
    let Now {
        shell,
        embed,
        host,
        page,
        dispatcher,
        progress,
        fetching,
        lesson,
        verdict,
        every,
        shown,
        opened,
    } = now;
    // A locked control says so (locks.rs), after every render: locked controls can appear at
    // any time (a DLQ row, a lesson's panel).
    if let Some(root) = shell.cast::<web_sys::Element>() {
        crate::locks::mark(&root, &embed);
    }
    if seen.held.is_none() {
        seen.held = Some(set_up(host.clone(), embed, dispatcher.clone(), &shell));
    }
    // Answered lessons are remembered across visits; the reducer only changes them. The old
    // map is kept alive here, so a new one is never at its address.
    if !seen
        .progress
        .as_ref()
        .is_some_and(|p| Rc::ptr_eq(p, &progress))
    {
        crate::progress::save(&progress);
        seen.progress = Some(progress);
    }
    // A lesson the state asked for arrives as LessonFetched (or LessonFailed).
    if seen.fetching != fetching {
        if let Some(id) = fetching.clone() {
            let d = dispatcher.clone();
            crate::lesson_files::fetch_then(id, move |a| d.dispatch(a));
        }
        seen.fetching = fetching;
    }
    // Tell the host page about each checkpoint as it is answered.
    if seen.verdict != verdict {
        if let (Some(v), Some(lesson)) = (&verdict, lesson) {
            answered(host.as_ref(), page.as_deref(), lesson, v);
        }
        seen.verdict = verdict;
    }
    // Each tick advances the engine by the real time that passed since the last; a new
    // interval replaces (and so stops) the old one when the speed changes its pace.
    if seen.every != every {
        let performance = web_sys::window().and_then(|w| w.performance());
        let now = move || performance.as_ref().map_or(0.0, |p| p.now());
        let last = Rc::new(Cell::new(now()));
        seen.interval = Some(Interval::new(every, move || {
            let t = now();
            dispatcher.dispatch(Action::Tick {
                real_ms: t - last.replace(t),
            });
        }));
        seen.every = every;
    }
    // A message opened in one system's panel means nothing in another's (a log lesson's
    // partition 0, offset 5 is another record in the next), so each opens with none.
    if seen.shown != shown {
        for o in opened.iter().filter(|o| o.get().is_some()) {
            o.set(None);
        }
        seen.shown = shown;
    }
}

/// Tells the host page that the learner answered `lesson`'s checkpoint: as the playground's own
/// events, and as xAPI statements for hosts that forward them to an LRS.
fn answered(host: Option<&web_sys::Element>, page: Option<&str>, lesson: &Lesson, v: &Verdict) {
    let quoted = crate::host::quoted;
    let id = quoted(&lesson.id);
    let actual = v.actual.as_deref().map_or("null".into(), quoted);
    let (predicted, correct) = (quoted(&v.predicted), v.correct());
    let emit = |kind, detail: &str| crate::host::emit(host, kind, detail);
    emit(
        "checkpoint-answered",
        &format!(
            r#"{{"lesson":{id},"predicted":{predicted},"actual":{actual},"correct":{correct},"at_ms":{}}}"#,
            v.at.0
        ),
    );
    emit("lesson-completed", &format!(r#"{{"lesson":{id}}}"#));
    // The same two facts as xAPI statements, for hosts that forward them to an LRS.
    let object = format!("{}?lesson={}", crate::host::page_url(page), lesson.id);
    let result = format!(r#""success":{correct},"response":{predicted}"#);
    let statement =
        |verb, result: &str| crate::host::statement(verb, &object, &lesson.title, result);
    emit("xapi", &statement("answered", &result));
    emit(
        "xapi",
        &statement("completed", &format!(r#"{result},"completion":true"#)),
    );
}

/// Everything set up once, after the first render: the crash test's panic, the "ready" event,
/// the page's visibility, the studio's builder, an iframe's commands and the keys. What it
/// returns holds the listeners, which go when it is dropped with the App.
fn set_up(
    host: Option<web_sys::Element>,
    embed: Rc<crate::embed::EmbedOptions>,
    dispatcher: UseReducerDispatcher<Playground>,
    shell: &NodeRef,
) -> Box<dyn std::any::Any> {
    if crate::url::query_param(DEBUG_PANIC_PARAM.0).as_deref() == Some(DEBUG_PANIC_PARAM.1) {
        panic!("deliberate crash requested with ?debug=panic");
    }
    crate::host::emit(host.as_ref(), "ready", "{}");
    let keys_locked = embed.locked("play") && embed.locked("step");
    let watch = crate::visibility::Watch::new(shell.cast(), {
        let d = dispatcher.clone();
        Box::new(move |hidden| d.dispatch(Action::Hide(hidden)))
    });
    // The studio's builder hands over each system that runs (src/planner.rs).
    #[cfg(feature = "studio")]
    let built = {
        let d = dispatcher.clone();
        EventListener::new(
            &crate::document(),
            "queue-playground:open-system",
            move |e| {
                let detail = e.dyn_ref::<web_sys::CustomEvent>().map(|e| e.detail());
                match detail.as_ref().map(crate::planner::opened) {
                    Some(Ok(plan)) => d.dispatch(Action::OpenOwn(Rc::new(plan))),
                    Some(Err(why)) => web_sys::console::warn_1(&why.into()),
                    None => {}
                }
            },
        )
    };
    #[cfg(not(feature = "studio"))]
    let built = ();
    let d = dispatcher.clone();
    // Commands from the parent window of an iframe, origin-checked.
    let listener = (host.is_none() && embed.embed).then(|| {
        let window = web_sys::window().expect("a browser window");
        EventListener::new(&window, "message", move |event| {
            let Some(e) = event.dyn_ref::<web_sys::MessageEvent>() else {
                return;
            };
            match crate::host::command_from(e, &embed) {
                Some(Ok(action)) => dispatcher.dispatch(action),
                Some(Err(why)) => {
                    web_sys::console::warn_1(&format!("Queue Playground: {why}").into())
                }
                None => {}
            }
        })
    });
    // A mounted playground listens on its own element, so two on one page do not both answer
    // the same key.
    let target: web_sys::EventTarget = match host {
        Some(h) => h.into(),
        None => crate::document().into(),
    };
    // Not passive: space must not also scroll the page.
    let options = EventListenerOptions::enable_prevent_default();
    let keys = EventListener::new_with_options(&target, "keydown", options, move |event| {
        let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        // Keys typed into a control belong to that control. The first element on the event's
        // path: inside a mounted playground's shadow root, `target` is retargeted to the host
        // element.
        let in_control = e
            .composed_path()
            .get(0)
            .dyn_into::<web_sys::Element>()
            .ok()
            .is_some_and(|el| {
                matches!(
                    el.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                ) || el.get_attribute("role").as_deref() == Some("button")
            });
        if keys_locked || in_control || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        match e.key().as_str() {
            " " => {
                e.prevent_default();
                d.dispatch(Action::TogglePlay);
            }
            "ArrowRight" => {
                e.prevent_default();
                d.dispatch(Action::Step);
            }
            _ => {}
        }
    });
    Box::new((listener, watch, built, keys))
}
