//! Lesson http-vs-queue: with direct HTTP calls, an outage of the kitchen becomes failures at
//! the order service; with a queue, orders are accepted, wait, and are all processed later.

mod common;
use common::*;
use queue_engine::{EventKind, HttpFailure};
use serde_json::json;

fn shop(mode: &str) -> serde_json::Value {
    json!({
        "mode": mode,
        "limits": { "event_log": 100000 },
        "producers": [{ "rate": 5, "stop": "60s" }],
        "consumers": { "count": 1, "processing": { "mean": "100ms" } },
        "commands": [
            { "at": "10s", "do": { "type": "set_online", "online": false } },
            { "at": "40s", "do": { "type": "set_online", "online": true } }
        ]
    })
}

#[test]
fn over_http_the_outage_becomes_errors_at_the_caller() {
    let mut sim = sim(shop("http"));
    let events = run(&mut sim, secs(120));
    let c = sim.counts();
    let refused = count(&events, |k| {
        matches!(
            k,
            EventKind::HttpFailed {
                cause: HttpFailure::Refused,
                ..
            }
        )
    });
    // 30 s down at 5 orders/s: about 150 orders fail, each one an error at the order service.
    assert!((145..=155).contains(&refused), "refused {refused}");
    assert_eq!(c.producer_errors, c.failed);
    assert_eq!(c.processed + c.failed, c.published);
    assert!(c.processed < c.published);
}

#[test]
fn through_a_queue_the_outage_is_absorbed_and_nothing_is_lost() {
    let mut sim = sim(shop("queue"));
    let events = run(&mut sim, secs(120));
    let c = sim.counts();
    assert_eq!(c.producer_errors, 0);
    assert_eq!(c.failed + c.lost + c.dropped + c.expired, 0);
    assert_eq!(
        c.processed, c.published,
        "every order is processed once the kitchen is back"
    );
    assert!(
        sim.metrics().visible.max() >= 140.0,
        "the backlog grew during the outage: {}",
        sim.metrics().visible.max()
    );
    assert_eq!(
        count(&events, |k| matches!(k, EventKind::HttpFailed { .. })),
        0
    );
}
