//! Lesson ordering: a standard queue reorders a little and is fastest; FIFO keeps strict order
//! per group, at lower throughput when groups are fewer than consumers.

mod common;
use common::*;
use serde_json::json;

fn inversions(order: &[u64]) -> usize {
    order.windows(2).filter(|w| w[0] > w[1]).count()
}

#[test]
fn a_standard_queue_delivers_in_roughly_but_not_strictly_publish_order() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 40 }],
        "consumers": { "count": 1, "batch_size": 5, "processing": { "mean": "10ms" } },
        "queue": { "receive_wait": "1s" },
        "limits": { "event_log": 100000 },
        "commands": [
            { "at": "10s", "do": { "type": "set_online", "online": false } },
            { "at": "20s", "do": { "type": "set_online", "online": true } }
        ]
    }));
    let events = run(&mut sim, secs(60));
    let order = processing_order(&events);
    assert!(order.len() > 2000);
    assert!(inversions(&order) > 10, "some reordering is visible");
    // Best effort: most messages land close to their place, none absurdly far.
    let displacement: Vec<i64> = order
        .iter()
        .enumerate()
        .map(|(i, &id)| (i as i64 + 1 - id as i64).abs())
        .collect();
    let mean = displacement.iter().sum::<i64>() as f64 / displacement.len() as f64;
    assert!(mean < 5.0, "mean displacement {mean}");
    assert!(*displacement.iter().max().unwrap() < 200);
}

/// semantics.md §1.4: a FIFO queue delivers each message group in order.
#[test]
fn fifo_keeps_strict_order_within_each_group() {
    let mut sim = sim(json!({
        "queue": { "kind": "fifo", "receive_wait": "1s" },
        "producers": [{ "rate": 40, "groups": 3 }],
        "consumers": { "count": 4, "batch_size": 5, "processing": { "mean": "10ms" } },
        "limits": { "event_log": 100000 }
    }));
    let events = run(&mut sim, secs(60));
    let order = processing_order(&events);
    assert!(order.len() > 2000);
    for g in 1..=3 {
        let in_group: Vec<u64> = order
            .iter()
            .copied()
            .filter(|&id| sim.message(id).unwrap().group() == g)
            .collect();
        assert_eq!(inversions(&in_group), 0, "group {g} out of order");
    }
    assert_eq!(sim.counts().order_violations, 0);
}

#[test]
fn fifo_with_few_groups_has_lower_throughput_than_standard() {
    let run_kind = |kind: &str| {
        let mut sim = sim(json!({
            "queue": { "kind": kind, "receive_wait": "1s" },
            "producers": [{ "rate": 40, "groups": 2 }],
            "consumers": { "count": 4, "processing": { "mean": "100ms" } }
        }));
        sim.advance_to(secs(60));
        sim.counts().processed
    };
    let standard = run_kind("standard");
    let fifo = run_kind("fifo");
    // Four consumers can all work on a standard queue; two groups let only two work on FIFO.
    assert!(standard > 2300, "standard processed {standard}");
    assert!(
        (fifo as f64) < 0.6 * standard as f64,
        "fifo {fifo} vs standard {standard}"
    );
}
