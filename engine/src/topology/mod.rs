//! A messaging system as data: named nodes of a closed set of kinds, joined by typed edges.
//!
//! # Contract
//! - Nodes keep the order they are written in, so a node's [`NodeId`] (its index) is stable:
//!   adding a node never renumbers the others, and a layout or a link can rely on it.
//! - [`Topology::validate`] accepts only wiring that means something on a real platform
//!   (a producer publishes to a queue, a consumer pool subscribes to one, a dead-letter edge
//!   joins two queues of matching profiles, …). Each refusal names the node or edge at fault,
//!   what was expected and what was given, in the shape of [`ScenarioError`].
//! - Node kinds are a closed enum, not trait objects: every match over them is exhaustive, so a
//!   new kind cannot be half-supported by accident.
//!
//! The kinds here are the ones the engine runs today: producers, routers (RabbitMQ exchanges
//! and SNS topics), queues (with a platform [`profile::QueueProfile`]), logs (a Kafka topic or
//! a Redis stream, [`log::LogProfile`]), consumer pools and data stores. A kind joins the enum
//! only when the world runs it, so a file that validates always runs.

pub mod definitions;
pub mod events;
pub mod filter;
mod from_stream;
pub mod kafka;
pub mod log;
mod lower;
pub mod plan;
pub mod profile;
pub mod redis;
pub mod scenario;
pub mod terraform;
pub mod tokens;

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{ConsumerConfig, ProducerConfig};
pub use log::LogSpec;
use profile::QueueProfile;

/// A node's index in [`Topology::nodes`], in the order the file lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// What a node is. Written in JSON as an object with one key naming the kind:
/// `"kitchen": { "consumer": { "count": 2 } }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Node {
    /// The one arrival generator: steady or Poisson traffic, poison and transient shares, FIFO
    /// groups, duplicate sends and delays.
    Producer(ProducerConfig),
    /// Copies each message to the queues bound to it that match its routing key.
    Router(RouterSpec),
    /// A point-to-point queue; its profile says which platform's rules it follows.
    Queue(QueueSpec),
    /// A partitioned log (Kafka's topic): records stay until retention removes them, and each
    /// consumer pool that subscribes to it is a consumer group with its own offsets.
    Log(LogSpec),
    /// A pool of identical workers taking messages from the queue it subscribes to, or a
    /// consumer group reading the log it subscribes to.
    Consumer(ConsumerConfig),
    /// Where a consumer records what it processed (shows duplicates as repeated writes).
    Store(StoreSpec),
}

impl Node {
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::Producer(_) => NodeKind::Producer,
            Node::Router(_) => NodeKind::Router,
            Node::Queue(_) => NodeKind::Queue,
            Node::Log(_) => NodeKind::Log,
            Node::Consumer(_) => NodeKind::Consumer,
            Node::Store(_) => NodeKind::Store,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Producer,
    Router,
    Queue,
    Log,
    Consumer,
    Store,
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NodeKind::Producer => "producer",
            NodeKind::Router => "router",
            NodeKind::Queue => "queue",
            NodeKind::Log => "log",
            NodeKind::Consumer => "consumer",
            NodeKind::Store => "store",
        })
    }
}

/// A queue's settings in the playground's own words; [`QueueProfile`] maps each to the
/// platform's name, default and limits. `None` means "the profile's default".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSpec {
    pub profile: QueueProfile,
    /// How long a delivered, unacknowledged message stays hidden before it comes back: SQS
    /// `VisibilityTimeout`, Service Bus `LockDuration`, Pub/Sub `ackDeadlineSeconds`, RabbitMQ
    /// `consumer_timeout`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout: Option<Millis>,
    /// How many deliveries before the message leaves, in the profile's own terms (SQS
    /// `maxReceiveCount`, quorum `x-delivery-limit`, Service Bus `MaxDeliveryCount`, Pub/Sub
    /// `maxDeliveryAttempts`, ActiveMQ `maximumRedeliveries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receive_wait: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_poll_interval: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overflow: Option<crate::scenario::Overflow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_based_dedup: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reorder_window: Option<u32>,
    /// The largest body accepted, in bytes: SQS `MaximumMessageSize` (§1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u32>,
    /// How a failed message comes back; `None`: the profile's own way (SQS waits out the
    /// visibility timeout, RabbitMQ requeues at once, ActiveMQ waits its redelivery delay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<crate::scenario::RetryPolicy>,
    /// DLQ only: messages per second moved back by a redrive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_rate: Option<f64>,
}

/// How a router picks the queues a message goes to (semantics notes §2.1 and §5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouterType {
    /// RabbitMQ fanout exchange: a copy to every bound queue; keys are ignored.
    #[default]
    Fanout,
    /// RabbitMQ direct exchange: a copy to each queue bound with exactly the routing key.
    Direct,
    /// RabbitMQ topic exchange: dot-separated words; in a binding `*` is one word, `#` any number.
    Topic,
    /// RabbitMQ headers exchange: a copy to each queue whose binding's headers match the
    /// message's (`x-match` all or any).
    Headers,
    /// Amazon SNS topic: a copy to every subscribed queue whose filter policy the message's
    /// attributes pass (no policy: every message).
    Sns,
}

crate::named_variants!(RouterType {
    Fanout = "fanout",
    Direct = "direct",
    Topic = "topic",
    Headers = "headers",
    Sns = "sns",
});

impl RouterType {
    pub fn id(self) -> &'static str {
        match self {
            RouterType::Fanout => "fanout",
            RouterType::Direct => "direct",
            RouterType::Topic => "topic",
            RouterType::Headers => "headers",
            RouterType::Sns => "sns",
        }
    }

    /// The kind [`RouterType::id`] names.
    pub fn from_id(id: &str) -> Option<RouterType> {
        Some(match id {
            "fanout" => RouterType::Fanout,
            "direct" => RouterType::Direct,
            "topic" => RouterType::Topic,
            "headers" => RouterType::Headers,
            "sns" => RouterType::Sns,
            _ => return None,
        })
    }

    /// Whether a message published on `publish` goes through the binding `bind`.
    pub fn matches(self, bind: &Edge, publish: &Edge) -> bool {
        let no_attributes = serde_json::Map::new();
        let attributes = publish.attributes.as_ref().unwrap_or(&no_attributes);
        match self {
            RouterType::Fanout => true,
            RouterType::Direct => bind.key == publish.key,
            RouterType::Topic => match (&bind.key, &publish.key) {
                (Some(b), Some(k)) => crate::amqp::topic_matches(b, k),
                _ => false,
            },
            RouterType::Headers => bind
                .headers
                .as_ref()
                .is_some_and(|h| filter::headers_match(h, attributes)),
            RouterType::Sns => bind
                .filter
                .as_ref()
                .is_none_or(|f| filter::policy_matches(f, attributes)),
        }
    }

    /// Whether bindings and publishes carry a routing key.
    pub fn keyed(self) -> bool {
        matches!(self, RouterType::Direct | RouterType::Topic)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouterSpec {
    #[serde(rename = "type")]
    pub kind: RouterType,
}

/// A data store has no settings yet; the empty object keeps room for them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSpec {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Producer → queue, log or router: the producer sends its messages there (to a router with a
    /// routing `key` when the router is keyed).
    Publish,
    /// Router → queue: an exchange binding (with its `key` or pattern) or an SNS subscription.
    Bind,
    /// Queue → consumer pool: the pool receives from the queue (competing consumers). Log →
    /// consumer pool: the pool is a consumer group reading every partition.
    Subscribe,
    /// Queue → queue: where messages go once they run out of deliveries (SQS redrive policy,
    /// RabbitMQ dead-letter exchange, Service Bus and Pub/Sub dead-letter targets).
    DeadLetter,
    /// Consumer pool → queue: replies go to the queue named in each message's `replyto`.
    Reply,
    /// Consumer pool → store: each successful processing writes a record.
    Write,
    /// Producer → consumer pool: a synchronous HTTP call instead of a queue (the baseline).
    Call,
}

crate::named_variants!(EdgeKind {
    Publish = "publish",
    Bind = "bind",
    Subscribe = "subscribe",
    DeadLetter = "dead_letter",
    Reply = "reply",
    Write = "write",
    Call = "call",
});

impl EdgeKind {
    /// The name scenario files use (`"kind": "dead_letter"`).
    pub fn id(self) -> &'static str {
        match self {
            EdgeKind::Publish => "publish",
            EdgeKind::Bind => "bind",
            EdgeKind::Subscribe => "subscribe",
            EdgeKind::DeadLetter => "dead_letter",
            EdgeKind::Reply => "reply",
            EdgeKind::Write => "write",
            EdgeKind::Call => "call",
        }
    }

    /// The node kinds this edge may join: from, and the kinds it may go to.
    pub fn ends(self) -> (&'static [NodeKind], &'static [NodeKind]) {
        use NodeKind::*;
        match self {
            EdgeKind::Publish => (&[Producer], &[Queue, Router, Log]),
            EdgeKind::Bind => (&[Router], &[Queue]),
            EdgeKind::Subscribe => (&[Queue, Log], &[Consumer]),
            EdgeKind::DeadLetter => (&[Queue], &[Queue, Router]),
            EdgeKind::Reply => (&[Consumer], &[Queue]),
            EdgeKind::Write => (&[Consumer], &[Store]),
            EdgeKind::Call => (&[Producer], &[Consumer]),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: String,
    pub to: String,
    /// `publish` to a keyed router: the routing key; `bind` from one: the binding key (a
    /// pattern with `*` and `#` on a topic exchange). At most 255 bytes, as in AMQP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `publish` to an SNS topic or a headers exchange: the message attributes (SNS) or
    /// headers (AMQP) that every message of this producer carries: strings, numbers or lists
    /// of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// `bind` from an SNS topic: the subscription's filter policy (semantics notes §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
    /// `bind` from a headers exchange: the binding's headers, `x-match` included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    /// `call` only: how long the caller waits before it gives up with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Millis>,
    /// `call` only: requests the callee accepts beyond those in hand; more are refused (503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlog_limit: Option<u32>,
    /// `subscribe` from a log only: the consumer group's own settings (none: the platform's
    /// defaults). In Kafka a group is how a consumer subscribes to a topic, so they belong to
    /// the subscription, not to the pool's workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::stream::GroupSettings>,
}

impl Edge {
    /// An edge of `kind` from one node to another, with none of the optional settings.
    pub fn new(kind: EdgeKind, from: &str, to: &str) -> Edge {
        Edge {
            kind,
            from: from.to_owned(),
            to: to.to_owned(),
            key: None,
            attributes: None,
            filter: None,
            headers: None,
            timeout: None,
            backlog_limit: None,
            group: None,
        }
    }
}

/// The nodes, in file order, and the edges between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Topology {
    pub nodes: Vec<(String, Node)>,
    pub edges: Vec<Edge>,
}

impl Topology {
    pub fn id(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| NodeId(i as u32))
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|(n, _)| n == name).map(|(_, n)| n)
    }

    /// The names of the nodes of one kind, in file order.
    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .filter(move |(_, n)| n.kind() == kind)
            .map(|(name, _)| name.as_str())
    }

    /// The queue a dead-letter edge to `to` ends in: `to` itself, or the queue a dead-letter
    /// exchange's binding reaches (planning allows only one).
    pub fn dead_letter_queue(&self, to: &str) -> String {
        match self.node(to) {
            Some(Node::Router(_)) => self
                .edges_of(EdgeKind::Bind)
                .find(|(_, b)| b.from == to)
                .map_or(to, |(_, b)| b.to.as_str())
                .to_owned(),
            _ => to.to_owned(),
        }
    }

    /// Edges of one kind, with their index in `edges` (for error paths).
    pub fn edges_of(&self, kind: EdgeKind) -> impl Iterator<Item = (usize, &Edge)> {
        self.edges
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.kind == kind)
    }

    /// Structure only: names, edge ends and edge fields. Each node's own settings are checked
    /// against its profile by the scenario.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.nodes.is_empty() {
            return Err(ScenarioError::field("nodes", "at least one node", "none"));
        }
        for (name, _) in &self.nodes {
            check_name(name)?;
        }
        for (i, e) in self.edges.iter().enumerate() {
            let at = |f: &str| format!("edges[{i}].{f}");
            let (from_kinds, to_kinds) = e.kind.ends();
            // "queue", "queue or log", "queue, router or log".
            let text = |kinds: &[NodeKind]| {
                let names: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
                match names.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                }
            };
            let (from_text, to_text) = (text(from_kinds), text(to_kinds));
            for (field, name, want) in [
                ("from", &e.from, from_text.clone()),
                ("to", &e.to, to_text.clone()),
            ] {
                let ok = |k: NodeKind| {
                    if field == "from" {
                        from_kinds.contains(&k)
                    } else {
                        to_kinds.contains(&k)
                    }
                };
                match self.node(name) {
                    None => {
                        return Err(ScenarioError::field(
                            at(field),
                            format!("the name of a {want} node in `nodes`"),
                            format!("\"{name}\", which is not a node"),
                        ))
                    }
                    Some(n) if !ok(n.kind()) => {
                        return Err(ScenarioError::field(
                            at(field),
                            format!(
                                "a {want} node (a {} edge joins {from_text} → {to_text})",
                                e.kind.id()
                            ),
                            format!("\"{name}\", a {}", n.kind()),
                        ))
                    }
                    Some(_) => {}
                }
            }
            self.check_key(i, e)?;
            self.check_attributes(i, e)?;
            if e.from == e.to {
                return Err(ScenarioError::field(
                    at("to"),
                    "a node other than `from`",
                    format!("\"{}\"", e.to),
                ));
            }
            if e.kind != EdgeKind::Call && (e.timeout.is_some() || e.backlog_limit.is_some()) {
                let field = if e.timeout.is_some() {
                    "timeout"
                } else {
                    "backlog_limit"
                };
                return Err(ScenarioError::field(
                    at(field),
                    "no such setting: only a `call` edge has a timeout and a backlog limit",
                    "a value",
                ));
            }
            if let Some(t) = e.timeout {
                crate::validate::duration(&at("timeout"), t, Millis(1), Millis::from_secs(600))?;
            }
            // A queue may be bound to one exchange by several keys (§2.1), each once.
            if self.edges[..i].iter().any(|o| {
                o.kind == e.kind
                    && o.from == e.from
                    && o.to == e.to
                    && (e.kind != EdgeKind::Bind || (o.key == e.key && o.headers == e.headers))
            }) {
                return Err(ScenarioError::field(
                    format!("edges[{i}]"),
                    "each edge once",
                    format!("a second {} edge {} → {}", e.kind.id(), e.from, e.to),
                ));
            }
        }
        Ok(())
    }
}

impl Topology {
    /// Attributes belong on a publish edge to an SNS topic or a headers exchange, a filter
    /// policy on a bind edge from an SNS topic, binding headers on one from a headers exchange.
    fn check_attributes(&self, i: usize, e: &Edge) -> Result<(), ScenarioError> {
        let router_kind = |name: &str| match self.node(name) {
            Some(Node::Router(r)) => Some(r.kind),
            _ => None,
        };
        let (to, from) = (router_kind(&e.to), router_kind(&e.from));
        let at = |f: &str| format!("edges[{i}].{f}");
        let refuse =
            |field: &str, expected: &str| Err(ScenarioError::field(at(field), expected, "a value"));
        if let Some(attrs) = &e.attributes {
            if e.kind != EdgeKind::Publish
                || !matches!(to, Some(RouterType::Sns | RouterType::Headers))
            {
                return refuse(
                    "attributes",
                    "no attributes: only a publish edge to an sns or headers router has them",
                );
            }
            for (k, v) in attrs {
                let ok = v.is_string()
                    || v.is_number()
                    || v.as_array()
                        .is_some_and(|a| a.iter().all(|x| x.is_string() || x.is_number()));
                if !ok {
                    return Err(ScenarioError::field(
                        format!("{}.{k}", at("attributes")),
                        "a string, a number, or a list of them",
                        v,
                    ));
                }
            }
        }
        if let Some(policy) = &e.filter {
            if e.kind != EdgeKind::Bind || from != Some(RouterType::Sns) {
                return refuse(
                    "filter",
                    "no filter: only a bind edge from an sns topic has a filter policy",
                );
            }
            filter::check_policy(&at("filter"), policy)?;
        }
        match (
            &e.headers,
            e.kind == EdgeKind::Bind && from == Some(RouterType::Headers),
        ) {
            (Some(h), true) => filter::check_headers_binding(&at("headers"), h)?,
            (None, true) => {
                return Err(ScenarioError::field(
                    at("headers"),
                    "the headers this binding matches (a headers exchange routes by them)",
                    "none",
                ))
            }
            (Some(_), false) => {
                return refuse(
                    "headers",
                    "no headers: only a bind edge from a headers exchange has them",
                )
            }
            (None, false) => {}
        }
        Ok(())
    }

    /// A key belongs on a bind edge from a keyed router, and on a publish edge to one; it is
    /// required there and refused anywhere else, so a key is never silently ignored.
    fn check_key(&self, i: usize, e: &Edge) -> Result<(), ScenarioError> {
        let router = match e.kind {
            EdgeKind::Bind => self.node(&e.from),
            EdgeKind::Publish => self.node(&e.to),
            _ => None,
        };
        let keyed = match router {
            Some(Node::Router(r)) => Some(r.kind),
            _ => None,
        };
        let path = format!("edges[{i}].key");
        match (keyed, &e.key) {
            (Some(kind), None) if kind.keyed() => Err(ScenarioError::field(
                path,
                format!("a routing key (a {} exchange routes by key)", kind.id()),
                "none",
            )),
            (Some(kind), Some(_)) if !kind.keyed() => Err(ScenarioError::field(
                path,
                format!("no key (a {} router copies every message to every queue)", kind.id()),
                "a key",
            )),
            (None, Some(_)) => Err(ScenarioError::field(
                path,
                "no key: only bind edges from a direct or topic exchange, and publish edges to one, have a key",
                "a key",
            )),
            (_, Some(key)) if key.len() > 255 => Err(ScenarioError::field(
                path,
                "a key of at most 255 bytes (an AMQP short string)",
                format!("{} bytes", key.len()),
            )),
            _ => Ok(()),
        }
    }
}

/// Node names appear in links, event logs and broker resource names, so they stay short and
/// plain: letters, digits and `. _ - : /`, 1 to 80 characters.
pub fn check_name(name: &str) -> Result<(), ScenarioError> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:/$".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ScenarioError::field(
            format!("nodes.{name}"),
            "a node name of 1 to 80 letters, digits, '.', '_', '-', ':', '/' or '$'",
            format!("\"{name}\""),
        ))
    }
}

/// `nodes` is a JSON object whose keys are the node names, read in document order (a plain map
/// would sort them and renumber every node when one is added). A repeated name is an error,
/// not a silent overwrite.
pub(crate) fn deserialize_nodes<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, Node)>, D::Error> {
    struct Nodes;
    impl<'de> Visitor<'de> for Nodes {
        type Value = Vec<(String, Node)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of nodes by name, e.g. {\"kitchen\": {\"consumer\": {}}}")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut nodes: Vec<(String, Node)> = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                if nodes.iter().any(|(n, _)| *n == name) {
                    return Err(serde::de::Error::custom(format!(
                        "each node name once, got \"{name}\" twice"
                    )));
                }
                let node = map.next_value::<Node>()?;
                nodes.push((name, node));
            }
            Ok(nodes)
        }
    }
    d.deserialize_map(Nodes)
}

pub(crate) fn serialize_nodes<S: Serializer>(
    nodes: &[(String, Node)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(nodes.len()))?;
    for (name, node) in nodes {
        map.serialize_entry(name, node)?;
    }
    map.end()
}
