//! Lesson retry-backoff: retries spread out through delay tiers (1 min, 5 min, 30 min), then the
//! message goes to the DLQ; or the visibility grows with each receive.

mod common;
use common::*;
use queue_engine::{DeadLetterReason, MsgState};
use serde_json::json;

#[test]
fn retries_follow_the_delay_tiers_then_dead_letter() {
    let mut sim = sim(json!({
        "queue": { "retry": { "kind": "tiers", "delays": ["1m", "5m", "30m"] }, "receive_wait": "20s" },
        "dlq": {},
        "producers": [{ "rate": 0 }],
        "consumers": { "processing": { "mean": "100ms" } },
        "limits": { "event_log": 10000 },
        "commands": [ { "at": 0, "do": { "type": "send", "payload": "poison" } } ]
    }));
    let events = run(&mut sim, secs(3600));
    let times = receive_times(&events, 1);
    assert_eq!(times.len(), 4);
    let gaps: Vec<u64> = times.windows(2).map(|w| (w[1].0 - w[0].0) / 1000).collect();
    // Each gap is the tier plus the 100 ms the failed attempt took.
    assert_eq!(gaps, vec![60, 300, 1800]);
    match sim.message(1).unwrap().state {
        MsgState::DeadLettered {
            reason: DeadLetterReason::RetriesExhausted { attempts: 4, .. },
            ..
        } => {}
        other => panic!("expected the DLQ after the last tier, got {other:?}"),
    }
}

#[test]
fn exponential_visibility_doubles_the_gap_each_time() {
    let mut sim = sim(json!({
        "queue": { "retry": { "kind": "exponential", "base": "2s", "max": "1m" }, "receive_wait": "20s" },
        "producers": [{ "rate": 0 }],
        "consumers": { "processing": { "mean": "0ms" } },
        "limits": { "event_log": 10000 },
        "commands": [ { "at": 0, "do": { "type": "send", "payload": "poison" } } ]
    }));
    let events = run(&mut sim, secs(400));
    let times = receive_times(&events, 1);
    let gaps: Vec<u64> = times
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) / 1000)
        .take(7)
        .collect();
    assert_eq!(gaps, vec![2, 4, 8, 16, 32, 60, 60]);
}
