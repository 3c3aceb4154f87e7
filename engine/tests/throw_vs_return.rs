//! Lesson throw-vs-return: a passing fault should throw (the message returns and is retried
//! until it succeeds); a validation failure should return normally (deleted, logged, no retries).

mod common;
use common::*;
use queue_engine::{EventKind, MsgState};
use serde_json::json;

#[test]
fn a_transient_error_is_retried_until_it_succeeds() {
    let mut sim = sim(json!({
        "queue": { "visibility_timeout": "3s" },
        "dlq": { "max_receive_count": 5 },
        "producers": [{ "rate": 0, "transient_failures": 2 }],
        "limits": { "event_log": 10000 },
        "commands": [ { "at": 0, "do": { "type": "send", "payload": "transient" } } ]
    }));
    let events = run(&mut sim, secs(60));
    let m = sim.message(1).unwrap();
    assert!(matches!(m.state(), MsgState::Processed { .. }));
    assert_eq!(m.receive_count(), 3, "two failures, then success");
    assert_eq!(
        count(&events, |k| matches!(k, EventKind::Failed { msg: 1, .. })),
        2
    );
}

#[test]
fn a_validation_failure_is_deleted_without_retries_and_logged() {
    let mut sim = sim(json!({
        "consumers": { "on_invalid": "discard" },
        "dlq": { "max_receive_count": 5 },
        "producers": [{ "rate": 0 }],
        "limits": { "event_log": 10000 },
        "commands": [ { "at": 0, "do": { "type": "send", "payload": "poison" } } ]
    }));
    let events = run(&mut sim, secs(60));
    let m = sim.message(1).unwrap();
    assert!(matches!(m.state(), MsgState::Rejected { .. }));
    assert_eq!(m.receive_count(), 1, "no retries");
    assert_eq!(sim.counts().rejected, 1);
    assert_eq!(sim.counts().dead_lettered, 0);
    let logged = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Rejected { msg: 1, .. }))
        .expect("logged");
    assert!(logged.describe().contains("validation"));
}
