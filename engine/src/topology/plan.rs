//! Planning a world: any topology of producers, routers, queues and logs split into the parts
//! the world runs. Each queue with its consumer pool (and its dead-letter queue) becomes a
//! member run by the queue engine, each log with its consumer groups a log member (`log.rs`);
//! producers and routers stay with the world, which routes every message to the members it
//! reaches.
//!
//! # Contract
//! - A topology that plans runs; anything the world cannot run yet is refused with the node or
//!   edge at fault (a dead-letter queue with consumers of its own, a pool reading two queues).
//! - Routes are fixed at planning: a router's bindings and a producer's routing key decide,
//!   once, which members each producer reaches, in file order (semantics notes §2.1).
//! - Commands are aimed: each timed command names the producer or member it acts on.

use super::log::LogMember;
use super::lower::Shape;
use super::scenario::ScenarioV2;
pub use super::tokens::Target;
use super::{EdgeKind, Node, NodeKind};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{Limits, MetricsConfig, ProducerConfig, Scenario};
use serde::{Deserialize, Serialize};

/// The node names a member's events happen at. A plan writes them as one list of strings
/// ([`super::tokens`]).
#[derive(Clone, Debug, PartialEq)]
pub struct MemberNodes {
    pub queue: String,
    pub dlq: Option<String>,
    pub consumer: Option<String>,
    pub store: Option<String>,
    pub replies: Option<String>,
    /// A log's consumer groups (its subscribed pools), in file order; empty for a queue.
    pub groups: Vec<String>,
    /// The dead-letter exchange the queue's dead letters go through to `dlq`, if any.
    pub dlx: Option<String>,
}

impl MemberNodes {
    /// A queue's names before any other node is known to read from or hang off it.
    pub fn of_queue(queue: String) -> MemberNodes {
        MemberNodes {
            queue,
            dlq: None,
            consumer: None,
            store: None,
            replies: None,
            groups: Vec::new(),
            dlx: None,
        }
    }

    /// What the member is called where one name is shown: its consumer pool's name, or its
    /// queue's when no pool reads it.
    pub fn name(&self) -> &str {
        self.consumer.as_deref().unwrap_or(&self.queue)
    }
}

/// One queue of the world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub nodes: MemberNodes,
    /// The queue engine's scenario for this member (no producers of its own run in it; their
    /// settings are there for per-message delays).
    pub scenario: Scenario,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedCommand {
    pub at: Millis,
    pub target: Target,
    pub command: Command,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub name: String,
    pub seed: u64,
    pub producers: Vec<(String, ProducerConfig)>,
    /// For each producer, the members its messages reach (a member twice gets two copies).
    pub routes: Vec<Vec<u16>>,
    pub members: Vec<Member>,
    /// The logs, numbered after the queue members in `routes` and in the world's log.
    pub logs: Vec<super::log::LogMember>,
    pub commands: Vec<PlannedCommand>,
    pub metrics: MetricsConfig,
    pub limits: Limits,
    /// The routers, kept so that a person can publish to one with any routing key at run
    /// time ([`Command::Publish`]), and so a dead letter can say where it was first sent.
    #[serde(default, with = "super::tokens::routers")]
    pub routers: Vec<PlannedRouter>,
}

/// A router as the world keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRouter {
    pub name: String,
    pub kind: super::RouterType,
    /// Its bindings, each with its binding key (none on a fanout, headers or SNS router) and
    /// the member whose queue it reaches, in file order. Only keys are kept: the page reads
    /// plans, and a person publishes by key (see [`crate::World::route`]).
    pub binds: Vec<(Option<String>, u16)>,
    /// The producers that publish to it, each as its publish edge's routing key and the
    /// producer's index (the shape of `binds`, so the page reads both with one reader).
    pub publishers: Vec<(Option<String>, u16)>,
    /// A dead-letter exchange: its one binding is the dead-letter queue of the queues that
    /// name it, and nothing else publishes to it.
    pub dead_letter: bool,
}

impl Plan {
    /// A plan written by [`serde_json`] from [`ScenarioV2::plan`]: how the studio's planner
    /// worker hands over a system of one's own, and how the studio reads its built-in systems
    /// without the version 2 reader (the build plans them, and fails on a file that does not
    /// plan). The page has its built-in systems as Rust the build writes instead
    /// (`src/scenarios.rs`), so it carries no reader for a whole plan.
    #[inline]
    pub fn from_json(text: &str) -> Result<Plan, ScenarioError> {
        crate::scenario::parse_json(text)
    }

    /// The same system from another seed: every member draws from the new one.
    pub fn with_seed(mut self, seed: u64) -> Plan {
        self.seed = seed;
        for m in &mut self.members {
            m.scenario.seed = seed;
        }
        for l in &mut self.logs {
            match &mut l.run {
                super::log::LogPlan::Kafka { scenario, .. } => scenario.seed = seed,
                super::log::LogPlan::Redis(config) => config.seed = seed,
            }
        }
        self
    }
}

impl Plan {
    /// One queue's system (a version 1 scenario: producers, a queue, its dead-letter queue and
    /// one consumer pool) as a one-member world, which runs it exactly as planning its
    /// topology would. Its timed commands are aimed with [`Target::in_one_queue`].
    #[inline]
    pub fn single(mut sc: Scenario) -> Plan {
        let commands = std::mem::take(&mut sc.commands)
            .into_iter()
            .map(|tc| PlannedCommand {
                at: tc.at,
                target: Target::in_one_queue(&tc.command),
                command: tc.command,
            })
            .collect();
        let member = Member {
            nodes: MemberNodes {
                queue: sc.queue.name.clone(),
                dlq: sc.dlq.as_ref().map(|d| d.name.clone()),
                consumer: Some(sc.consumers.name.clone()),
                store: sc.data_store.then(|| "orders-db".to_owned()),
                replies: sc.reply_queue.then(|| "replies".to_owned()),
                groups: Vec::new(),
                dlx: None,
            },
            scenario: sc.clone(),
        };
        Plan {
            name: sc.name,
            seed: sc.seed,
            producers: sc
                .producers
                .into_iter()
                .map(|p| (p.name.clone(), p))
                .collect(),
            routes: vec![vec![0]; member.scenario.producers.len()],
            members: vec![member],
            logs: Vec::new(),
            commands,
            metrics: sc.metrics,
            limits: sc.limits,
            routers: Vec::new(),
        }
    }
}

impl Target {
    /// Where a command goes in a world of one queue: sends and rate changes to their
    /// producer, a traffic spike to the world, everything else to the queue.
    pub fn in_one_queue(command: &Command) -> Target {
        match command {
            Command::Send { producer, .. }
            | Command::Resend { producer, .. }
            | Command::SetRate { producer, .. }
            | Command::Publish { producer, .. } => Target::Producer(*producer),
            Command::Spike { .. } => Target::World,
            _ => Target::Member(0),
        }
    }
}

impl ScenarioV2 {
    /// Splits the topology into what the world runs. See the module docs.
    pub fn plan(&self) -> Result<Plan, ScenarioError> {
        let t = &self.topology;
        t.validate()?;
        let dlx = self.dead_letter_exchanges()?;
        if t.edges_of(EdgeKind::Call).next().is_some() {
            // The HTTP baseline is a property of one queue's system: plan it as that system.
            return self.plan_single();
        }
        let targets = |kind: EdgeKind| -> Vec<&str> {
            t.edges_of(kind).map(|(_, e)| e.to.as_str()).collect()
        };
        let mut dead = targets(EdgeKind::DeadLetter);
        dead.retain(|d| !dlx.iter().any(|(x, _)| x == d));
        dead.extend(dlx.iter().map(|(_, q)| q.as_str()));
        let replies = targets(EdgeKind::Reply);
        for (i, e) in t.edges.iter().enumerate() {
            let to_side_queue = dead.contains(&e.to.as_str()) || replies.contains(&e.to.as_str());
            let from_side_queue =
                dead.contains(&e.from.as_str()) || replies.contains(&e.from.as_str());
            let from_dlx = dlx.iter().any(|(x, _)| *x == e.from);
            let to_dlx = dlx.iter().any(|(x, _)| *x == e.to);
            let refused = match e.kind {
                EdgeKind::Publish => to_side_queue || to_dlx,
                EdgeKind::Bind => to_side_queue && !from_dlx,
                EdgeKind::Subscribe | EdgeKind::DeadLetter => from_side_queue,
                _ => false,
            };
            if refused {
                return Err(ScenarioError::field(
                    format!("edges[{i}]"),
                    "dead-letter and reply queues only to receive dead letters and replies \
                     (consuming from or publishing to them comes later)",
                    format!("a {} edge {} → {}", e.kind.id(), e.from, e.to),
                ));
            }
        }
        super::log::check_pools(self)?;
        let producers: Vec<String> = t.of_kind(NodeKind::Producer).map(str::to_owned).collect();
        let logs = t
            .nodes
            .iter()
            .filter_map(|(name, n)| match n {
                Node::Log(spec) => Some(self.log_member(name, spec)),
                _ => None,
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut members = Vec::new();
        for queue in t.of_kind(NodeKind::Queue) {
            if dead.contains(&queue) || replies.contains(&queue) {
                continue;
            }
            members.push(self.member(queue, &producers)?);
        }
        for pool in t.of_kind(NodeKind::Consumer) {
            if !t.edges_of(EdgeKind::Subscribe).any(|(_, e)| e.to == pool) {
                return Err(ScenarioError::field(
                    format!("nodes.{pool}"),
                    "a consumer pool with a subscribe edge from the queue or log it reads",
                    "a pool that reads no queue",
                ));
            }
        }
        let mut pools_seen: Vec<&str> = Vec::new();
        for (i, e) in t.edges_of(EdgeKind::Subscribe) {
            if pools_seen.contains(&e.to.as_str()) {
                return Err(ScenarioError::field(
                    format!("edges[{i}]"),
                    "one queue per consumer pool (give the other queue a pool of its own)",
                    format!("a second queue for \"{}\"", e.to),
                ));
            }
            pools_seen.push(&e.to);
        }
        let routes = producers
            .iter()
            .map(|p| self.routes_of(p, &members, &logs))
            .collect::<Result<Vec<_>, _>>()?;
        let configs: Vec<(String, ProducerConfig)> = producers
            .iter()
            .map(|name| match t.node(name) {
                Some(Node::Producer(c)) => {
                    let mut c = c.clone();
                    c.name = name.clone();
                    (name.clone(), c)
                }
                _ => unreachable!("producers are producer nodes"),
            })
            .collect();
        for ((name, config), reached) in configs.iter().zip(&routes) {
            let at = |f: &str| format!("nodes.{name}.producer.{f}");
            config.check_keys(&at)?;
            let to_queue = reached.iter().any(|&m| (m as usize) < members.len());
            if config.keys_records() && to_queue {
                let field = if config.hot_key_share > 0.0 {
                    "hot_key_share"
                } else {
                    "keyless_share"
                };
                return Err(ScenarioError::field(
                    at(field),
                    "0 for a producer that publishes to a queue (keys place records on a \
                     Kafka log's partitions; a queue has none)",
                    crate::Decimal::short(config.hot_key_share + config.keyless_share),
                ));
            }
        }
        let commands: Vec<PlannedCommand> = self
            .commands
            .iter()
            .enumerate()
            .map(|(i, c)| self.aim(i, c, &producers, &members, &logs))
            .collect::<Result<_, _>>()?;
        for (i, c) in commands.iter().enumerate() {
            if let (Target::Producer(p), Command::SetHotKey { .. }) = (c.target, &c.command) {
                if routes[p as usize]
                    .iter()
                    .any(|&m| (m as usize) < members.len())
                {
                    return Err(ScenarioError::field(
                        format!("commands[{i}].do"),
                        "a command a queue's producer understands (a hot key is for a \
                         producer that publishes only to Kafka logs)",
                        "set_hot_key",
                    ));
                }
            }
        }
        let routers = self.routers(&producers, &members, &dlx);
        Ok(Plan {
            name: self.name.clone(),
            seed: self.seed,
            producers: configs,
            routes,
            members,
            logs,
            commands,
            metrics: self.metrics.clone(),
            limits: self.limits.clone(),
            routers,
        })
    }

    /// Each router that is a queue's dead-letter target, with the one queue it reaches.
    /// Dead letters go on with the key they were sent with, so a keyed dead-letter exchange
    /// would route each by its own key; for now only a fanout exchange with one binding is
    /// planned, which reaches its queue whatever the key.
    fn dead_letter_exchanges(&self) -> Result<Vec<(&str, String)>, ScenarioError> {
        let t = &self.topology;
        let mut out: Vec<(&str, String)> = Vec::new();
        for (i, e) in t.edges_of(EdgeKind::DeadLetter) {
            let Some(Node::Router(r)) = t.node(&e.to) else {
                continue;
            };
            if out.iter().any(|(x, _)| *x == e.to) {
                continue;
            }
            let binds: Vec<&str> = t
                .edges_of(EdgeKind::Bind)
                .filter(|(_, b)| b.from == e.to)
                .map(|(_, b)| b.to.as_str())
                .collect();
            match (r.kind, &binds[..]) {
                (super::RouterType::Fanout, [queue]) => out.push((&e.to, (*queue).to_owned())),
                _ => {
                    return Err(ScenarioError::field(
                        format!("edges[{i}].to"),
                        "a fanout router with one bind edge as a dead-letter exchange (routing \
                         dead letters by key comes later)",
                        format!(
                            "\"{}\", a {} router with {} bind edges",
                            e.to,
                            r.kind.id(),
                            binds.len()
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    fn routers(
        &self,
        producers: &[String],
        members: &[Member],
        dlx: &[(&str, String)],
    ) -> Vec<PlannedRouter> {
        let t = &self.topology;
        t.nodes
            .iter()
            .filter_map(|(name, node)| {
                let Node::Router(r) = node else { return None };
                let binds = t
                    .edges_of(EdgeKind::Bind)
                    .filter(|(_, b)| &b.from == name)
                    .filter_map(|(_, b)| {
                        let m = members.iter().position(|m| m.nodes.queue == b.to)?;
                        Some((b.key.clone(), m as u16))
                    })
                    .collect();
                let publishers = t
                    .edges_of(EdgeKind::Publish)
                    .filter(|(_, e)| &e.to == name)
                    .filter_map(|(_, e)| {
                        let p = producers.iter().position(|p| *p == e.from)?;
                        Some((e.key.clone(), p as u16))
                    })
                    .collect();
                Some(PlannedRouter {
                    name: name.clone(),
                    kind: r.kind,
                    binds,
                    publishers,
                    dead_letter: dlx.iter().any(|(x, _)| x == name),
                })
            })
            .collect()
    }

    /// A single-queue system (the HTTP baseline among them) as a one-member world, with its
    /// store and reply queue named as the file names them.
    fn plan_single(&self) -> Result<Plan, ScenarioError> {
        let mut plan = Plan::single(self.lower()?);
        let t = &self.topology;
        let target = |kind: EdgeKind| t.edges_of(kind).next().map(|(_, e)| e.to.clone());
        let nodes = &mut plan.members[0].nodes;
        nodes.store = target(EdgeKind::Write);
        nodes.replies = target(EdgeKind::Reply);
        plan.name = self.name.clone();
        Ok(plan)
    }

    fn member(&self, queue: &str, producers: &[String]) -> Result<Member, ScenarioError> {
        let t = &self.topology;
        let from = |kind: EdgeKind, node: &str| {
            t.edges_of(kind)
                .find(|(_, e)| e.from == node)
                .map(|(_, e)| e.to.clone())
        };
        let consumer = from(EdgeKind::Subscribe, queue);
        let dead_letter_to = from(EdgeKind::DeadLetter, queue);
        let dlx = dead_letter_to
            .clone()
            .filter(|to| matches!(t.node(to), Some(Node::Router(_))));
        let dlq = dead_letter_to.map(|to| t.dead_letter_queue(&to));
        let shape = Shape {
            producers: producers.to_vec(),
            queue: queue.to_owned(),
            dlq: dlq.clone(),
            consumer: consumer.clone(),
            calls: Vec::new(),
        };
        let scenario = self.lower_shape(&shape)?;
        scenario.validate().map_err(|e| shape.rename(e))?;
        let pool_edge = |kind| consumer.as_deref().and_then(|c| from(kind, c));
        Ok(Member {
            nodes: MemberNodes {
                queue: queue.to_owned(),
                dlq: scenario.dlq.as_ref().map(|d| d.name.clone()),
                store: pool_edge(EdgeKind::Write),
                replies: pool_edge(EdgeKind::Reply),
                consumer,
                groups: Vec::new(),
                dlx,
            },
            scenario,
        })
    }

    /// The members one producer's messages reach: straight to a queue, or through a router's
    /// bindings that match the publish edge's routing key.
    fn routes_of(
        &self,
        producer: &str,
        members: &[Member],
        logs: &[LogMember],
    ) -> Result<Vec<u16>, ScenarioError> {
        let t = &self.topology;
        let index = |queue: &str| {
            members
                .iter()
                .position(|m| m.nodes.queue == queue)
                .or_else(|| {
                    let l = logs.iter().position(|l| l.nodes.queue == queue)?;
                    Some(members.len() + l)
                })
                .map(|i| i as u16)
        };
        let mut routes = Vec::new();
        let mut publishes = 0;
        for (_, e) in t
            .edges_of(EdgeKind::Publish)
            .filter(|(_, e)| e.from == producer)
        {
            publishes += 1;
            match t.node(&e.to) {
                Some(Node::Router(r)) => {
                    // One copy per queue however many of its bindings match (§2.1).
                    let mut reached: Vec<u16> = Vec::new();
                    for (_, b) in t.edges_of(EdgeKind::Bind).filter(|(_, b)| b.from == e.to) {
                        match index(&b.to) {
                            Some(m) if r.kind.matches(b, e) && !reached.contains(&m) => {
                                reached.push(m)
                            }
                            _ => {}
                        }
                    }
                    routes.extend(reached);
                }
                _ => routes.extend(index(&e.to)),
            }
        }
        if publishes == 0 {
            return Err(ScenarioError::field(
                format!("nodes.{producer}"),
                "a producer with a publish edge",
                "a producer with no edge",
            ));
        }
        Ok(routes)
    }

    fn aim(
        &self,
        i: usize,
        c: &crate::NodeCommand,
        producers: &[String],
        members: &[Member],
        logs: &[LogMember],
    ) -> Result<PlannedCommand, ScenarioError> {
        let path = format!("commands[{i}].node");
        let want = super::lower::target_kind(&c.command);
        let mut command = c.command.clone();
        if let (Some(name), Some(NodeKind::Consumer)) = (&c.node, want) {
            let group = logs.iter().enumerate().find_map(|(l, log)| {
                let g = log.nodes.groups.iter().position(|g| g == name)?;
                Some((l, g))
            });
            if let Some((l, g)) = group {
                let path = format!("commands[{i}].do");
                if let Command::ScaleConsumers { count } = command {
                    crate::validate::int(&format!("{path}.count"), count, 0, 64)?;
                }
                match &logs[l].run {
                    super::log::LogPlan::Redis(_) if !matches!(command, Command::Crash { .. }) => {
                        return Err(ScenarioError::field(
                            path,
                            "crash (what a Redis consumer group understands here)",
                            command.name(),
                        ));
                    }
                    _ => super::log::group_commands(&path, g, 0, &command)?,
                };
                return Ok(PlannedCommand {
                    at: c.at,
                    target: Target::Group {
                        log: l as u16,
                        group: g as u16,
                    },
                    command,
                });
            }
        }
        let target = match (&c.node, want) {
            (_, None) => Target::World,
            (Some(name), Some(NodeKind::Producer)) => {
                match producers.iter().position(|p| p == name) {
                    Some(p) => Target::Producer(p as u32),
                    None => {
                        return Err(ScenarioError::field(
                            path,
                            "the name of a producer node",
                            format!("\"{name}\""),
                        ))
                    }
                }
            }
            (None, Some(NodeKind::Producer)) => match &command {
                Command::Send { producer, .. }
                | Command::Resend { producer, .. }
                | Command::Publish { producer, .. }
                | Command::SetRate { producer, .. }
                | Command::SetHotKey { producer, .. } => Target::Producer(*producer),
                _ => Target::World,
            },
            (Some(name), Some(kind)) => {
                let m = members.iter().position(|m| match kind {
                    NodeKind::Consumer => m.nodes.consumer.as_ref() == Some(name),
                    _ => m.nodes.queue == *name || m.nodes.dlq.as_ref() == Some(name),
                });
                match m {
                    Some(m) => Target::Member(m as u16),
                    None => {
                        let names: Vec<String> = members
                            .iter()
                            .flat_map(|m| match kind {
                                NodeKind::Consumer => vec![m.nodes.consumer.clone()],
                                _ => vec![Some(m.nodes.queue.clone()), m.nodes.dlq.clone()],
                            })
                            .flatten()
                            .map(|n| format!("\"{n}\""))
                            .collect();
                        return Err(ScenarioError::field(
                            path,
                            format!(
                                "the name of a {kind} node this command acts on: {}",
                                names.join(", ")
                            ),
                            format!("\"{name}\""),
                        ));
                    }
                }
            }
            (None, Some(_)) if members.len() == 1 && logs.is_empty() => Target::Member(0),
            (None, Some(kind)) => {
                return Err(ScenarioError::field(
                    path,
                    format!(
                        "the {kind} this command is for (there are {} queues)",
                        members.len()
                    ),
                    "no node",
                ))
            }
        };
        if let (
            Target::Producer(p),
            Command::Send { producer, .. }
            | Command::Resend { producer, .. }
            | Command::Publish { producer, .. }
            | Command::SetRate { producer, .. }
            | Command::SetHotKey { producer, .. },
        ) = (target, &mut command)
        {
            *producer = p;
        }
        let check = match target {
            Target::Member(m) => members[m as usize].scenario.clone(),
            _ => Scenario {
                producers: self
                    .topology
                    .of_kind(NodeKind::Producer)
                    .map(|_| ProducerConfig::default())
                    .collect(),
                ..Scenario::default()
            },
        };
        if let Target::Member(m) = target {
            if let Some(Node::Queue(q)) = self.topology.node(&members[m as usize].nodes.queue) {
                q.profile
                    .command(&format!("commands[{i}].do"), &mut command)?;
            }
        }
        command.validate(&format!("commands[{i}].do"), &check)?;
        Ok(PlannedCommand {
            at: c.at,
            target,
            command,
        })
    }
}
