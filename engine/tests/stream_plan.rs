//! The log lessons' scenarios (the standalone log's JSON) run as worlds through
//! `Plan::from_stream`, and still show what each lesson teaches (semantics notes §3).

use queue_engine::stream::{StreamScenario, StreamSim};
use queue_engine::topology::plan::Plan;
use queue_engine::{Millis, World};

/// The lesson's scenario, planned, run to `until`.
fn lesson(id: &str, until: Millis) -> World {
    let path = format!("{}/../lessons/{id}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sc = StreamScenario::from_json(&file["scenario"].to_string()).unwrap();
    let mut w = World::new(Plan::from_stream(&sc).unwrap()).unwrap();
    w.advance_to(until);
    w
}

fn kafka(w: &World) -> &StreamSim {
    w.logs()[0].as_kafka().unwrap()
}

#[test]
fn rebalance_skip_a_crash_after_committing_before_processing_skips_records() {
    let w = lesson("rebalance-skip", Millis::from_secs(40));
    let kitchen = &kafka(&w).groups[0].counts;
    assert!(kitchen.skipped >= 1, "{kitchen:?}");
    assert_eq!(
        kafka(&w).groups[1].counts.skipped,
        0,
        "analytics never crashed"
    );
}

#[test]
fn stream_replay_seeking_one_group_to_earliest_replays_only_that_group() {
    let w = lesson("stream-replay", Millis::from_secs(40));
    let log = kafka(&w);
    assert!(
        log.groups[1].counts.replayed >= 100,
        "{:?}",
        log.groups[1].counts
    );
    assert_eq!(log.groups[0].counts.replayed, 0);
}

#[test]
fn partition_keys_a_hot_key_keeps_key_order_but_piles_up_on_one_partition() {
    let w = lesson("partition-keys", Millis::from_secs(90));
    let log = kafka(&w);
    let (per_key, across) = log.order_inversions(0);
    assert_eq!(per_key, 0, "each key's records in order");
    assert!(across >= 1, "but not the topic's");
    let lags: Vec<u64> = (0..log.partitions.len()).map(|p| log.lag(0, p)).collect();
    assert!(lags.iter().max().unwrap() >= &50, "{lags:?}");
    assert!(lags.iter().min().unwrap() <= &10, "{lags:?}");
}

#[test]
fn a_planned_add_or_remove_of_one_member_is_refused_by_name() {
    let sc = StreamScenario::from_json(
        r#"{ "commands": [{ "at": "5s", "do": { "type": "add_consumer", "group": 0 } }] }"#,
    )
    .unwrap();
    let err = Plan::from_stream(&sc).unwrap_err().to_string();
    assert!(
        err.starts_with("commands[0].do: expected crash_consumer"),
        "{err}"
    );
}

/// `scenarios/NAME.json`, planned.
fn planned_file(name: &str) -> Plan {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("the file");
    planned(&text)
}

fn planned(text: &str) -> Plan {
    queue_engine::ScenarioV2::from_json(text)
        .expect("reads")
        .plan()
        .expect("plans")
}

/// The page's log panel runs `scenarios/orders-log.json` as a log scenario: the file's topic,
/// groups and producer come back exactly as they plan, and only the timed commands stay
/// behind (the panel's buttons stand in for them).
#[test]
fn a_kafka_file_is_a_log_scenario_and_plans_the_same_again() {
    let plan = planned_file("orders-log");
    assert!(!plan.commands.is_empty(), "the file has timed commands");
    let sc = plan.log_system().expect("one Kafka log");
    assert!(sc.commands.is_empty());
    assert_eq!(sc.groups.len(), 2);
    assert_eq!(sc.topic.name, "orders");
    let mut again = Plan::from_stream(&sc).expect("plans");
    // Planning a file names the log's own scenario after the log, a log scenario after the
    // system; nothing reads either.
    if let queue_engine::topology::log::LogPlan::Kafka { scenario, .. } = &mut again.logs[0].run {
        scenario.name = "orders".into();
    }
    assert_eq!(
        again,
        Plan {
            commands: Vec::new(),
            ..plan
        }
    );
}

#[test]
fn what_a_log_scenario_cannot_hold_is_refused_by_name() {
    let with_producer = |producer: serde_json::Value| {
        planned(
            &serde_json::json!({
                "version": 2,
                "nodes": {
                    "p": { "producer": producer },
                    "orders": { "log": {} },
                    "kitchen": { "consumer": {} }
                },
                "edges": [
                    { "kind": "publish", "from": "p", "to": "orders" },
                    { "kind": "subscribe", "from": "orders", "to": "kitchen" }
                ]
            })
            .to_string(),
        )
    };
    assert!(with_producer(serde_json::json!({ "rate": 3 }))
        .log_system()
        .is_ok());
    let refused = |plan: Plan| plan.log_system().unwrap_err().to_string();
    let err = refused(with_producer(serde_json::json!({ "duplicate_share": 0.1 })));
    assert!(err.contains("nodes.p.producer"), "{err}");
    let err = refused(planned_file("redis-orders"));
    assert!(
        err.contains("nodes.orders") && err.contains("a Redis stream"),
        "{err}"
    );
    let err = refused(planned_file("video-upload"));
    assert!(err.contains("a queue"), "{err}");
}
