//! The top-level layout, rendered from the engine. What the App does beyond its markup, the
//! pacing among it (an interval that advances the engine by the real time that passed times
//! the speed), is in [`effects`].

use queue_engine::Decimal;
use std::rc::Rc;

use queue_engine::envelope::Envelope;
use queue_engine::{ConsumerStatus, Mode};
use yew::prelude::*;

use crate::canvas::{Canvas, Shown};
use crate::components::{
    class, diagram, dlq_list, export_box, fan_out_panel, footer, header, link_notice,
    queue_vs_topic, redis_panel, region, share_link, stream_view, system_picker, time_travel,
    Chosen, ComparePanel, Controls, Diagram, DlqList, EventLog, ExchangePanel, Inspected,
    Inspector, LessonPanel, MetricsPanel, PacedAnnouncement, PlatformLens, Region, Same, Sends,
    Writing, COMPACT_TOKEN_CAP, FAST_TOKEN_CAP, TOKEN_CAP,
};
use crate::panels::{Panel, PanelHandle};
use crate::state::{Action, Playground};

mod effects;

/// The main queue's regions, which a panel's system on the page replaces.
const QUEUE_ONLY: [&str; 7] = [
    "diagram",
    "inspector",
    "metrics",
    "dead-letters",
    "log",
    "platform",
    "compare",
];

/// How a host page reaches a playground it mounted: the app puts its dispatcher here.
#[derive(Default)]
pub struct Bridge {
    pub dispatch: std::cell::RefCell<Option<Callback<Action>>>,
}

#[derive(Properties, Clone, Default)]
pub struct AppProps {
    /// The options as a query string (`lesson=poison-pill&lock=ordering`); None: the page's URL.
    #[prop_or_default]
    pub query: Option<AttrValue>,
    /// The element a script mounted the playground into: events go there as CustomEvents,
    /// and keyboard shortcuts listen there rather than on the whole document.
    #[prop_or_default]
    pub host: Option<web_sys::Element>,
    #[prop_or_default]
    pub bridge: Option<Rc<Bridge>>,
    /// The playground page that copied links open (default: this page).
    #[prop_or_default]
    pub page: Option<AttrValue>,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        self.query == other.query && self.host == other.host
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let state = {
        let query = props.query.clone();
        use_reducer(move || match query {
            Some(q) => Playground::opened(&q),
            None => Playground::from_location(),
        })
    };
    // The message open in the fan-out's, the log's and the Redis stream's inspectors, kept
    // here so that their panels are views (`fan_out_panel`, `stream_view`, `redis_panel`).
    let fan_out_open = Chosen(use_mut_ref(|| None), use_force_update());
    let stream_open = Chosen(use_mut_ref(|| None), use_force_update());
    let redis_open = Chosen(use_mut_ref(|| None), use_force_update());
    if let Some(bridge) = &props.bridge {
        let d = state.dispatcher();
        *bridge.dispatch.borrow_mut() = Some(Callback::from(move |a| d.dispatch(a)));
    }
    let host = props.host.clone();
    let embed = state.embed.clone();
    let shell = use_node_ref();
    {
        // Every effect of the App runs here, after each render (`effects.rs`).
        let seen = use_mut_ref(effects::Seen::default);
        let now = effects::Now {
            shell: shell.clone(),
            embed: embed.clone(),
            host: host.clone(),
            page: props.page.clone(),
            dispatcher: state.dispatcher(),
            progress: state.progress.clone(),
            fetching: state.fetching.clone(),
            lesson: state.lesson,
            verdict: state.check.as_ref().and_then(|c| c.verdict.clone()),
            every: effects::tick_ms(state.speed),
            shown: (state.stage(), state.lesson.map(|l| l.id.as_str())),
            opened: [
                fan_out_open.clone(),
                stream_open.clone(),
                redis_open.clone(),
            ],
        };
        use_effect(move || effects::after_render(&mut seen.borrow_mut(), now));
    }

    // The charts, counters and event log redraw with the panels (at most ten times a real
    // second while playing, at once on anything else): at 1000x nobody reads numbers changing
    // 60 times a second, and redrawing them every frame cost the diagram its frame rate.
    let (metrics, counts) = {
        let world = state.world.clone();
        let m = use_memo(state.panel_version, move |_| {
            let world = world.borrow();
            let sim = &world.members()[0];
            (
                Rc::new(sim.metrics().clone()),
                Rc::new(sim.counts().clone()),
            )
        });
        (m.0.clone(), m.1.clone())
    };
    let (events, first_event) = {
        let (log, logged) = (state.log.clone(), state.logged.clone());
        let m = use_memo(state.log_version(), move |_| {
            let events: Vec<_> = log.borrow().iter().cloned().collect();
            let first = logged.get() - events.len() as u64;
            (Rc::new(events), first)
        });
        (m.0.clone(), m.1)
    };
    // The settings in force change with commands, a scheduled one among them, so they are read
    // with the panels' clock; between, the controls and the lens compare one allocation.
    let settings = {
        let world = state.world.clone();
        let m = use_memo(state.panel_version, move |_| {
            Same(Rc::new(world.borrow().members()[0].scenario().clone()))
        });
        (*m).clone()
    };
    let sim = state.queue();
    let fast = state.playing && state.speed >= 100.0;
    // Embedded, a lesson shows only what it needs (`Lesson::needs`), so the iframe stays short;
    // `show=` adds regions back and `show=all` restores the whole page.
    let compact = embed.compact(state.lesson.is_some());
    // One system at a time: a panel's system (the lesson's, or the one the Systems menu
    // opened) takes the diagram's place, and the main queue's own regions step aside. Its
    // queue still keeps the clock, but nothing draws its messages, so none are copied.
    let stage = state.stage();
    let cap = match (stage, fast) {
        (Some(_), _) => 0,
        (None, true) => FAST_TOKEN_CAP,
        (None, false) => TOKEN_CAP,
    };
    let mut snapshot = sim.snapshot(if compact {
        cap.min(COMPACT_TOKEN_CAP)
    } else {
        cap
    });
    // The diagram prints the numbers the metrics panel shows in the same frame (redrawn at most
    // ten times a real second while playing), so its "sent" never disagrees with "Published";
    // the tokens still move every frame.
    snapshot.counts = (*counts).clone();
    let snapshot = Rc::new(snapshot);
    // The inspector redraws with the panels: its message's timeline and trace are read at most
    // ten times a real second while playing, and stay one allocation in between.
    let inspected = {
        let world = state.world.clone();
        let m = use_memo(
            (state.selected, state.panel_version),
            move |(selected, _)| {
                let world = world.borrow();
                let sim = &world.members()[0];
                let id = (*selected)?;
                let message = sim.message(id)?;
                Some(Same(Rc::new(Inspected::queued(
                    &world,
                    0,
                    message,
                    format!("Message {id}"),
                    Envelope::for_message(message, sim.scenario()),
                    None,
                ))))
            },
        );
        (*m).clone()
    };
    drop(sim);
    // The switch, not the status: a worker taken offline may still be finishing its batch.
    let kitchen_online = snapshot
        .consumers
        .iter()
        .any(|c| c.online && c.status != ConsumerStatus::Retired);

    let onaction = {
        let d = state.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    let glides = use_mut_ref(crate::components::Glides::default);
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
        Decimal::short(state.speed)
    );
    // The summary counts the main queue's messages, which a panel's system hides.
    let summary = stage.is_none().then(|| {
        format!(
            "{} published, {} waiting, {} processed, {} in the DLQ, {} duplicates, {} lost",
            snapshot.counts.published,
            snapshot.counts.visible,
            snapshot.counts.processed,
            snapshot.counts.dead_lettered,
            snapshot.counts.duplicates,
            snapshot.counts.lost
        )
    });

    let onpick = {
        let d = state.dispatcher();
        Callback::from(move |id| d.dispatch(Action::LoadLesson(id)))
    };
    let system_name = match state.system {
        Some(p) => p.system(),
        None => &state.scenario_name,
    };
    // A system on another broker's queue has its own check (or says why it has none); the
    // SQS systems and the lessons share the diagram's.
    let diagram_checked = match state.lesson {
        None if crate::components::checked_note(system_name).is_some() => system_name.to_owned(),
        _ => "diagram".to_owned(),
    };
    let onsystem = {
        let d = state.dispatcher();
        Callback::from(move |name: String| d.dispatch(Action::OpenSystem(name.into())))
    };
    let onpredict = {
        let d = state.dispatcher();
        Callback::from(move |c| d.dispatch(Action::Predict(c)))
    };
    let needed = state.lesson.map(|l| l.needs()).unwrap_or_default();
    let show = |region: &str| {
        !embed.hidden(region)
            && (!compact || embed.keeps(region, &needed))
            && (stage.is_none() || !QUEUE_ONLY.contains(&region))
    };
    let panels = {
        let d = state.dispatcher();
        PanelHandle {
            panels: state.panels.clone(),
            version: state.acted,
            onaction: Callback::from(move |(p, a)| d.dispatch(Action::Panel(p, a))),
        }
    };
    let onseen_log = {
        let d = state.dispatcher();
        Callback::from(move |seen| d.dispatch(Action::Seen(None, seen)))
    };
    // While a lesson's run is at one of its moments, the region that moment talks about,
    // and the node in it, which the canvas outlines.
    let look = state
        .lesson
        .filter(|_| state.check.as_ref().is_some_and(|c| c.verdict.is_none()))
        .and_then(|l| l.moment(snapshot.now)?.look.clone());
    // Every system on the one canvas, drawn once here for whichever is open: a panel's system
    // at the top of its region, the main queue's above its messages. A compact lesson on the
    // main queue keeps the messages, which its steps talk about, and leaves the picture out.
    let canvas = (stage.is_some() || !compact).then(|| {
        let (now, shown) = match stage {
            Some(p) => (state.panel_time(p), Shown::Panel(panels.clone(), p)),
            None => (
                state.panel_now,
                Shown::Main(Same(state.world.clone()), state.panel_version),
            ),
        };
        html! { <Canvas {now} {shown} look={look.clone()} /> }
    });
    let stage_region = stage.filter(|p| show(p.region())).map(|p| {
        let d = state.dispatcher();
        let onseen = Some(Callback::from(move |seen| {
            d.dispatch(Action::Seen(Some(p), seen))
        }));
        let (now, panels) = (state.panel_time(p), panels.clone());
        let (title, body) = match p {
            Panel::FanOut => (
                "Fan-out: one upload, four subscribers",
                fan_out_panel(now, &panels, &fan_out_open),
            ),
            Panel::Contrast => (
                "Queue vs topic: the same orders, side by side",
                queue_vs_topic(now, &panels),
            ),
            Panel::Log => (
                "Partitioned log (Kafka's model)",
                stream_view(now, &panels, &stream_open),
            ),
            Panel::Exchanges => (
                "RabbitMQ: exchanges, bindings and x-death",
                html! { <ExchangePanel {now} {panels} /> },
            ),
            Panel::Redis => (
                "Redis Streams: pending entries and claiming",
                redis_panel(now, &panels, &redis_open),
            ),
            #[cfg(feature = "studio")]
            Panel::Own => (
                "Your system, from its file",
                html! { <>
                    { crate::components::fixed(r#"<p class="hint">Your file runs from its seed, anew after each builder step. Copy link carries it whole.</p>"#) }
                    { crate::components::own_logs(now, &panels, &stream_open) }
                    { crate::components::own_queues(now, &panels, &stream_open) }
                </> },
            ),
        };
        // What the system is in a real broker's own configuration, to copy: left out of a
        // compact lesson, which keeps to what its steps use.
        let export = crate::scenarios::export(p.system());
        html! {
            // Keyed, so another system gets a region of its own, whose visibility watch
            // reports for it rather than for the system that was here before.
            <Region key={p.region()} id={p.region()} {title} {onseen}>
                { for canvas.clone() }
                { body }
                { for export.filter(|_| !compact).map(export_box) }
            </Region>
        }
    });
    let theme = embed.theme.attr();
    let in_lesson = state.lesson.is_some();
    // A compact lesson shows the controls its steps use; the rest would only make it taller.
    // So does a panel's system: the main queue's switches would act on a queue not shown.
    // The log and queue vs topic follow the seed; the other systems run their file's. One
    // call of `keeping`, so it stays inlined.
    let seed = ["seed".to_owned()];
    let keep: Option<&[String]> = match (state.lesson, stage) {
        (Some(lesson), _) if compact || stage.is_some() => Some(&lesson.regions),
        (None, Some(Panel::Log | Panel::Contrast)) => Some(&seed),
        (None, Some(_)) => Some(&[]),
        _ => None,
    };
    let controls_embed = keep.map_or_else(|| embed.clone(), |k| Rc::new(embed.keeping(k)));

    html! {
        <div ref={shell} class={class(&[Some("shell"), embed.embed.then_some("embedded"), props.host.is_some().then_some("mounted")])}
            data-theme={theme}>
            if !embed.embed && show("header") {
                { header() }
            }
            <div class="status-bar">
                // A lesson runs its own system; leaving it is the lesson picker's job.
                if !in_lesson && show("system") {
                    { system_picker(system_name, embed.locked("system"), onsystem) }
                }
                <p class="clock" id="clock" data-now={snapshot.now.0.to_string()}>{ clock }</p>
                if show("timetravel") {
                    { time_travel(snapshot.now, state.horizon.max(snapshot.now), onseek, embed.locked("timetravel")) }
                }
                if show("share") {
                    { share_link(onlink, props.page.clone(), embed.locked("share")) }
                }
            </div>
            { link_notice(&state.notices, ondismiss) }
            if let Some(text) = summary {
                <PacedAnnouncement {text} />
            }
            <main class={class(&[Some("layout"), in_lesson.then_some("with-lesson"), compact.then_some("compact"), stage.is_some().then_some("staged")])} id="main"
                data-look={look}>
                if show("lesson") && !(embed.embed && !in_lesson && embed.hidden("lessons")) {
                    { region("lesson", if in_lesson { "Lesson" } else { "Lessons" }, None, None, html! { <>
                        <LessonPanel lesson_id={state.lesson.map(|l| AttrValue::from(l.id.clone()))} edition={state.lesson.map_or(0, |l| l as *const _ as usize)}
                            check={state.check.clone().map(Same)} progress={Same(state.progress.clone())} now={state.panel_now} playing={state.playing}
                            locked={embed.locked("lessons")} fetching={state.fetching.clone().map(AttrValue::from)}
                            onpick={Sends(onpick.clone())} onpredict={Sends(onpredict)} />
                        // For course authors: writing a lesson on the open system. Not in an
                        // embedded playground, whose learners follow the author's lessons.
                        if !embed.embed && state.lesson.is_none_or(|l| !crate::lessons::known(&l.id)) {
                            { crate::components::author_tools(Writing {
                                panel: state.system,
                                name: system_name.to_owned(),
                                seed: state.scenario.seed,
                                lesson: state.lesson,
                                page: props.page.clone(),
                            }, onpick.clone()) }
                        }
                    </> }) }
                }
                // One node whether or not a system is staged: Yew matches unkeyed children from
                // the end, so a region appearing here would make every region before it (the
                // lessons, with the author's half-written lesson) be drawn anew.
                { stage_region.unwrap_or_default() }
                if show("diagram") {
                    { region("diagram", "Diagram", Some(diagram_checked.into()), None, html! { <>
                        { for canvas }
                        { diagram(Diagram {
                            snapshot: &snapshot,
                            selected: state.selected,
                            onselect: &onselect,
                            fast,
                            compact,
                            settings: &settings.0,
                            glides: &glides,
                        }) }
                    </> }) }
                }
                if show("controls") {
                    { region("controls", "Controls", None, None, html! {
                        <Controls settings={settings.clone()} base={Same(state.scenario.clone())} playing={state.playing}
                            speed={state.speed} {kitchen_online} error={state.error.clone().map(AttrValue::from)}
                            embed={controls_embed} onaction={Sends(onaction)} />
                    }) }
                }
                // Compact, the inspector waits for a click (the diagram's legend invites it).
                if show("inspector") && (!compact || inspected.is_some()) {
                    { region("inspector", "Message inspector", None, None, html! {
                        <Inspector {inspected} onclose={Sends(onclose)} />
                    }) }
                }
                if show("metrics") {
                    { region("metrics", "Metrics", None, None, html! {
                        <MetricsPanel counts={Same(counts)} metrics={Same(metrics)} lag_alert={snapshot.lag_alert}
                            lag_threshold={settings.metrics.lag_alert} />
                    }) }
                }
                if settings.mode == Mode::Queue && show("dead-letters") {
                    { region("dlq", "Dead-letter queue", None, None, html! {
                        { dlq_list(DlqList {
                            tokens: &snapshot.dlq,
                            total: snapshot.counts.dead_lettered,
                            enabled: settings.dlq.is_some(),
                            locked: embed.locked("redrive"),
                            oncommand: &oncommand,
                            onselect: &onselect,
                        }) }
                    }) }
                }
                if show("compare") {
                    { region("compare", "A/B compare", None, None, html! {
                        <ComparePanel base={Same(state.scenario.clone())} history={Same(state.history.clone())} now={state.panel_now} />
                    }) }
                }
                if show("platform") {
                    { region("platform", "Platform lens", None, None, html! {
                        // Keyed by platform, so another system's queue opens the lens on its own.
                        <PlatformLens key={queue_engine::platform::Platform::of(settings.queue.profile()).id()} settings={settings.clone()} locked={embed.locked("dlq")} oncommand={Sends(oncommand.clone())} />
                    }) }
                }
                if show("log") {
                    { region("log", "Event log", None, Some(onseen_log), html! {
                        <EventLog events={Same(events)} {first_event} {onselect} />
                    }) }
                }
            </main>
            if !embed.embed && show("header") {
                { footer() }
            }
        </div>
    }
}
