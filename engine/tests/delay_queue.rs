//! Lesson delay-queue: delayed messages are invisible until due, then delivered.

mod common;
use common::*;
use queue_engine::MsgState;
use serde_json::json;

#[test]
fn a_delayed_message_is_invisible_until_due_then_delivered() {
    let mut sim = sim(json!({
        "queue": { "delay": "10s", "receive_wait": "20s" },
        "producers": [{ "rate": 0 }],
        "limits": { "event_log": 1000 },
        "commands": [ { "at": "1s", "do": { "type": "send" } } ]
    }));
    sim.advance_to(secs(10));
    assert!(
        matches!(sim.message(1).unwrap().state(), MsgState::Delayed { until } if until == secs(11))
    );
    assert_eq!(sim.counts().delayed, 1);
    assert_eq!(sim.counts().receives, 0);
    let events = run(&mut sim, secs(20));
    assert_eq!(
        receive_times(&events, 1),
        vec![secs(11)],
        "received the moment it became visible"
    );
    assert!(matches!(
        sim.message(1).unwrap().state(),
        MsgState::Processed { .. }
    ));
}

#[test]
fn a_per_message_delay_overrides_a_shorter_queue_delay() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 1, "stop": "1500ms", "delay": "5s" }],
        "queue": { "receive_wait": "20s" },
        "limits": { "event_log": 1000 }
    }));
    let events = run(&mut sim, secs(10));
    assert_eq!(
        receive_times(&events, 1),
        vec![secs(5)],
        "published at 0 with a 5 s delay"
    );
}
