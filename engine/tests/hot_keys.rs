//! Keys a producer gives its records on a Kafka log (semantics notes §3, "Key → partition"):
//! a hot key puts its share of the traffic on one partition, records without a key are spread
//! by the log's keyless partitioner, and both are refused where there are no partitions.

mod common;

use std::collections::BTreeMap;

use queue_engine::stream::partition_for;
use queue_engine::topology::plan::Target;
use queue_engine::{Command, EventKind, Millis, WorldEvent};
use serde_json::{json, Value};

const HOT: u32 = u32::MAX;

/// A 4-partition log fed by `producer`, read by one group of two.
fn log_fed_by(producer: Value, commands: Value) -> Value {
    json!({ "version": 2, "seed": 5,
        "nodes": {
            "shop": { "producer": producer },
            "orders": { "log": { "partitions": 4, "keyless": "round_robin" } },
            "kitchen": { "consumer": { "count": 2 } }
        },
        "edges": [
            { "kind": "publish", "from": "shop", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" }
        ],
        "commands": commands })
}

/// Each appended record's key number and partition, in order.
fn appended(log: &[WorldEvent]) -> Vec<(Millis, u32, u32)> {
    log.iter()
        .filter_map(|e| match e.event.kind {
            EventKind::Appended { key, partition, .. } => Some((e.event.t, key, partition)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_hot_key_carries_its_share_and_lands_on_one_partition() {
    let mut w = common::v2_world(log_fed_by(
        json!({ "rate": 50, "groups": 40, "hot_key_share": 0.6, "stop": "60s" }),
        json!([]),
    ));
    let records = appended(&common::world_events(&mut w, Millis::from_secs(60)));
    let hot: Vec<_> = records.iter().filter(|r| r.1 == HOT).collect();
    let share = hot.len() as f64 / records.len() as f64;
    assert!((0.55..0.65).contains(&share), "{share}");
    let partition = partition_for(b"hot", 4);
    assert!(
        hot.iter().all(|r| r.2 == partition),
        "one key, one partition"
    );
    let mut per_partition = BTreeMap::new();
    for r in &records {
        *per_partition.entry(r.2).or_insert(0u32) += 1;
    }
    let busiest = per_partition.values().max().unwrap();
    assert_eq!(per_partition[&partition], *busiest, "{per_partition:?}");
}

#[test]
fn records_without_a_key_are_spread_by_the_keyless_partitioner() {
    let mut w = common::v2_world(log_fed_by(
        json!({ "rate": 40, "keyless_share": 1, "stop": "10s" }),
        json!([]),
    ));
    let records = appended(&common::world_events(&mut w, Millis::from_secs(10)));
    assert!(records.iter().all(|r| r.1 == 0), "no record has a key");
    // Round robin: one partition after the other.
    for pair in records.windows(2) {
        assert_eq!((pair[0].2 + 1) % 4, pair[1].2);
    }
}

#[test]
fn set_hot_key_changes_the_share_from_then_on() {
    let mut w = common::v2_world(log_fed_by(
        json!({ "rate": 50, "groups": 40, "stop": "60s" }),
        json!([{ "at": "30s", "node": "shop", "do": { "type": "set_hot_key", "share": 0.5 } }]),
    ));
    let records = appended(&common::world_events(&mut w, Millis::from_secs(60)));
    let thirty = Millis::from_secs(30);
    assert!(records.iter().filter(|r| r.0 < thirty).all(|r| r.1 != HOT));
    let after: Vec<_> = records.iter().filter(|r| r.0 >= thirty).collect();
    let share = after.iter().filter(|r| r.1 == HOT).count() as f64 / after.len() as f64;
    assert!((0.42..0.58).contains(&share), "{share}");
    assert_eq!(w.producer(0).unwrap().hot_key_share, 0.5);
    // The same command now, from a person: back to no hot key.
    w.command(
        Target::Producer(0),
        Command::SetHotKey {
            producer: 0,
            share: 0.0,
        },
    )
    .unwrap();
    let later = appended(&common::world_events(&mut w, Millis::from_secs(60)));
    assert!(later.iter().all(|r| r.1 != HOT));
}

#[test]
fn keys_are_refused_where_there_are_no_partitions() {
    let queue = |producer: Value, commands: Value| {
        json!({ "version": 2,
            "nodes": {
                "shop": { "producer": producer },
                "orders": { "queue": {} },
                "kitchen": { "consumer": {} }
            },
            "edges": [
                { "kind": "publish", "from": "shop", "to": "orders" },
                { "kind": "subscribe", "from": "orders", "to": "kitchen" }
            ],
            "commands": commands })
    };
    let plan = |v: Value| {
        queue_engine::ScenarioV2::from_json(&v.to_string())
            .and_then(|s| s.plan())
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let err = plan(queue(json!({ "hot_key_share": 0.2 }), json!([])));
    assert!(err.contains("hot_key_share"), "{err}");
    let err = plan(queue(
        json!({}),
        json!([{ "at": "1s", "do": { "type": "set_hot_key", "share": 0.5 } }]),
    ));
    assert!(err.starts_with("commands[0].do"), "{err}");
    let err = plan(log_fed_by(
        json!({ "hot_key_share": 0.7, "keyless_share": 0.5 }),
        json!([]),
    ));
    assert!(
        err.contains("keyless_share") && err.contains("at most 1"),
        "{err}"
    );
    let mut w = common::v2_world(queue(json!({}), json!([])));
    let refused = w.command(
        Target::Producer(0),
        Command::SetHotKey {
            producer: 0,
            share: 0.5,
        },
    );
    assert!(refused.is_err());
}

#[test]
fn a_single_queue_system_refuses_keys_too() {
    // The page's built-in systems and the HTTP baseline are lowered as one queue's system.
    let file = json!({ "version": 2,
        "nodes": {
            "shop": { "producer": { "keyless_share": 0.3 } },
            "orders": { "queue": {} },
            "kitchen": { "consumer": {} }
        },
        "edges": [
            { "kind": "publish", "from": "shop", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" }
        ] });
    let err = queue_engine::ScenarioV2::from_json(&file.to_string())
        .and_then(|s| s.lower())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("keyless_share"), "{err}");
}
