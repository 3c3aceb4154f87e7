//! Every lesson is held to the engine: it parses, its scenario is valid, and at the checkpoint's
//! time exactly one choice is true, the one pinned below. A lesson whose text promises
//! something the engine does not do fails here, not in front of a learner.

use queue_engine::Sim;
use queue_playground::lessons::{self, Lesson, SOURCES};

/// The choice the engine's numbers must pick for each lesson (what the lesson teaches).
const EXPECTED: &[(&str, &str)] = &[
    ("kitchen-offline", "drained"),
    ("http-vs-queue", "errors"),
    ("friday-rush", "waiting"),
    ("scale-consumers", "holds"),
    ("consumer-lag", "trend"),
    ("poison-pill", "forever"),
    ("dlq-redrive", "three"),
    ("batch-failure", "twice"),
    ("throw-vs-return", "split"),
    ("retry-backoff", "dlq"),
    ("visibility-timeout", "twice"),
    ("delivery-guarantees", "lost"),
    ("ordering", "group-waits"),
    ("backpressure", "refused"),
    ("delay-queue", "none"),
    ("cloudevents", "dedup"),
    ("reply-to", "each"),
    ("tracing", "long"),
];

fn parsed() -> Vec<Lesson> {
    SOURCES
        .iter()
        .map(|(name, text)| {
            let lesson =
                lessons::parse(text).unwrap_or_else(|e| panic!("lessons/{name}.json: {e}"));
            assert_eq!(lesson.id, *name, "file name and id agree");
            lesson
        })
        .collect()
}

fn run(lesson: &Lesson) -> Sim {
    let scenario = lesson
        .scenario()
        .unwrap_or_else(|e| panic!("{}: scenario invalid: {e}", lesson.id));
    let mut sim = Sim::new(scenario).expect("valid");
    sim.advance_to(lesson.checkpoint.until);
    sim
}

#[test]
fn every_lesson_parses_and_all_of_them_load() {
    let lessons = parsed();
    assert_eq!(
        lessons::all().len(),
        lessons.len(),
        "none skipped at runtime"
    );
    let mut ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), lessons.len(), "ids are unique");
    assert_eq!(
        EXPECTED.len(),
        lessons.len(),
        "every lesson has a pinned answer"
    );
}

#[test]
fn the_engine_picks_exactly_the_pinned_choice_for_every_lesson() {
    for lesson in parsed() {
        let sim = run(&lesson);
        let numbers = lessons::numbers(&sim);
        let matching: Vec<&str> = lesson
            .matching(&numbers)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let expected = EXPECTED
            .iter()
            .find(|(id, _)| *id == lesson.id)
            .map(|(_, c)| *c)
            .unwrap_or_else(|| panic!("{}: no pinned answer", lesson.id));
        assert_eq!(
            matching,
            vec![expected],
            "{}: numbers at {}: {numbers:?}",
            lesson.id,
            lesson.checkpoint.until
        );
        let verdict = lesson.verdict(&sim, expected);
        assert!(verdict.correct());
        assert!(
            !verdict.text.contains('{'),
            "{}: reveal filled: {}",
            lesson.id,
            verdict.text
        );
    }
}

#[test]
fn every_condition_and_placeholder_names_a_real_number() {
    let known = lessons::numbers(&Sim::new(Default::default()).unwrap());
    for lesson in parsed() {
        let cp = &lesson.checkpoint;
        assert!(
            cp.choices.len() >= 2,
            "{}: a prediction needs choices",
            lesson.id
        );
        assert!(!lesson.steps.is_empty(), "{}: steps", lesson.id);
        for choice in &cp.choices {
            assert!(
                !choice.when.is_empty(),
                "{}/{}: a condition",
                lesson.id,
                choice.id
            );
            for w in &choice.when {
                assert!(
                    known.contains_key(&w.metric),
                    "{}: unknown metric {}",
                    lesson.id,
                    w.metric
                );
                assert!(
                    w.at_least.is_some() || w.at_most.is_some(),
                    "{}: empty bound",
                    lesson.id
                );
            }
        }
        let filled = lessons::fill(&cp.reveal, &known);
        assert!(
            !filled.contains('{'),
            "{}: unknown placeholder in {filled}",
            lesson.id
        );
    }
}

#[test]
fn a_wrong_prediction_is_reported_as_wrong_with_the_real_answer() {
    let lesson = lessons::by_id("poison-pill").unwrap();
    let sim = run(lesson);
    let verdict = lesson.verdict(&sim, "dlq");
    assert!(!verdict.correct());
    assert_eq!(verdict.actual.as_deref(), Some("forever"));
    assert_eq!(verdict.at, lesson.checkpoint.until);
}

#[test]
fn fill_leaves_unknown_names_and_stray_braces_as_written() {
    let mut n = lessons::Numbers::new();
    n.insert("a".into(), 3.0);
    n.insert("b".into(), 2.5);
    assert_eq!(lessons::fill("{a} and {b} {c} {", &n), "3 and 2.5 {c} {");
}

#[test]
fn the_run_speed_reaches_the_checkpoint_in_seconds_and_never_slows_down() {
    use queue_engine::Millis;
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(120_000), 1.0, 8000.0),
        100.0
    );
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(8_000), 1.0, 8000.0),
        1.0
    );
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(8_000), 1000.0, 8000.0),
        1000.0
    );
}
