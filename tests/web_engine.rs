//! The engine under wasm in a real browser: the same scenario gives the same event-log hash as
//! the native build recorded, so a lesson's numbers are the same everywhere.
#![cfg(target_arch = "wasm32")]

use queue_engine::topology::plan::Plan;
use queue_engine::{Millis, Scenario, ScenarioFile, World};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every scenario file with the hash its 5-minute run recorded natively
/// (engine/tests/determinism.rs checks the same files and hashes).
const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "pizza-shop",
        include_str!("../scenarios/pizza-shop.json"),
        include_str!("../scenarios/pizza-shop.5m.loghash"),
    ),
    (
        "http-vs-queue",
        include_str!("../scenarios/http-vs-queue.json"),
        include_str!("../scenarios/http-vs-queue.5m.loghash"),
    ),
    (
        "kitchen-outage",
        include_str!("../scenarios/kitchen-outage.json"),
        include_str!("../scenarios/kitchen-outage.5m.loghash"),
    ),
    (
        "ui-backlog-100",
        include_str!("../scenarios/ui-backlog-100.json"),
        include_str!("../scenarios/ui-backlog-100.5m.loghash"),
    ),
    (
        "ui-backlog-1000",
        include_str!("../scenarios/ui-backlog-1000.json"),
        include_str!("../scenarios/ui-backlog-1000.5m.loghash"),
    ),
    (
        "ui-backlog-10000",
        include_str!("../scenarios/ui-backlog-10000.json"),
        include_str!("../scenarios/ui-backlog-10000.5m.loghash"),
    ),
    (
        "service-bus-orders",
        include_str!("../scenarios/service-bus-orders.json"),
        include_str!("../scenarios/service-bus-orders.5m.loghash"),
    ),
    (
        "pubsub-orders",
        include_str!("../scenarios/pubsub-orders.json"),
        include_str!("../scenarios/pubsub-orders.5m.loghash"),
    ),
    (
        "activemq-orders",
        include_str!("../scenarios/activemq-orders.json"),
        include_str!("../scenarios/activemq-orders.5m.loghash"),
    ),
    (
        "video-upload",
        include_str!("../scenarios/video-upload.json"),
        include_str!("../scenarios/video-upload.5m.loghash"),
    ),
    (
        "queue-vs-topic",
        include_str!("../scenarios/queue-vs-topic.json"),
        include_str!("../scenarios/queue-vs-topic.5m.loghash"),
    ),
    (
        "rabbitmq-quorum-orders",
        include_str!("../scenarios/rabbitmq-quorum-orders.json"),
        include_str!("../scenarios/rabbitmq-quorum-orders.5m.loghash"),
    ),
    (
        "rabbitmq-pizza",
        include_str!("../scenarios/rabbitmq-pizza.json"),
        include_str!("../scenarios/rabbitmq-pizza.5m.loghash"),
    ),
    (
        "orders-log",
        include_str!("../scenarios/orders-log.json"),
        include_str!("../scenarios/orders-log.5m.loghash"),
    ),
    (
        "redis-orders",
        include_str!("../scenarios/redis-orders.json"),
        include_str!("../scenarios/redis-orders.5m.loghash"),
    ),
];

#[wasm_bindgen_test]
fn every_scenario_file_runs_to_the_same_log_hash_as_natively() {
    for (name, json, hash) in GOLDEN {
        // Read and planned exactly as `qsim` and the native test do: one world per file.
        let plan = ScenarioFile::from_json(json)
            .unwrap()
            .into_v2()
            .plan()
            .unwrap();
        let mut world = World::new(plan).unwrap();
        world.advance_to(Millis::from_mins(5));
        assert_eq!(format!("{:016x}", world.log_hash()), hash.trim(), "{name}");
        for sim in world.members() {
            let c = sim.counts();
            assert_eq!(c.state_total(), c.published, "{name}");
        }
        for log in world.logs() {
            let report = queue_engine::LogReport::of(log, name);
            assert!(report.conserved, "{name}");
        }
    }
}

#[wasm_bindgen_test]
fn a_busy_randomised_run_is_reproducible_in_the_browser() {
    let json = r#"{"seed": 9, "dlq": {"max_receive_count": 3},
        "producers": [{"rate": 80, "arrival": "poisson", "poison_share": 0.05, "transient_share": 0.1, "duplicate_share": 0.05}],
        "consumers": {"count": 3, "batch_size": 5, "crash_probability": 0.02, "failure_rate": 0.05,
                      "processing": {"mean": "40ms", "distribution": "exponential"}}}"#;
    let run = || {
        let plan = Plan::single(Scenario::from_json(json).unwrap());
        let mut world = World::new(plan).unwrap();
        world.advance_to(Millis::from_mins(2));
        (world.log_hash(), world.members()[0].counts().published)
    };
    let (a, published) = run();
    assert!(published > 9000);
    assert_eq!(a, run().0);
}
