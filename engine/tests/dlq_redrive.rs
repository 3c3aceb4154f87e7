//! Lesson dlq-redrive: inspect dead letters (why, how many receives), fix the cause, redrive.

mod common;
use common::*;
use queue_engine::{Command, DeadLetterReason, FailureCause, MsgState};
use serde_json::json;

#[test]
fn dead_letters_show_why_and_are_processed_after_the_fix_and_a_redrive() {
    let mut sim = sim(json!({
        "queue": { "visibility_timeout": "2s" },
        "dlq": { "max_receive_count": 2, "redrive_rate": 5 },
        "producers": [{ "rate": 10, "stop": "10s", "poison_share": 0.2 }]
    }));
    sim.advance_to(secs(60));
    let dead = sim.snapshot(1000).dlq;
    assert!(dead.len() >= 10, "{} in the DLQ", dead.len());
    for token in &dead {
        assert_eq!(token.receive_count, 2);
        let MsgState::DeadLettered { reason, .. } = token.state else {
            panic!("not dead-lettered")
        };
        assert_eq!(
            reason,
            DeadLetterReason::MaxReceiveCount {
                receives: 2,
                last_failure: Some(FailureCause::Malformed)
            }
        );
        assert!(
            reason.describe().contains("validation"),
            "{}",
            reason.describe()
        );
    }
    let n = dead.len() as u64;
    sim.command(Command::Discard {
        message: dead[0].id,
    })
    .unwrap();
    sim.command(Command::FixPoison).unwrap();
    sim.command(Command::RedriveAll).unwrap();
    sim.advance_to(secs(120));
    let c = sim.counts();
    assert_eq!(c.redriven, n - 1);
    assert_eq!(c.discarded, 1);
    assert_eq!(c.dead_lettered, 0);
    assert_eq!(
        c.processed,
        c.published - 1,
        "every redriven message was processed"
    );
    assert!(matches!(
        sim.message(dead[1].id).unwrap().state(),
        MsgState::Processed { .. }
    ));
    assert_eq!(sim.message(dead[1].id).unwrap().redrives(), 1);
}

/// semantics.md §1.3: a redrive moves dead letters back at the rate asked for (at most 500
/// messages a second, which `scenarios.rs` checks).
#[test]
fn redrive_moves_messages_at_the_configured_rate() {
    let mut sim = sim(json!({
        "queue": { "visibility_timeout": "1s" },
        "dlq": { "max_receive_count": 1, "redrive_rate": 2 },
        "consumers": { "online": false },
        "producers": [{ "rate": 0 }],
        "commands": (0..10).map(|_| json!({ "at": 0, "do": { "type": "send", "payload": "poison" } })).collect::<Vec<_>>()
    }));
    sim.command(queue_engine::Command::SetOnline {
        consumer: None,
        online: true,
    })
    .unwrap();
    sim.advance_to(secs(30));
    assert_eq!(sim.counts().dead_lettered, 10);
    sim.command(Command::SetOnline {
        consumer: None,
        online: false,
    })
    .unwrap();
    sim.command(Command::RedriveAll).unwrap();
    sim.advance_to(secs(32));
    // 2 per second: the first at once, then one every 500 ms.
    assert_eq!(sim.counts().redriven, 5);
}
