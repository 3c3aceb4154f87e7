//! Lesson visibility-timeout: processing longer than the visibility timeout lets a second
//! consumer take the same message while the first still works on it; a heartbeat prevents it.

mod common;
use common::*;
use queue_engine::{EventKind, Millis};
use serde_json::json;

fn slow(extend: bool) -> common::OneQueue {
    sim(json!({
        "queue": { "visibility_timeout": "30s", "receive_wait": "20s" },
        "producers": [{ "rate": 0 }],
        "consumers": { "count": 2, "processing": { "mean": "45s" }, "extend_visibility": extend },
        "limits": { "event_log": 10000 },
        "commands": [ { "at": "1s", "do": { "type": "send" } } ]
    }))
}

/// semantics.md §1.2: a message not deleted within its visibility timeout is received again,
/// and a delete with the first, outdated receipt handle succeeds on a standard queue "but the
/// message might not be deleted" (counted as a stale delete).
#[test]
fn processing_past_the_timeout_means_two_consumers_process_the_same_message() {
    let mut sim = slow(false);
    let events = run(&mut sim, secs(80));
    let receives: Vec<(Millis, u32)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Received {
                msg: 1, consumer, ..
            } => Some((e.t, consumer)),
            _ => None,
        })
        .collect();
    assert_eq!(receives[0].0, secs(1));
    assert_eq!(
        receives[1].0,
        secs(31),
        "visible again when the 30 s timeout ran out"
    );
    assert_ne!(receives[0].1, receives[1].1, "taken by the other consumer");
    // Both finished it (at 46 s and 76 s): the same order was processed twice, concurrently.
    let c = sim.counts();
    assert_eq!(
        count(&events, |k| matches!(
            k,
            EventKind::Processed { msg: 1, .. }
        )),
        2
    );
    assert_eq!(c.duplicates, 1);
    assert!(
        c.stale_deletes >= 1,
        "the first consumer's delete used an outdated receipt"
    );
    // Each consumer outlasts the timeout, so the message is never deleted: it keeps bouncing.
    assert_eq!(c.processed, 0);
    assert_eq!(receives.len(), 3);
}

#[test]
fn extending_visibility_with_a_heartbeat_prevents_the_duplicate() {
    let mut sim = slow(true);
    let events = run(&mut sim, secs(200));
    assert_eq!(
        count(&events, |k| matches!(k, EventKind::Received { msg: 1, .. })),
        1
    );
    assert!(
        count(&events, |k| matches!(
            k,
            EventKind::VisibilityExtended { .. }
        )) >= 2
    );
    assert_eq!(sim.counts().duplicates, 0);
    assert_eq!(sim.counts().processed, 1);
}

/// Every return to the queue is counted (`requeued`, the canvas's Q token): each timeout that
/// ran out on a message still held, and each failure handed back at once for another receive.
#[test]
fn every_return_to_the_queue_is_counted_as_requeued() {
    let returns = |events: &[queue_engine::Event]| {
        events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::VisibilityExpired { .. }))
            .count() as u64
    };
    let mut held = slow(false);
    let events = run(&mut held, secs(80));
    assert!(returns(&events) >= 1, "the 30 s timeout ran out");
    assert_eq!(held.counts().requeued, returns(&events));
    // Poison pills fail at once and go back to be received again, up to the DLQ's limit.
    let mut failing = sim(json!({
        "queue": { "visibility_timeout": "0s" },
        "dlq": { "max_receive_count": 3 },
        "producers": [{ "rate": 5, "poison_share": 0.5 }],
        "limits": { "event_log": 100000 }
    }));
    let events = run(&mut failing, secs(60));
    let c = failing.counts();
    assert!(c.requeued > c.dead_lettered, "{c:?}");
    assert_eq!(c.requeued, returns(&events));
}
