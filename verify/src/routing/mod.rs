//! Routing through one router, checked on a real broker: which queues each message reaches,
//! or that it reaches none. A RabbitMQ exchange runs on RabbitMQ (semantics notes §2.1 and
//! §2.7); an SNS topic with its subscriptions' filter policies runs on moto (§5).
//!
//! # Contract
//! - Accepted: one router; queues bound to it with their profile's defaults (RabbitMQ classic
//!   or quorum under a direct, fanout, topic or headers exchange; SQS standard under an SNS
//!   topic); producers at rate 0 publishing to it; and `send` commands (or, to an exchange,
//!   `publish`), each at its own time. No consumers, no dead-lettering: what is compared is
//!   where the broker put each copy, so nothing may take it away. Anything else is refused
//!   with the field and the reason.
//! - A message is the engine's event number (one per publish, shared by every copy). Its place
//!   is the names of the queues holding a copy, sorted and joined with ` + `, or `unroutable`
//!   (on SNS: no subscription's filter policy accepted it).
//! - Routing happens at publish time, so nothing is scaled: the broker gets the messages back
//!   to back, in the engine's order. On RabbitMQ each has `mandatory` set, so that an
//!   unroutable one comes back as a `basic.return` (§2.7) rather than vanishing unseen.

pub mod amqp;
pub mod sns;

use queue_engine::topology::profile::QueueProfile;
use queue_engine::topology::RouterType;
use queue_engine::{
    Command, EdgeKind, EventKind, Millis, Node, NodeKind, QueueSpec, ScenarioV2, World,
};
use serde_json::{Map, Value};

use crate::compare::{CountRule, Expected, Facts};
use crate::plan::unsupported;
use crate::Error;

/// A binding of the router to a queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub queue: String,
    /// The binding key (direct and topic exchanges).
    pub key: Option<String>,
    /// The binding's headers, `x-match` included (headers exchanges).
    pub headers: Option<Map<String, Value>>,
    /// The subscription's filter policy (SNS topics).
    pub filter: Option<Value>,
}

/// One message as the broker gets it.
#[derive(Clone, Debug, PartialEq)]
pub struct Routed {
    /// The engine's event number.
    pub id: u64,
    pub at: Millis,
    /// The router's node name, or `""` for the default exchange (the key names the queue).
    pub exchange: String,
    pub key: String,
    /// Its producer's publish-edge attributes: the AMQP headers, or the SNS message
    /// attributes, it carries.
    pub attributes: Option<Map<String, Value>>,
}

#[derive(Clone, Debug)]
pub struct RoutingPlan {
    pub name: String,
    pub router: String,
    pub kind: RouterType,
    /// The queues, with the profile each is declared with.
    pub queues: Vec<(String, QueueProfile)>,
    pub bindings: Vec<Binding>,
    pub messages: Vec<Routed>,
    pub expected: Vec<Expected>,
    pub until: Millis,
}

/// The place a message with copies in `queues` has (see the module's contract).
pub fn place_of(mut queues: Vec<String>) -> String {
    if queues.is_empty() {
        return "unroutable".into();
    }
    queues.sort();
    queues.dedup();
    queues.join(" + ")
}

/// What the broker showed of a message: only its place, since nothing receives it.
pub(crate) fn facts_at(place: String) -> Facts {
    Facts {
        delivered: 0,
        processed: 0,
        place,
        order: None,
        death: None,
    }
}

/// Whether the file is about routing: it has a router node.
pub fn is_routing(s: &ScenarioV2) -> bool {
    s.topology.of_kind(NodeKind::Router).next().is_some()
}

/// Checks the file is one exchange and its queues, then runs the engine.
pub fn plan(s: &ScenarioV2, until: Millis) -> Result<RoutingPlan, Error> {
    let t = &s.topology;
    let routers: Vec<&str> = t.of_kind(NodeKind::Router).collect();
    let [router] = routers[..] else {
        return Err(unsupported(
            "nodes",
            "one router (exchange) per verified file",
        ));
    };
    let Some(Node::Router(spec)) = t.node(router) else {
        unreachable!("of_kind found it")
    };
    let sns = spec.kind == RouterType::Sns;
    let mut queues = Vec::new();
    for (name, node) in &t.nodes {
        match node {
            Node::Router(_) => {}
            Node::Producer(p) if p.rate == 0.0 => {}
            Node::Producer(_) => {
                return Err(unsupported(
                    &format!("nodes.{name}.producer.rate"),
                    "a routing check replays `send` and `publish` commands only (rate 0)",
                ))
            }
            Node::Queue(q) if is_plain(q, sns) => queues.push((name.clone(), q.profile)),
            Node::Queue(_) if sns => {
                return Err(unsupported(
                    &format!("nodes.{name}.queue"),
                    "an SNS routing check takes sqs_standard queues with their defaults (a \
                     FIFO queue needs a FIFO topic, and a limit would change what stays in it)",
                ))
            }
            Node::Queue(_) => {
                return Err(unsupported(
                    &format!("nodes.{name}.queue"),
                    "a routing check takes rabbitmq_classic or rabbitmq_quorum queues with \
                     their defaults (a limit or TTL would change what stays in them)",
                ))
            }
            other => {
                return Err(unsupported(
                    &format!("nodes.{name}"),
                    &format!(
                        "a routing check has no {} nodes: nothing may take a copy away",
                        other.kind()
                    ),
                ))
            }
        }
    }
    let mut bindings = Vec::new();
    for (i, e) in t.edges.iter().enumerate() {
        match e.kind {
            EdgeKind::Publish if e.to == router => {}
            EdgeKind::Bind => bindings.push(Binding {
                queue: e.to.clone(),
                key: e.key.clone(),
                headers: e.headers.clone(),
                filter: e.filter.clone(),
            }),
            _ => {
                return Err(unsupported(
                    &format!("edges[{i}]"),
                    "only publish edges to the router and its bind edges are replayed",
                ))
            }
        }
    }
    let mut times: Vec<Millis> = Vec::new();
    for (i, c) in s.commands.iter().enumerate() {
        match &c.command {
            Command::Send { .. } => {}
            Command::Publish { exchange, .. }
                if !sns && (exchange.is_empty() || exchange == router) => {}
            _ if sns => {
                return Err(unsupported(
                    &format!("commands[{i}]"),
                    "only `send` is replayed: an SNS topic takes no routing key",
                ))
            }
            _ => {
                return Err(unsupported(
                    &format!("commands[{i}]"),
                    &format!(
                        "only `send`, and `publish` to \"{router}\" or the default exchange \"\", \
                         are replayed"
                    ),
                ))
            }
        }
        if times.contains(&c.at) {
            return Err(unsupported(
                &format!("commands[{i}].at"),
                "one publish per instant, so each message is matched to its command",
            ));
        }
        times.push(c.at);
    }
    let (messages, expected) = run_engine(s, router, until)?;
    Ok(RoutingPlan {
        name: s.name.clone(),
        router: router.to_owned(),
        kind: spec.kind,
        queues,
        bindings,
        messages,
        expected,
        until,
    })
}

/// A queue with its profile's defaults, of a profile the router's broker runs: SQS standard
/// under an SNS topic, RabbitMQ classic or quorum under an exchange.
fn is_plain(q: &QueueSpec, sns: bool) -> bool {
    let runs = if sns {
        q.profile == QueueProfile::SqsStandard
    } else {
        matches!(
            q.profile,
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum
        )
    };
    runs && *q
        == QueueSpec {
            profile: q.profile,
            ..QueueSpec::default()
        }
}

/// Runs the engine and reads, per event, the queues that got a copy; each event is matched to
/// the command at its instant for what the broker must be sent.
fn run_engine(
    s: &ScenarioV2,
    router: &str,
    until: Millis,
) -> Result<(Vec<Routed>, Vec<Expected>), Error> {
    let mut s = s.clone();
    s.limits.event_log = s.limits.event_log.max(100_000);
    let plan = s.plan().map_err(|e| Error::File(e.to_string()))?;
    let mut w = World::new(plan).map_err(|e| Error::File(e.to_string()))?;
    w.advance_to(until);
    // event → (time, queues with a copy)
    let mut copies: std::collections::BTreeMap<u64, (Millis, Vec<String>)> = Default::default();
    for e in w.drain_events() {
        let (event, queue) = match (&e.event.kind, e.member) {
            (EventKind::Published { event, .. }, Some(m)) => {
                (*event, Some(w.member_nodes(m).queue.clone()))
            }
            (EventKind::Unroutable { event, .. }, _) => (*event, None),
            _ => continue,
        };
        let entry = copies.entry(event).or_insert((e.event.t, Vec::new()));
        entry.1.extend(queue);
    }
    let mut messages = Vec::new();
    let mut expected = Vec::new();
    for (id, (at, queues)) in copies {
        let Some(c) = s.commands.iter().find(|c| c.at == at) else {
            return Err(Error::File(format!(
                "the engine published event {id} at {at}, which no command explains"
            )));
        };
        let payload = match &c.command {
            Command::Send { payload, .. } => crate::plan::payload_name(*payload),
            _ => "normal",
        };
        let (exchange, key, attributes) = match &c.command {
            Command::Publish { exchange, key, .. } => (exchange.clone(), key.clone(), None),
            _ => {
                let edge = s.topology.edges.iter().find(|e| {
                    e.kind == EdgeKind::Publish && Some(e.from.as_str()) == c.node.as_deref()
                });
                let edge = edge.ok_or_else(|| {
                    Error::File(format!(
                        "the send at {at} comes from no producer with a publish edge"
                    ))
                })?;
                (
                    router.to_owned(),
                    edge.key.clone().unwrap_or_default(),
                    edge.attributes.clone(),
                )
            }
        };
        messages.push(Routed {
            id,
            at,
            exchange,
            key,
            attributes,
        });
        expected.push(Expected {
            id,
            payload: payload.into(),
            rule: CountRule::Exact,
            facts: facts_at(place_of(queues)),
        });
    }
    Ok((messages, expected))
}

#[cfg(test)]
mod tests;
