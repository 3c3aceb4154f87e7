//! Lesson scale-consumers: 500 messages/s against consumers that each manage 100/s. With one the
//! lag grows ~400/s; with five (competing consumers) it stops growing.

mod common;
use common::*;
use serde_json::json;

#[test]
fn lag_grows_with_one_consumer_and_stops_growing_with_five() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 500 }],
        "consumers": { "count": 1, "processing": { "mean": "10ms" } },
        "commands": [ { "at": "20s", "do": { "type": "scale_consumers", "count": 5 } } ]
    }));
    sim.advance_to(secs(5));
    let a = sim.counts().backlog();
    sim.advance_to(secs(15));
    let b = sim.counts().backlog();
    let growth_one = b - a;
    assert!(
        (3_800..=4_200).contains(&growth_one),
        "one consumer: lag grew {growth_one} in 10 s"
    );

    sim.advance_to(secs(30));
    let c = sim.counts().backlog();
    sim.advance_to(secs(40));
    let d = sim.counts().backlog();
    assert!(
        d.abs_diff(c) <= 10,
        "five consumers: lag went from {c} to {d}"
    );
    assert_eq!(sim.snapshot(0).consumers.len(), 5);
}
