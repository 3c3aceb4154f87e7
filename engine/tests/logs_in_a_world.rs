//! A Kafka topic as a node of the world (semantics notes §3): the world's producers append to
//! it, each consumer pool that subscribes to it is a consumer group with its own offsets, and
//! everything it does lands in the world's one event log.

mod common;

use std::collections::BTreeMap;

use queue_engine::stream::partition_for;
use queue_engine::{EventKind, Millis, ScenarioV2, World, WorldEvent};
use serde_json::{json, Value};

fn world(value: &Value) -> World {
    let s = ScenarioV2::from_json(&value.to_string()).unwrap_or_else(|e| panic!("{e}"));
    World::new(s.plan().unwrap()).unwrap()
}

fn events(w: &mut World, until: Millis) -> Vec<WorldEvent> {
    common::world_events(w, until)
}

/// A log of `partitions` fed at `rate` per second over `groups` keys, read by the pools given
/// (a pool's `group` object goes on its subscribe edge).
fn orders(partitions: u32, rate: u32, keys: u32, pools: Value) -> Value {
    let mut nodes = json!({
        "shop": { "producer": { "rate": rate, "groups": keys, "stop": "60s" } },
        "orders": { "log": { "partitions": partitions } },
    });
    let mut edges = vec![json!({ "kind": "publish", "from": "shop", "to": "orders" })];
    for (name, pool) in pools.as_object().unwrap() {
        let mut pool = pool.clone();
        let group = pool.as_object_mut().unwrap().remove("group");
        nodes[name] = json!({ "consumer": pool });
        let mut edge = json!({ "kind": "subscribe", "from": "orders", "to": name });
        if let Some(group) = group {
            edge["group"] = group;
        }
        edges.push(edge);
    }
    json!({ "version": 2, "nodes": nodes, "edges": edges })
}

/// (partition, offset) → the key number of each appended record.
fn keys(log: &[WorldEvent]) -> BTreeMap<(u32, u64), u32> {
    log.iter()
        .filter_map(|e| match e.event.kind {
            EventKind::Appended {
                key,
                partition,
                offset,
                ..
            } => Some(((partition, offset), key)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_key_always_goes_to_its_murmur2_partition() {
    // §3 Key → partition: toPositive(murmur2(key)) % numPartitions.
    let mut w = world(&orders(6, 40, 30, json!({})));
    let log = events(&mut w, Millis::from_secs(30));
    let appended = keys(&log);
    assert!(appended.len() > 1000, "{}", appended.len());
    for ((partition, _), key) in &appended {
        let expected = partition_for(format!("store-{key}").as_bytes(), 6);
        assert_eq!(*partition, expected, "key store-{key}");
    }
    let used: std::collections::BTreeSet<u32> = appended.keys().map(|(p, _)| *p).collect();
    assert!(used.len() > 1, "30 keys spread over several partitions");
}

#[test]
fn each_group_reads_every_record_and_keeps_each_keys_order() {
    // §3 Consumer group: each partition to one member; Ordering: per partition only.
    let pools = json!({
        "kitchen": { "count": 3, "processing": { "mean": "20ms" } },
        "billing": { "count": 1, "processing": { "mean": "5ms" } },
    });
    let mut w = world(&orders(4, 30, 20, pools));
    let log = events(&mut w, Millis::from_secs(120));
    let appended = keys(&log);
    for group in 0..2u32 {
        let mut last: BTreeMap<u32, (u32, u64)> = BTreeMap::new();
        let mut firsts = 0;
        for e in &log {
            if let EventKind::RecordProcessed {
                group: g,
                partition,
                offset,
                times: 1,
                ..
            } = e.event.kind
            {
                if g != group {
                    continue;
                }
                firsts += 1;
                let key = appended[&(partition, offset)];
                if let Some((p, before)) = last.insert(key, (partition, offset)) {
                    assert_eq!(p, partition, "a key stays on one partition");
                    assert!(offset > before, "key {key}: offset {offset} after {before}");
                }
            }
        }
        assert_eq!(
            firsts,
            appended.len(),
            "group {group} processed every record once"
        );
    }
    let report = queue_engine::WorldReport::of(&w, 1, false);
    assert_eq!(
        report.logs[0].groups[0].group, "billing",
        "groups in file order"
    );
    assert!(report.logs[0].groups.iter().all(|g| g.lag == 0));
}

/// A member crashes mid-backlog; returns the group's counts and the records appended.
fn crash_with(commit: &str) -> (queue_engine::stream::GroupCounts, u64) {
    let mut file = orders(
        4,
        50,
        40,
        json!({ "kitchen": { "count": 2, "processing": { "mean": "45ms" },
                 "group": { "commit": commit, "max_poll_records": 20, "offset_reset": "earliest" } } }),
    );
    file["nodes"]["shop"]["producer"]["stop"] = json!("30s");
    file["commands"] =
        json!([{ "at": "10s", "node": "kitchen", "do": { "type": "crash", "consumer": 0 } }]);
    let mut w = world(&file);
    let log = events(&mut w, Millis::from_secs(150));
    let crashes = log
        .iter()
        .filter(|e| {
            matches!(
                e.event.kind,
                EventKind::GroupMemberLeft { crashed: true, .. }
            )
        })
        .count();
    assert_eq!(crashes, 1);
    let l = w.logs()[0].as_kafka().unwrap();
    (l.groups[0].counts.clone(), l.published())
}

#[test]
fn a_crash_after_committing_before_processing_skips_records() {
    // §3 enable.auto.commit / Offsets: a commit ahead of processing loses what was in hand.
    let (c, published) = crash_with("before_processing");
    assert!(c.skipped > 0, "{c:?}");
    assert_eq!(c.duplicates, 0);
    assert_eq!(c.processed + c.skipped, published);
}

#[test]
fn a_crash_after_processing_but_before_the_commit_gives_duplicates() {
    // §3 Uncommitted work on rebalance: the new owner resumes at the last committed offset.
    let (c, published) = crash_with("after_processing");
    assert_eq!(c.skipped, 0, "{c:?}");
    assert!(c.duplicates > 0, "{c:?}");
    assert_eq!(c.processed - c.duplicates, published);
}

#[test]
fn a_pool_without_group_settings_gets_kafkas_consumer_defaults() {
    // §3: auto.offset.reset latest, enable.auto.commit every 5,000 ms.
    let w = world(&orders(2, 5, 3, json!({ "kitchen": {} })));
    let g = &w.logs()[0].as_kafka().unwrap().groups[0].config;
    assert_eq!(g.offset_reset, queue_engine::stream::OffsetReset::Latest);
    assert_eq!(g.commit, queue_engine::stream::CommitMode::Auto);
    assert_eq!(g.auto_commit_interval, Millis::from_secs(5));
    assert_eq!(g.name, "kitchen");
}

#[test]
fn a_record_that_always_fails_goes_to_the_dead_letter_topic_after_max_attempts() {
    // §3 DLQ: none for consumer groups; the application publishes to `<topic>-dlt`.
    let mut file = orders(
        1,
        10,
        5,
        json!({ "kitchen": { "processing": { "mean": "10ms" }, "group": { "max_attempts": 4 } } }),
    );
    file["nodes"]["shop"]["producer"]["poison_share"] = json!(0.1);
    let mut w = world(&file);
    let log = events(&mut w, Millis::from_secs(90));
    let dead: Vec<(u32, u64)> = log
        .iter()
        .filter_map(|e| match e.event.kind {
            EventKind::RecordDeadLettered {
                partition, offset, ..
            } => Some((partition, offset)),
            _ => None,
        })
        .collect();
    assert!(!dead.is_empty());
    // One partition, so an offset names one record.
    for (_, off) in &dead {
        assert_eq!(common::failures_at(&log, *off), 4, "offset {off}");
    }
    assert_eq!(w.logs()[0].as_kafka().unwrap().dlt.len(), dead.len());
    assert_eq!(w.logs()[0].as_kafka().unwrap().dlt[0].topic, "orders-dlt");
}

#[test]
fn a_message_copied_to_a_queue_and_a_log_keeps_one_event_id() {
    let file = json!({ "version": 2,
        "nodes": {
            "shop": { "producer": { "rate": 5, "stop": "10s" } },
            "orders": { "log": {} },
            "audit": { "queue": {} },
            "kitchen": { "consumer": {} },
        },
        "edges": [
            { "kind": "publish", "from": "shop", "to": "audit" },
            { "kind": "publish", "from": "shop", "to": "orders" },
            { "kind": "subscribe", "from": "audit", "to": "kitchen" },
        ] });
    let mut w = world(&file);
    let log = events(&mut w, Millis::from_secs(20));
    let in_queue: Vec<u64> = log
        .iter()
        .filter_map(|e| match e.event.kind {
            EventKind::Published { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    let in_log: Vec<u64> = log
        .iter()
        .filter_map(|e| match e.event.kind {
            EventKind::Appended { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    assert_eq!(in_queue.len(), 50);
    assert_eq!(in_queue, in_log);
    let nodes: std::collections::BTreeSet<&str> = log.iter().filter_map(|e| w.node_of(e)).collect();
    assert!(
        nodes.contains("orders") && nodes.contains("audit"),
        "{nodes:?}"
    );
}

#[test]
fn commands_for_a_group_are_checked_like_the_file() {
    let mut file = orders(2, 5, 3, json!({ "kitchen": {} }));
    file["commands"] = json!([{ "at": "5s", "node": "kitchen", "do": { "type": "set_ack", "mode": "before_processing" } }]);
    let (path, expected, given) = common::v2_field_error(&file);
    assert_eq!(path, "commands[0].do");
    assert!(expected.contains("seek"), "{expected}");
    assert_eq!(given, "set_ack");

    let queue_pool = json!({ "version": 2,
        "nodes": { "shop": { "producer": {} }, "q": { "queue": {} }, "kitchen": { "consumer": {} } },
        "edges": [ { "kind": "publish", "from": "shop", "to": "q" },
                   { "kind": "subscribe", "from": "q", "to": "kitchen", "group": { "commit": "auto" } } ] });
    let (path, _, given) = common::v2_field_error(&queue_pool);
    assert_eq!(path, "edges[1].group");
    assert!(given.contains("q → kitchen"), "{given}");

    let mut seek_on_queue = queue_pool.clone();
    seek_on_queue["edges"][1]
        .as_object_mut()
        .unwrap()
        .remove("group");
    seek_on_queue["commands"] = json!([{ "at": "1s", "do": { "type": "seek", "to": "earliest" } }]);
    let (path, expected, _) = common::v2_field_error(&seek_on_queue);
    assert_eq!(path, "commands[0].do");
    assert!(expected.contains("log"), "{expected}");

    // A group is scaled within the queue's limit, in a file and from a person: a huge count
    // once built a step per member.
    let mut huge = orders(2, 5, 3, json!({ "kitchen": {} }));
    huge["commands"] = json!([{ "at": "5s", "node": "kitchen",
        "do": { "type": "scale_consumers", "count": 4_000_000_000u32 } }]);
    let (path, expected, _) = common::v2_field_error(&huge);
    assert_eq!(
        (path.as_str(), expected.as_str()),
        ("commands[0].do.count", "a whole number from 0 to 64")
    );
    let mut w = world(&orders(2, 5, 3, json!({ "kitchen": {} })));
    let target = queue_engine::topology::plan::Target::Group { log: 0, group: 0 };
    // From a person, the group stops at the limit.
    w.command(
        target,
        queue_engine::Command::ScaleConsumers {
            count: 4_000_000_000,
        },
    )
    .unwrap();
    let members = w.logs()[0].as_kafka().unwrap().groups[0].members.len();
    assert_eq!(members, 64);

    let mut bad = orders(0, 5, 3, json!({}));
    bad["nodes"]["orders"]["log"]["partitions"] = json!(0);
    let (path, expected, given) = common::v2_field_error(&bad);
    assert_eq!(
        (path.as_str(), expected.as_str(), given.as_str()),
        ("nodes.orders.log.partitions", "1 to 64", "0")
    );
}

#[test]
fn scaling_and_seeking_a_group_rebalance_and_replay() {
    let mut file = orders(
        4,
        20,
        10,
        json!({ "analytics": { "processing": { "mean": "5ms" },
        "group": { "offset_reset": "earliest" } } }),
    );
    file["commands"] = json!([
        { "at": "20s", "node": "analytics", "do": { "type": "scale_consumers", "count": 3 } },
        { "at": "40s", "node": "analytics", "do": { "type": "seek", "to": "earliest" } },
    ]);
    let mut w = world(&file);
    let log = events(&mut w, Millis::from_secs(80));
    let joined = log
        .iter()
        .filter(|e| matches!(e.event.kind, EventKind::GroupMemberJoined { .. }))
        .count();
    assert_eq!(joined, 2, "one member to three");
    let last = log
        .iter()
        .rev()
        .find_map(|e| match e.event.kind {
            EventKind::Rebalanced { members, .. } => Some(members),
            _ => None,
        })
        .unwrap();
    assert_eq!(last, 3);
    let c = &w.logs()[0].as_kafka().unwrap().groups[0].counts;
    assert!(c.replayed >= 700, "the first 40 s read again: {c:?}");
}

/// A record's lifecycle, as the inspector shows it: its append, then each group processing it,
/// in time order, and nothing about any other record (§3: each group reads the same records at
/// its own offsets).
#[test]
fn a_records_lifecycle_is_its_append_then_each_groups_processing() {
    let pools = json!({
        "kitchen": { "count": 2, "processing": { "mean": "20ms" } },
        "analytics": { "count": 1, "processing": { "mean": "5ms" } },
    });
    let mut w = world(&orders(2, 20, 5, pools));
    let log = events(&mut w, Millis::from_secs(5));
    let (&(partition, offset), _) = keys(&log).iter().next().expect("something appended");
    let lifecycle = w.record_timeline(0, partition, offset);
    let Some(EventKind::Appended {
        partition: p,
        offset: o,
        ..
    }) = lifecycle.first().map(|e| e.kind.clone())
    else {
        panic!("begins with its append: {lifecycle:?}");
    };
    assert_eq!((p, o), (partition, offset));
    let groups: Vec<u32> = lifecycle[1..]
        .iter()
        .map(|e| match e.kind {
            EventKind::RecordProcessed {
                group,
                partition: p,
                offset: o,
                ..
            } => {
                assert_eq!((p, o), (partition, offset), "only this record");
                group
            }
            ref other => panic!("only its processing after the append: {other:?}"),
        })
        .collect();
    let mut sorted = groups.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [0, 1],
        "each group processed it once: {lifecycle:?}"
    );
    assert!(
        lifecycle.windows(2).all(|p| p[0].t <= p[1].t),
        "in time order"
    );
    assert!(
        w.record_timeline(0, partition, offset + 10_000).is_empty(),
        "a record never appended has no lifecycle"
    );
}

/// A record's sentences call its group by the name the file gives the pool, as the canvas and
/// the group table do, when given the log's group names; without them, by its number.
#[test]
fn a_groups_sentences_call_it_by_its_name() {
    let pools = json!({ "kitchen": { "count": 2, "processing": { "mean": "20ms" } } });
    let mut w = world(&orders(2, 10, 4, pools));
    let log = events(&mut w, Millis::from_secs(5));
    let names = w.member_nodes(w.members().len() as u16).groups.clone();
    assert_eq!(names, ["kitchen"]);
    let processed = log
        .iter()
        .find(|e| e.event.kind_name() == "record_processed")
        .expect("a record processed");
    let named = processed.event.describe_in(&names);
    assert!(named.starts_with("Group kitchen member "), "{named}");
    assert!(
        processed.event.describe().starts_with("Group 1 member "),
        "{}",
        processed.event.describe()
    );
}
