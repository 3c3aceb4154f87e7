//! Lesson poison-pill: a malformed order that fails every time. Without a DLQ it is received
//! without end (and in FIFO blocks its group); with a DLQ it leaves after maxReceiveCount receives.

mod common;
use common::*;
use queue_engine::{DeadLetterReason, EventKind, FailureCause, MsgState};
use serde_json::json;

fn send(at: &str, payload: &str, group: u32) -> serde_json::Value {
    json!({ "at": at, "do": { "type": "send", "payload": payload, "group": group } })
}

#[test]
fn without_a_dlq_the_poison_pill_is_received_forever() {
    let mut sim = sim(json!({
        "queue": { "visibility_timeout": "5s" },
        "producers": [{ "rate": 0 }],
        "commands": [ send("1s", "poison", 1) ]
    }));
    sim.advance_to(secs(60));
    let at_60 = sim.message(1).unwrap().receive_count();
    sim.advance_to(secs(120));
    let m = sim.message(1).unwrap();
    assert!(at_60 >= 10, "received {at_60} times in a minute");
    assert!(
        m.receive_count() >= at_60 + 10,
        "and it keeps climbing: {}",
        m.receive_count()
    );
    assert_eq!(m.processed_count(), 0);
    assert!(!m.state().is_terminal());
}

/// semantics.md §1.4: a poison message blocks its group until it reaches the DLQ; other
/// groups keep flowing.
#[test]
fn in_fifo_the_poison_pill_blocks_its_group_while_other_groups_flow() {
    let mut commands = vec![send("1s", "poison", 1)];
    for i in 0..5 {
        commands.push(send("2s", "normal", 1));
        commands.push(send(&format!("{}s", 2 + i), "normal", 2));
    }
    let mut sim = sim(json!({
        "queue": { "kind": "fifo", "visibility_timeout": "5s" },
        "producers": [{ "rate": 0, "groups": 2 }],
        "limits": { "event_log": 100000 },
        "commands": commands
    }));
    let events = run(&mut sim, secs(300));
    let group_of = |id: u64| sim.message(id).unwrap().group();
    let processed = processing_order(&events);
    assert!(
        processed.iter().all(|&id| group_of(id) == 2),
        "only group 2 was processed"
    );
    assert_eq!(processed.len(), 5, "all of group 2 flowed");
    assert_eq!(
        sim.counts().visible,
        5,
        "group 1 waits behind its poison pill"
    );
    assert!(sim.message(1).unwrap().receive_count() > 20);
}

#[test]
fn with_a_dlq_it_leaves_after_max_receive_count_and_the_rest_flows() {
    let mut sim = sim(json!({
        "queue": { "kind": "fifo", "visibility_timeout": "5s" },
        "dlq": { "max_receive_count": 3 },
        "producers": [{ "rate": 0 }],
        "limits": { "event_log": 100000 },
        "commands": [ send("1s", "poison", 1), send("2s", "normal", 1), send("3s", "normal", 1) ]
    }));
    let events = run(&mut sim, secs(120));
    let poison = sim.message(1).unwrap();
    assert_eq!(poison.receive_count(), 3);
    match poison.state() {
        MsgState::DeadLettered { reason, .. } => assert_eq!(
            reason,
            DeadLetterReason::MaxReceiveCount {
                receives: 3,
                last_failure: Some(FailureCause::Malformed)
            }
        ),
        other => panic!("expected the DLQ, got {other:?}"),
    }
    assert_eq!(
        count(&events, |k| matches!(k, EventKind::Received { msg: 1, .. })),
        3
    );
    assert_eq!(
        processing_order(&events),
        vec![2, 3],
        "the orders behind it were processed, in order"
    );
    assert_eq!(sim.snapshot(10).dlq.len(), 1);
}
