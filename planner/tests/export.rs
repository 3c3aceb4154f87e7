//! A built system's exports and RabbitMQ definitions read back: each built-in system offers
//! the exports its platform has and names those it has not; RabbitMQ definitions exported
//! from a system open in the builder as the same routers, queues and bindings, and export
//! again unchanged; a scenario file written by the builder reads back to the same topology.

use queue_engine::topology::scenario::ScenarioV2;
use queue_planner::builder::{read, step, Step};
use queue_planner::export::all;
use queue_planner::write::write;

fn scenario(name: &str) -> ScenarioV2 {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    read(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The titles of the exports `name` offers.
fn offered(name: &str) -> Vec<&'static str> {
    let s = scenario(name);
    let plan = s.plan().unwrap();
    all(&s, Some(&plan))
        .into_iter()
        .filter(|e| e.text.is_ok())
        .map(|e| e.title)
        .collect()
}

fn definitions(s: &ScenarioV2) -> String {
    let exports = all(s, s.plan().ok().as_ref());
    let e = exports
        .iter()
        .find(|e| e.title == "RabbitMQ definitions")
        .unwrap();
    e.text.clone().unwrap()
}

#[test]
fn each_system_offers_the_exports_its_platform_has() {
    assert_eq!(
        offered("pizza-shop"),
        ["Terraform for AWS", "Lambda event source mapping"]
    );
    assert_eq!(offered("video-upload")[0], "Terraform for AWS");
    assert_eq!(
        offered("video-upload").len(),
        5,
        "Terraform and one mapping per subscription"
    );
    assert_eq!(offered("rabbitmq-pizza"), ["RabbitMQ definitions"]);
    assert_eq!(offered("orders-log"), ["Kafka topics and group properties"]);
    assert_eq!(offered("redis-orders"), ["Redis commands"]);
}

#[test]
fn an_export_the_system_has_not_says_why() {
    let s = scenario("pizza-shop");
    let exports = all(&s, None);
    let rabbit = exports
        .iter()
        .find(|e| e.title == "RabbitMQ definitions")
        .unwrap();
    let why = rabbit.text.as_ref().unwrap_err();
    assert!(why.starts_with("nodes.orders"), "{why}");
    // Without a plan, nothing that needs one is offered.
    assert!(exports
        .iter()
        .all(|e| e.title != "Lambda event source mapping"));
}

#[test]
fn the_mapping_is_the_pools_batch_as_lambda_reads_it() {
    let s = scenario("pizza-shop");
    let plan = s.plan().unwrap();
    let exports = all(&s, Some(&plan));
    let mapping = exports
        .iter()
        .find(|e| e.file == "orders-mapping.json")
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(mapping.text.as_ref().unwrap()).unwrap();
    assert_eq!(
        json["EventSourceArn"],
        "arn:aws:sqs:us-east-1:123456789012:orders"
    );
    assert_eq!(json["FunctionName"], "kitchen");
}

#[test]
fn rabbitmq_definitions_open_in_the_builder_and_export_again_unchanged() {
    let original = scenario("rabbitmq-pizza");
    let exported = definitions(&original);
    let opened = step(&exported, &Step::Show).unwrap();
    assert!(
        opened
            .status
            .starts_with("Read rabbitmq-definitions: 13 nodes, 10 edges."),
        "{}",
        opened.status
    );
    // Opened definitions become a scenario file, which the next steps build on.
    let file = ScenarioV2::read(&opened.text).unwrap();
    assert_eq!(definitions(&file), exported);
    let routers_and_queues: Vec<&str> = original
        .topology
        .nodes
        .iter()
        .filter(|(n, _)| n != "order-service")
        .map(|(n, _)| n.as_str())
        .collect();
    let mut opened_names: Vec<&str> = file
        .topology
        .nodes
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let mut expected = routers_and_queues.clone();
    opened_names.sort_unstable();
    expected.sort_unstable();
    assert_eq!(opened_names, expected);
}

#[test]
fn definitions_that_name_an_argument_the_engine_does_not_model_are_refused_by_path() {
    let doc = r#"{"rabbit_version": "3.12.1", "queues": [{"name": "q", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-max-priority": 10}}]}"#;
    let refused = step(doc, &Step::Show).unwrap_err();
    assert!(
        refused.starts_with(
            "queues[0].arguments.x-max-priority: expected an argument the engine models"
        ),
        "{refused}"
    );
}

#[test]
fn every_file_the_builder_writes_reads_back_to_the_same_system_and_is_shorter() {
    let dir = format!("{}/../scenarios", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let original = read(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let written = write(&original);
        let again = read(&written).unwrap_or_else(|e| panic!("{}: {e}\n{written}", path.display()));
        let name = path.display();
        assert_eq!(again.topology, original.topology, "{name}\n{written}");
        assert_eq!(again.commands, original.commands, "{name}");
        assert_eq!(
            (again.seed, &again.name, &again.description),
            (original.seed, &original.name, &original.description),
            "{name}"
        );
        assert_eq!(
            (&again.metrics, &again.limits),
            (&original.metrics, &original.limits),
            "{name}"
        );
        let full = original.to_json().len();
        assert!(
            written.len() < full,
            "{name}: {} against {full} bytes",
            written.len()
        );
        // A system of default-heavy nodes (producers, pools) is written in under half.
        if path.ends_with("pizza-shop.json") {
            assert!(
                written.len() * 2 < full,
                "{name}: {} against {full} bytes",
                written.len()
            );
        }
    }
}

#[test]
fn a_setting_left_at_its_default_is_not_written() {
    let built = step("", &Step::New).unwrap();
    let built = step(
        &built.text,
        &Step::Add {
            kind: "consumer".into(),
            name: "kitchen".into(),
        },
    )
    .unwrap();
    let built = step(
        &built.text,
        &Step::Set {
            node: "kitchen".into(),
            field: "processing.mean".into(),
            value: "300ms".into(),
        },
    )
    .unwrap();
    assert!(
        built
            .text
            .contains(r#""kitchen": {"consumer":{"processing":{"mean":300}}}"#),
        "{}",
        built.text
    );
}
