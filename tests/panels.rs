//! The panels' worlds belong to the playground: their buttons go through its one history, so
//! time travel rebuilds them, acting in the past forgets their future with the queue's, and a
//! link carries what was done in every panel. Native, through the reducer.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use queue_engine::stream::StreamCommand;
use queue_engine::{Command, Millis, TakeOutcome};
use queue_playground::lessons::Numbers;
use queue_playground::panels::{Panel, PanelAction, PanelCommand, Spec};
use queue_playground::state::{Action, Playground};
use yew::Reducible;

fn now(p: &Playground) -> Millis {
    p.world.borrow().now()
}

/// Plays at 1000× until simulated time `t` (ticks of 10 real ms: 10 s each).
fn play_to(mut p: Rc<Playground>, t: Millis) -> Rc<Playground> {
    p = p.reduce(Action::SetSpeed(1000.0));
    p = p.reduce(Action::SetPlaying(true));
    while now(&p) < t {
        let left = (t.0 - now(&p).0) as f64 / 1000.0;
        p = p.reduce(Action::Tick {
            real_ms: left.min(10.0),
        });
    }
    p.reduce(Action::SetPlaying(false))
}

fn give(p: Rc<Playground>, panel: Panel, c: PanelCommand) -> Rc<Playground> {
    let p = p.reduce(Action::Panel(panel, PanelAction::Command(c)));
    assert_eq!(p.error, None, "{panel:?} accepts it");
    p
}

/// Every panel's numbers at the playground's time.
fn numbers(p: &Playground) -> Vec<Numbers> {
    let t = now(p);
    let mut panels = p.panels.borrow_mut();
    Panel::ALL.map(|panel| panels.numbers(panel, t)).to_vec()
}

/// A little of everything, in every panel, with a main-queue command among them.
fn session() -> Rc<Playground> {
    let mut p = Rc::new(Playground::from_query("s=pizza-shop"));
    p = play_to(p, Millis::from_secs(20));
    p = give(
        p,
        Panel::Exchanges,
        PanelCommand::Publish {
            exchange: "orders".into(),
            key: "order.pizza.eu".into(),
        },
    );
    p = give(
        p,
        Panel::Exchanges,
        PanelCommand::Publish {
            exchange: "".into(),
            key: "kitchen".into(),
        },
    );
    p = give(p, Panel::Redis, PanelCommand::Crash { consumer: 1 });
    p = give(
        p,
        Panel::FanOut,
        PanelCommand::Subscriber {
            sub: 0,
            online: false,
        },
    );
    p = give(
        p,
        Panel::Log,
        PanelCommand::Log(StreamCommand::AddConsumer { group: 0 }),
    );
    p = p.reduce(Action::Command(Command::SetOnline {
        consumer: None,
        online: false,
    }));
    p = play_to(p, Millis::from_secs(35));
    // RabbitMQ's kitchen queue holds what was routed to it: take one and reject it.
    let kitchen = {
        let panels = p.panels.borrow();
        let w = panels.world(Panel::Exchanges).unwrap();
        (0..w.members().len() as u16)
            .find(|m| w.members()[*m as usize].has_ready())
            .expect("a queue with a ready message")
    };
    p = give(
        p,
        Panel::Exchanges,
        PanelCommand::Take {
            member: kitchen,
            outcome: TakeOutcome::Reject,
        },
    );
    // New log settings start the log over with them.
    let Spec::Log(sc) = p.panels.borrow().spec(Panel::Log).clone() else {
        panic!("the log panel runs a log")
    };
    let mut sc = *sc;
    sc.topic.partitions = 6;
    p = p.reduce(Action::Panel(
        Panel::Log,
        PanelAction::LogScenario(Box::new(sc)),
    ));
    p = give(
        p,
        Panel::Log,
        PanelCommand::Log(StreamCommand::SetHotKey { share: 0.6 }),
    );
    play_to(p, Millis::from_secs(60))
}

#[test]
fn a_link_from_free_play_carries_every_panel_and_reopens_with_identical_numbers() {
    let p = session();
    let before = numbers(&p);
    let link = p.link();
    for param in ["px=", "pr=", "pf=", "pl=", "lg=p6.", "h="] {
        assert!(link.contains(param), "{param} in {link}");
    }
    let q = Rc::new(Playground::from_query(&link));
    assert!(q.notices.is_empty(), "{:?}", q.notices);
    assert_eq!(now(&q), Millis::from_secs(60));
    assert_eq!(numbers(&q), before);
    // And what the panels did shows in their numbers (not an empty replay that happens to agree).
    let fresh = Rc::new(Playground::from_query("s=pizza-shop&t=60000"));
    let untouched = numbers(&fresh);
    // Queue vs topic has no buttons.
    for panel in Panel::ALL.into_iter().filter(|p| *p != Panel::Contrast) {
        assert_ne!(
            before[panel as usize], untouched[panel as usize],
            "{panel:?}'s commands changed its run"
        );
    }
}

#[test]
fn going_back_rebuilds_every_panel_and_coming_forward_repeats_the_run() {
    let p = session();
    let at_end = numbers(&p);
    let p = p.reduce(Action::Seek(Millis::from_secs(25)));
    let back = numbers(&p);
    assert_ne!(back, at_end);
    for panel in Panel::ALL {
        assert_ne!(
            back[panel as usize], at_end[panel as usize],
            "{panel:?} went back too"
        );
    }
    let p = p.reduce(Action::Seek(Millis::from_secs(60)));
    assert_eq!(
        numbers(&p),
        at_end,
        "the recorded commands replay at their times"
    );
}

#[test]
fn acting_in_the_past_in_one_panel_forgets_the_future_everywhere() {
    let p = session();
    let p = p.reduce(Action::Seek(Millis::from_secs(25)));
    let p = give(p, Panel::Redis, PanelCommand::Crash { consumer: 0 });
    let panels = p.panels.borrow();
    assert!(panels
        .given(Panel::Exchanges)
        .iter()
        .all(|(at, _)| *at <= Millis::from_secs(25)));
    assert_eq!(
        panels.given(Panel::Exchanges).len(),
        2,
        "the take at 35 s is forgotten"
    );
    assert_eq!(panels.given(Panel::Redis).len(), 2);
    assert!(p.history.iter().all(|(at, _)| *at <= Millis::from_secs(25)));
    assert_eq!(p.horizon, Millis::from_secs(25));
    // New log settings are not a timed command: they start the log over from time zero, so
    // they stand, and only the hot key given after them at 35 s is forgotten.
    assert!(panels.given(Panel::Log).is_empty());
}

#[test]
fn a_panel_command_a_world_refuses_is_named_and_changes_nothing() {
    let p = Rc::new(Playground::from_query("s=pizza-shop"));
    let p = p.reduce(Action::Panel(
        Panel::Exchanges,
        PanelAction::Command(PanelCommand::Publish {
            exchange: "no-such-exchange".into(),
            key: "x".into(),
        }),
    ));
    let error = p.error.clone().expect("refused");
    assert!(error.contains("no-such-exchange"), "{error}");
    assert!(p.panels.borrow().given(Panel::Exchanges).is_empty());
    // A link with a command its panel refuses opens without it, and says which.
    let q = Playground::from_query("s=pizza-shop&px=1000.Pnope:x~2000.T0-a");
    let said: Vec<String> = q.notices.iter().map(|n| n.to_string()).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said.iter()
            .all(|s| s.starts_with("px: expected a command this panel accepts")),
        "{said:?}"
    );
}

/// The checkpoint of a lesson on a panel is judged on that panel's world, at the checkpoint.
#[test]
fn a_log_lesson_is_judged_on_its_panel_at_the_checkpoint() {
    let mut p = Rc::new(Playground::from_query("l=rebalance-skip"));
    let until = p.lesson.unwrap().checkpoint.until;
    p = p.reduce(Action::Predict("skipped".into()));
    for _ in 0..10_000 {
        if p.check.as_ref().is_some_and(|c| c.verdict.is_some()) {
            break;
        }
        // Paused at one of the lesson's moments: Play goes on.
        if !p.playing {
            p = p.reduce(Action::TogglePlay);
        }
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    let verdict = p.check.as_ref().and_then(|c| c.verdict.clone()).unwrap();
    assert_eq!(verdict.at, until);
    assert!(verdict.correct(), "{verdict:?}");
    assert_eq!(p.panels.borrow().world(Panel::Log).unwrap().now(), until);
}

/// A new seed starts every panel over from it, and the log keeps the settings chosen for it.
#[test]
fn starting_over_with_a_new_seed_keeps_the_logs_settings() {
    let p = session();
    let mut scenario = (*p.scenario).clone();
    scenario.seed += 1;
    let p = p.reduce(Action::Reset(Box::new(scenario)));
    assert_eq!(now(&p), Millis::ZERO);
    let panels = p.panels.borrow();
    let Spec::Log(sc) = panels.spec(Panel::Log) else {
        panic!("the log panel runs a log")
    };
    assert_eq!(sc.topic.partitions, 6, "the chosen partitions stay");
    assert_eq!(sc.seed, p.scenario.seed, "from the new seed");
    assert!(Panel::ALL.iter().all(|&q| panels.given(q).is_empty()));
}

/// The log panel runs `scenarios/orders-log.json`: what `build.rs` wrote reads back as the
/// file's log system (its topic, groups and producer), and a new seed changes only the seed.
#[test]
fn the_log_panel_runs_its_scenario_file() {
    let file = std::fs::read_to_string("scenarios/orders-log.json").expect("the file");
    let file = queue_engine::ScenarioV2::from_json(&file).expect("reads");
    let system = file
        .plan()
        .expect("plans")
        .log_system()
        .expect("a log system");
    assert_eq!(queue_playground::scenarios::log_system(file.seed), system);
    let p = Playground::from_query("s=orders-log");
    let panels = p.panels.borrow();
    let Spec::Log(sc) = panels.spec(Panel::Log) else {
        panic!("the log panel runs a log")
    };
    assert_eq!(
        **sc,
        queue_engine::stream::StreamScenario {
            seed: p.scenario.seed,
            ..system
        }
    );
}

/// A link copied after going back opens at that moment, with the panels' later commands still
/// ahead on the scrub bar, and playing on reaches the same numbers as the original run.
#[test]
fn a_link_from_the_past_keeps_the_panels_later_commands_ahead() {
    let p = session().reduce(Action::Seek(Millis::from_secs(25)));
    let q = Rc::new(Playground::from_query(&p.link()));
    assert!(q.notices.is_empty(), "{:?}", q.notices);
    assert_eq!(now(&q), Millis::from_secs(25));
    assert_eq!(numbers(&q), numbers(&p));
    assert_eq!(
        q.horizon,
        Millis::from_secs(35),
        "the take at 35 s is still ahead"
    );
    let (p, q) = (
        p.reduce(Action::Seek(Millis::from_secs(35))),
        q.reduce(Action::Seek(Millis::from_secs(35))),
    );
    assert_eq!(numbers(&q), numbers(&p));
}

/// A panel scrolled out of view keeps showing the moment it left, however long the run plays,
/// and shows the playground's time again the moment it is seen; the others follow the clock.
#[test]
fn a_panel_out_of_view_waits_and_catches_up_when_seen() {
    let mut p = Rc::new(Playground::new(Default::default()));
    p = p.reduce(Action::SetPlaying(true));
    for _ in 0..20 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    let left = p.panel_time(Panel::Exchanges);
    assert!(left > Millis::ZERO);
    p = p.reduce(Action::Seen(Some(Panel::Exchanges), false));
    for _ in 0..20 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    assert_eq!(
        p.panel_time(Panel::Exchanges),
        left,
        "nothing redrawn out of view"
    );
    assert!(
        p.panel_time(Panel::FanOut) > left,
        "a panel in view follows the clock"
    );
    // Anything but a tick shows the moment once, out of view too, so no panel shows a past
    // that was forgotten; playing on, it waits again.
    p = p.reduce(Action::SetSpeed(2.0));
    let acted = p.panel_time(Panel::Exchanges);
    assert_eq!(acted, now(&p));
    for _ in 0..6 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    assert_eq!(p.panel_time(Panel::Exchanges), acted);
    p = p.reduce(Action::Seen(Some(Panel::Exchanges), true));
    assert_eq!(p.panel_time(Panel::Exchanges), p.panel_time(Panel::FanOut));
    assert!(p.panel_time(Panel::Exchanges) > acted);
}

/// Ticks redraw a panel when its own time moves, not on every tick: the handle a panel
/// compares changes only with what was done, never with the clock.
#[test]
fn ticks_leave_the_panels_handle_alone() {
    let mut p = Rc::new(Playground::new(Default::default()));
    p = p.reduce(Action::SetPlaying(true));
    let acted = p.acted;
    for _ in 0..9 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    assert_eq!(p.acted, acted);
    p = give(p, Panel::Redis, PanelCommand::Crash { consumer: 1 });
    assert!(p.acted > acted);
}

/// The event log out of view keeps the rows it showed while the run plays on, and is brought
/// up to date by any action and the moment it is seen.
#[test]
fn the_event_log_out_of_view_waits_too() {
    let mut p = Rc::new(Playground::new(Default::default()));
    p = p.reduce(Action::SetPlaying(true));
    p = p.reduce(Action::Seen(None, false));
    let shown = p.log_version();
    for _ in 0..9 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    assert_eq!(p.log_version(), shown, "no redraw out of view");
    assert!(p.panel_version > shown, "the charts moved on");
    p = p.reduce(Action::SetSpeed(2.0));
    assert_eq!(p.log_version(), p.panel_version, "an action shows it once");
    let acted = p.log_version();
    for _ in 0..9 {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    assert_eq!(p.log_version(), acted);
    p = p.reduce(Action::Seen(None, true));
    assert_eq!(p.log_version(), p.panel_version);
    assert!(p.log_version() > acted);
}

/// A lesson on the broker or the stream runs the example file as it is: its `scenario` must be
/// an empty object, and anything else is refused with what was given.
#[test]
fn a_broker_or_stream_lesson_takes_an_empty_scenario_and_nothing_else() {
    use queue_playground::panels::Model;
    for model in [Model::Exchanges, Model::Redis] {
        for empty in ["{}", " { } "] {
            assert!(
                matches!(
                    Spec::parse(model, empty),
                    Ok(Some(
                        Spec::Exchanges { scripted: true } | Spec::Redis { scripted: true }
                    ))
                ),
                "{empty}"
            );
        }
        for other in [r#"{"seed":1}"#, "[]", "null", "7"] {
            let refused = Spec::parse(model, other).expect_err(other);
            assert_eq!(
                refused,
                format!("scenario: expected {{}} (this model runs its example file as it is); got {other}")
            );
        }
    }
}
