//! Lesson schema-version: events say their schema version in `type` and `dataschema`
//! (CloudEvents, semantics §10), so a consumer that reads only version 1 can tell a version 2
//! event apart and handle it as its `on_invalid` says: throw (and be retried, like a poison
//! pill), discard, or dead-letter at once (AMQP `basic.reject` with `requeue=false`, §2.2).

mod common;
use common::*;
use queue_engine::envelope::Envelope;
use queue_engine::{DeadLetterReason, EventKind, MsgState, Payload};
use serde_json::json;

fn mixed(on_invalid: &str, reads: u32) -> serde_json::Value {
    json!({
        "queue": { "visibility_timeout": "5s" },
        "dlq": { "max_receive_count": 3 },
        "producers": [
            { "name": "order-service", "rate": 2 },
            { "name": "order-service-v2", "rate": 1, "start": "10s", "stop": "50s", "schema_version": 2 }
        ],
        "consumers": { "count": 2, "schema_version": reads, "on_invalid": on_invalid },
        "limits": { "event_log": 20000 }
    })
}

/// §10: the version travels in the envelope's `type` and `dataschema`, and the two versions
/// carry differently shaped data.
#[test]
fn the_envelope_says_which_version_it_holds() {
    let mut sim = sim(mixed("throw", 2));
    run(&mut sim, secs(20));
    let envelope = |payload: Payload| {
        let m = sim.message_iter().find(|m| m.payload() == payload).unwrap();
        Envelope::for_message(m, sim.scenario())
    };
    let (v1, v2) = (envelope(Payload::Normal), envelope(Payload::V2));
    assert!(v1.ty.ends_with(".v1") && v1.dataschema.ends_with("/v1.json"));
    assert!(v2.ty.ends_with(".v2") && v2.dataschema.ends_with("/v2.json"));
    assert!(v1.data.get("pizza").is_some() && v1.data.get("items").is_none());
    assert!(v2.data["items"][0].get("pizza").is_some());
}

/// A consumer that reads version 2 processes both; nothing is dead-lettered.
#[test]
fn a_consumer_that_reads_both_versions_processes_both() {
    let mut sim = sim(mixed("throw", 2));
    run(&mut sim, secs(60));
    let c = sim.counts();
    assert_eq!((c.dead_lettered, c.processing_failures), (0, 0), "{c:?}");
    assert!(sim
        .message_iter()
        .any(|m| m.payload() == Payload::V2 && matches!(m.state(), MsgState::Processed { .. })));
}

/// Dead-letter at once: each version 2 event is received once and moved to the DLQ, with
/// no failed attempt, while version 1 keeps flowing.
#[test]
fn an_old_consumer_dead_letters_an_unknown_version_on_first_delivery() {
    let mut sim = sim(mixed("dead_letter", 1));
    let events = run(&mut sim, secs(60));
    let c = sim.counts();
    assert_eq!(c.processing_failures, 0, "{c:?}");
    assert!(c.dead_lettered >= 40 && c.processed >= 100, "{c:?}");
    for m in sim.message_iter() {
        match m.payload() {
            Payload::V2 => {
                assert_eq!(m.receive_count(), 1);
                assert!(matches!(
                    m.state(),
                    MsgState::DeadLettered {
                        reason: DeadLetterReason::Rejected,
                        ..
                    }
                ));
            }
            _ => assert!(!matches!(m.state(), MsgState::DeadLettered { .. })),
        }
    }
    assert!(
        count(&events, |k| matches!(k, EventKind::DeadLettered { .. })) as u64 >= c.dead_lettered
    );
}

/// Throw: the unknown version fails like a poison pill, is retried, and leaves only at the
/// redrive policy's limit (§1.3), with the failure named.
#[test]
fn an_old_consumer_that_throws_retries_the_unknown_version_to_the_limit() {
    let mut sim = sim(mixed("throw", 1));
    let events = run(&mut sim, secs(60));
    let dead: Vec<_> = sim
        .message_iter()
        .filter(|m| matches!(m.state(), MsgState::DeadLettered { .. }))
        .collect();
    assert!(!dead.is_empty());
    assert!(dead
        .iter()
        .all(|m| m.payload() == Payload::V2 && m.receive_count() == 3));
    let failed = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Failed { .. }))
        .unwrap();
    assert!(
        failed.describe().contains("schema version"),
        "{}",
        failed.describe()
    );
}

/// Discard: the unknown version is deleted on first delivery; nothing reaches the DLQ.
#[test]
fn an_old_consumer_that_discards_deletes_the_unknown_version() {
    let mut sim = sim(mixed("discard", 1));
    run(&mut sim, secs(60));
    let c = sim.counts();
    assert_eq!((c.dead_lettered, c.processing_failures), (0, 0));
    assert!(c.rejected >= 40, "{c:?}");
}

/// Versions outside 1 and 2 are refused with the field named.
#[test]
fn an_unknown_schema_version_setting_is_refused() {
    for (file, field) in [
        (
            json!({ "consumers": { "schema_version": 3 } }),
            "consumers.schema_version",
        ),
        (
            json!({ "producers": [{ "schema_version": 0 }] }),
            "producers[0].schema_version",
        ),
    ] {
        let err = queue_engine::Scenario::from_json(&file.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains(field) && err.contains("1 to 2"), "{err}");
    }
}
