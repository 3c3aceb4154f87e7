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
