//! A Redis stream as a node of the world (semantics notes §4): the world's producers add its
//! entries, the pool that subscribes to it is its consumer group, entries wait in the pending
//! entries list until acknowledged, and the janitor's XAUTOCLAIM hands idle ones over.

mod common;

use queue_engine::{EventKind, LogReport, Millis, ScenarioV2, World, WorldEvent};
use serde_json::{json, Value};

/// A stream read by `pool`, whose `group` object goes on its subscribe edge.
fn stream(mut pool: Value) -> Value {
    let group = pool.as_object_mut().unwrap().remove("group");
    let mut file = json!({ "version": 2,
        "nodes": {
            "shop": { "producer": { "rate": 10, "poison_share": 0.05, "stop": "60s" } },
            "orders": { "log": { "profile": "redis_streams" } },
            "kitchen": { "consumer": pool },
        },
        "edges": [
            { "kind": "publish", "from": "shop", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" },
        ] });
    if let Some(group) = group {
        file["edges"][1]["group"] = group;
    }
    file
}

fn run(file: &Value, until: Millis) -> (World, Vec<WorldEvent>) {
    let s = ScenarioV2::from_json(&file.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut w = World::new(s.plan().unwrap()).unwrap();
    let all = common::world_events(&mut w, until);
    (w, all)
}

#[test]
fn a_crashed_members_entries_are_claimed_by_the_live_one_with_a_higher_delivery_count() {
    // §4: XAUTOCLAIM min-idle claims stuck entries and bumps their delivery count.
    let mut file = stream(json!({ "count": 2, "processing": { "mean": "150ms" },
        "group": { "max_poll_records": 20, "min_idle": "10s", "claim_every": "5s" } }));
    file["commands"] =
        json!([{ "at": "20s", "node": "kitchen", "do": { "type": "crash", "consumer": 0 } }]);
    let (w, log) = run(&file, Millis::from_secs(120));
    let claims: Vec<(Millis, u32, u32)> = log
        .iter()
        .filter_map(|e| match e.event.kind {
            EventKind::RecordClaimed {
                member, deliveries, ..
            } => Some((e.event.t, member, deliveries)),
            _ => None,
        })
        .collect();
    let after: Vec<_> = claims
        .iter()
        .filter(|(t, _, _)| *t > Millis::from_secs(20))
        .collect();
    assert!(!after.is_empty(), "the dead member's entries were claimed");
    assert!(
        after.iter().all(|(_, member, d)| *member == 1 && *d >= 2),
        "{after:?}"
    );
    let first = after[0].0;
    assert!(
        first >= Millis::from_secs(25),
        "not before they sat idle for min-idle: {first}"
    );
    let report = LogReport::of(&w.logs()[0], "orders");
    assert!(report.conserved, "{report:?}");
    assert_eq!(
        report.groups[0].lag, 0,
        "everything acknowledged or dead in the end"
    );
}

#[test]
fn an_entry_that_always_fails_goes_to_the_dead_stream_after_max_attempts_deliveries() {
    // §4: no built-in DLQ; past a delivery count the application adds it to a dead stream.
    let pool = json!({ "processing": { "mean": "20ms" },
        "group": { "max_attempts": 3, "min_idle": "2s", "claim_every": "1s" } });
    let (w, log) = run(&stream(pool), Millis::from_secs(120));
    let dead: Vec<u64> = log
        .iter()
        .filter_map(|e| match e.event.kind {
            EventKind::RecordDeadLettered { offset, .. } => Some(offset),
            _ => None,
        })
        .collect();
    assert!(dead.len() >= 10, "{}", dead.len());
    for off in &dead {
        assert_eq!(common::failures_at(&log, *off), 3, "entry {off}");
    }
    let redis = w.logs()[0].as_redis().unwrap();
    assert_eq!(redis.dead_stream.len(), dead.len());
    assert!(redis.dead_stream.iter().all(|(_, d)| *d == 3));
}

#[test]
fn settings_of_the_other_platform_are_refused_by_name() {
    let mut file = stream(json!({}));
    file["nodes"]["orders"]["log"]["partitions"] = json!(3);
    let (path, expected, _) = common::v2_field_error(&file);
    assert_eq!(path, "nodes.orders.log.partitions");
    assert!(expected.contains("Kafka"), "{expected}");

    let file = stream(json!({ "group": { "commit": "before_processing" } }));
    let (path, expected, _) = common::v2_field_error(&file);
    assert_eq!(path, "edges[1].group.commit");
    assert!(expected.contains("XACK"), "{expected}");

    let mut kafka = stream(json!({ "group": { "min_idle": "5s" } }));
    kafka["nodes"]["orders"] = json!({ "log": {} });
    let (path, expected, _) = common::v2_field_error(&kafka);
    assert_eq!(path, "edges[1].group.min_idle");
    assert!(expected.contains("XAUTOCLAIM"), "{expected}");

    let mut seek = stream(json!({}));
    seek["commands"] =
        json!([{ "at": "1s", "node": "kitchen", "do": { "type": "seek", "to": "earliest" } }]);
    let (path, expected, given) = common::v2_field_error(&seek);
    assert_eq!((path.as_str(), given.as_str()), ("commands[0].do", "seek"));
    assert!(expected.contains("crash"), "{expected}");

    let mut two = stream(json!({}));
    two["nodes"]["billing"] = json!({ "consumer": {} });
    two["edges"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "subscribe", "from": "orders", "to": "billing" }));
    let (path, _, _) = common::v2_field_error(&two);
    assert!(path == "nodes.billing" || path == "nodes.kitchen", "{path}");
}

/// Semantics notes §4 (observed on Redis 7.0.15): `MAXLEN` trims regardless of the group.
/// With `max_len: 3` and one slow worker, the entries nobody read are lost, and the poison
/// entry the worker held keeps failing from the worker's own copy, then stays in the pending
/// list without data until XAUTOCLAIM reports it deleted and drops it (`records_skipped`).
#[test]
fn max_len_trims_unread_entries_and_xautoclaim_drops_a_pending_one_without_data() {
    let mut file = stream(json!({ "count": 1, "processing": { "mean": "2s" },
        "group": { "max_poll_records": 1, "claim_every": "2s", "min_idle": "2500ms" } }));
    file["nodes"]["shop"] = json!({ "producer": { "rate": 0 } });
    file["nodes"]["orders"]["log"]["max_len"] = json!(3);
    let send =
        |at: &str, payload: &str| json!({ "at": at, "do": { "type": "send", "payload": payload } });
    file["commands"] = json!([
        send("1s", "poison"),
        send("1200ms", "normal"),
        send("1400ms", "normal"),
        send("1600ms", "normal"),
        send("1800ms", "normal"),
        send("2s", "normal")
    ]);
    let (w, log) = run(&file, Millis::from_secs(30));
    let redis = w.logs()[0].as_redis().expect("a Redis stream");
    let ids: Vec<u64> = redis.entries.iter().map(|e| e.n).collect();
    assert_eq!(
        ids,
        [3, 4, 5],
        "only the last three entries keep their data"
    );
    assert_eq!(redis.counts.trimmed_unread, 2, "{:?}", redis.counts);
    assert_eq!(redis.counts.deleted_pending, 1, "{:?}", redis.counts);
    assert_eq!(redis.counts.acked, 3, "{:?}", redis.counts);
    assert!(redis.pel.is_empty() && redis.dead_stream.is_empty());
    let failed = log
        .iter()
        .any(|e| matches!(e.event.kind, EventKind::RecordFailed { offset: 0, .. }));
    assert!(
        failed,
        "the worker's copy of the poison entry still fails after the trim"
    );
    let skipped = log
        .iter()
        .filter(|e| matches!(e.event.kind, EventKind::RecordsSkipped { .. }))
        .count();
    assert_eq!(skipped, 1);
}

#[test]
fn max_len_is_a_redis_setting_with_a_range() {
    let refused = |file: &Value| {
        ScenarioV2::from_json(&file.to_string())
            .and_then(|s| s.plan().map(|_| ()))
            .expect_err("refused")
            .to_string()
    };
    let mut file = stream(json!({ "count": 1 }));
    file["nodes"]["orders"]["log"]["max_len"] = json!(0);
    let e = refused(&file);
    assert!(
        e.contains("nodes.orders.log.max_len") && e.contains("1 to 100000"),
        "{e}"
    );
    file["nodes"]["orders"]["log"] = json!({ "profile": "kafka", "max_len": 5 });
    let e = refused(&file);
    assert!(e.contains("nodes.orders.log.max_len"), "{e}");
}

#[test]
fn ids_are_milliseconds_and_a_sequence_and_only_grow() {
    // §4: an entry id is `<ms>-<seq>`; entries added in one millisecond share the ms part.
    let mut file = stream(json!({}));
    file["nodes"]["shop"]["producer"] = json!({ "rate": 2500 });
    let (w, _) = run(&file, Millis(10));
    let redis = w.logs()[0].as_redis().unwrap();
    let ids: Vec<String> = redis.entries.iter().map(|e| e.id.to_string()).collect();
    assert!(ids.len() > 20, "{ids:?}");
    assert_eq!(ids[0], "0-0");
    assert!(ids.contains(&"1-1".to_owned()), "{ids:?}");
    assert!(redis
        .entries
        .iter()
        .zip(redis.entries.iter().skip(1))
        .all(|(a, b)| a.id < b.id));
}

#[test]
fn an_entry_carries_a_valid_cloudevent_keyed_by_its_own_id() {
    let (w, _) = run(&stream(json!({})), Millis::from_secs(5));
    let redis = w.logs()[0].as_redis().unwrap();
    let (&id, _) = redis.pel.iter().next().expect("something pending");
    let env = redis.entry(id).unwrap().envelope();
    let parsed: cloudevents::Event =
        serde_json::from_str(&env.to_json_string()).expect("a valid CloudEvent");
    assert_eq!(cloudevents::AttributesReader::id(&parsed), env.id);
    assert_eq!(env.time, queue_engine::envelope::rfc3339(Millis(id.ms)));
    let other = redis
        .pel
        .keys()
        .nth(1)
        .map(|k| redis.entry(*k).unwrap().envelope().id);
    assert_ne!(other, Some(env.id.clone()), "each entry is its own event");
}
