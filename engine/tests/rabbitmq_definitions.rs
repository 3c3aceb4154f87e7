//! RabbitMQ definitions in and out of a topology: exchanges, queues with their arguments,
//! bindings and dead-lettering (semantics notes §2.1, §2.3, §2.4, §2.5). What the engine
//! cannot run is refused by field.

use queue_engine::topology::definitions::{export, import, import_scenario};
use queue_engine::{EdgeKind, Node, NodeKind, ScenarioV2, World};
use serde_json::{json, Value};

fn file(name: &str) -> ScenarioV2 {
    let path = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    ScenarioV2::from_json(&std::fs::read_to_string(path).expect("readable")).expect("valid")
}

/// What a broker export would hold, trimmed to one of each kind, with the keys a real export
/// has beside them (which configure the broker, not the topology).
fn pizza_broker() -> Value {
    json!({
        "rabbit_version": "3.10.8",
        "users": [{ "name": "guest", "tags": ["administrator"] }],
        "vhosts": [{ "name": "/" }],
        "permissions": [], "policies": [], "parameters": [], "global_parameters": [],
        "exchanges": [
            { "name": "orders", "vhost": "/", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {} },
            { "name": "orders.dlx", "vhost": "/", "type": "fanout", "durable": true, "auto_delete": false, "internal": false, "arguments": {} }
        ],
        "queues": [
            { "name": "kitchen", "vhost": "/", "durable": true, "auto_delete": false,
              "arguments": { "x-queue-type": "quorum", "x-delivery-limit": 2, "x-message-ttl": 60000,
                             "x-max-length": 5, "x-overflow": "reject-publish", "x-dead-letter-exchange": "orders.dlx" } },
            { "name": "audit", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {} },
            { "name": "orders.dead", "vhost": "/", "durable": true, "auto_delete": false, "arguments": { "x-queue-type": "classic" } }
        ],
        "bindings": [
            { "source": "orders", "vhost": "/", "destination": "kitchen", "destination_type": "queue", "routing_key": "order.pizza.*", "arguments": {} },
            { "source": "orders", "vhost": "/", "destination": "audit", "destination_type": "queue", "routing_key": "order.#", "arguments": {} },
            { "source": "orders.dlx", "vhost": "/", "destination": "orders.dead", "destination_type": "queue", "routing_key": "", "arguments": {} }
        ]
    })
}

/// §2.1, §2.3, §2.5: an export's exchanges, queues and bindings become a topology the world
/// runs: a topic key reaches the queues its patterns match, the quorum queue keeps its
/// delivery limit, TTL and length limit, and its dead letters go through the DLX.
#[test]
fn a_broker_export_becomes_a_topology_the_world_routes() {
    let t = import(&pizza_broker()).expect("imports");
    let Some(Node::Queue(kitchen)) = t.node("kitchen") else {
        panic!("kitchen is a queue")
    };
    assert_eq!(kitchen.profile.id(), "rabbitmq_quorum");
    assert_eq!(kitchen.delivery_limit, Some(2));
    assert_eq!(kitchen.retention.map(|m| m.0), Some(60_000));
    assert_eq!(kitchen.max_depth, Some(5));
    assert!(t
        .edges
        .iter()
        .any(|e| e.kind == EdgeKind::DeadLetter && e.from == "kitchen" && e.to == "orders.dlx"));
    assert_eq!(t.of_kind(NodeKind::Router).count(), 2);
    // As `qsim import-definitions` writes it, with a producer added by its author.
    let s = import_scenario(&pizza_broker(), "pizza").expect("imports");
    assert_eq!(s.topology, t);
    let mut doc: Value = serde_json::from_str(&s.to_json()).expect("JSON");
    doc["nodes"]["shop"] = json!({ "producer": { "rate": 0 } });
    doc["edges"].as_array_mut().expect("edges").push(
        json!({ "kind": "publish", "from": "shop", "to": "orders", "key": "order.pizza.eu" }),
    );
    let s = ScenarioV2::from_json(&doc.to_string()).expect("the imported topology is a valid file");
    let w = World::new(s.plan().expect("the imported topology plans")).expect("runs");
    let names = |to: Vec<u16>| -> Vec<String> {
        to.into_iter()
            .map(|m| w.member_nodes(m).queue.clone())
            .collect()
    };
    assert_eq!(
        names(w.route("orders", "order.pizza.eu").unwrap()),
        ["kitchen", "audit"]
    );
    assert_eq!(names(w.route("orders", "order.drink").unwrap()), ["audit"]);
    assert!(w.route("orders", "refund.pizza.eu").unwrap().is_empty());
    let kitchen = (0..w.members().len() as u16)
        .find(|&m| w.member_nodes(m).queue == "kitchen")
        .expect("kitchen is a member");
    assert_eq!(w.member_nodes(kitchen).dlq.as_deref(), Some("orders.dead"));
}

/// Exporting, importing and exporting again writes the same definitions, for every file whose
/// routers and queues RabbitMQ has (and the default exchange's dead-lettering round-trips).
#[test]
fn export_then_import_gives_the_same_definitions() {
    let mut checked = 0;
    for name in ["rabbitmq-pizza.json", "rabbitmq-quorum-orders.json"] {
        let s = file(name);
        let first = export(&s.topology).expect("a RabbitMQ file exports");
        let again = export(&import(&first).expect("imports")).expect("exports");
        assert_eq!(first, again, "{name}");
        assert!(!first["queues"].as_array().unwrap().is_empty(), "{name}");
        checked += 1;
    }
    let direct = json!({ "queues": [
        { "name": "orders", "arguments": { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "orders-dlq" } },
        { "name": "orders-dlq", "arguments": {} }
    ] });
    let t = import(&direct).expect("the default exchange dead-letters by queue name");
    assert!(t
        .edges
        .iter()
        .any(|e| e.kind == EdgeKind::DeadLetter && e.to == "orders-dlq"));
    assert_eq!(
        export(&import(&export(&t).unwrap()).unwrap()).unwrap(),
        export(&t).unwrap()
    );
    assert_eq!(checked, 2);
}

/// What the engine cannot run is refused with the field, what it takes and what was given.
#[test]
fn what_the_engine_cannot_run_is_refused_by_field() {
    let with = |path: &[&str], value: Value| {
        let mut d = pizza_broker();
        let mut at = &mut d;
        for p in &path[..path.len() - 1] {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        at[path[path.len() - 1]] = value;
        d
    };
    for (doc, field, expected) in [
        (
            with(&["queues", "0", "arguments", "x-queue-mode"], json!("lazy")),
            "queues[0].arguments.x-queue-mode",
            "an argument the engine models",
        ),
        (
            with(&["queues", "1", "arguments", "x-delivery-limit"], json!(3)),
            "queues[1].arguments.x-delivery-limit",
            "quorum",
        ),
        (
            with(
                &["queues", "0", "arguments", "x-overflow"],
                json!("reject-publish-dlx"),
            ),
            "queues[0].arguments.x-overflow",
            "drop-head or reject-publish",
        ),
        (
            with(
                &["queues", "0", "arguments", "x-dead-letter-routing-key"],
                json!("dead"),
            ),
            "x-dead-letter-routing-key",
            "named dead-letter exchange",
        ),
        (
            with(
                &["queues", "0", "arguments", "x-dead-letter-exchange"],
                json!("nowhere"),
            ),
            "x-dead-letter-exchange",
            "these definitions list",
        ),
        (
            with(&["exchanges", "0", "type"], json!("x-consistent-hash")),
            "exchanges[0].type",
            "direct, fanout, topic or headers",
        ),
        (
            with(&["bindings", "0", "destination_type"], json!("exchange")),
            "bindings[0].destination_type",
            "exchange-to-exchange",
        ),
        (
            with(&["bindings", "1", "source"], json!("amq.topic")),
            "bindings[1].source",
            "an exchange these definitions list",
        ),
        (
            with(&["queues", "2", "vhost"], json!("/shop")),
            "queues[2].vhost",
            "one vhost",
        ),
        (json!([]), "(definitions)", "a JSON object"),
    ] {
        let err = import(&doc).expect_err(field).to_string();
        assert!(
            err.contains(field) && err.contains(expected),
            "{field}: {err}"
        );
    }
}

/// An SNS topic, another platform's queue or a setting with no queue argument has no place
/// in RabbitMQ definitions, and the export says which node.
#[test]
fn export_refuses_what_rabbitmq_has_no_equivalent_for() {
    let refused = |name: &str| export(&file(name).topology).expect_err(name).to_string();
    assert!(refused("video-upload.json").contains("router.type"));
    assert!(refused("pizza-shop.json").contains("queue.profile"));
    let mut s = file("rabbitmq-pizza.json");
    for (_, n) in &mut s.topology.nodes {
        if let Node::Queue(q) = n {
            q.visibility_timeout = Some(queue_engine::Millis::from_secs(30));
        }
    }
    let err = export(&s.topology)
        .expect_err("no per-queue consumer timeout")
        .to_string();
    assert!(err.contains("queue.visibility_timeout"), "{err}");
}
