//! Lesson delivery-guarantees: consumers crash at random. Ack before processing loses messages;
//! ack after processing duplicates them; an idempotent consumer keeps the store exact.

mod common;
use common::*;
use queue_engine::Counts;
use serde_json::json;

fn crashing(ack: &str, idempotent: bool) -> Counts {
    let mut sim = sim(json!({
        "seed": 7,
        "queue": { "visibility_timeout": "5s" },
        "producers": [{ "rate": 20, "stop": "60s" }],
        "consumers": {
            "count": 3, "batch_size": 5, "processing": { "mean": "50ms" },
            "ack": ack, "idempotent": idempotent,
            "crash_probability": 0.1, "restart_after": "1s"
        }
    }));
    sim.advance_to(secs(180));
    sim.counts().clone()
}

#[test]
fn at_most_once_loses_messages_when_consumers_crash() {
    let c = crashing("before_processing", false);
    assert!(c.crashes > 5);
    assert!(c.lost > 0, "lost {}", c.lost);
    assert_eq!(c.duplicates, 0);
    assert_eq!(c.processed + c.lost, c.published);
}

#[test]
fn at_least_once_never_loses_but_duplicates() {
    let c = crashing("after_processing", false);
    assert!(c.crashes > 5);
    assert_eq!(c.lost, 0);
    assert!(c.duplicates > 0, "duplicates {}", c.duplicates);
    assert_eq!(c.processed, c.published);
    assert!(c.store_writes > c.store_records);
}

#[test]
fn an_idempotent_consumer_gets_duplicates_delivered_but_stores_each_order_once() {
    let c = crashing("after_processing", true);
    assert_eq!(c.lost, 0);
    assert_eq!(c.duplicates, 0);
    assert!(
        c.duplicates_skipped > 0,
        "duplicates were delivered and recognised"
    );
    assert_eq!(c.store_writes, c.store_records);
    assert_eq!(c.store_records, c.published);
}
