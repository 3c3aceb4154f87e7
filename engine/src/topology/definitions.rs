//! RabbitMQ definitions (the JSON that `rabbitmqctl export_definitions`, `rabbitmqadmin
//! export` and the management UI write and read) as a topology, and a topology's RabbitMQ
//! part as definitions.
//!
//! # Contract
//! - [`import`] reads `exchanges`, `queues` and `bindings` of one vhost. Direct, fanout, topic
//!   and headers exchanges become routers; queues become `rabbitmq_classic` or
//!   `rabbitmq_quorum` queues with the arguments the engine models (`x-queue-type`,
//!   `x-message-ttl`, `x-max-length`, `x-overflow`, `x-delivery-limit` on quorum queues,
//!   `x-dead-letter-exchange` and, with the default exchange, `x-dead-letter-routing-key`);
//!   bindings to queues become bind edges (the key on a direct or topic exchange, the headers
//!   on a headers exchange). Users, permissions, policies and parameters configure the broker,
//!   not the topology, and are not read: a dead-letter exchange or TTL set by a policy must be
//!   written as a queue argument to be seen here.
//! - Anything else is refused, naming the field (`queues[2].arguments.x-overflow`), what the
//!   engine takes and what was given. The result is checked as any scenario file is.
//! - [`export`] writes the routers, the RabbitMQ queues with their arguments, the bindings and
//!   the dead-letter edges. Producers, consumers, stores and logs have no place in
//!   definitions and are left out; a node or setting RabbitMQ has no equivalent for (an SNS
//!   topic, another platform's queue, a visibility timeout) is refused, naming it.
//! - Importing an export gives back the topology's RabbitMQ part (semantics notes §2.1, §2.3,
//!   §2.4, §2.5; tested on every such scenario file).

use serde_json::{json, Map, Value};

use super::profile::QueueProfile;
use super::scenario::ScenarioV2;
use super::{Edge, EdgeKind, Node, QueueSpec, RouterSpec, RouterType, Topology};
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::Overflow;

fn refuse(path: impl Into<String>, expected: &str, given: impl std::fmt::Display) -> ScenarioError {
    ScenarioError::field(path, expected, given)
}

fn text<'a>(v: &'a Value, path: &str, field: &str) -> Result<&'a str, ScenarioError> {
    v.get(field).and_then(Value::as_str).ok_or_else(|| {
        refuse(
            format!("{path}.{field}"),
            "a string",
            v.get(field).unwrap_or(&Value::Null),
        )
    })
}

fn list<'a>(doc: &'a Value, field: &str) -> Result<&'a [Value], ScenarioError> {
    match doc.get(field) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(refuse(field, "a list", other)),
    }
}

/// Reads RabbitMQ definitions into a topology (see the module's contract).
pub fn import(doc: &Value) -> Result<Topology, ScenarioError> {
    if !doc.is_object() {
        return Err(refuse(
            "(definitions)",
            "a JSON object with exchanges, queues and bindings",
            doc,
        ));
    }
    let mut t = Topology::default();
    let mut vhost: Option<String> = None;
    let mut same_vhost = |item: &Value, path: &str| -> Result<(), ScenarioError> {
        let v = item.get("vhost").and_then(Value::as_str).unwrap_or("/");
        match &vhost {
            Some(first) if first != v => Err(refuse(
                format!("{path}.vhost"),
                &format!("one vhost (\"{first}\", as the first object)"),
                format!("\"{v}\""),
            )),
            _ => {
                vhost = Some(v.to_owned());
                Ok(())
            }
        }
    };
    for (i, x) in list(doc, "exchanges")?.iter().enumerate() {
        let path = format!("exchanges[{i}]");
        same_vhost(x, &path)?;
        let name = text(x, &path, "name")?;
        let kind = text(x, &path, "type")?;
        let kind = match kind {
            "direct" => RouterType::Direct,
            "fanout" => RouterType::Fanout,
            "topic" => RouterType::Topic,
            "headers" => RouterType::Headers,
            other => {
                return Err(refuse(
                    format!("{path}.type"),
                    "direct, fanout, topic or headers",
                    format!("\"{other}\""),
                ))
            }
        };
        t.nodes
            .push((name.to_owned(), Node::Router(RouterSpec { kind })));
    }
    let mut dead_letters = Vec::new();
    for (i, q) in list(doc, "queues")?.iter().enumerate() {
        let path = format!("queues[{i}]");
        same_vhost(q, &path)?;
        let name = text(q, &path, "name")?.to_owned();
        let empty = Map::new();
        let args = q
            .get("arguments")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (spec, dead) = queue(&format!("{path}.arguments"), args)?;
        if let Some(target) = dead {
            dead_letters.push((name.clone(), target, format!("{path}.arguments")));
        }
        t.nodes.push((name, Node::Queue(spec)));
    }
    let kind_of = |t: &Topology, name: &str| match t.node(name) {
        Some(Node::Router(r)) => Some(r.kind),
        _ => None,
    };
    for (queue, (exchange, key), path) in dead_letters {
        let to = if exchange.is_empty() {
            key.ok_or_else(|| {
                refuse(
                    format!("{path}.x-dead-letter-routing-key"),
                    "the dead-letter queue's name (the default exchange routes by queue name)",
                    "none",
                )
            })?
        } else if key.is_some() {
            return Err(refuse(
                format!("{path}.x-dead-letter-routing-key"),
                "none with a named dead-letter exchange: the engine sends every dead letter to \
                 its one bound queue",
                key.unwrap_or_default(),
            ));
        } else {
            exchange
        };
        if t.node(&to).is_none() {
            return Err(refuse(
                format!("{path}.x-dead-letter-exchange"),
                "an exchange (or, through the default exchange, a queue) these definitions list",
                format!("\"{to}\""),
            ));
        }
        t.edges.push(Edge::new(EdgeKind::DeadLetter, &queue, &to));
    }
    for (i, b) in list(doc, "bindings")?.iter().enumerate() {
        let path = format!("bindings[{i}]");
        same_vhost(b, &path)?;
        let source = text(b, &path, "source")?;
        let destination = text(b, &path, "destination")?;
        let to_queue = b.get("destination_type").and_then(Value::as_str) == Some("queue");
        if !to_queue {
            return Err(refuse(
                format!("{path}.destination_type"),
                "queue (exchange-to-exchange bindings are not modelled)",
                b.get("destination_type").unwrap_or(&Value::Null),
            ));
        }
        let Some(kind) = kind_of(&t, source) else {
            return Err(refuse(
                format!("{path}.source"),
                "an exchange these definitions list",
                format!("\"{source}\""),
            ));
        };
        let mut e = Edge::new(EdgeKind::Bind, source, destination);
        match kind {
            RouterType::Direct | RouterType::Topic => {
                e.key = Some(text(b, &path, "routing_key")?.to_owned());
            }
            RouterType::Headers => {
                e.headers = b.get("arguments").and_then(Value::as_object).cloned();
            }
            RouterType::Fanout | RouterType::Sns => {}
        }
        t.edges.push(e);
    }
    t.validate()?;
    Ok(t)
}

/// RabbitMQ definitions as a version 2 scenario named `name`: the topology of [`import`], with
/// the defaults of a file for everything else. It has no producers or consumers yet: those
/// are the author's to add.
pub fn import_scenario(doc: &Value, name: &str) -> Result<ScenarioV2, ScenarioError> {
    Ok(ScenarioV2 {
        name: name.to_owned(),
        description: String::new(),
        seed: 1,
        topology: import(doc)?,
        commands: Vec::new(),
        metrics: Default::default(),
        limits: Default::default(),
    })
}

/// A queue's settings from its arguments, and where its dead letters go (the exchange, and
/// the routing key if one is given).
#[allow(clippy::type_complexity)]
fn queue(
    path: &str,
    args: &Map<String, Value>,
) -> Result<(QueueSpec, Option<(String, Option<String>)>), ScenarioError> {
    let at = |k: &str| format!("{path}.{k}");
    let mut spec = QueueSpec {
        profile: QueueProfile::RabbitmqClassic,
        ..QueueSpec::default()
    };
    let (mut exchange, mut key) = (None, None);
    let whole = |k: &str, v: &Value| v.as_u64().ok_or_else(|| refuse(at(k), "a whole number", v));
    for (k, v) in args {
        match k.as_str() {
            "x-queue-type" => {
                spec.profile = match v.as_str() {
                    Some("classic") => QueueProfile::RabbitmqClassic,
                    Some("quorum") => QueueProfile::RabbitmqQuorum,
                    _ => return Err(refuse(at(k), "classic or quorum (streams are logs)", v)),
                }
            }
            "x-message-ttl" => spec.retention = Some(Millis(whole(k, v)?)),
            "x-max-length" => {
                let n = whole(k, v)?;
                spec.max_depth =
                    Some(u32::try_from(n).map_err(|_| refuse(at(k), "at most 4294967295", n))?);
            }
            "x-overflow" => {
                spec.overflow = Some(match v.as_str() {
                    Some("drop-head") => Overflow::DropOldest,
                    Some("reject-publish") => Overflow::RejectPublish,
                    _ => return Err(refuse(at(k), "drop-head or reject-publish", v)),
                })
            }
            "x-delivery-limit" => {
                let n = whole(k, v)?;
                spec.delivery_limit =
                    Some(u32::try_from(n).map_err(|_| refuse(at(k), "at most 4294967295", n))?);
            }
            "x-dead-letter-exchange" => {
                exchange = Some(
                    v.as_str()
                        .ok_or_else(|| refuse(at(k), "an exchange name", v))?
                        .to_owned(),
                )
            }
            "x-dead-letter-routing-key" => {
                key = Some(
                    v.as_str()
                        .ok_or_else(|| refuse(at(k), "a routing key", v))?
                        .to_owned(),
                )
            }
            other => {
                return Err(refuse(
                    at(other),
                    "an argument the engine models: x-queue-type, x-message-ttl, x-max-length, \
                     x-overflow, x-delivery-limit, x-dead-letter-exchange, \
                     x-dead-letter-routing-key",
                    v,
                ))
            }
        }
    }
    if spec.delivery_limit.is_some() && spec.profile != QueueProfile::RabbitmqQuorum {
        return Err(refuse(
            at("x-delivery-limit"),
            "x-queue-type quorum: classic queues have no delivery limit (semantics notes §2.5)",
            "a classic queue",
        ));
    }
    if key.is_some() && exchange.is_none() {
        return Err(refuse(
            at("x-dead-letter-routing-key"),
            "an x-dead-letter-exchange beside it",
            "none",
        ));
    }
    Ok((spec, exchange.map(|x| (x, key))))
}

/// Writes the topology's RabbitMQ part as definitions (see the module's contract).
pub fn export(t: &Topology) -> Result<Value, ScenarioError> {
    let mut exchanges = Vec::new();
    let mut queues = Vec::new();
    let mut bindings = Vec::new();
    for (name, node) in &t.nodes {
        let at = |f: &str| format!("nodes.{name}.{f}");
        match node {
            Node::Router(r) if r.kind == RouterType::Sns => {
                return Err(refuse(at("router.type"), "a RabbitMQ exchange type", "sns"))
            }
            Node::Router(r) => exchanges.push(json!({
                "name": name, "vhost": "/", "type": r.kind.id(), "durable": true,
                "auto_delete": false, "internal": false, "arguments": {}
            })),
            Node::Queue(q) => queues.push(json!({
                "name": name, "vhost": "/", "durable": true, "auto_delete": false,
                "arguments": arguments(t, name, q)?
            })),
            _ => {}
        }
    }
    for e in t.edges.iter().filter(|e| e.kind == EdgeKind::Bind) {
        let kind = match t.node(&e.from) {
            Some(Node::Router(r)) => r.kind,
            _ => continue,
        };
        let arguments = match (kind, &e.headers) {
            (RouterType::Headers, Some(h)) => Value::Object(h.clone()),
            _ => json!({}),
        };
        bindings.push(json!({
            "source": e.from, "vhost": "/", "destination": e.to, "destination_type": "queue",
            "routing_key": e.key.as_deref().unwrap_or(""), "arguments": arguments
        }));
    }
    Ok(json!({ "exchanges": exchanges, "queues": queues, "bindings": bindings }))
}

fn arguments(t: &Topology, name: &str, q: &QueueSpec) -> Result<Value, ScenarioError> {
    let at = |f: &str| format!("nodes.{name}.queue.{f}");
    let quorum = match q.profile {
        QueueProfile::RabbitmqQuorum => true,
        QueueProfile::RabbitmqClassic => false,
        other => {
            return Err(refuse(
                at("profile"),
                "rabbitmq_classic or rabbitmq_quorum",
                other.id(),
            ))
        }
    };
    let unmatched = [
        ("visibility_timeout", q.visibility_timeout.is_some()),
        ("delay", q.delay.is_some()),
        ("receive_wait", q.receive_wait.is_some()),
        ("short_poll_interval", q.short_poll_interval.is_some()),
        ("content_based_dedup", q.content_based_dedup.is_some()),
        ("reorder_window", q.reorder_window.is_some()),
        ("max_message_size", q.max_message_size.is_some()),
        ("retry", q.retry.is_some()),
        ("redrive_rate", q.redrive_rate.is_some()),
    ];
    if let Some((field, _)) = unmatched.iter().find(|(_, set)| *set) {
        return Err(refuse(
            at(field),
            "no value: RabbitMQ has no queue argument for it",
            "a value",
        ));
    }
    let mut args = Map::new();
    args.insert(
        "x-queue-type".into(),
        json!(if quorum { "quorum" } else { "classic" }),
    );
    if let Some(ttl) = q.retention {
        args.insert("x-message-ttl".into(), json!(ttl.0));
    }
    if let Some(n) = q.max_depth {
        args.insert("x-max-length".into(), json!(n));
    }
    if let Some(o) = q.overflow {
        let o = match o {
            Overflow::DropOldest => "drop-head",
            Overflow::RejectPublish => "reject-publish",
        };
        args.insert("x-overflow".into(), json!(o));
    }
    if let Some(n) = q.delivery_limit {
        if !quorum {
            return Err(refuse(at("delivery_limit"), "none on a classic queue", n));
        }
        args.insert("x-delivery-limit".into(), json!(n));
    }
    let dead = t
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::DeadLetter && e.from == name);
    if let Some(e) = dead {
        match t.node(&e.to) {
            Some(Node::Router(_)) => {
                args.insert("x-dead-letter-exchange".into(), json!(e.to));
            }
            _ => {
                args.insert("x-dead-letter-exchange".into(), json!(""));
                args.insert("x-dead-letter-routing-key".into(), json!(e.to));
            }
        }
    }
    Ok(Value::Object(args))
}
