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

use super::{Edge, EdgeKind, Node, QueueSpec, StoreSpec, Topology};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{HttpConfig, Limits, MetricsConfig, Mode, Scenario};

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
    /// Parses and validates a version 2 file (planning included, so a file that loads runs).
    pub fn from_json(text: &str) -> Result<ScenarioV2, ScenarioError> {
        let s = ScenarioV2::read(text)?;
        s.plan()?;
        Ok(s)
    }

    /// Parses a version 2 file without planning it: a system still being built (a consumer
    /// that reads nothing yet) reads, and [`ScenarioV2::plan`] says why it does not run.
    pub fn read(text: &str) -> Result<ScenarioV2, ScenarioError> {
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
        let edge = Edge::new;
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
        let profile = q.profile();
        let delivery_limit = q
            .max_deliveries
            .or(s.dlq.as_ref().map(|d| d.max_receive_count))
            .map(|n| profile.limit_for(n));
        nodes.push((
            queue.clone(),
            Node::Queue(QueueSpec {
                profile,
                visibility_timeout: Some(q.visibility_timeout),
                delivery_limit,
                retention: Some(q.retention),
                delay: Some(q.delay),
                receive_wait: Some(q.receive_wait),
                short_poll_interval: Some(q.short_poll_interval),
                max_depth: q.max_depth,
                overflow: Some(q.overflow),
                content_based_dedup: Some(q.content_based_dedup),
                reorder_window: Some(q.reorder_window),
                max_message_size: Some(q.max_message_size),
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
                    Command::Send { producer, .. }
                    | Command::Resend { producer, .. }
                    | Command::SetRate { producer, .. } => {
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
