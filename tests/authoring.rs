//! The lesson writer's rules, natively: what it writes is a lesson file the page reads, on
//! every system; each refused field is named with what was expected and what was given; a
//! written lesson is held to "exactly one choice is true" by the same run the built-in lessons
//! get; and a lesson of the author's own never takes a built-in lesson's place.

use queue_engine::Scenario;
use queue_playground::authoring::{id_of, verdict, with_seed, Draft, System};
use queue_playground::lessons;
use queue_playground::panels::{Model, Panel};
use queue_playground::permalink;
use queue_playground::scenarios::BUILT_IN;

mod writer;
use writer::{names, write};

/// A draft on the pizza shop whose one true choice the engine decides: with two kitchen
/// workers nothing is lost in a minute, and orders are processed.
fn draft() -> Draft {
    Draft {
        title: "Does the kitchen keep up?".into(),
        goal: "Two workers drain the \"orders\" queue.".into(),
        steps: "Watch Waiting.\n\nPress Play.".into(),
        question: "After a minute, is anything lost?".into(),
        until: "1m".into(),
        choices: vec![
            (
                "Nothing is lost".into(),
                "lost <= 0 and processed >= 1".into(),
            ),
            ("Orders are lost".into(), "lost >= 1".into()),
            (String::new(), String::new()),
        ],
        reveal: "{processed} processed, {lost} lost.".into(),
    }
}

fn pizza() -> System {
    System::open(None, "pizza-shop", 42)
}

#[test]
fn a_written_lesson_is_a_lesson_file_the_page_reads_and_the_engine_judges() {
    let text = write(&draft(), &pizza()).expect("a whole draft is written");
    let lesson = lessons::parse(&text).expect("the page reads what the writer writes");
    assert_eq!(lesson.id, "my-does-the-kitchen-keep-up");
    assert_eq!(lesson.title, "Does the kitchen keep up?");
    assert_eq!(lesson.goal, "Two workers drain the \"orders\" queue.");
    assert_eq!(lesson.steps, ["Watch Waiting.", "Press Play."]);
    assert_eq!(lesson.checkpoint.until, queue_engine::Millis(60_000));
    // The empty third row is skipped; conditions keep their bounds.
    assert_eq!(lesson.checkpoint.choices.len(), 2);
    let first = &lesson.checkpoint.choices[0].when;
    assert_eq!(
        (first[0].metric.as_str(), first[0].at_most),
        ("lost", Some(0.0))
    );
    assert_eq!(
        (first[1].metric.as_str(), first[1].at_least),
        ("processed", Some(1.0))
    );
    // It runs the pizza shop as its file defines it, from the seed in force.
    let sc = lesson.scenario().expect("the scenario reads");
    assert_eq!(
        sc,
        queue_playground::scenarios::by_name("pizza-shop").unwrap()
    );
    let said = verdict(&lesson).expect("exactly one choice is true");
    assert!(said.contains("\"Nothing is lost\""), "{said}");
    assert!(said.contains("lost = 0"), "{said}");
}

#[test]
fn every_system_in_the_menu_can_be_written_on() {
    let mut systems: Vec<System> = BUILT_IN
        .iter()
        .map(|(name, _)| System::open(None, name, 7))
        .collect();
    systems.extend(
        Panel::ALL
            .into_iter()
            .map(|p| System::open(Some(p), p.system(), 7)),
    );
    for system in systems {
        let names = names(&system);
        let first = names.first().expect("every system has numbers").clone();
        let d = Draft {
            choices: vec![
                ("Some".into(), format!("{first} >= 1")),
                ("None".into(), format!("{first} <= 0")),
            ],
            ..draft()
        };
        let text = write(&d, &system).unwrap_or_else(|e| panic!("{system:?}: {e}"));
        let lesson = lessons::parse(&text).unwrap_or_else(|e| panic!("{system:?}: {e}"));
        assert_eq!(lesson.model, system.model);
        // A count is either at least one or not: exactly one of the two is true.
        verdict(&lesson).unwrap_or_else(|e| panic!("{system:?}: {e}"));
    }
}

#[test]
fn the_seed_in_force_is_the_lessons_seed_and_nothing_else_changes() {
    for (name, text) in BUILT_IN {
        let before = Scenario::from_json(text).expect("built in");
        let after = Scenario::from_json(&with_seed(text, 123_456)).expect("still reads");
        assert_eq!(after.seed, 123_456, "{name}");
        assert_eq!(
            Scenario {
                seed: before.seed,
                ..after
            },
            before,
            "{name}"
        );
    }
    assert_eq!(with_seed("{\"a\":1}", 5), "{\"seed\":5,\"a\":1}");
    let log = System::open(Some(Panel::Log), "orders-log", 9);
    assert_eq!(log.model, Model::Log);
    assert!(log.scenario.starts_with("{\"seed\":9,"), "{}", log.scenario);
}

#[test]
fn each_refused_field_is_named_with_what_was_expected_and_given() {
    let cases: Vec<(Draft, &str)> = vec![
        (Draft { title: " ".into(), ..draft() }, "title: expected some text; got \" \""),
        (Draft { steps: "\n \n".into(), ..draft() }, "steps: expected at least one step"),
        (
            Draft { until: "soon".into(), ..draft() },
            "until: expected a duration after the start, like 1m or 90s; got \"soon\"",
        ),
        (Draft { until: "0s".into(), ..draft() }, "until: expected a duration after the start"),
        (
            Draft {
                choices: vec![("A".into(), "lost > 0".into()), ("B".into(), "lost <= 0".into())],
                ..draft()
            },
            "choice 1 when: expected conditions like \"waiting >= 10 and lost <= 0\"; got \"lost > 0\"",
        ),
        (
            Draft {
                choices: vec![("A".into(), "lots >= 1".into()), ("B".into(), "lost <= 0".into())],
                ..draft()
            },
            "choice 1 when: expected a number of this system: ",
        ),
        (
            Draft {
                choices: vec![("A".into(), "lost >= 1".into()), ("B".into(), "lost <= many".into())],
                ..draft()
            },
            "choice 2 when: expected a number; got \"many\"",
        ),
        (
            Draft {
                choices: vec![("".into(), "lost >= 1".into()), ("B".into(), "lost <= 0".into())],
                ..draft()
            },
            "choice 1: expected some text",
        ),
        (
            Draft { choices: vec![("A".into(), "lost >= 1".into())], ..draft() },
            "choices: expected at least two choices, each a label and a condition; got \"1\"",
        ),
        (Draft { reveal: String::new(), ..draft() }, "reveal: expected some text"),
    ];
    for (d, said) in cases {
        let e = write(&d, &pizza()).expect_err(said);
        assert!(e.starts_with(said), "{e}\n  should start with: {said}");
    }
    // An unknown number lists the ones the system has.
    let d = Draft {
        choices: vec![
            ("A".into(), "lots >= 1".into()),
            ("B".into(), "lost <= 0".into()),
        ],
        ..draft()
    };
    let e = write(&d, &pizza()).unwrap_err();
    assert!(e.contains("waiting") && e.ends_with("got \"lots\""), "{e}");
}

#[test]
fn a_lesson_with_no_true_choice_or_two_is_not_ready() {
    let none = Draft {
        choices: vec![
            ("Lost".into(), "lost >= 1".into()),
            ("Huge".into(), "processed >= 1000000".into()),
        ],
        ..draft()
    };
    let lesson = lessons::parse(&write(&none, &pizza()).unwrap()).unwrap();
    let e = verdict(&lesson).unwrap_err();
    assert!(
        e.starts_with("Not ready: at t = 1m00s no choice is true"),
        "{e}"
    );
    assert!(e.contains("lost = 0"), "{e}");

    let two = Draft {
        choices: vec![
            ("Any".into(), "processed >= 1".into()),
            ("Also".into(), "lost = 0".into()),
        ],
        ..draft()
    };
    let lesson = lessons::parse(&write(&two, &pizza()).unwrap()).unwrap();
    let e = verdict(&lesson).unwrap_err();
    assert!(e.contains("2 choices are true: \"Any\", \"Also\""), "{e}");
}

#[test]
fn an_authors_lesson_never_takes_a_built_in_lessons_place() {
    // Ids are links' lesson names: prefixed, short enough, plain.
    let id = id_of("Why does the poison pill come back, again and again, forever and ever?");
    assert!(id.starts_with("my-") && id.len() <= 40, "{id}");
    assert!(
        id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "{id}"
    );
    let built_in = lessons::INDEX[0].0;
    let text = write(&draft(), &pizza()).unwrap();
    let as_built_in = text.replace("my-does-the-kitchen-keep-up", built_in);
    let e = lessons::store_authored(&as_built_in).unwrap_err();
    assert!(e.starts_with("id: expected an id of your own"), "{e}");
    // A second version replaces the first.
    let first = lessons::store_authored(&text).expect("stored");
    assert_eq!(first.title, "Does the kitchen keep up?");
    lessons::store_authored(&text.replace("keep up?", "cope?")).expect("stored again");
    let kept = lessons::by_id("my-does-the-kitchen-keep-up").expect("kept");
    assert_eq!(kept.title, "Does the kitchen cope?");
    assert!(lessons::store_authored("{\"id\": 1}")
        .unwrap_err()
        .contains("expected a string"));
}

#[test]
fn a_link_carries_an_authors_lesson_file() {
    let (link, notices) = permalink::decode("l=my-lesson&lf=abc-_09XZ");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(link.lesson_file.as_deref(), Some("abc-_09XZ"));
    let back = permalink::encode(&link);
    assert!(back.contains("l=my-lesson&lf=abc-_09XZ"), "{back}");
    let (link, notices) = permalink::decode("l=my-lesson&lf=a%2Bb");
    assert_eq!(link.lesson_file, None);
    assert_eq!(notices[0].param, "lf");
    assert_eq!(notices[0].given, "a+b");
}

#[test]
fn the_playgrounds_own_page_says_where_a_lesson_of_ones_own_opens() {
    // Native builds are built as the page is, without the studio.
    let opened = queue_playground::state::Playground::from_query("l=my-lesson&lf=abc");
    let said: Vec<String> = opened.notices.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        said,
        ["lf: expected the studio page, studio/index.html, where lessons of one's own open; got \"this page\" (ignored)"]
    );
    assert!(opened.lesson.is_none());
}

#[test]
fn the_playgrounds_own_page_does_not_read_a_system_file_and_runs_the_pizza_shop() {
    // Native builds are built as the page is: no planner, no panel for a file, and `sf` is
    // a parameter it does not know (the studio's links are tested in
    // tests/e2e/system-file.test.mjs).
    let opened = queue_playground::state::Playground::from_query("s=your-file&sf=abc");
    let params: Vec<&str> = opened.notices.iter().map(|n| n.param.as_str()).collect();
    assert_eq!(params, ["sf", "s"], "{:?}", opened.notices);
    assert!(opened.notices[1].expected.starts_with("one of pizza-shop"));
    assert_eq!(opened.stage(), None);
    assert_eq!(&*opened.scenario_name, "pizza-shop");
}
