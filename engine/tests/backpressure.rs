//! Lesson backpressure: a bounded queue either refuses publishes (the producer sees errors and
//! can slow down) or drops its oldest messages, counted; depth never exceeds the bound.

mod common;
use common::*;
use serde_json::json;

fn full(overflow: &str, on_reject: &str) -> common::OneQueue {
    let mut sim = sim(json!({
        "queue": { "max_depth": 50, "overflow": overflow },
        "producers": [{ "rate": 10, "stop": "20s", "on_reject": on_reject, "back_off": "2s" }],
        "consumers": { "online": false }
    }));
    sim.advance_to(secs(30));
    sim
}

#[test]
fn reject_publish_keeps_the_bound_and_the_producer_sees_every_refusal() {
    let sim = full("reject_publish", "count_error");
    let c = sim.counts();
    assert_eq!(c.visible, 50);
    assert_eq!(c.published, 50);
    assert_eq!(c.producer_errors, 150);
    assert!(sim.metrics().visible.max() <= 50.0);
}

#[test]
fn a_producer_that_backs_off_sends_fewer_doomed_messages() {
    let sim = full("reject_publish", "back_off");
    let c = sim.counts();
    assert_eq!(c.visible, 50);
    assert!(
        c.producer_errors < 20,
        "backing off 2 s after each refusal: {} errors",
        c.producer_errors
    );
}

#[test]
fn drop_oldest_keeps_the_newest_and_counts_what_it_dropped() {
    let sim = full("drop_oldest", "count_error");
    let c = sim.counts();
    assert_eq!(c.visible, 50);
    assert_eq!(c.dropped, 150);
    assert_eq!(c.producer_errors, 0);
    assert!(matches!(
        sim.message(150).unwrap().state(),
        queue_engine::MsgState::Dropped { .. }
    ));
    assert_eq!(
        sim.message(151).unwrap().state(),
        queue_engine::MsgState::Visible
    );
}
