//! FIFO deduplication: a resend of the same event within 5 minutes is accepted but not enqueued;
//! on a standard queue the same resend becomes a second message (and a duplicate to handle).

mod common;
use common::*;
use queue_engine::EventKind;
use serde_json::json;

fn resending(kind: &str, content_based: bool) -> common::OneQueue {
    let mut sim = sim(json!({
        "queue": { "kind": kind, "content_based_dedup": content_based },
        "producers": [{ "rate": 10, "stop": "30s", "duplicate_share": 0.3 }],
        "limits": { "event_log": 100000 }
    }));
    sim.advance_to(secs(60));
    sim
}

#[test]
fn fifo_drops_resends_of_the_same_event_within_the_window() {
    for content_based in [false, true] {
        let mut sim = resending("fifo", content_based);
        let events = sim.drain_events();
        let c = sim.counts();
        assert!(
            c.deduplicated > 50,
            "{} resends deduplicated",
            c.deduplicated
        );
        assert_eq!(
            count(&events, |k| matches!(k, EventKind::Deduplicated { .. })) as u64,
            c.deduplicated
        );
        assert_eq!(c.published, 300, "one message per event (10/s for 30 s)");
        assert_eq!(c.duplicates, 0);
        assert_eq!(c.store_records, c.published);
    }
}

#[test]
fn a_standard_queue_enqueues_the_resend_and_the_consumer_sees_a_duplicate() {
    let sim = resending("standard", false);
    let c = sim.counts();
    assert_eq!(c.deduplicated, 0);
    assert!(c.published > 350, "{} messages for 300 events", c.published);
    assert_eq!(
        c.duplicates,
        c.published - 300,
        "each resend was processed again"
    );
}

/// One order sent at 1 s, then resent under the same event id at each of `resends`
/// (time, payload).
fn resent(kind: &str, content_based: bool, resends: &[(&str, &str)]) -> common::OneQueue {
    let mut commands = vec![json!({ "at": "1s", "do": { "type": "send" } })];
    for (at, payload) in resends {
        commands
            .push(json!({ "at": at, "do": { "type": "resend", "event": 1, "payload": payload } }));
    }
    let mut sim = sim(json!({
        "queue": { "kind": kind, "content_based_dedup": content_based },
        "producers": [{ "rate": 0 }],
        "commands": commands,
        "limits": { "event_log": 100000 }
    }));
    sim.advance_to(secs(600));
    sim
}

/// semantics.md §1.4: the deduplication id is tracked for 5 minutes even after the first copy
/// was deleted, so a resend at 2 minutes is dropped and one at 6 minutes is a new message.
#[test]
fn a_fifo_resend_is_dropped_inside_the_window_even_after_the_delete_and_enqueued_after_it() {
    let sim = resent("fifo", false, &[("2m", "normal"), ("6m", "normal")]);
    let c = sim.counts();
    assert_eq!(c.deduplicated, 1, "the resend at 2 minutes");
    assert_eq!(c.published, 2, "the first send and the resend at 6 minutes");
    assert_eq!(c.processed, 2);
}

/// semantics.md §1.4: content-based deduplication hashes the body, so the same event id with
/// another body is not a duplicate; the same body is.
#[test]
fn content_based_dedup_lets_a_resend_with_another_body_through() {
    let same = resent("fifo", true, &[("2m", "normal")]);
    assert_eq!(
        (same.counts().deduplicated, same.counts().published),
        (1, 1)
    );
    let other = resent("fifo", true, &[("2m", "transient")]);
    assert_eq!(
        (other.counts().deduplicated, other.counts().published),
        (0, 2)
    );
}

/// semantics.md §1.2: a standard queue has no deduplication, so the resend is processed again.
#[test]
fn a_standard_queue_processes_a_resend_again_as_a_duplicate() {
    let sim = resent("standard", false, &[("2m", "normal")]);
    let c = sim.counts();
    assert_eq!((c.published, c.deduplicated, c.duplicates), (2, 0, 1));
}

/// A resend of an event that was never sent sends nothing, and the event log says why; a
/// resend with no event is refused with the field's name.
#[test]
fn a_resend_names_an_event_already_sent() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 0 }],
        "commands": [{ "at": "1s", "do": { "type": "resend", "event": 9 } }]
    }));
    sim.advance_to(secs(10));
    assert_eq!(sim.counts().published, 0);
    let events = sim.drain_events();
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::Setting { name, value } if name == "resend" && value.contains("event 9 has not been sent"))));
    let err = queue_engine::Scenario::from_json(
        &json!({ "commands": [{ "at": "1s", "do": { "type": "resend" } }] }).to_string(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("event"), "{err}");
}

/// A version 2 file names the producer node; the resend goes to it like a send.
#[test]
fn a_version_2_file_resends_through_its_producer_node() {
    let file = json!({
        "version": 2, "seed": 1,
        "nodes": {
            "order-service": { "producer": { "rate": 0 } },
            "orders": { "queue": { "profile": "sqs_fifo" } },
            "kitchen": { "consumer": {} }
        },
        "edges": [
            { "kind": "publish", "from": "order-service", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" }
        ],
        "commands": [
            { "at": "1s", "node": "order-service", "do": { "type": "send" } },
            { "at": "2m", "node": "order-service", "do": { "type": "resend", "event": 1 } }
        ]
    });
    let lowered = queue_engine::ScenarioV2::from_json(&file.to_string())
        .and_then(|s| s.lower())
        .unwrap();
    let mut sim = common::OneQueue::new(lowered).unwrap();
    sim.advance_to(secs(180));
    assert_eq!((sim.counts().published, sim.counts().deduplicated), (1, 1));
}
