//! A topology's Kafka part as a real cluster's commands and consumer properties: topics with
//! their partitions and retention, the dead-letter topic the application publishes to, and each
//! consumer group's settings as the simulation runs them (semantics notes §3). What is not
//! Kafka is refused by node.

mod common;

use queue_engine::topology::kafka::export;
use queue_engine::ScenarioV2;
use serde_json::json;

fn file(name: &str) -> ScenarioV2 {
    let path = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    ScenarioV2::from_json(&std::fs::read_to_string(path).expect("readable")).expect("valid")
}

fn from(value: serde_json::Value) -> ScenarioV2 {
    ScenarioV2::from_json(&value.to_string()).expect("valid")
}

/// The `KEY=VALUE` lines of one group's properties file, in order, comments left out.
fn properties(text: &str, group: &str) -> Vec<String> {
    let head = format!("# consumer-{group}.properties:");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("{head} in\n{text}"));
    text[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_orders_log_is_a_topic_its_dead_letter_topic_and_two_groups() {
    let text = export(&file("orders-log.json").topology).expect("all Kafka");
    // §3: the topic's partitions and retention.ms, the file's 10 minutes.
    assert!(text.contains(
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 4 --config retention.ms=600000\n"
    ), "{text}");
    // §3: consumer groups have no DLQ; the application's pattern publishes to <topic>-dlt.
    assert!(
        text.contains("--create --topic orders-dlt --partitions 4\n"),
        "{text}"
    );
    assert!(text.contains("after 3 failed attempts"), "{text}");
    // The producer has no place in it.
    assert!(!text.contains("order-service"), "{text}");
    // The kitchen commits after processing, reads from the start, 20 records a poll, eager.
    assert_eq!(
        properties(&text, "kitchen"),
        [
            "group.id=kitchen",
            "auto.offset.reset=earliest",
            "enable.auto.commit=false",
            "max.poll.records=20",
            "partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor",
        ]
    );
    assert!(text.contains("group \"kitchen\", 2 consumers, each with these settings"));
    // Analytics: §3's auto-commit every 5,000 ms, the 500-record default, cooperative.
    assert_eq!(
        properties(&text, "analytics"),
        [
            "group.id=analytics",
            "auto.offset.reset=earliest",
            "enable.auto.commit=true",
            "auto.commit.interval.ms=5000",
            "max.poll.records=500",
            "partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        ]
    );
    assert!(text.contains("group \"analytics\", 1 consumer with these settings"));
}

#[test]
fn a_topics_own_settings_and_a_group_left_at_the_defaults() {
    let s = from(json!({
        "version": 2,
        "nodes": {
            "p": { "producer": {} },
            "clicks": { "log": { "partitions": 12, "retention": "36h" } },
            "loader": { "consumer": { "count": 3 } }
        },
        "edges": [
            { "kind": "publish", "from": "p", "to": "clicks" },
            { "kind": "subscribe", "from": "clicks", "to": "loader",
              "group": { "commit": "before_processing", "max_attempts": 5 } }
        ]
    }));
    let text = export(&s.topology).expect("all Kafka");
    assert!(
        text.contains(
            "# Topic clicks: 12 partitions; records are kept 36h00m whether read or not.\n"
        ),
        "{text}"
    );
    assert!(text.contains("--topic clicks --partitions 12 --config retention.ms=129600000\n"));
    assert!(text.contains("after 5 failed attempts"), "{text}");
    // §3: auto.offset.reset defaults to latest; committing before processing is at most once.
    assert_eq!(
        properties(&text, "loader"),
        [
            "group.id=loader",
            "auto.offset.reset=latest",
            "enable.auto.commit=false",
            "max.poll.records=500",
            "partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor",
        ]
    );
    assert!(
        text.contains("(at most once): commitSync() right after poll()"),
        "{text}"
    );
}

/// §3: `retention.ms` defaults to 7 days, and the export says so rather than leaving it to
/// the broker's own setting.
#[test]
fn an_unset_retention_is_written_as_kafkas_7_day_default() {
    let s = from(json!({
        "version": 2,
        "nodes": { "p": { "producer": {} }, "clicks": { "log": {} } },
        "edges": [ { "kind": "publish", "from": "p", "to": "clicks" } ]
    }));
    let text = export(&s.topology).expect("all Kafka");
    assert!(text.starts_with(
        "# Topic clicks: 4 partitions; records are kept 7 days whether read or not.\n\
         kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 4 --config retention.ms=604800000\n"
    ), "{text}");
    assert!(
        !text.contains("-dlt"),
        "no group, so no dead-letter topic: {text}"
    );
}

#[test]
fn what_is_not_kafka_is_refused_by_node() {
    let err = export(&file("redis-orders.json").topology)
        .unwrap_err()
        .to_string();
    assert!(err.contains("nodes.orders"), "{err}");
    assert!(err.contains("a Kafka log"), "{err}");
    assert!(err.contains("a Redis stream"), "{err}");
    let err = export(&file("pizza-shop.json").topology)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nodes.orders") && err.contains("sqs_standard queue"),
        "{err}"
    );
    let err = export(&file("rabbitmq-pizza.json").topology)
        .unwrap_err()
        .to_string();
    assert!(err.contains("router"), "{err}");
}

#[test]
fn qsim_kafka_prints_the_export_and_exits_2_naming_the_node() {
    let (status, printed, _) = common::qsim_on("kafka", "orders-log.json");
    assert_eq!(status, Some(0));
    let expected = export(&file("orders-log.json").topology).expect("all Kafka");
    assert_eq!(printed.trim_end(), expected.trim_end());
    let (status, _, said) = common::qsim_on("kafka", "redis-orders.json");
    assert_eq!(status, Some(2));
    assert!(said.contains("redis-orders.json: nodes.orders"), "{said}");
}
