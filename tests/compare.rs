//! A/B compare: both sides get the same workload (the same messages, with the same payloads, at
//! the same times) and differ only in the compared setting.
#![cfg(not(target_arch = "wasm32"))]

use queue_engine::{Command, Millis, Payload, Scenario, Sim, World};
use queue_playground::compare;

fn shop() -> Scenario {
    Scenario::from_json(
        r#"{ "seed": 7, "queue": { "visibility_timeout": "5s" },
             "producers": [{ "rate": 5, "poison_share": 0.1, "transient_share": 0.1 }],
             "consumers": { "count": 2, "processing": { "mean": "200ms", "distribution": "exponential" } } }"#,
    )
    .unwrap()
}

/// A side's one queue.
fn queue(world: &World) -> &Sim {
    &world.members()[0]
}

fn payloads(sim: &Sim) -> Vec<(u64, Payload, Millis)> {
    let mut v: Vec<_> = sim
        .messages()
        .iter()
        .map(|m| (m.id(), m.payload(), m.published_at()))
        .collect();
    v.sort_by_key(|m| m.0);
    v
}

#[test]
fn both_sides_see_the_same_messages_and_differ_where_the_setting_does() {
    let history = vec![
        (
            Millis::from_secs(10),
            Command::Send {
                producer: 0,
                payload: Payload::Poison,
                group: None,
            },
        ),
        (
            Millis::from_secs(12),
            Command::SetMaxReceiveCount { count: Some(1) },
        ),
    ];
    let [(la, a), (lb, b)] = compare::run("dlq", &shop(), &history, Millis::from_secs(90)).unwrap();
    let (a, b) = (queue(&a), queue(&b));
    assert_eq!((la, lb), ("no DLQ", "DLQ after 3"));
    assert_eq!(payloads(a), payloads(b), "the same workload on both sides");
    assert_eq!(a.counts().published, b.counts().published);
    assert_eq!(a.counts().dead_lettered, 0);
    assert!(b.counts().dead_lettered > 0);
    // The history's setting change is not replayed: it would erase the difference.
    assert_eq!(b.scenario().dlq.as_ref().unwrap().max_receive_count, 3);
}

#[test]
fn http_against_a_queue_during_an_outage() {
    let history = vec![
        (
            Millis::from_secs(10),
            Command::SetOnline {
                consumer: None,
                online: false,
            },
        ),
        (
            Millis::from_secs(40),
            Command::SetOnline {
                consumer: None,
                online: true,
            },
        ),
    ];
    let [(_, http), (_, queued)] =
        compare::run("wiring", &shop(), &history, Millis::from_secs(60)).unwrap();
    let (http, queued) = (queue(&http), queue(&queued));
    assert!(
        http.counts().producer_errors > 50,
        "{}",
        http.counts().producer_errors
    );
    assert_eq!(queued.counts().producer_errors, 0);
}

#[test]
fn every_offered_comparison_builds_and_unknown_ones_do_not() {
    for (id, _) in compare::VARIANTS {
        let [(_, a), (_, b)] = compare::run(id, &shop(), &[], Millis::from_secs(20)).unwrap();
        assert_ne!(
            queue(&a).scenario(),
            queue(&b).scenario(),
            "{id}: the sides differ"
        );
    }
    assert!(compare::run("colour", &shop(), &[], Millis::ZERO).is_none());
}
