//! The builder's edge settings and timed commands: the Kafka topic with two consumer groups
//! (each group's settings on its subscribe edge, a crash, a scale-out and a seek in time) and
//! the RabbitMQ topic exchange with its dead-letter exchange (scripted publishes and takes)
//! built from an empty file plan as `scenarios/orders-log.json` and
//! `scenarios/rabbitmq-pizza.json` do; a command a node cannot take is refused, naming the
//! field; and every example the form offers is a command the engine reads.

use queue_engine::topology::plan::Plan;
use queue_engine::topology::scenario::{ScenarioFile, ScenarioV2};
use queue_engine::COMMAND_TYPES;
use queue_planner::builder::{step, Built, Step};
use queue_planner::timeline::{command, EXAMPLES};

fn text(name: &str) -> String {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

/// The file as a value, for its fields (not its order: a `Value` sorts the nodes).
fn file(name: &str) -> serde_json::Value {
    serde_json::from_str(&text(name)).unwrap()
}

fn file_plan(name: &str) -> Plan {
    // Read as the page reads it, so the nodes keep the file's order.
    ScenarioFile::from_json(&text(name))
        .unwrap()
        .into_v2()
        .plan()
        .unwrap()
}

/// Takes each step in turn from an empty file; every one must be applied.
fn run(steps: &[Vec<String>]) -> Built {
    let mut text = String::new();
    let mut last = None;
    for s in steps {
        let parsed = Step::parse(&s[0], &s[1..]).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let built = step(&text, &parsed).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        text = built.text.clone();
        last = Some(built);
    }
    last.expect("at least one step")
}

fn s(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| (*p).to_owned()).collect()
}

/// The steps that name a system as `name`'s file does: name, seed, description.
fn named(name: &str) -> Vec<Vec<String>> {
    let f = file(name);
    vec![
        s(&["new"]),
        s(&["set", "", "name", name]),
        s(&["set", "", "seed", &f["seed"].to_string()]),
        s(&["set", "", "description", f["description"].as_str().unwrap()]),
    ]
}

fn orders_log() -> Vec<Vec<String>> {
    let mut steps = named("orders-log");
    steps.extend([
        s(&["add", "producer", "order-service"]),
        s(&["add", "log", "orders"]),
        s(&["add", "consumer", "kitchen"]),
        s(&["add", "consumer", "analytics"]),
        s(&["connect", "publish", "order-service", "orders", ""]),
        s(&["connect", "subscribe", "orders", "kitchen", ""]),
        s(&["connect", "subscribe", "orders", "analytics", ""]),
        s(&["set", "order-service", "rate", "20"]),
        s(&["set", "order-service", "groups", "50"]),
        s(&["set", "order-service", "poison_share", "0.005"]),
        s(&["set", "orders", "partitions", "4"]),
        s(&["set", "orders", "retention", "10m"]),
        s(&["set", "kitchen", "count", "2"]),
        s(&["set", "kitchen", "processing.mean", "90ms"]),
        s(&["set", "analytics", "processing.mean", "20ms"]),
        // Each group's settings on its own subscribe edge (Kafka: a group is how a consumer
        // subscribes to a topic).
        s(&["set", "#1", "group.commit", "after_processing"]),
        s(&["set", "#1", "group.offset_reset", "earliest"]),
        s(&["set", "#1", "group.max_poll_records", "20"]),
        s(&["set", "#2", "group.offset_reset", "earliest"]),
        s(&["set", "#2", "group.rebalance", "cooperative"]),
        // Added out of time order: the builder keeps them in the order the run takes them.
        s(&["command", "3m", "analytics", "seek", "to=earliest"]),
        s(&["command", "60s", "kitchen", "crash", "consumer=0"]),
        s(&[
            "command",
            "120000",
            "analytics",
            "scale_consumers",
            "count=2",
        ]),
    ]);
    steps
}

#[test]
fn a_kafka_topic_with_two_groups_and_its_timeline_plans_as_orders_log_does() {
    let built = run(&orders_log());
    let plan = Plan::from_json(built.plan.as_deref().expect("it runs")).unwrap();
    assert_eq!(plan, file_plan("orders-log"));
    let commands = |text: &str| ScenarioV2::read(text).unwrap().commands;
    assert_eq!(commands(&built.text), commands(&text("orders-log")));
    // The groups' settings and the commands are drawn where an author changes them.
    assert!(
        built
            .html
            .contains(r##"data-node="#1" data-field="group.max_poll_records" value="20""##),
        "{}",
        built.html
    );
    assert!(
        built.html.contains("at 1m00s, kitchen: crash consumer=0"),
        "{}",
        built.html
    );
}

#[test]
fn a_topic_exchange_with_a_dead_letter_exchange_and_scripted_steps_plans_as_rabbitmq_pizza_does() {
    let mut steps = named("rabbitmq-pizza");
    steps.push(s(&["add", "producer", "order-service"]));
    for (name, kind) in [
        ("orders", "topic"),
        ("notifications", "fanout"),
        ("payments", "direct"),
        ("orders.dlx", "fanout"),
    ] {
        steps.push(s(&["add", "router", name]));
        steps.push(s(&["set", name, "type", kind]));
    }
    for q in [
        "kitchen",
        "bar",
        "audit",
        "eu-billing",
        "email",
        "sms",
        "ledger",
        "retries",
        "orders.dead",
    ] {
        steps.push(s(&["add", "queue", q]));
        let profile = if q == "kitchen" {
            "rabbitmq_quorum"
        } else {
            "rabbitmq_classic"
        };
        steps.push(s(&["set", q, "profile", profile]));
    }
    steps.extend([
        s(&["set", "order-service", "rate", "0"]),
        s(&["set", "kitchen", "retention", "60s"]),
        s(&["set", "kitchen", "max_depth", "5"]),
        s(&["set", "kitchen", "delivery_limit", "2"]),
        s(&[
            "connect",
            "publish",
            "order-service",
            "orders",
            "order.pizza.eu",
        ]),
        s(&["connect", "bind", "orders", "kitchen", "order.pizza.*"]),
        s(&["connect", "bind", "orders", "bar", "order.drink.*"]),
        s(&["connect", "bind", "orders", "audit", "order.#"]),
        s(&["connect", "bind", "orders", "eu-billing", "*.*.eu"]),
        s(&["connect", "bind", "notifications", "email", ""]),
        s(&["connect", "bind", "notifications", "sms", ""]),
        s(&["connect", "bind", "payments", "ledger", "payment.ok"]),
        s(&["connect", "bind", "payments", "retries", "payment.failed"]),
        s(&["connect", "dead_letter", "kitchen", "orders.dlx", ""]),
        s(&["connect", "bind", "orders.dlx", "orders.dead", ""]),
        s(&[
            "command",
            "1s",
            "order-service",
            "publish",
            "exchange=orders key=order.pizza.eu",
        ]),
        s(&[
            "command",
            "2s",
            "order-service",
            "publish",
            "exchange=orders, key=order.drink.us",
        ]),
        s(&[
            "command",
            "3s",
            "order-service",
            "publish",
            "exchange=orders key=refund.pizza.us",
        ]),
        s(&[
            "command",
            "4s",
            "order-service",
            "publish",
            "exchange= key=kitchen",
        ]),
        s(&["command", "5s", "kitchen", "take", "outcome=requeue"]),
        s(&["command", "6s", "kitchen", "take", "outcome=reject"]),
    ]);
    let built = run(&steps);
    let plan = Plan::from_json(built.plan.as_deref().expect("it runs")).unwrap();
    assert_eq!(plan, file_plan("rabbitmq-pizza"));
}

#[test]
fn a_command_the_node_cannot_take_is_refused_naming_the_field_and_nothing_changes() {
    let built = run(&orders_log());
    let refuse = |at: &str, node: &str, kind: &str, fields: &str| {
        let c = Step::Command {
            at: at.into(),
            node: node.into(),
            kind: kind.into(),
            fields: fields.into(),
        };
        step(&built.text, &c).unwrap_err()
    };
    assert_eq!(
        refuse("soon", "kitchen", "crash", "consumer=0"),
        "at: expected a time in the run, in ms or like 60s or 2m; got \"soon\""
    );
    assert!(
        refuse("1s", "kitchen", "crash", "").contains("consumer"),
        "a crash names its consumer"
    );
    assert!(refuse("1s", "kitchen", "crash", "consumer")
        .starts_with("fields: expected name=value pairs, like consumer=0"));
    assert!(refuse("1s", "oven", "crash", "consumer=0").starts_with(
        "node: expected one of the nodes (order-service, orders, kitchen, analytics)"
    ));
    assert!(
        refuse("1s", "kitchen", "explode", "").starts_with("type: expected a command type (send, ")
    );
    let wrong_field = refuse("1s", "kitchen", "crash", "consumer=0 colour=red");
    assert!(wrong_field.contains("colour"), "{wrong_field}");
    // A take is for a queue a person works by hand; the log cannot take it, and the plan says
    // so in the words it uses for a file's own commands.
    let not_here = refuse("1s", "orders", "take", "outcome=ack");
    assert!(not_here.starts_with("command."), "{not_here}");
}

#[test]
fn removing_a_command_takes_only_that_one() {
    let built = run(&orders_log());
    let after = step(&built.text, &Step::Uncommand { place: 1 }).unwrap();
    let written: serde_json::Value = serde_json::from_str(&after.text).unwrap();
    let kinds: Vec<&str> = written["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["do"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["crash", "seek"]);
    assert_eq!(
        after.status.split(". It").next().unwrap(),
        "Removed the command at 2m00s, analytics: scale_consumers count=2"
    );
    assert!(step(&built.text, &Step::Uncommand { place: 3 })
        .unwrap_err()
        .starts_with("command: expected one of the 3 commands"));
}

#[test]
fn an_edge_keeps_its_ends_and_refuses_a_value_its_setting_cannot_take() {
    let built = run(&orders_log());
    let set = |field: &str, value: &str| {
        step(
            &built.text,
            &Step::Set {
                node: "#1".into(),
                field: field.into(),
                value: value.into(),
            },
        )
    };
    assert!(set("to", "analytics")
        .unwrap_err()
        .starts_with("edges[1].to: expected a setting of the edge"));
    let wrong = set("group.commit", "sometimes").unwrap_err();
    assert_eq!(
        wrong,
        "edges[1].group.commit: expected one of `after_processing`, `before_processing`, `auto`; got unknown variant `sometimes`"
    );
    assert!(
        set("group.max_poll_records", "0").is_err(),
        "a poll of no records is refused"
    );
    // Empty: back to the default, which the file leaves out; the group's other settings stay.
    let back = set("group.max_poll_records", "").unwrap();
    let written: serde_json::Value = serde_json::from_str(&back.text).unwrap();
    assert!(
        written["edges"][1]["group"]
            .get("max_poll_records")
            .is_none(),
        "{}",
        back.text
    );
    assert_eq!(written["edges"][1]["group"]["commit"], "after_processing");
}

#[test]
fn every_command_type_has_an_example_the_engine_reads() {
    let kinds: Vec<&str> = EXAMPLES.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, COMMAND_TYPES);
    for (kind, example) in EXAMPLES {
        command(kind, example).unwrap_or_else(|e| panic!("{kind} {example}: {e}"));
    }
}
