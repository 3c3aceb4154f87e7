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
    match sim.message(1).unwrap().state() {
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

/// A retry policy set at run time obeys the same rules as one in the scenario file: the
/// command used to accept eleven tiers, or a back-off whose cap was below its base.
#[test]
fn a_retry_command_is_checked_by_the_same_rules_as_the_file() {
    use queue_engine::{Command, RetryPolicy, Scenario, ScenarioError};
    let bad = [
        serde_json::json!({ "kind": "tiers", "delays": vec!["1s"; 11] }),
        serde_json::json!({ "kind": "tiers", "delays": [] }),
        serde_json::json!({ "kind": "tiers", "delays": ["1s", "13h"] }),
        serde_json::json!({ "kind": "exponential", "base": "10s", "max": "5s" }),
        serde_json::json!({ "kind": "exponential", "base": "0ms", "max": "5s" }),
    ];
    for policy in bad {
        let file = serde_json::json!({ "queue": { "retry": policy.clone() } });
        let Err(ScenarioError::Field {
            expected: in_file, ..
        }) = Scenario::from_json(&file.to_string())
        else {
            panic!("the file must refuse {policy}");
        };
        let policy: RetryPolicy = serde_json::from_value(policy.clone()).unwrap();
        let mut sim = common::sim(serde_json::json!({}));
        match sim.command(Command::SetRetry {
            policy: policy.clone(),
        }) {
            Err(ScenarioError::Field { path, expected, .. }) => {
                assert!(path.starts_with("command.policy"), "{path}");
                assert_eq!(expected, in_file, "{policy:?}");
            }
            other => panic!("the command must refuse {policy:?}, got {other:?}"),
        }
    }
    let mut sim = common::sim(serde_json::json!({}));
    let tiers = RetryPolicy::Tiers {
        delays: vec![secs(60), secs(300), secs(1800)],
    };
    assert!(sim.command(Command::SetRetry { policy: tiers }).is_ok());
}
