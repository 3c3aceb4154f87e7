//! Lesson partition-keys: order holds per key (one partition, one owner), not across the topic;
//! a hot key makes one partition lag while the others keep up.

mod common;

use queue_engine::stream::{partition_for, StreamScenario};
use queue_engine::Millis;

#[test]
fn each_key_is_processed_in_publish_order_even_though_the_topic_is_not() {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "partitions": 6 },
             "producers": [{ "rate": 60, "keys": 20, "stop": "40s" }],
             "groups": [ { "consumers": 3, "processing": { "mean": "20ms", "distribution": "exponential" } } ] }"#,
    )
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(80));
    assert_eq!(sim.groups[0].order.len() as u64, sim.published());
    let (per_key, across) = sim.order_inversions(0);
    assert_eq!(per_key, 0, "each key in publish order");
    assert!(
        across > 50,
        "across keys the topic is not in order ({across})"
    );
}

#[test]
fn a_hot_key_makes_its_partition_lag() {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "partitions": 4 },
             "producers": [{ "rate": 40, "keys": 50, "hot_key_share": 0.6 }],
             "groups": [ { "consumers": 4, "processing": { "mean": "40ms" } } ] }"#,
    )
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(60));
    let hot = partition_for(b"hot", 4) as usize;
    let lags: Vec<u64> = (0..4).map(|p| sim.lag(0, p)).collect();
    // 60% of 40/s is 24/s into one partition; one owner cooks 25/s at most, so it falls behind
    // while the others (about 5/s each) keep up.
    assert!(lags[hot] > 20, "hot partition lag {lags:?}");
    for (p, lag) in lags.iter().enumerate() {
        if p != hot {
            assert!(*lag <= 10, "partition {p} keeps up: {lags:?}");
        }
    }
}
