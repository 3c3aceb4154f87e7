//! The lesson writer on a system of one's own (the studio's, feature `studio`): the lesson
//! carries the system's plan as the planner wrote it (`"model": "world"`), so it opens with no
//! planner; it is judged on that system's own nodes; and a plan edited by hand into one that
//! points past its own nodes is named, not run.
//!
//! Run by `cargo xtask test` as `cargo test -p queue-playground --features studio --test
//! authoring_own`; without the feature there is nothing here.
#![cfg(feature = "studio")]

use queue_engine::{Millis, ScenarioV2};
use queue_playground::authoring::{verdict, Draft, System};
use queue_playground::lessons;
use queue_playground::panels::{Model, Panel};

mod writer;
use writer::{names, write};

/// A system no built-in lesson runs: the video-upload fan-out without its moderation queue,
/// as the studio's planner plans the file and sends the plan to the page.
fn own() -> System {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/video-upload.json"
    ))
    .unwrap();
    let file = ScenarioV2::from_json(&text).expect("the example reads");
    System {
        model: Model::World,
        scenario: serde_json::to_string(&file.plan().expect("it plans")).unwrap(),
    }
}

fn draft(choices: Vec<(&str, &str)>) -> Draft {
    Draft {
        title: "Where do the bad uploads go?".into(),
        goal: "Watch each subscription's dead-letter queue.".into(),
        steps: "Press Play.".into(),
        question: "After five minutes, has the moderation queue dead-lettered anything?".into(),
        until: "5m".into(),
        choices: choices
            .into_iter()
            .map(|(l, w)| (l.to_owned(), w.to_owned()))
            .collect(),
        reveal: "{moderation_dead_lettered} dead-lettered.".into(),
    }
}

/// The lesson both the writer's test and the kept file ask: has moderation dead-lettered
/// anything after five minutes?
fn dead_letters_draft() -> Draft {
    draft(vec![
        ("Some", "moderation_dead_lettered >= 1"),
        ("None", "moderation_dead_lettered <= 0"),
    ])
}

#[test]
fn a_lesson_on_ones_own_system_runs_it_and_is_judged_on_its_nodes() {
    let system = own();
    let names = names(&system);
    for node in ["moderation_dead_lettered", "thumbnail_waiting", "published"] {
        assert!(names.iter().any(|n| n == node), "{node} in {names:?}");
    }
    let d = dead_letters_draft();
    let text = write(&d, &system).expect("written");
    assert!(text.contains("\"model\": \"world\""), "{text}");
    let lesson = lessons::parse(&text).expect("the studio reads what the writer writes");
    assert_eq!(lesson.model, Model::World);
    assert_eq!(Panel::of(lesson.model), Some(Panel::Own));
    assert!(lesson.needs().contains(&"own"), "{:?}", lesson.needs());
    let (panel, _) = lesson.panel().expect("the plan opens with no planner");
    assert_eq!(panel, Panel::Own);
    let ready = verdict(&lesson).expect("exactly one choice is true");
    assert!(ready.contains("moderation_dead_lettered = "), "{ready}");

    // The judge reads the same world the canvas runs: the count it reports is the engine's.
    let numbers = lesson.numbers_at_checkpoint().unwrap();
    let mut world = queue_engine::World::new(
        queue_engine::topology::plan::Plan::from_json(&system.scenario).unwrap(),
    )
    .unwrap();
    world.advance_to(Millis::from_mins(5));
    let moderation = world
        .members()
        .iter()
        .enumerate()
        .find(|(i, _)| world.member_nodes(*i as u16).name() == "moderation")
        .map(|(_, m)| m.counts().dead_lettered)
        .unwrap();
    assert_eq!(
        numbers.get("moderation_dead_lettered"),
        Some(&(moderation as f64))
    );
}

#[test]
fn a_hand_edited_plan_that_points_past_its_nodes_is_named_not_run() {
    let system = own();
    let d = draft(vec![("Some", "published >= 1"), ("None", "published <= 0")]);
    let text = write(&d, &system).unwrap();
    // The first producer's routes, with a member the system does not have.
    let broken = text.replacen("\"routes\":[[", "\"routes\":[[40,", 1);
    assert_ne!(broken, text, "the plan has routes to edit");
    let lesson = lessons::parse(&broken).expect("still a lesson file");
    let why = verdict(&lesson).unwrap_err();
    assert!(
        why.starts_with("scenario: routes: expected one of the system's queues and logs;"),
        "{why}"
    );
    assert!(why.ends_with("got 40"), "{why}");
    assert!(
        lesson.panel().is_none(),
        "a plan that does not run is not opened"
    );
}

/// A lesson file on a system of one's own as this studio wrote it on 2026-12-07, kept as it was
/// written (`dead_letters_draft` on the video-upload plan). Its system is the engine's plan, so a
/// change to the plan's format would stop course authors' files like it from opening. It must
/// keep opening, and give the numbers the same lesson written today gives. When the format
/// has to change, this file is what the reader of older plans is for: do not write it again.
#[test]
fn a_lesson_written_by_an_earlier_studio_still_opens_with_the_same_numbers() {
    let kept = include_str!("fixtures/own-system-lesson-2026-12-07.json");
    let kept = lessons::parse(kept).expect("an earlier studio's lesson file reads");
    assert_eq!(kept.model, Model::World);
    let (panel, _) = kept.panel().expect("it opens with no planner");
    assert_eq!(panel, Panel::Own);
    let d = dead_letters_draft();
    let today = lessons::parse(&write(&d, &own()).unwrap()).unwrap();
    let numbers = kept.numbers_at_checkpoint().expect("its system runs");
    assert!(
        numbers.get("moderation_dead_lettered").is_some(),
        "{numbers:?}"
    );
    assert_eq!(numbers, today.numbers_at_checkpoint().unwrap());
    assert_eq!(verdict(&kept), verdict(&today));
}
