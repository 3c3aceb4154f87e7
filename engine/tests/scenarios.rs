//! Scenario files: defaults, precise validation errors (field, expected, given), unknown fields
//! rejected, no panic on any input, and every scenario in the repository runs through `qsim`.

use proptest::prelude::*;
use queue_engine::{Millis, Scenario, ScenarioError};

fn field_error(json: &str) -> (String, String, String) {
    match Scenario::from_json(json) {
        Err(ScenarioError::Field {
            path,
            expected,
            given,
        }) => (path, expected, given),
        other => panic!("expected a field error for {json}, got {other:?}"),
    }
}

#[test]
fn an_empty_object_is_the_sqs_default_pizza_shop() {
    let s = Scenario::from_json("{}").unwrap();
    assert_eq!(s, Scenario::default());
    assert_eq!(s.queue.visibility_timeout, Millis::from_secs(30));
    assert_eq!(s.queue.retention, Millis::from_secs(4 * 86_400));
    assert_eq!(queue_engine::DlqConfig::default().max_receive_count, 10);
    assert_eq!(queue_engine::DEDUP_WINDOW, Millis::from_mins(5));
}

#[test]
fn out_of_range_values_name_the_field_the_range_and_the_value() {
    let (path, expected, given) = field_error(r#"{"queue": {"visibility_timeout": "13h"}}"#);
    assert_eq!(path, "queue.visibility_timeout");
    assert!(
        expected.contains("0 ms") && expected.contains("12h"),
        "{expected}"
    );
    assert_eq!(given, "13h00m");
    let (path, _, given) = field_error(r#"{"producers": [{}, {"rate": -1}]}"#);
    assert_eq!((path.as_str(), given.as_str()), ("producers[1].rate", "-1"));
    let (path, expected, _) =
        field_error(r#"{"queue": {"kind": "fifo"}, "consumers": {"batch_size": 11}}"#);
    assert_eq!(path, "consumers.batch_size");
    assert!(expected.contains("1 to 10"));
    let (path, expected, _) =
        field_error(r#"{"queue": {"kind": "fifo"}, "producers": [{"delay": "5s"}]}"#);
    assert_eq!(path, "producers[0].delay");
    assert!(expected.contains("FIFO"));
}

/// semantics.md §1.5: a Lambda event source mapping takes batches of up to 10,000 messages
/// from a standard queue and 10 from a FIFO one, and waits 0 to 300 s to fill one, never on
/// FIFO.
#[test]
fn lambda_batches_follow_the_event_source_mapping_limits() {
    assert!(
        Scenario::from_json(r#"{"consumers": {"batch_size": 10000, "batch_window": "300s"}}"#)
            .is_ok()
    );
    let (path, expected, given) = field_error(r#"{"consumers": {"batch_size": 10001}}"#);
    assert_eq!(
        (path.as_str(), given.as_str()),
        ("consumers.batch_size", "10001")
    );
    assert!(expected.contains("10000"), "{expected}");
    let (path, _, _) = field_error(r#"{"consumers": {"batch_window": "301s"}}"#);
    assert_eq!(path, "consumers.batch_window");
    let (path, expected, _) =
        field_error(r#"{"queue": {"kind": "fifo"}, "consumers": {"batch_window": "1s"}}"#);
    assert_eq!(path, "consumers.batch_window");
    assert!(expected.contains("FIFO"), "{expected}");
}

/// semantics.md §1.1 and §6: a version 1 file's queue keeps messages up to 14 days on SQS and
/// up to 31 on a Pub/Sub subscription.
#[test]
fn retention_stops_at_14_days_on_sqs_and_31_on_pubsub() {
    assert!(Scenario::from_json(r#"{"queue": {"retention": "1209600s"}}"#).is_ok());
    assert_eq!(
        field_error(r#"{"queue": {"retention": "1209601s"}}"#).0,
        "queue.retention"
    );
    assert!(
        Scenario::from_json(r#"{"queue": {"profile": "pubsub", "retention": "2678400s"}}"#).is_ok()
    );
    assert_eq!(
        field_error(r#"{"queue": {"profile": "pubsub", "retention": "2678401s"}}"#).0,
        "queue.retention"
    );
}

/// semantics.md §1.1: `DelaySeconds` is 0 to 900 s and `ReceiveMessageWaitTimeSeconds` 0 to
/// 20 s; §1.3: a redrive moves at most 500 messages a second.
#[test]
fn delay_long_polling_and_redrive_stop_at_their_sqs_maximum() {
    assert!(Scenario::from_json(
        r#"{"queue": {"delay": "900s", "receive_wait": "20s"}, "dlq": {"redrive_rate": 500}}"#
    )
    .is_ok());
    assert_eq!(
        field_error(r#"{"queue": {"delay": "901s"}}"#).0,
        "queue.delay"
    );
    assert_eq!(
        field_error(r#"{"queue": {"receive_wait": "21s"}}"#).0,
        "queue.receive_wait"
    );
    assert_eq!(
        field_error(r#"{"dlq": {"redrive_rate": 501}}"#).0,
        "dlq.redrive_rate"
    );
}

#[test]
fn unknown_and_mistyped_fields_are_rejected_with_their_path() {
    let (path, expected, given) = field_error(r#"{"queue": {"visiblity_timeout": 5}}"#);
    assert_eq!(path, "queue.visiblity_timeout");
    assert!(
        expected.contains("visibility_timeout"),
        "the message suggests the real names: {expected}"
    );
    assert!(given.contains("visiblity_timeout"));
    let (path, _, given) = field_error(r#"{"consumers": {"count": "three"}}"#);
    assert_eq!(path, "consumers.count");
    assert!(given.contains("three"));
    let (path, expected, _) = field_error(r#"{"queue": {"delay": "5 parsecs"}}"#);
    assert_eq!(path, "queue.delay");
    assert!(expected.contains("duration"), "{expected}");
    let (path, _, _) = field_error(r#"{"commands": [{"at": "1s", "do": {"type": "explode"}}]}"#);
    assert_eq!(path, "commands[0].do.type");
    let (path, _, given) = field_error(r#"{"version": 2}"#);
    assert_eq!((path.as_str(), given.as_str()), ("version", "2"));
}

#[test]
fn broken_json_says_where() {
    match Scenario::from_json("{\n  \"seed\": 1,\n  oops\n}") {
        Err(e @ ScenarioError::Syntax { line: 3, .. }) => assert!(e.to_string().contains("line 3")),
        other => panic!("{other:?}"),
    }
    assert!(Scenario::from_json("").is_err());
}

#[test]
fn a_scenario_survives_a_round_trip_through_json() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/pizza-shop.json"
    ))
    .unwrap();
    let v2 = queue_engine::ScenarioV2::from_json(&text).unwrap();
    assert_eq!(
        queue_engine::ScenarioV2::from_json(&v2.to_json()).unwrap(),
        v2
    );
    let s = v2.lower().unwrap();
    assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
}

#[test]
fn qsim_runs_every_scenario_file_in_the_repository() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut ran = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qsim"))
            .args([
                "run",
                path.to_str().unwrap(),
                "--until",
                "3m",
                "--no-messages",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["conserved"], true, "{}", path.display());
        assert!(
            report["published"].as_u64().unwrap() > 0,
            "{} publishes nothing",
            path.display()
        );
        assert_eq!(report["log_hash"].as_str().unwrap().len(), 16);
        ran += 1;
    }
    assert!(ran >= 1);
}

#[test]
fn qsim_reports_a_bad_file_clearly_and_fails() {
    let dir = std::env::temp_dir().join(format!("qsim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"consumers": {"batch_size": 0}}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qsim"))
        .args(["run", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("consumers.batch_size") && err.contains("got 0"),
        "{err}"
    );
}

proptest! {
    #[test]
    fn no_input_text_makes_the_parser_panic(text in ".{0,200}") {
        let _ = Scenario::from_json(&text);
    }

    #[test]
    fn no_json_shape_makes_the_parser_panic(v in arb_json()) {
        if let Err(e) = Scenario::from_json(&v.to_string()) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    let keys = prop_oneof![
        Just("queue"),
        Just("consumers"),
        Just("producers"),
        Just("dlq"),
        Just("kind"),
        Just("rate"),
        Just("visibility_timeout"),
        Just("batch_size"),
        Just("commands"),
        Just("type"),
        Just("at"),
        Just("do"),
        Just("seed"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z0-9 ]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(keys.clone(), inner, 0..4).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
