//! The reducer, natively: it does no I/O (storage, the console and the address are the app's
//! edges), so a lesson's whole flow, time travel and links run here without a browser.
// The lessons are read from the embedded files (not with `fetched-lessons`, the page's build).
#![cfg(not(any(target_arch = "wasm32", feature = "fetched-lessons")))]

use std::rc::Rc;

use queue_engine::{Command, Millis};
use queue_playground::state::{Action, Playground};
use yew::Reducible;

fn act(p: Rc<Playground>, a: Action) -> Rc<Playground> {
    p.reduce(a)
}

fn now(p: &Playground) -> Millis {
    p.world.borrow().now()
}

/// A lesson opens paused; a prediction plays it to the checkpoint, which stops the run exactly
/// there, judges on the engine's numbers and remembers the answer.
#[test]
fn a_prediction_plays_to_the_checkpoint_and_is_judged_there() {
    let mut p = Rc::new(Playground::from_query("l=dlq-redrive"));
    let lesson = p.lesson.expect("the lesson opens");
    assert!(!p.playing, "a lesson waits for the prediction");
    assert!(p.progress.is_empty(), "no storage is read here");
    let numbers = lesson.numbers_at_checkpoint().unwrap();
    let right = lesson.matching(&numbers)[0].id.clone();
    p = act(p, Action::Predict(right.clone()));
    assert!(p.playing);
    for _ in 0..10_000 {
        if p.check.as_ref().is_some_and(|c| c.verdict.is_some()) {
            break;
        }
        if !p.playing {
            // A moment on the way (the next test follows those): Play goes on.
            p = act(p, Action::TogglePlay);
        }
        p = act(p, Action::Tick { real_ms: 33.0 });
    }
    assert!(!p.playing, "the run pauses at the checkpoint");
    assert_eq!(now(&p), lesson.checkpoint.until);
    let verdict = p.check.as_ref().and_then(|c| c.verdict.clone()).unwrap();
    assert_eq!(verdict.at, lesson.checkpoint.until);
    assert!(verdict.correct(), "{verdict:?}");
    assert_eq!(verdict.predicted, right);
    assert_eq!(p.progress.get("dlq-redrive"), Some(true));
}

/// A lesson's run pauses exactly at each of its moments, so the learner sees the thing happen;
/// Play goes on to the next, and the verdict is still taken at the checkpoint. On the way a
/// step stops at a moment too.
#[test]
fn a_prediction_run_pauses_at_each_moment_then_is_judged() {
    for id in ["kitchen-offline", "rebalance-skip"] {
        let mut p = Rc::new(Playground::from_query(&format!("l={id}")));
        let lesson = p.lesson.unwrap();
        assert!(!lesson.moments.is_empty(), "{id} has moments");
        let numbers = lesson.numbers_at_checkpoint().unwrap();
        let right = lesson.matching(&numbers)[0].id.clone();
        p = act(p, Action::Predict(right));
        let mut stops = Vec::new();
        while p.check.as_ref().is_some_and(|c| c.verdict.is_none()) {
            for _ in 0..10_000 {
                if !p.playing {
                    break;
                }
                p = act(p, Action::Tick { real_ms: 100.0 });
            }
            assert!(!p.playing);
            stops.push(now(&p));
            if p.check.as_ref().is_some_and(|c| c.verdict.is_none()) {
                assert_eq!(lesson.moment(now(&p)).map(|m| m.at), Some(now(&p)));
                p = act(p, Action::TogglePlay);
            }
        }
        let mut expected: Vec<Millis> = lesson.moments.iter().map(|m| m.at).collect();
        expected.push(lesson.checkpoint.until);
        assert_eq!(stops, expected, "{id}");
        let verdict = p.check.as_ref().and_then(|c| c.verdict.clone()).unwrap();
        assert!(verdict.correct(), "{id}: {verdict:?}");
    }
    let mut p = Rc::new(Playground::from_query("l=kitchen-offline"));
    let first = p.lesson.unwrap().moments[0].at;
    p = act(p, Action::Predict("drained".into()));
    p = act(p, Action::SetPlaying(false));
    while now(&p) < first {
        p = act(p, Action::Step);
    }
    assert_eq!(now(&p), first, "a step stops on the moment");
}

/// Stepping event by event never passes a pending checkpoint: the step that would is the
/// one that stops on it.
#[test]
fn a_step_stops_on_the_checkpoint() {
    let mut p = Rc::new(Playground::from_query("l=poison-pill"));
    let until = p.lesson.unwrap().checkpoint.until;
    p = act(p, Action::Predict("forever".into()));
    p = act(p, Action::SetPlaying(false));
    let mut steps = 0;
    while p.check.as_ref().is_some_and(|c| c.verdict.is_none()) {
        p = act(p, Action::Step);
        assert!(now(&p) <= until);
        steps += 1;
        assert!(steps < 100_000, "never reached the checkpoint");
    }
    assert_eq!(now(&p), until);
}

/// A background tab's one huge tick moves at most one real second.
#[test]
fn one_tick_never_moves_more_than_a_real_second() {
    let mut p = Rc::new(Playground::from_query("s=pizza-shop"));
    p = act(p, Action::SetSpeed(1.0));
    p = act(p, Action::Tick { real_ms: 60_000.0 });
    assert_eq!(now(&p), Millis::from_secs(1));
}

/// Acting in the past starts a new future: later history is forgotten, and a link copied
/// then reopens at the moment shown, with the same numbers.
#[test]
fn acting_in_the_past_forgets_the_old_future_and_its_link_reopens_there() {
    let mut p = Rc::new(Playground::from_query("s=pizza-shop"));
    p = act(p, Action::SetSpeed(1000.0));
    let offline = Command::SetOnline {
        consumer: None,
        online: false,
    };
    for _ in 0..10 {
        p = act(p, Action::Tick { real_ms: 33.0 });
    }
    p = act(p, Action::Command(offline.clone()));
    for _ in 0..30 {
        p = act(p, Action::Tick { real_ms: 33.0 });
    }
    p = act(p, Action::Command(Command::ScaleConsumers { count: 3 }));
    assert_eq!(p.history.len(), 2);
    let horizon = p.horizon;
    let at_horizon = p.queue().counts().clone();
    let back = Millis(p.history[0].0 .0 + 5_000);
    p = act(p, Action::Seek(back));
    assert_eq!(now(&p), back);
    assert_eq!(p.horizon, horizon, "seeking keeps the recorded future");
    let link = p.link();
    let reopened = Playground::from_query(link.trim_start_matches('?'));
    assert_eq!(now(&reopened), back, "{link}");
    assert_eq!(
        reopened.queue().counts(),
        p.queue().counts(),
        "the same moment, the same numbers"
    );
    // The recorded future came with the link: going forward to its end shows the same run.
    let reopened = act(Rc::new(reopened), Action::Seek(horizon));
    assert_eq!(now(&reopened), horizon);
    assert_eq!(reopened.queue().counts(), &at_horizon);
    p = act(p, Action::Command(Command::ScaleConsumers { count: 5 }));
    assert_eq!(p.history.len(), 2, "the later command is forgotten");
    assert_eq!(p.history[0].1, offline);
    assert_eq!(p.horizon, back);
}

/// A command the scenario refuses leaves the run and its history as they were, and says why.
#[test]
fn a_refused_command_changes_nothing_and_says_why() {
    let p = Rc::new(Playground::from_query("s=pizza-shop"));
    let p = act(p, Action::Command(Command::ScaleConsumers { count: 500 }));
    assert!(p.history.is_empty());
    let error = p.error.clone().unwrap();
    assert!(error.contains("count"), "{error}");
}

/// A lesson whose file cannot be read leaves the run as it was, with a notice that names the
/// file and the reason (the page fetches lessons when opened; lesson_files.rs).
#[test]
fn a_lesson_that_fails_to_load_keeps_the_run_and_says_why() {
    let mut p = Rc::new(Playground::from_query("l=delay-queue"));
    let failed =
        || Action::LessonFailed("ordering".into(), "lessons/ordering.json: HTTP 404".into());
    p = act(p, failed());
    assert!(p.notices.is_empty(), "nobody was waiting for that lesson");
    p = waiting_for(p, "ordering");
    let before = p.lesson.map(|l| l.id.clone());
    p = act(p, failed());
    assert_eq!(
        p.lesson.map(|l| l.id.clone()),
        before,
        "the open lesson stays"
    );
    assert!(p.fetching.is_none());
    let notices: Vec<String> = p.notices.iter().map(ToString::to_string).collect();
    assert_eq!(
        notices,
        [
            r#"lesson: expected the lesson file lessons/ordering.json; got "lessons/ordering.json: HTTP 404" (ignored)"#
        ]
    );
}

/// The state as it is while `id`'s file is on its way (natively every lesson is embedded,
/// so nothing is ever fetched here).
fn waiting_for(p: Rc<Playground>, id: &str) -> Rc<Playground> {
    let mut waiting = (*p).clone();
    waiting.fetching = Some(Rc::from(id));
    Rc::new(waiting)
}

/// A fetched lesson opens only if it is still the one asked for: picking another while it
/// loaded wins, whichever file arrives last.
#[test]
fn a_fetched_lesson_opens_only_if_it_is_still_wanted() {
    let mut p = Rc::new(Playground::from_query("l=delay-queue"));
    p = act(p, Action::LessonFetched("ordering".into()));
    assert_eq!(p.lesson.unwrap().id, "delay-queue", "not asked for");
    p = waiting_for(p, "ordering");
    p = act(p, Action::LessonFetched("poison-pill".into()));
    assert_eq!(
        p.lesson.unwrap().id,
        "delay-queue",
        "another was asked for since"
    );
    assert_eq!(p.fetching.as_deref(), Some("ordering"));
    p = act(p, Action::LessonFetched("ordering".into()));
    assert_eq!(p.lesson.unwrap().id, "ordering");
    assert!(p.fetching.is_none());
    assert!(!p.playing, "a lesson opens paused, as from the menu");
}

/// Every lesson the index lists is there to open, in the index's order, with its title.
#[test]
fn the_lesson_index_matches_the_lesson_files() {
    use queue_playground::lessons;
    let titles: Vec<(String, String)> = lessons::all()
        .iter()
        .map(|l| (l.id.clone(), l.title.clone()))
        .collect();
    let index: Vec<(String, String)> = lessons::INDEX
        .iter()
        .map(|(i, t)| (i.to_string(), t.to_string()))
        .collect();
    assert_eq!(titles, index);
    assert!(lessons::store(r#"{"id":"nope"}"#).is_err());
    let stranger = lessons::SOURCES[0]
        .1
        .replace("kitchen-offline", "not-a-lesson");
    let refused = lessons::store(&stranger).unwrap_err();
    assert!(
        refused.starts_with("id: expected one of kitchen-offline, "),
        "{refused}"
    );
    assert!(refused.ends_with(r#"got "not-a-lesson""#), "{refused}");
}
