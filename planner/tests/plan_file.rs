//! The studio's planner reads what an author brings: every scenario file in the repository plans
//! to the plan the page runs for it, a wrong file is refused by field, and no text makes it
//! panic (a panic would kill the worker, and with it every later file).

use proptest::prelude::*;
use queue_engine::topology::plan::Plan;
use queue_engine::topology::scenario::ScenarioFile;
use queue_planner::{plan_file, MAX_FILE_BYTES};

fn scenario_files() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the scenarios folder")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "json").then(|| {
                let text = std::fs::read_to_string(&path).expect("readable");
                (path.display().to_string(), text)
            })
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_file_plans_to_the_plan_the_engine_makes_of_it() {
    let files = scenario_files();
    assert!(files.len() >= 10, "found {} files", files.len());
    for (path, text) in files {
        let json = plan_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let read = Plan::from_json(&json).unwrap_or_else(|e| panic!("{path}: {e}"));
        let direct = ScenarioFile::from_json(&text)
            .unwrap()
            .into_v2()
            .plan()
            .unwrap();
        assert_eq!(
            read, direct,
            "{path}: the page reads back the planned world"
        );
    }
}

#[test]
fn a_version_1_file_is_refused_with_how_to_convert_it() {
    let why = plan_file(r#"{"seed":9,"consumers":{"count":3}}"#).unwrap_err();
    assert!(why.contains("converts with `qsim convert FILE`"), "{why}");
    assert!(why.ends_with("got none"), "{why}");
}

#[test]
fn a_wrong_field_is_named_with_what_was_expected_and_given() {
    let why =
        plan_file(r#"{"version":2,"nodes":{"orders":{"queue":{"visibility_timeout":"soon"}}}}"#)
            .unwrap_err();
    assert!(
        why.starts_with("nodes.orders.queue.visibility_timeout: expected a duration"),
        "{why}"
    );
    let why = plan_file(
        r#"{"version":2,"nodes":{"p":{"producer":{}},"q":{"queue":{}}},"edges":[{"kind":"subscribe","from":"p","to":"q"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        why,
        r#"edges[0].from: expected a queue or log node (a subscribe edge joins queue or log → consumer); got "p", a producer"#
    );
    let why = plan_file(r#"{"version":3}"#).unwrap_err();
    assert!(why.starts_with("version: expected 2"), "{why}");
}

#[test]
fn a_file_too_long_to_be_a_scenario_is_refused_unread() {
    let text = format!("{{\"name\":\"{}\"}}", "x".repeat(MAX_FILE_BYTES));
    assert_eq!(
        plan_file(&text).unwrap_err(),
        "file: expected a scenario file of at most 256 kB; got 257 kB"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any text at all: an answer, never a panic.
    #[test]
    fn any_text_gets_an_answer(text in ".{0,200}") {
        let _ = plan_file(&text);
    }

    /// A real file with one character changed or cut: an answer, never a panic.
    #[test]
    fn any_damaged_file_gets_an_answer(which in 0usize..100, at in 0usize..3000, c in any::<char>(), cut in any::<bool>()) {
        let files = scenario_files();
        let (_, text) = &files[which % files.len()];
        let mut chars: Vec<char> = text.chars().collect();
        let at = at % chars.len();
        if cut { chars.truncate(at) } else { chars[at] = c }
        let _ = plan_file(&chars.into_iter().collect::<String>());
    }
}
