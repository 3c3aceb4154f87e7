//! Scenario files, version 2: a topology of named nodes and typed edges. Version 1 files lift
//! to version 2 without loss, every error names its path in the v2 file, and a file that loads
//! runs.

mod common;

use proptest::prelude::*;
use queue_engine::{
    EdgeKind, Millis, Mode, NodeKind, Scenario, ScenarioError, ScenarioFile, ScenarioV2,
};
use serde_json::{json, Value};

fn v2(value: Value) -> Result<ScenarioV2, ScenarioError> {
    ScenarioV2::from_json(&value.to_string())
}

fn field_error(value: Value) -> (String, String, String) {
    common::v2_field_error(&value)
}

/// The smallest pizza shop: a producer, a queue, a consumer pool.
fn shop() -> Value {
    json!({
        "version": 2,
        "nodes": {
            "order-service": { "producer": { "rate": 2 } },
            "orders": { "queue": {} },
            "kitchen": { "consumer": {} }
        },
        "edges": [
            { "kind": "publish", "from": "order-service", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" }
        ]
    })
}

fn repo_file(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every queue scenario the repository holds in version 1 form: the lessons' scenarios.
fn v1_scenarios() -> Vec<(String, Scenario)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let lesson: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if lesson.get("model").is_some_and(|m| m != "queue") {
            continue;
        }
        let s = Scenario::from_json(&lesson["scenario"].to_string()).unwrap();
        out.push((path.display().to_string(), s));
    }
    assert!(out.len() >= 15, "found only {} lesson scenarios", out.len());
    out
}

#[test]
fn a_minimal_topology_runs_with_each_nodes_name() {
    let s = v2(shop()).unwrap();
    assert!(s.topology.id("kitchen").is_some());
    let sc = s.lower().unwrap();
    assert_eq!(sc.mode, Mode::Queue);
    assert_eq!(sc.queue.name, "orders");
    assert_eq!(sc.consumers.name, "kitchen");
    assert_eq!(sc.producers[0].name, "order-service");
    assert!(sc.dlq.is_none() && !sc.reply_queue && !sc.data_store);
    let mut sim = common::OneQueue::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(10));
    assert!(sim.counts().processed >= 19, "{:?}", sim.counts());
}

#[test]
fn every_v1_scenario_lifts_to_v2_and_lowers_back_unchanged() {
    for (name, s) in v1_scenarios() {
        let lifted = ScenarioV2::from_v1(&s);
        assert_eq!(lifted.lower().as_ref(), Ok(&s), "{name}");
        // And through the file format: written out, read back, lowered.
        let reread = ScenarioV2::from_json(&lifted.to_json())
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", lifted.to_json()));
        assert_eq!(reread, lifted, "{name}");
        assert_eq!(reread.lower().as_ref(), Ok(&s), "{name}");
    }
}

/// A quorum queue with no dead-letter target lowers to a drop limit (semantics.md §2.3, §2.5),
/// and that lowered form lifts back to the same quorum queue and limit.
#[test]
fn a_quorum_queue_without_a_dead_letter_target_round_trips_through_its_drop_limit() {
    let mut file = shop();
    file["nodes"]["orders"]["queue"] = json!({ "profile": "rabbitmq_quorum", "delivery_limit": 3 });
    let lowered = v2(file).unwrap().lower().unwrap();
    assert_eq!(lowered.queue.max_deliveries, Some(4));
    assert!(lowered.dlq.is_none());
    let lifted = ScenarioV2::from_v1(&lowered);
    assert_eq!(lifted.lower().as_ref(), Ok(&lowered));
    let text = lifted.to_json();
    assert!(
        text.contains("rabbitmq_quorum") && text.contains("\"delivery_limit\": 3"),
        "{text}"
    );
}

#[test]
fn the_scenario_files_are_version_2_and_the_kitchen_outage_is_the_same_run() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.display();
        let parsed = ScenarioFile::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            matches!(parsed, ScenarioFile::V2(_)),
            "{file} is still version 1"
        );
        parsed.into_v2().plan().unwrap();
    }
    // The kitchen outage's version 1 file and its version 2 file are the same run.
    let text = repo_file("scenarios/kitchen-outage.json");
    let v2 = ScenarioFile::from_json(&text).unwrap().lower().unwrap();
    let v1 = r#"{"version": 1, "name": "kitchen-outage", "seed": 42, "dlq": {"max_receive_count": 3},
        "description": "The pizza shop with the kitchen offline from 60 s to 120 s: orders are accepted and wait, then drain.",
        "producers": [{"name": "order-service", "rate": 5, "poison_share": 0.02, "transient_share": 0.05}],
        "consumers": {"name": "kitchen", "count": 2, "processing": {"mean": "300ms", "distribution": "exponential"}},
        "reply_queue": true,
        "commands": [{"at": "60s", "do": {"type": "set_online", "online": false}},
                     {"at": "120s", "do": {"type": "set_online", "online": true}}]}"#;
    let mut v1 = Scenario::from_json(v1).unwrap();
    v1.dlq.as_mut().unwrap().name = "orders-dlq".into();
    assert_eq!(v2, v1);
}

#[test]
fn version_1_files_still_load_and_other_versions_are_refused() {
    let file = ScenarioFile::from_json(r#"{"version": 1, "seed": 7}"#).unwrap();
    assert!(matches!(file, ScenarioFile::V1(_)));
    let v2 = file.into_v2();
    assert_eq!(v2.seed, 7);
    assert_eq!(v2.topology.of_kind(NodeKind::Queue).count(), 1);
    match ScenarioFile::from_json(r#"{"version": 3}"#) {
        Err(ScenarioError::Field {
            path,
            expected,
            given,
        }) => {
            assert_eq!(path, "version");
            assert!(expected.contains("1 or 2"));
            assert_eq!(given, "3");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn unknown_fields_and_bad_values_name_their_path_in_the_v2_file() {
    let mut bad = shop();
    bad["nodes"]["orders"]["queue"]["visiblity_timeout"] = json!("5s");
    let (path, expected, _) = field_error(bad);
    assert_eq!(path, "nodes.orders.queue.visiblity_timeout");
    assert!(expected.contains("visibility_timeout"), "{expected}");

    let mut bad = shop();
    bad["nodes"]["kitchen"]["consumer"]["count"] = json!("three");
    let (path, _, given) = field_error(bad);
    assert_eq!(path, "nodes.kitchen.consumer.count");
    assert!(given.contains("three"));

    // Range checks that run after parsing are renamed to the node's path too.
    let mut bad = shop();
    bad["nodes"]["kitchen"]["consumer"]["failure_rate"] = json!(1.5);
    let (path, _, given) = field_error(bad);
    assert_eq!(
        (path.as_str(), given.as_str()),
        ("nodes.kitchen.consumer.failure_rate", "1.5")
    );
    let mut bad = shop();
    bad["nodes"]["order-service"]["producer"]["rate"] = json!(-1);
    assert_eq!(field_error(bad).0, "nodes.order-service.producer.rate");

    let mut bad = shop();
    bad["nodes"]["warehouse"] = json!({ "silo": {} });
    let (path, expected, _) = field_error(bad);
    assert_eq!(path, "nodes.warehouse");
    assert!(
        expected.contains("producer") && expected.contains("queue"),
        "{expected}"
    );

    let mut bad = shop();
    bad["edges"][0]["kind"] = json!("publishes");
    assert_eq!(field_error(bad).0, "edges[0].kind");

    let mut bad = shop();
    bad["surprise"] = json!(true);
    assert_eq!(field_error(bad).0, "surprise");
}

#[test]
fn edges_must_join_existing_nodes_of_the_right_kinds() {
    let mut bad = shop();
    bad["edges"][1]["to"] = json!("kichen");
    let (path, expected, given) = field_error(bad);
    assert_eq!(path, "edges[1].to");
    assert!(expected.contains("consumer"), "{expected}");
    assert!(
        given.contains("kichen") && given.contains("not a node"),
        "{given}"
    );

    let mut bad = shop();
    bad["edges"][0]["to"] = json!("kitchen");
    let (path, expected, given) = field_error(bad);
    assert_eq!(path, "edges[0].to");
    assert!(
        expected.contains("a queue, router or log node"),
        "{expected}"
    );
    assert!(given.contains("a consumer"), "{given}");

    let mut bad = shop();
    bad["edges"][0]["timeout"] = json!("3s");
    let (path, expected, _) = field_error(bad);
    assert_eq!(path, "edges[0].timeout");
    assert!(expected.contains("call"), "{expected}");

    let mut bad = shop();
    bad["edges"].as_array_mut().unwrap().push(json!(
        { "kind": "publish", "from": "order-service", "to": "orders" }));
    assert_eq!(field_error(bad).0, "edges[2]");
}

#[test]
fn node_names_are_unique_and_plain() {
    let text = r#"{"version": 2, "nodes": {"a": {"store": {}}, "a": {"store": {}}}}"#;
    match ScenarioV2::from_json(text) {
        Err(e) => assert!(e.to_string().contains("\"a\" twice"), "{e}"),
        Ok(_) => panic!("a repeated name must be refused"),
    }
    let mut bad = shop();
    bad["nodes"]["the kitchen"] = json!({ "store": {} });
    let (path, expected, _) = field_error(bad);
    assert_eq!(path, "nodes.the kitchen");
    assert!(expected.contains("letters, digits"), "{expected}");
}

#[test]
fn nodes_keep_the_order_they_are_written_in() {
    // Written z-first, as raw text: a sorted map would renumber the nodes.
    let text = r#"{"version": 2,
        "nodes": {"z-service": {"producer": {}}, "orders": {"queue": {}}, "kitchen": {"consumer": {}}},
        "edges": [{"kind": "publish", "from": "z-service", "to": "orders"},
                  {"kind": "subscribe", "from": "orders", "to": "kitchen"}]}"#;
    let s = ScenarioV2::from_json(text).unwrap();
    assert_eq!(s.topology.id("kitchen"), Some(queue_engine::NodeId(2)));
    let names: Vec<&str> = s.topology.nodes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["z-service", "orders", "kitchen"]);
    assert!(s.to_json().find("z-service").unwrap() < s.to_json().find("kitchen").unwrap());
}

#[test]
fn shapes_that_cannot_run_are_refused_by_name() {
    // A pool that reads no queue is refused by name.
    let mut two = shop();
    two["nodes"]["bar"] = json!({ "consumer": {} });
    let (path, expected, _) = field_error(two.clone());
    assert_eq!(path, "nodes.bar");
    assert!(expected.contains("subscribe edge"), "{expected}");
    // With a queue of its own it runs in the world, but not in the page's single-queue engine.
    two["nodes"]["drinks"] = json!({ "queue": {} });
    let edges = two["edges"].as_array_mut().unwrap();
    edges.push(json!({ "kind": "subscribe", "from": "drinks", "to": "bar" }));
    let s = v2(two).unwrap();
    assert_eq!(s.plan().unwrap().members.len(), 2);
    let (path, expected, given) = match s.lower() {
        Err(ScenarioError::Field {
            path,
            expected,
            given,
        }) => (path, expected, given),
        other => panic!("{other:?}"),
    };
    assert_eq!(path, "nodes");
    assert!(expected.contains("exactly one consumer"), "{expected}");
    assert_eq!(given, "2 consumer nodes");

    let mut idle = shop();
    idle["nodes"]["idle"] = json!({ "producer": {} });
    assert_eq!(field_error(idle).0, "nodes.idle");

    // Both wirings: the queue runs, and the call edge is the HTTP baseline to switch to.
    let mut both = shop();
    both["edges"].as_array_mut().unwrap().push(json!(
        { "kind": "call", "from": "order-service", "to": "kitchen", "timeout": "2s" }));
    let sc = v2(both).unwrap().lower().unwrap();
    assert_eq!(sc.mode, Mode::Queue);
    assert_eq!(sc.http.timeout, Millis::from_secs(2));
}

#[test]
fn commands_aim_at_nodes_of_the_kind_they_act_on() {
    let mut value = shop();
    value["nodes"]["rush"] = json!({ "producer": { "rate": 0 } });
    value["edges"].as_array_mut().unwrap().push(json!(
        { "kind": "publish", "from": "rush", "to": "orders" }));
    value["commands"] = json!([
        { "at": "1s", "node": "rush", "do": { "type": "send", "payload": "poison" } },
        { "at": "2s", "node": "kitchen", "do": { "type": "set_online", "online": false } },
        { "at": "3s", "do": { "type": "spike", "factor": 2, "duration": "1s" } }
    ]);
    let sc = v2(value.clone()).unwrap().lower().unwrap();
    assert!(matches!(
        sc.commands[0].command,
        queue_engine::Command::Send { producer: 1, .. }
    ));
    value["commands"][1]["node"] = json!("orders");
    let (path, expected, given) = field_error(value.clone());
    assert_eq!(path, "commands[1].node");
    assert!(expected.contains("kitchen"), "{expected}");
    assert_eq!(given, "\"orders\"");
    value["commands"][1]["node"] = json!("kitchen");
    value["commands"][0]["node"] = json!("nobody");
    assert_eq!(field_error(value).0, "commands[0].node");
}

#[test]
fn http_wiring_is_a_call_edge_with_its_timeout() {
    let value = json!({
        "version": 2,
        "nodes": {
            "order-service": { "producer": {} },
            "orders": { "queue": {} },
            "kitchen": { "consumer": {} }
        },
        "edges": [
            { "kind": "call", "from": "order-service", "to": "kitchen", "timeout": "2s", "backlog_limit": 5 },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" }
        ]
    });
    let sc = v2(value).unwrap().lower().unwrap();
    assert_eq!(sc.mode, Mode::Http);
    assert_eq!(sc.http.timeout, Millis::from_secs(2));
    assert_eq!(sc.http.backlog_limit, 5);
}

#[test]
fn reply_and_write_edges_turn_on_the_reply_queue_and_data_store() {
    let mut value = shop();
    value["nodes"]["replies"] = json!({ "queue": {} });
    value["nodes"]["db"] = json!({ "store": {} });
    let edges = value["edges"].as_array_mut().unwrap();
    edges.push(json!({ "kind": "reply", "from": "kitchen", "to": "replies" }));
    edges.push(json!({ "kind": "write", "from": "kitchen", "to": "db" }));
    let s = v2(value).unwrap();
    assert_eq!(s.topology.edges_of(EdgeKind::Reply).count(), 1);
    let sc = s.lower().unwrap();
    assert!(sc.reply_queue && sc.data_store);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever text arrives (a pasted file, a link), reading it never panics.
    #[test]
    fn no_text_makes_the_reader_panic(text in ".{0,200}") {
        let _ = ScenarioFile::from_json(&text);
    }

    /// Random mutations of a valid file: an error or a scenario that runs, never a panic.
    #[test]
    fn mutated_files_fail_cleanly_or_run(
        node in prop::sample::select(vec!["order-service", "orders", "kitchen"]),
        field in prop::sample::select(vec![
            "rate", "count", "visibility_timeout", "delivery_limit", "profile", "batch_size",
            "retention", "groups", "failure_rate",
        ]),
        value in prop_oneof![
            Just(json!(-1)), Just(json!(0)), Just(json!(3)), Just(json!(1e12)), Just(json!("5s")),
            Just(json!("rabbitmq_quorum")), Just(json!("service_bus")), Just(json!(null)),
            Just(json!([])), Just(json!("sqs_fifo")),
        ],
    ) {
        let mut file = shop();
        let kind = match node { "order-service" => "producer", "orders" => "queue", _ => "consumer" };
        file["nodes"][node][kind][field] = value;
        if let Ok(s) = v2(file) {
            let mut sim = common::OneQueue::new(s.lower().unwrap()).unwrap();
            sim.advance_to(Millis::from_secs(5));
        }
    }
}
