//! Scenario files, version 2: a topology of named nodes and edges, plus the seed, timed
//! commands aimed at nodes, metrics and limits.
//!
//! ```json
//! { "version": 2, "name": "pizza-shop", "seed": 42,
//!   "nodes": {
//!     "order-service": { "producer": { "rate": 5 } },
//!     "orders":        { "queue": { "profile": "sqs_standard" } },
//!     "orders-dlq":    { "queue": {} },
//!     "kitchen":       { "consumer": { "count": 2 } } },
//!   "edges": [
//!     { "kind": "publish",     "from": "order-service", "to": "orders" },
//!     { "kind": "dead_letter", "from": "orders",        "to": "orders-dlq" },
//!     { "kind": "subscribe",   "from": "orders",        "to": "kitchen" } ],
//!   "commands": [ { "at": "60s", "node": "kitchen", "do": { "type": "set_online", "online": false } } ] }
//! ```
//!
//! # Contract
//! - [`ScenarioFile::from_json`] reads version 1 and version 2 files; a version 1 file is
//!   lifted to version 2 ([`ScenarioV2::from_v1`]) without losing anything:
//!   `from_v1(s).lower() == s` for every scenario the repository holds (tested).
//! - Unknown fields are refused; every error names the path in the file
//!   (`nodes.orders.queue.visibility_timeout`), what was expected and what was given.
//! - [`ScenarioV2::lower`] turns the topology into what the engine runs, applying each queue's
//!   profile (its defaults, limits and way of counting deliveries). Until the one-world engine
//!   runs any topology, it accepts the shape the queue engine has: producers, one queue with
//!   its consumer pool, an optional dead-letter queue, reply queue and data store, or the same
//!   services calling each other over HTTP. Anything else is refused with a message that says
//!   what the file asked for; nothing is silently dropped.

use serde::{Deserialize, Serialize};

use super::profile::QueueProfile;
use super::{Edge, EdgeKind, Node, NodeKind, QueueSpec, StoreSpec, Topology};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{
    ConsumerConfig, DlqConfig, HttpConfig, Limits, MetricsConfig, Mode, ProducerConfig,
    QueueConfig, QueueKind, Scenario, TimedCommand,
};

/// A command at a simulated time, aimed at one node. `node` may be left out when there is only
/// one node the command can mean (the consumer pool, the queue, the first producer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeCommand {
    pub at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(rename = "do")]
    pub command: Command,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioV2 {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub topology: Topology,
    pub commands: Vec<NodeCommand>,
    pub metrics: MetricsConfig,
    pub limits: Limits,
}

/// The file's shape; kept private so that [`ScenarioV2`] can hold a [`Topology`] value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawV2 {
    version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default = "one")]
    seed: u64,
    #[serde(
        deserialize_with = "super::deserialize_nodes",
        serialize_with = "super::serialize_nodes"
    )]
    nodes: Vec<(String, Node)>,
    #[serde(default)]
    edges: Vec<Edge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    commands: Vec<NodeCommand>,
    #[serde(default, skip_serializing_if = "is_default")]
    metrics: MetricsConfig,
    #[serde(default, skip_serializing_if = "is_default")]
    limits: Limits,
}

fn one() -> u64 {
    1
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Either version of a scenario file, as read.
pub enum ScenarioFile {
    V1(Box<Scenario>),
    V2(ScenarioV2),
}

impl ScenarioFile {
    /// Reads a version 1 or 2 file; the `version` field decides.
    pub fn from_json(text: &str) -> Result<ScenarioFile, ScenarioError> {
        #[derive(Deserialize)]
        struct Peek {
            #[serde(default = "one_u32")]
            version: u32,
        }
        fn one_u32() -> u32 {
            1
        }
        let peek: Peek = serde_json::from_str(text).map_err(|e| ScenarioError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        match peek.version {
            1 => Scenario::from_json(text).map(|s| ScenarioFile::V1(Box::new(s))),
            2 => ScenarioV2::from_json(text).map(ScenarioFile::V2),
            v => Err(ScenarioError::field(
                "version",
                "1 or 2 (the scenario versions this build reads)",
                v,
            )),
        }
    }

    /// What the engine runs.
    pub fn lower(&self) -> Result<Scenario, ScenarioError> {
        match self {
            ScenarioFile::V1(s) => Ok((**s).clone()),
            ScenarioFile::V2(s) => s.lower(),
        }
    }

    /// The file as version 2.
    pub fn into_v2(self) -> ScenarioV2 {
        match self {
            ScenarioFile::V1(s) => ScenarioV2::from_v1(&s),
            ScenarioFile::V2(s) => s,
        }
    }
}

impl ScenarioV2 {
    /// Parses and validates a version 2 file (lowering included, so a file that loads runs).
    pub fn from_json(text: &str) -> Result<ScenarioV2, ScenarioError> {
        let raw: RawV2 = crate::scenario::parse_json(text)?;
        if raw.version != 2 {
            return Err(ScenarioError::field("version", "2", raw.version));
        }
        let s = ScenarioV2 {
            name: raw.name,
            description: raw.description,
            seed: raw.seed,
            topology: Topology {
                nodes: raw.nodes,
                edges: raw.edges,
            },
            commands: raw.commands,
            metrics: raw.metrics,
            limits: raw.limits,
        };
        s.lower()?;
        Ok(s)
    }

    pub fn to_json(&self) -> String {
        let raw = RawV2 {
            version: 2,
            name: self.name.clone(),
            description: self.description.clone(),
            seed: self.seed,
            nodes: self.topology.nodes.clone(),
            edges: self.topology.edges.clone(),
            commands: self.commands.clone(),
            metrics: self.metrics.clone(),
            limits: self.limits.clone(),
        };
        serde_json::to_string_pretty(&raw).expect("a scenario always serialises")
    }

    /// A version 1 scenario as a topology. Every v1 setting is written out, so lowering gives
    /// back exactly the scenario it came from.
    pub fn from_v1(s: &Scenario) -> ScenarioV2 {
        let mut names = Names::default();
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let edge = |kind, from: &str, to: &str| Edge {
            kind,
            from: from.to_owned(),
            to: to.to_owned(),
            timeout: None,
            backlog_limit: None,
        };
        let producers: Vec<String> = s
            .producers
            .iter()
            .map(|p| {
                let name = names.take(&p.name);
                let mut p = p.clone();
                p.name = name.clone();
                nodes.push((name.clone(), Node::Producer(p)));
                name
            })
            .collect();
        let q = &s.queue;
        let queue = names.take(&q.name);
        let profile = match q.kind {
            QueueKind::Standard => QueueProfile::SqsStandard,
            QueueKind::Fifo => QueueProfile::SqsFifo,
        };
        nodes.push((
            queue.clone(),
            Node::Queue(QueueSpec {
                profile,
                visibility_timeout: Some(q.visibility_timeout),
                delivery_limit: s.dlq.as_ref().map(|d| d.max_receive_count),
                retention: Some(q.retention),
                delay: Some(q.delay),
                receive_wait: Some(q.receive_wait),
                short_poll_interval: Some(q.short_poll_interval),
                max_depth: q.max_depth,
                overflow: Some(q.overflow),
                content_based_dedup: Some(q.content_based_dedup),
                reorder_window: Some(q.reorder_window),
                retry: Some(q.retry.clone()),
                redrive_rate: None,
            }),
        ));
        if let Some(d) = &s.dlq {
            let dlq = names.take(&d.name);
            nodes.push((
                dlq.clone(),
                Node::Queue(QueueSpec {
                    profile,
                    retention: Some(d.retention),
                    redrive_rate: Some(d.redrive_rate),
                    ..QueueSpec::default()
                }),
            ));
            edges.push(edge(EdgeKind::DeadLetter, &queue, &dlq));
        }
        let consumer = names.take(&s.consumers.name);
        let mut c = s.consumers.clone();
        c.name = consumer.clone();
        nodes.push((consumer.clone(), Node::Consumer(c)));
        edges.push(edge(EdgeKind::Subscribe, &queue, &consumer));
        for p in &producers {
            if s.mode == Mode::Queue {
                edges.push(edge(EdgeKind::Publish, p, &queue));
            }
            // The HTTP baseline is kept whenever it is in use or was tuned, so a learner
            // switching wiring at run time finds the same callee.
            if s.mode == Mode::Http || s.http != HttpConfig::default() {
                edges.push(Edge {
                    timeout: Some(s.http.timeout),
                    backlog_limit: Some(s.http.backlog_limit),
                    ..edge(EdgeKind::Call, p, &consumer)
                });
            }
        }
        if s.reply_queue {
            let replies = names.take("replies");
            nodes.push((replies.clone(), Node::Queue(QueueSpec::default())));
            edges.push(edge(EdgeKind::Reply, &consumer, &replies));
        }
        if s.data_store {
            let store = names.take("orders-db");
            nodes.push((store.clone(), Node::Store(StoreSpec {})));
            edges.push(edge(EdgeKind::Write, &consumer, &store));
        }
        let commands = s
            .commands
            .iter()
            .map(|tc| NodeCommand {
                at: tc.at,
                node: match &tc.command {
                    Command::Send { producer, .. } | Command::SetRate { producer, .. } => {
                        producers.get(*producer as usize).cloned()
                    }
                    _ => None,
                },
                command: tc.command.clone(),
            })
            .collect();
        ScenarioV2 {
            name: s.name.clone(),
            description: s.description.clone(),
            seed: s.seed,
            topology: Topology { nodes, edges },
            commands,
            metrics: s.metrics.clone(),
            limits: s.limits.clone(),
        }
    }

    /// The scenario the engine runs, with every profile applied. Errors name v2 paths.
    pub fn lower(&self) -> Result<Scenario, ScenarioError> {
        let t = &self.topology;
        t.validate()?;
        let shape = Shape::of(t)?;
        let mut sc = Scenario {
            name: self.name.clone(),
            description: self.description.clone(),
            seed: self.seed,
            mode: if shape.calls.is_empty() || t.edges_of(EdgeKind::Publish).next().is_some() {
                Mode::Queue
            } else {
                Mode::Http
            },
            metrics: self.metrics.clone(),
            limits: self.limits.clone(),
            reply_queue: t.edges_of(EdgeKind::Reply).next().is_some(),
            data_store: t.edges_of(EdgeKind::Write).next().is_some(),
            ..Scenario::default()
        };
        sc.producers = shape
            .producers
            .iter()
            .map(|name| match t.node(name) {
                Some(Node::Producer(p)) => {
                    own_name(name, "producer", &p.name, &ProducerConfig::default().name)?;
                    let mut p = p.clone();
                    p.name = name.clone();
                    Ok(p)
                }
                _ => unreachable!("Shape lists producer nodes only"),
            })
            .collect::<Result<_, _>>()?;
        if let Some(Node::Consumer(c)) = t.node(&shape.consumer) {
            own_name(
                &shape.consumer,
                "consumer",
                &c.name,
                &ConsumerConfig::default().name,
            )?;
            sc.consumers = c.clone();
            sc.consumers.name = shape.consumer.clone();
        }
        let Some(Node::Queue(q)) = t.node(&shape.queue) else {
            unreachable!("Shape's queue is a queue node")
        };
        let at = |f: &str| format!("nodes.{}.queue.{f}", shape.queue);
        let p = q.profile;
        let d = QueueConfig::default();
        let visibility = q.visibility_timeout.unwrap_or(p.visibility().default);
        p.check_visibility(&at("visibility_timeout"), visibility)?;
        let retention = q.retention.unwrap_or(p.retention().default);
        p.check_retention(&at("retention"), retention)?;
        sc.queue = QueueConfig {
            kind: p.kind(),
            name: shape.queue.clone(),
            visibility_timeout: visibility,
            retention,
            delay: q.delay.unwrap_or(d.delay),
            receive_wait: q.receive_wait.unwrap_or(d.receive_wait),
            short_poll_interval: q.short_poll_interval.unwrap_or(d.short_poll_interval),
            max_depth: q.max_depth,
            overflow: q.overflow.unwrap_or(d.overflow),
            content_based_dedup: q.content_based_dedup.unwrap_or(d.content_based_dedup),
            reorder_window: q.reorder_window.unwrap_or(d.reorder_window),
            retry: q.retry.clone().unwrap_or_else(|| p.default_retry()),
        };
        sc.dlq = self.lower_dlq(&shape, q)?;
        if let Some((i, e)) = shape.calls.first() {
            let h = HttpConfig::default();
            sc.http = HttpConfig {
                timeout: e.timeout.unwrap_or(h.timeout),
                backlog_limit: e.backlog_limit.unwrap_or(h.backlog_limit),
            };
            if let Some((j, _)) = shape.calls.iter().find(|(_, o)| {
                o.timeout.unwrap_or(h.timeout) != sc.http.timeout
                    || o.backlog_limit.unwrap_or(h.backlog_limit) != sc.http.backlog_limit
            }) {
                return Err(ScenarioError::field(
                    format!("edges[{j}]"),
                    format!(
                        "the same timeout and backlog_limit as edges[{i}] (the callee is one pool)"
                    ),
                    "different values",
                ));
            }
        }
        sc.commands = self
            .commands
            .iter()
            .enumerate()
            .map(|(i, c)| self.lower_command(i, c, &shape))
            .collect::<Result<_, _>>()?;
        sc.validate().map_err(|e| shape.rename(e))?;
        Ok(sc)
    }

    /// The dead-letter queue: the `dead_letter` edge's target, or the profile's built-in one.
    fn lower_dlq(&self, shape: &Shape, q: &QueueSpec) -> Result<Option<DlqConfig>, ScenarioError> {
        let t = &self.topology;
        let p = q.profile;
        let limit_at = format!("nodes.{}.queue.delivery_limit", shape.queue);
        if let Some(limit) = q.delivery_limit {
            p.check_limit(&limit_at, limit)?;
        }
        let target = match &shape.dlq {
            Some(name) => {
                let Some(Node::Queue(dq)) = t.node(name) else {
                    unreachable!("dead_letter edges end at queues")
                };
                if matches!(p, QueueProfile::SqsStandard | QueueProfile::SqsFifo) && dq.profile != p
                {
                    // §1.3: a FIFO queue needs a FIFO DLQ, a standard queue a standard one.
                    return Err(ScenarioError::field(
                        format!("nodes.{name}.queue.profile"),
                        format!(
                            "\"{}\" like its source queue (SQS dead-letter queues match their source's type)",
                            p.id()
                        ),
                        format!("\"{}\"", dq.profile.id()),
                    ));
                }
                Some((name.clone(), Some(dq)))
            }
            None => p
                .built_in_dlq()
                .map(|sub| (format!("{}/{sub}", shape.queue), None)),
        };
        let Some((name, spec)) = target else {
            return match (q.delivery_limit, p) {
                (None, _) => Ok(None),
                (Some(_), QueueProfile::RabbitmqQuorum) => Err(ScenarioError::field(
                    limit_at,
                    "a dead_letter edge from this queue: without one RabbitMQ drops the message at the limit, \
                     which the queue engine does not run yet",
                    "a limit with no dead-letter target",
                )),
                (Some(_), _) => Err(ScenarioError::field(
                    limit_at,
                    "a dead_letter edge from this queue (the limit is part of the dead-letter policy)",
                    "a limit with no dead-letter target",
                )),
            };
        };
        let limit = match (q.delivery_limit, p.delivery_limit()) {
            (Some(l), _) => l,
            (None, Some(l)) => l.default,
            (None, None) => {
                return Err(ScenarioError::field(
                    format!("nodes.{}.queue.profile", shape.queue),
                    "a profile that dead-letters after a number of deliveries (a classic queue \
                     dead-letters on reject without requeue, TTL or length, which the exchanges model runs)",
                    format!("\"{}\" with a dead_letter edge", p.id()),
                ))
            }
        };
        let d = DlqConfig::default();
        let retention = spec.and_then(|s| s.retention).unwrap_or(d.retention);
        if let Some(s) = spec {
            s.profile
                .check_retention(&format!("nodes.{name}.queue.retention"), retention)?;
        }
        Ok(Some(DlqConfig {
            name,
            max_receive_count: p.deliveries(limit),
            retention,
            redrive_rate: spec.and_then(|s| s.redrive_rate).unwrap_or(d.redrive_rate),
        }))
    }

    fn lower_command(
        &self,
        i: usize,
        c: &NodeCommand,
        shape: &Shape,
    ) -> Result<TimedCommand, ScenarioError> {
        let want = target_kind(&c.command);
        let mut command = c.command.clone();
        let Some(name) = &c.node else {
            return Ok(TimedCommand { at: c.at, command });
        };
        let path = format!("commands[{i}].node");
        let found = self.topology.node(name).map(Node::kind);
        let fits = match want {
            None => found.is_some(),
            Some(NodeKind::Producer) => found == Some(NodeKind::Producer),
            Some(NodeKind::Consumer) => *name == shape.consumer,
            Some(NodeKind::Queue) => *name == shape.queue || shape.dlq.as_ref() == Some(name),
            Some(NodeKind::Store) => false,
        };
        if !fits {
            let expected = match want {
                Some(NodeKind::Producer) => "the name of a producer node".to_owned(),
                Some(NodeKind::Consumer) => format!("\"{}\", the consumer pool", shape.consumer),
                Some(_) => format!("\"{}\" or its dead-letter queue", shape.queue),
                None => "the name of a node".to_owned(),
            };
            return Err(ScenarioError::field(path, expected, format!("\"{name}\"")));
        }
        if let Command::Send { producer, .. } | Command::SetRate { producer, .. } = &mut command {
            *producer = shape.producers.iter().position(|p| p == name).unwrap_or(0) as u32;
        }
        Ok(TimedCommand { at: c.at, command })
    }
}

/// A producer or consumer is called by its node's name; a different `name` inside would be
/// silently overruled, so it is refused instead.
fn own_name(node: &str, kind: &str, given: &str, default: &str) -> Result<(), ScenarioError> {
    if given == node || given == default {
        return Ok(());
    }
    Err(ScenarioError::field(
        format!("nodes.{node}.{kind}.name"),
        format!("\"{node}\" (the node's name) or no name at all"),
        format!("\"{given}\""),
    ))
}

/// Which kind of node a command acts on (None: the whole system, like a traffic spike).
fn target_kind(c: &Command) -> Option<NodeKind> {
    use Command::*;
    match c {
        Send { .. } | SetRate { .. } => Some(NodeKind::Producer),
        Spike { .. } => None,
        SetVisibilityTimeout { .. } | SetMaxReceiveCount { .. } | SetRetry { .. } => {
            Some(NodeKind::Queue)
        }
        RedriveAll | RedriveOne { .. } | Discard { .. } => Some(NodeKind::Queue),
        SetOnline { .. }
        | Crash { .. }
        | ScaleConsumers { .. }
        | SetBatchFailure { .. }
        | SetBatchSize { .. }
        | SetAck { .. }
        | SetIdempotent { .. }
        | SetExtendVisibility { .. }
        | SetFailureRate { .. }
        | SetOnInvalid { .. }
        | SetProcessingTime { .. }
        | FixPoison => Some(NodeKind::Consumer),
    }
}

/// The topology read as the queue engine's shape, or the reason it does not fit.
struct Shape<'a> {
    producers: Vec<String>,
    queue: String,
    dlq: Option<String>,
    consumer: String,
    calls: Vec<(usize, &'a Edge)>,
}

impl<'a> Shape<'a> {
    fn of(t: &'a Topology) -> Result<Shape<'a>, ScenarioError> {
        let consumers: Vec<&str> = t.of_kind(NodeKind::Consumer).collect();
        let [consumer] = consumers[..] else {
            return Err(ScenarioError::field(
                "nodes",
                "exactly one consumer node (the engine runs one queue and its consumer pool until the \
                 one-world engine runs any topology)",
                format!("{} consumer nodes", consumers.len()),
            ));
        };
        let subscribed: Vec<(usize, &Edge)> = t.edges_of(EdgeKind::Subscribe).collect();
        let [(_, sub)] = subscribed[..] else {
            return Err(ScenarioError::field(
                "edges",
                format!("exactly one subscribe edge, from a queue to \"{consumer}\""),
                format!("{} subscribe edges", subscribed.len()),
            ));
        };
        let queue = sub.from.clone();
        let calls: Vec<(usize, &Edge)> = t.edges_of(EdgeKind::Call).collect();
        let publishes: Vec<(usize, &Edge)> = t.edges_of(EdgeKind::Publish).collect();
        if let Some((i, e)) = publishes.iter().find(|(_, e)| e.to != queue) {
            return Err(ScenarioError::field(
                format!("edges[{i}].to"),
                format!("\"{queue}\", the queue \"{consumer}\" subscribes to (one queue for now)"),
                format!("\"{}\"", e.to),
            ));
        }
        // With both wirings the system runs through the queue, and the call edges are the HTTP
        // baseline a learner can switch to; so the active wiring must reach every producer.
        let (active, edge_name) = if publishes.is_empty() {
            (&calls, "call")
        } else {
            (&publishes, "publish")
        };
        let producers: Vec<String> = t.of_kind(NodeKind::Producer).map(str::to_owned).collect();
        if let Some(p) = producers
            .iter()
            .find(|p| !active.iter().any(|(_, e)| &e.from == *p))
        {
            return Err(ScenarioError::field(
                format!("nodes.{p}"),
                format!("a producer with a {edge_name} edge, like the others"),
                format!("a producer with no {edge_name} edge"),
            ));
        }
        let dead: Vec<(usize, &Edge)> = t.edges_of(EdgeKind::DeadLetter).collect();
        let dlq = match dead[..] {
            [] => None,
            [(i, e)] if e.from != queue => {
                return Err(ScenarioError::field(
                    format!("edges[{i}].from"),
                    format!(
                        "\"{queue}\", the queue with consumers (one dead-letter queue for now)"
                    ),
                    format!("\"{}\"", e.from),
                ))
            }
            [(_, e)] => Some(e.to.clone()),
            [_, (i, _), ..] => {
                return Err(ScenarioError::field(
                    format!("edges[{i}]"),
                    "one dead_letter edge",
                    format!("{} dead_letter edges", dead.len()),
                ))
            }
        };
        Ok(Shape {
            producers,
            queue,
            dlq,
            consumer: consumer.to_owned(),
            calls,
        })
    }

    /// The engine's own validation speaks of `queue.`, `dlq.`, `consumers.` and
    /// `producers[i].`; a v2 author needs the node's path instead.
    fn rename(&self, e: ScenarioError) -> ScenarioError {
        let ScenarioError::Field {
            path,
            expected,
            given,
        } = e
        else {
            return e;
        };
        let node = |name: &str, kind: &str, rest: &str| format!("nodes.{name}.{kind}{rest}");
        let path = if let Some(rest) = path.strip_prefix("queue") {
            node(&self.queue, "queue", rest)
        } else if let Some(rest) = path.strip_prefix("consumers") {
            node(&self.consumer, "consumer", rest)
        } else if path == "dlq.max_receive_count" {
            node(&self.queue, "queue", ".delivery_limit")
        } else if let Some(rest) = path.strip_prefix("dlq") {
            node(self.dlq.as_deref().unwrap_or(&self.queue), "queue", rest)
        } else if let Some(rest) = path.strip_prefix("producers[") {
            let (i, rest) = rest.split_once(']').unwrap_or(("0", ""));
            let i: usize = i.parse().unwrap_or(0);
            let name = self.producers.get(i).map_or("?", String::as_str);
            node(name, "producer", rest)
        } else if let Some(rest) = path.strip_prefix("http") {
            format!("edges[{}]{rest}", self.calls.first().map_or(0, |(i, _)| *i))
        } else {
            path
        };
        ScenarioError::Field {
            path,
            expected,
            given,
        }
    }
}

/// Unique node names when lifting a v1 file, whose names could repeat across roles.
#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn take(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "node" } else { wanted };
        let mut name = base.to_owned();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        self.0.push(name.clone());
        name
    }
}
