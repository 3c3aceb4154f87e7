//! Lowering: a version 2 topology turned into what the engine runs, with each queue's
//! profile applied (its defaults, limits and way of counting deliveries).
//!
//! [`ScenarioV2::lower`] gives one queue engine scenario for the single-queue shape that the
//! playground page runs: producers, one queue and its consumer pool, an optional dead-letter
//! queue, reply queue and store, or the same services over HTTP. [`ScenarioV2::plan`] (in
//! `plan.rs`) splits any topology of routers and queues into such members for the world.
//! Errors name v2 paths; the engine's own range checks are renamed to them.

use super::profile::QueueProfile;
use super::scenario::{NodeCommand, ScenarioV2};
use super::{Edge, EdgeKind, Node, NodeKind, QueueSpec, Topology};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::scenario::{
    ConsumerConfig, DlqConfig, HttpConfig, Mode, ProducerConfig, QueueConfig, Scenario,
    TimedCommand,
};

impl ScenarioV2 {
    /// The scenario the engine runs, with every profile applied. Errors name v2 paths.
    pub fn lower(&self) -> Result<Scenario, ScenarioError> {
        let t = &self.topology;
        t.validate()?;
        let shape = Shape::of(t)?;
        let mut sc = self.lower_shape(&shape)?;
        // One queue: every producer reaches it, and a queue places nothing by key.
        for (name, p) in shape.producers.iter().zip(&sc.producers) {
            if p.keys_records() {
                return Err(ScenarioError::field(
                    format!("nodes.{name}.producer.hot_key_share / keyless_share"),
                    "0 for a producer that publishes to a queue (keys place records on a \
                     Kafka log's partitions; a queue has none)",
                    crate::Decimal::short(p.hot_key_share + p.keyless_share).to_string(),
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

    /// One queue with its consumer pool (if any), dead-letter queue, producers and HTTP
    /// baseline, as the queue engine's scenario, without the timed commands.
    pub(super) fn lower_shape(&self, shape: &Shape) -> Result<Scenario, ScenarioError> {
        let t = &self.topology;
        let from_pool = |kind| {
            t.edges_of(kind)
                .any(|(_, e)| Some(&e.from) == shape.consumer.as_ref())
        };
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
            reply_queue: from_pool(EdgeKind::Reply),
            data_store: from_pool(EdgeKind::Write),
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
        match shape
            .consumer
            .as_deref()
            .and_then(|name| t.node(name).map(|n| (name, n)))
        {
            Some((name, Node::Consumer(c))) => {
                own_name(name, "consumer", &c.name, &ConsumerConfig::default().name)?;
                sc.consumers = c.clone();
                sc.consumers.name = name.to_owned();
            }
            // A queue nobody consumes from yet: its messages wait.
            _ => sc.consumers.count = 0,
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
        let max_message_size = q.max_message_size.unwrap_or(p.max_message_size());
        crate::validate::int(
            &at("max_message_size"),
            max_message_size,
            1024,
            p.max_message_size(),
        )?;
        sc.queue = QueueConfig {
            kind: p.kind(),
            name: shape.queue.clone(),
            visibility_timeout: visibility,
            retention,
            delay: q.delay.unwrap_or(d.delay),
            receive_wait: q.receive_wait.unwrap_or(d.receive_wait),
            short_poll_interval: q.short_poll_interval.unwrap_or(d.short_poll_interval),
            max_depth: q.max_depth,
            overflow: q.overflow.unwrap_or(p.default_overflow()),
            content_based_dedup: q.content_based_dedup.unwrap_or(d.content_based_dedup),
            reorder_window: q
                .reorder_window
                .or(p.reorder_window())
                .unwrap_or(d.reorder_window),
            max_message_size,
            retry: q.retry.clone().unwrap_or_else(|| p.default_retry()),
            max_deliveries: None,
            profile: Some(p)
                .filter(|p| !matches!(p, QueueProfile::SqsStandard | QueueProfile::SqsFifo)),
        };
        sc.dlq = self.lower_dlq(shape, q)?;
        if sc.dlq.is_none() && matches!(p, QueueProfile::RabbitmqQuorum) {
            // §2.3 and §2.5: at its delivery limit (the one given, or 20 since RabbitMQ 4.0) a
            // quorum queue with no dead-letter exchange drops the message.
            let limit = q.delivery_limit.or(p.delivery_limit().map(|l| l.default));
            sc.queue.max_deliveries = limit.map(|l| p.deliveries(l));
        }
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
                    return Err(ScenarioError::field(
                        format!("nodes.{name}"),
                        "a queue to dead-letter to",
                        format!(
                            "a {}",
                            t.node(name)
                                .map_or("missing node".into(), |n| n.kind().to_string())
                        ),
                    ));
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
                // A quorum queue without a dead-letter target drops at its limit instead
                // (`QueueConfig::max_deliveries`, set by the caller).
                (None, _) | (Some(_), QueueProfile::RabbitmqQuorum) => Ok(None),
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
            // A classic queue's dead-letter exchange takes what is rejected, expires or
            // overflows; nothing counts its deliveries.
            (None, None) if p.dead_letter_drops() => crate::scenario::NO_DELIVERY_LIMIT,
            (None, None) => {
                return Err(ScenarioError::field(
                    format!("nodes.{}.queue.profile", shape.queue),
                    "a profile with a dead-letter target",
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
            max_receive_count: if limit == crate::scenario::NO_DELIVERY_LIMIT {
                limit
            } else {
                p.deliveries(limit)
            },
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
        if want == Some(NodeKind::Queue) {
            if let Some(Node::Queue(q)) = self.topology.node(&shape.queue) {
                q.profile
                    .command(&format!("commands[{i}].do"), &mut command)?;
            }
        }
        let Some(name) = &c.node else {
            return Ok(TimedCommand { at: c.at, command });
        };
        let path = format!("commands[{i}].node");
        let found = self.topology.node(name).map(Node::kind);
        let fits = match want {
            None => found.is_some(),
            Some(NodeKind::Producer) => found == Some(NodeKind::Producer),
            Some(NodeKind::Consumer) => Some(name) == shape.consumer.as_ref(),
            Some(NodeKind::Queue) => *name == shape.queue || shape.dlq.as_ref() == Some(name),
            Some(NodeKind::Store | NodeKind::Router | NodeKind::Log) => false,
        };
        if !fits {
            let expected = match want {
                Some(NodeKind::Producer) => "the name of a producer node".to_owned(),
                Some(NodeKind::Consumer) => format!(
                    "\"{}\", the consumer pool",
                    shape.consumer.as_deref().unwrap_or("")
                ),
                Some(_) => format!("\"{}\" or its dead-letter queue", shape.queue),
                None => "the name of a node".to_owned(),
            };
            return Err(ScenarioError::field(path, expected, format!("\"{name}\"")));
        }
        if let Command::Send { producer, .. }
        | Command::Resend { producer, .. }
        | Command::SetRate { producer, .. } = &mut command
        {
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
pub(super) fn target_kind(c: &Command) -> Option<NodeKind> {
    use Command::*;
    match c {
        Send { .. } | Resend { .. } | SetRate { .. } | SetHotKey { .. } | Publish { .. } => {
            Some(NodeKind::Producer)
        }
        Spike { .. } => None,
        SetVisibilityTimeout { .. } | SetMaxReceiveCount { .. } | SetRetry { .. } => {
            Some(NodeKind::Queue)
        }
        RedriveAll | RedriveOne { .. } | Discard { .. } | Take { .. } => Some(NodeKind::Queue),
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
        | FixPoison
        | Seek { .. } => Some(NodeKind::Consumer),
    }
}

/// The topology read as the queue engine's shape, or the reason it does not fit.
pub(super) struct Shape<'a> {
    pub producers: Vec<String>,
    pub queue: String,
    pub dlq: Option<String>,
    pub consumer: Option<String>,
    pub calls: Vec<(usize, &'a Edge)>,
}

impl<'a> Shape<'a> {
    /// The single-queue shape the page's engine runs; the world ([`ScenarioV2::plan`]) runs
    /// the rest.
    fn of(t: &'a Topology) -> Result<Shape<'a>, ScenarioError> {
        if let Some(log) = t.of_kind(NodeKind::Log).next() {
            return Err(ScenarioError::field(
                format!("nodes.{log}"),
                "no log in a single-queue system (the world runs logs: `qsim run`)",
                "a log",
            ));
        }
        if let Some(router) = t.of_kind(NodeKind::Router).next() {
            return Err(ScenarioError::field(
                format!("nodes.{router}"),
                "no router in a single-queue system (the world runs routers: `qsim run`)",
                "a router",
            ));
        }
        let consumers: Vec<&str> = t.of_kind(NodeKind::Consumer).collect();
        let [consumer] = consumers[..] else {
            return Err(ScenarioError::field(
                "nodes",
                "exactly one consumer node in a single-queue system (the world runs more: `qsim run`)",
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
            [(_, e)] => Some(t.dead_letter_queue(&e.to)),
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
            consumer: Some(consumer.to_owned()),
            calls,
        })
    }

    /// The engine's own validation speaks of `queue.`, `dlq.`, `consumers.` and
    /// `producers[i].`; a v2 author needs the node's path instead.
    pub fn rename(&self, e: ScenarioError) -> ScenarioError {
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
            node(
                self.consumer.as_deref().unwrap_or(&self.queue),
                "consumer",
                rest,
            )
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
