//! The world: one clock, one agenda, one set of producers and one event log for any topology
//! of producers, routers, queues and logs.
//!
//! # Contract
//! - **One clock and one agenda.** Every timer, the producers' arrivals, the timed commands and
//!   each queue's own timers, sits on one `(time, seq)` agenda, so the whole system moves in
//!   one order, the same on every target. A person's commands replayed for later wait beside
//!   it and run after everything due at their time, as they did live.
//! - **One arrival generator.** Producers run here, once; a router copies each message to every
//!   queue it reaches, and every copy keeps the message's CloudEvents id (each copy then has
//!   its own state in its own queue).
//! - **One event log** of `(member, event)` in the order things happened, with one hash over
//!   it. Planning a file's single queue gives the same run as [`Plan::single`] of it (tested
//!   against every scenario file and lesson).
//! - Queues ([`Sim`]) and logs ([`StreamSim`], each subscribed pool a consumer group; or a
//!   Redis stream) run only as members: the world owns their clock and collects what they
//!   schedule and emit after every call into them.
//!
//! Call order: [`World::new`] from a [`Plan`] (see [`crate::ScenarioV2::plan`]), then
//! [`World::advance_to`] or [`World::step`], and [`World::drain_events`] for the log. A plan
//! from outside the planner is then checked with [`World::check`] (`world/outside.rs`).

use crate::command::{Command, Payload};
use crate::error::ScenarioError;
use crate::event::{Event, EventKind};
use crate::kernel::agenda::Agenda;
use crate::kernel::log::EventLog;
use crate::kernel::time::Millis;
use crate::log_node::{LogNode, LogTimer};
use crate::producer::{Arrivals, Outlet, Published};
use crate::scenario::ProducerConfig;
use crate::sim::{Sim, Timer};
use crate::topology::plan::{MemberNodes, Plan, PlannedCommand, PlannedRouter, Target};

mod outside;

/// One entry of the world's log: what happened, and in which member (`None`: the world itself,
/// such as a traffic spike or a message no binding matched).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorldEvent {
    pub member: Option<u16>,
    pub event: Event,
}

#[derive(Clone, Copy, Debug)]
enum Due {
    Member { member: u16, timer: Timer },
    Log { log: u16, timer: LogTimer },
    Tick { producer: u32, generation: u32 },
    SpikeEnd { generation: u32 },
    Command { index: u32 },
}

pub struct World {
    name: String,
    now: Millis,
    agenda: Agenda<Due>,
    arrivals: Arrivals,
    producers: Vec<(String, ProducerConfig)>,
    routes: Vec<Vec<u16>>,
    members: Vec<Sim>,
    /// The logs; in `routes` and in the log's `member` field, log `l` is member
    /// `members.len() + l`.
    logs: Vec<LogNode>,
    /// The node names of every member, queues first, then logs.
    nodes: Vec<MemberNodes>,
    commands: Vec<PlannedCommand>,
    /// A person's commands for later ([`World::command_at`]), in time order. Each applies
    /// after everything due at its time, as it did when the person gave it live.
    later: std::collections::VecDeque<PlannedCommand>,
    log: EventLog<WorldEvent>,
    unroutable: u64,
    routers: Vec<PlannedRouter>,
    /// The members a person's [`Command::Publish`] reaches, while it is being published.
    route_override: Option<Vec<u16>>,
    /// Each person's publish in the order given, so by event id: the exchange and the
    /// routing key it was sent with.
    person_publishes: Vec<(u64, String, String)>,
    last_publish: Option<RoutedPublish>,
    /// Messages that reached each router, by its index: what the canvas moves along a
    /// producer's edge into it. A queue's own count cannot say this when two routers feed it.
    into_routers: Vec<u64>,
}

/// Where a person's publish to an exchange went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutedPublish {
    pub exchange: String,
    pub key: String,
    pub event: u64,
    /// The members whose queue got a copy, in binding order (empty: unroutable).
    pub to: Vec<u16>,
    /// A full queue with `reject-publish` refused its copy, so the publisher's confirm is a
    /// nack (semantics notes §2.4).
    pub refused: bool,
}

impl World {
    /// Sets the world up at time 0. The order of set-up is the queue engine's own (commands,
    /// then producers, then each queue's sampling and consumers), so that a one-queue world
    /// runs exactly as the queue engine does.
    #[inline]
    pub fn new(plan: Plan) -> Result<World, ScenarioError> {
        let routers = plan.routers.len();
        let mut world = World {
            name: plan.name,
            now: Millis::ZERO,
            agenda: Agenda::new(),
            arrivals: Arrivals::new(plan.seed, plan.producers.len()),
            producers: plan.producers,
            routes: plan.routes,
            members: Vec::new(),
            logs: Vec::new(),
            nodes: Vec::new(),
            commands: plan.commands,
            later: Default::default(),
            log: EventLog::new(plan.limits.event_log as usize),
            unroutable: 0,
            routers: plan.routers,
            route_override: None,
            person_publishes: Vec::new(),
            last_publish: None,
            into_routers: vec![0; routers],
        };
        for (index, c) in world.commands.iter().enumerate() {
            let due = Due::Command {
                index: index as u32,
            };
            world.agenda.schedule(Millis::ZERO, c.at, due);
        }
        world.with_arrivals(|a, w| a.start_all(w));
        for m in plan.members {
            world.members.push(Sim::member(m.scenario)?);
            world.nodes.push(m.nodes);
            world.settle(world.members.len() as u16 - 1);
        }
        for l in plan.logs {
            world.logs.push(LogNode::new(l.run)?);
            world.nodes.push(l.nodes);
            world.settle_log(world.logs.len() as u16 - 1);
        }
        Ok(world)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// Each queue with its consumer pool, in file order.
    pub fn members(&self) -> &[Sim] {
        &self.members
    }

    /// Each log with its consumer groups, in file order.
    pub fn logs(&self) -> &[LogNode] {
        &self.logs
    }

    /// The node names of member `i` (its queue, dead-letter queue, pool, store, replies; for a
    /// log, numbered after the queues, the log and its groups).
    pub fn member_nodes(&self, i: u16) -> &MemberNodes {
        &self.nodes[i as usize]
    }

    /// Producer `p`'s settings as they are now (a command may have changed its rate or hot
    /// key).
    pub fn producer(&self, p: u32) -> Option<&ProducerConfig> {
        self.producers.get(p as usize).map(|(_, c)| c)
    }

    /// The producers' node names, in file order (a producer's index is its place here).
    pub fn producer_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.producers.iter().map(|(n, _)| n.as_str())
    }

    /// The members producer `p`'s own messages reach, through its publish edge (queues, then
    /// logs numbered after them; a member twice gets two copies).
    pub fn routes(&self, p: u32) -> &[u16] {
        self.routes.get(p as usize).map_or(&[], Vec::as_slice)
    }

    /// Events the producers have sent so far, each counted once however many queues got a
    /// copy of it.
    pub fn sent(&self) -> u64 {
        self.arrivals.events()
    }

    /// Messages that no binding matched (RabbitMQ drops them unless `mandatory` is set or an
    /// alternate exchange catches them, semantics notes §2.7).
    pub fn unroutable(&self) -> u64 {
        self.unroutable
    }

    /// The routers, with their bindings, as planned.
    pub fn routers(&self) -> &[PlannedRouter] {
        &self.routers
    }

    /// The last publish a person made to an exchange, and where it went.
    pub fn last_publish(&self) -> Option<&RoutedPublish> {
        self.last_publish.as_ref()
    }

    /// Messages that have reached router `r` so far, from the producers that publish to it and
    /// from people's publishes to it, matched or not; a duplicate send counts again.
    pub fn into_router(&self, r: usize) -> u64 {
        self.into_routers.get(r).copied().unwrap_or(0)
    }

    /// Whether a person has published to `exchange`, whether or not anything matched.
    pub fn published_to(&self, exchange: &str) -> bool {
        self.person_publishes.iter().any(|(_, x, _)| x == exchange)
    }

    /// The exchange and routing key event `event` was published with by a person (None: a
    /// producer sent it along its publish edge).
    pub fn person_publish(&self, event: u64) -> Option<(&str, &str)> {
        let i = self
            .person_publishes
            .binary_search_by_key(&event, |(e, _, _)| *e)
            .ok()?;
        let (_, exchange, key) = &self.person_publishes[i];
        Some((exchange, key))
    }

    /// The members a publish to `exchange` with `key` reaches (semantics notes §2.1): the
    /// default exchange `""` reaches the queue the key names; a router, each queue with a
    /// matching binding, once however many of its bindings match. Refused when there is no
    /// such exchange, when it routes by attributes (a headers exchange or an SNS topic: a
    /// person's publish carries a key, not attributes), or when it would reach a dead-letter
    /// queue, which here only takes dead letters.
    pub fn route(&self, exchange: &str, key: &str) -> Result<Vec<u16>, ScenarioError> {
        let dead_letter_queue = |name: &str| {
            self.nodes[..self.members.len()]
                .iter()
                .any(|n| n.dlq.as_deref() == Some(name))
        };
        let only_dead_letters = |what: String| {
            Err(ScenarioError::field(
                "exchange",
                "an exchange that reaches queues (dead-letter queues here take only dead letters)",
                what,
            ))
        };
        if exchange.is_empty() {
            if dead_letter_queue(key) {
                return only_dead_letters(format!("the default exchange with key \"{key}\""));
            }
            return Ok(self.nodes[..self.members.len()]
                .iter()
                .position(|n| n.queue == key)
                .map(|m| m as u16)
                .into_iter()
                .collect());
        }
        let Some(router) = self.routers.iter().find(|r| r.name == exchange) else {
            let mut expected = String::from("\"\" (the default exchange)");
            for r in self.routers.iter().filter(|r| !r.dead_letter) {
                expected.push_str(", \"");
                expected.push_str(&r.name);
                expected.push('"');
            }
            return Err(ScenarioError::field(
                "exchange",
                expected,
                format!("\"{exchange}\""),
            ));
        };
        if router.dead_letter {
            return only_dead_letters(format!("\"{exchange}\", a dead-letter exchange"));
        }
        use crate::topology::RouterType;
        let mut to: Vec<u16> = Vec::new();
        for (bind, m) in &router.binds {
            let hit = match (router.kind, bind) {
                (RouterType::Fanout, _) => true,
                (RouterType::Direct, Some(b)) => b == key,
                (RouterType::Topic, Some(b)) => crate::amqp::topic_matches(b, key),
                (RouterType::Headers | RouterType::Sns, _) => {
                    return Err(ScenarioError::field(
                        "exchange",
                        "an exchange that routes by key (not by attributes)",
                        format!("\"{exchange}\", a {} router", router.kind.id()),
                    ))
                }
                (_, None) => false,
            };
            if hit && !to.contains(m) {
                to.push(*m);
            }
        }
        Ok(to)
    }

    /// How many timers wait on the agenda. It follows the size of the system (consumers,
    /// messages in flight), never how long it has run.
    pub fn pending(&self) -> usize {
        self.agenda.len()
    }

    pub fn next_event_time(&self) -> Option<Millis> {
        let later = self.later.front().map(|c| c.at);
        match (self.agenda.peek_time(), later) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Processes every entry due at or before `t`, then sets every clock to `t`.
    pub fn advance_to(&mut self, t: Millis) {
        while self.next_event_time().is_some_and(|at| at <= t) {
            self.step();
        }
        if t > self.now {
            self.now = t;
        }
        for m in &mut self.members {
            m.set_now(self.now);
        }
        for l in &mut self.logs {
            l.set_now(self.now);
        }
    }

    /// Processes the next entry on the agenda, or a person's command for later once nothing
    /// else is due before or at its time; returns its time.
    pub fn step(&mut self) -> Option<Millis> {
        let person = self.later.front().map(|c| c.at);
        if person.is_some_and(|p| self.agenda.peek_time().is_none_or(|a| p < a)) {
            let c = self.later.pop_front()?;
            self.now = self.now.max(c.at);
            self.apply(c.target, c.command);
            return Some(c.at);
        }
        let (at, due) = self.agenda.pop()?;
        self.now = self.now.max(at);
        match due {
            Due::Member { member, timer } => {
                let sim = &mut self.members[member as usize];
                sim.set_now(self.now);
                sim.fire(timer, at);
                self.settle(member);
            }
            Due::Log { log, timer } => {
                self.logs[log as usize].fire(timer, at);
                self.settle_log(log);
            }
            Due::Tick {
                producer,
                generation,
            } => self.with_arrivals(|a, w| a.tick(w, producer, generation)),
            Due::SpikeEnd { generation } => self.with_arrivals(|a, w| a.spike_end(w, generation)),
            Due::Command { index } => {
                let c = self.commands[index as usize].clone();
                self.apply(c.target, c.command);
            }
        }
        Some(at)
    }

    /// What a person does now, aimed at a producer, a queue member or a log's group (a
    /// timed command of a scenario goes the same way when its time comes). Refused, with
    /// the reason, when the target does not exist or does not take that command.
    pub fn command(&mut self, target: Target, command: Command) -> Result<(), ScenarioError> {
        self.exists("command", target, &command)?;
        self.validate("command", target, &command)?;
        if let (Target::Member(m), Command::Take { .. }) = (target, &command) {
            if !self.members[m as usize].has_ready() {
                return Err(ScenarioError::field(
                    "queue",
                    "a queue with a ready message to take",
                    format!("\"{}\", which has none", self.nodes[m as usize].queue),
                ));
            }
        }
        self.apply(target, command);
        Ok(())
    }

    /// [`Self::command`] at simulated time `at` (now, if `at` has passed): how a replay puts a
    /// person's later commands back, to run when the run gets there, after everything else
    /// due at that time (as when the person gave it live).
    pub fn command_at(
        &mut self,
        at: Millis,
        target: Target,
        command: Command,
    ) -> Result<(), ScenarioError> {
        if at <= self.now {
            return self.command(target, command);
        }
        self.exists("command", target, &command)?;
        self.validate("command", target, &command)?;
        let i = self.later.partition_point(|c| c.at <= at);
        self.later.insert(
            i,
            PlannedCommand {
                at,
                target,
                command,
            },
        );
        Ok(())
    }

    /// Refuses a command for a node this world does not have, or one that node does not take.
    fn exists(&self, path: &str, target: Target, command: &Command) -> Result<(), ScenarioError> {
        let exists = match target {
            Target::World => matches!(command, Command::Spike { .. }),
            Target::Producer(p) => {
                (p as usize) < self.producers.len()
                    && match command {
                        Command::Send { .. } | Command::Resend { .. } | Command::SetRate { .. } => {
                            true
                        }
                        Command::Publish { exchange, key, .. } => {
                            self.route(exchange, key)?;
                            true
                        }
                        // Keys only place records on a Kafka log's partitions.
                        Command::SetHotKey { share, .. } => {
                            self.routes[p as usize]
                                .iter()
                                .all(|&m| m as usize >= self.members.len())
                                && (0.0..=1.0 - self.producers[p as usize].1.keyless_share)
                                    .contains(share)
                        }
                        _ => false,
                    }
            }
            Target::Member(m) => (m as usize) < self.members.len(),
            // The node's names, and a Kafka log's own groups, which a plan from outside the
            // planner might not have as many of (`World::check`).
            Target::Group { log, group } => {
                let named = self.nodes.get(self.members.len() + log as usize);
                let kafka = self.logs.get(log as usize).and_then(LogNode::as_kafka);
                named.is_some_and(|n| (group as usize) < n.groups.len())
                    && kafka.is_none_or(|s| (group as usize) < s.groups.len())
            }
        };
        if !exists {
            return Err(ScenarioError::field(
                path,
                "a command for a node of this world",
                "a command for another node",
            ));
        }
        Ok(())
    }

    /// The same ranges a scenario file's commands are held to (semantics-free checks such
    /// as a rate from 0 to 100,000 a second), against the member the command is for; a
    /// producer's or the world's command against the producers' settings.
    fn validate(&self, path: &str, target: Target, command: &Command) -> Result<(), ScenarioError> {
        match (target, self.members.first()) {
            (Target::Member(m), _) => command.validate(path, self.members[m as usize].scenario()),
            (Target::Group { .. }, _) => Ok(()),
            (_, Some(first)) => command.validate(path, first.scenario()),
            (_, None) => command.validate(
                path,
                &crate::scenario::Scenario {
                    producers: self.producers.iter().map(|(_, p)| p.clone()).collect(),
                    ..Default::default()
                },
            ),
        }
    }

    /// Events since the last drain (the most recent `limits.event_log` are kept).
    pub fn drain_events(&mut self) -> Vec<WorldEvent> {
        self.log.drain()
    }

    /// The events still in the log window, oldest first.
    pub fn recent_events(&self) -> impl Iterator<Item = &WorldEvent> {
        self.log.recent()
    }

    /// Every event about one message of member `m` (its copy) still in the log window.
    pub fn timeline(&self, m: u16, id: crate::MsgId) -> Vec<Event> {
        self.log
            .recent()
            .filter(|e| e.member == Some(m) && e.event.msg() == Some(id))
            .map(|e| e.event.clone())
            .collect()
    }

    /// Every event about one record of log `l` (its partition and offset) still in the log
    /// window: its append, and each group's processing, failures and giving up on it. A
    /// record that a group skipped has nothing from that group, which is the point. Inline,
    /// so the page builds it size-first: only its inspector asks.
    #[inline]
    pub fn record_timeline(&self, l: u16, partition: u32, offset: u64) -> Vec<Event> {
        let member = Some((self.members.len() + usize::from(l)) as u16);
        self.log
            .recent()
            .filter(|e| e.member == member)
            .filter(|e| match e.event.kind {
                EventKind::Appended {
                    partition: p,
                    offset: o,
                    ..
                }
                | EventKind::RecordProcessed {
                    partition: p,
                    offset: o,
                    ..
                }
                | EventKind::RecordFailed {
                    partition: p,
                    offset: o,
                    ..
                }
                | EventKind::RecordDeadLettered {
                    partition: p,
                    offset: o,
                    ..
                } => (p, o) == (partition, offset),
                _ => false,
            })
            .map(|e| e.event.clone())
            .collect()
    }

    /// A hash of every event so far, in order, with the member it happened in.
    #[cfg(feature = "log-hash")]
    pub fn log_hash(&self) -> u64 {
        self.log.hash()
    }

    pub fn events_total(&self) -> u64 {
        self.log.total()
    }

    /// The node an event happened at, by its name in the scenario file.
    pub fn node_of(&self, e: &WorldEvent) -> Option<&str> {
        let Some(i) = e.member else {
            return match &e.event.kind {
                EventKind::Unroutable { producer, .. } => self
                    .producers
                    .get(*producer as usize)
                    .map(|(n, _)| n.as_str()),
                _ => None,
            };
        };
        crate::topology::events::node_of(&self.nodes[i as usize], &self.producers, &e.event)
    }

    /// One line of `qsim run --events`: the event as JSON with its time, node and copy (the
    /// index of the queue holding that copy, among the queues that run, in file order).
    pub fn event_json(&self, e: &WorldEvent) -> String {
        let mut value = serde_json::to_value(&e.event).expect("events serialise");
        if let Some(map) = value.as_object_mut() {
            map.insert("t".into(), e.event.t.0.into());
            map.insert("node".into(), self.node_of(e).into());
            if let (Some(m), Some(_)) = (e.member, e.event.msg()) {
                map.insert("copy".into(), m.into());
            }
        }
        value.to_string()
    }

    /// Hands what member `i` scheduled to the agenda, and what it emitted to the log, in the
    /// order it did them. Called after every call into a member, so the world's order is the
    /// order things happened in.
    fn settle(&mut self, i: u16) {
        let World {
            members,
            agenda,
            log,
            now,
            ..
        } = self;
        let sim = &mut members[i as usize];
        sim.timers
            .take(|at, timer| agenda.schedule(*now, at, Due::Member { member: i, timer }));
        for event in sim.emitted.drain(..) {
            log.push(WorldEvent {
                member: Some(i),
                event,
            });
        }
    }

    /// [`Self::settle`] for log `l`.
    fn settle_log(&mut self, l: u16) {
        let World {
            logs,
            members,
            agenda,
            log,
            now,
            ..
        } = self;
        let member = (members.len() + l as usize) as u16;
        let node = &mut logs[l as usize];
        node.take_timers(|at, timer| agenda.schedule(*now, at, Due::Log { log: l, timer }));
        node.take_events(|event| {
            log.push(WorldEvent {
                member: Some(member),
                event,
            })
        });
    }

    fn emit(&mut self, kind: EventKind) {
        let event = Event { t: self.now, kind };
        self.log.push(WorldEvent {
            member: None,
            event,
        });
    }

    /// Kept out of line: commands are rare, and inlined into both `step` and `command` it
    /// would be carried twice by the page.
    #[inline(never)]
    fn apply(&mut self, target: Target, command: Command) {
        match (target, command) {
            (_, Command::Spike { factor, duration }) => {
                self.emit(EventKind::Setting {
                    name: "traffic spike".to_owned(),
                    value: format!("×{} for {duration}", crate::Decimal::short(factor)),
                });
                let generation = self.with_arrivals(|a, w| a.spike(w, factor));
                let end = self.now.saturating_add(duration);
                self.agenda
                    .schedule(self.now, end, Due::SpikeEnd { generation });
            }
            (Target::Producer(p), Command::Send { payload, group, .. }) => {
                self.with_arrivals(|a, w| a.send_one(w, p, payload, group));
            }
            (
                Target::Producer(p),
                Command::Resend {
                    event,
                    payload,
                    group,
                    ..
                },
            ) => {
                let sent = self.with_arrivals(|a, w| a.resend(w, p, event, payload, group));
                if sent.is_none() {
                    // A file may name any event; one not sent yet is said, not sent.
                    self.emit(EventKind::Setting {
                        name: "resend".to_owned(),
                        value: format!("event {event} has not been sent yet, so nothing was sent"),
                    });
                }
            }
            (Target::Producer(p), Command::Publish { exchange, key, .. }) => {
                // Checked when given; a replay runs what was accepted then.
                let to = self.route(&exchange, &key).unwrap_or_default();
                self.route_override = Some(to.clone());
                let outcome = self.with_arrivals(|a, w| a.send_one(w, p, Payload::Normal, None));
                self.route_override = None;
                if let Some(r) = self.routers.iter().position(|r| r.name == exchange) {
                    self.into_routers[r] += u64::from(outcome.is_some());
                }
                let event = self.arrivals.events();
                self.person_publishes
                    .push((event, exchange.clone(), key.clone()));
                self.last_publish = Some(RoutedPublish {
                    exchange,
                    key,
                    event,
                    to,
                    refused: outcome == Some(Published::Rejected),
                });
            }
            (Target::Producer(p), Command::SetRate { rate, .. }) => {
                if let Some((_, cfg)) = self.producers.get_mut(p as usize) {
                    cfg.rate = rate;
                    // Each queue's scenario shows the settings as they are now.
                    for m in &mut self.members {
                        if let Some(mine) = m.sc.producers.get_mut(p as usize) {
                            mine.rate = rate;
                        }
                    }
                    self.emit(EventKind::Setting {
                        name: "producer rate".to_owned(),
                        value: format!("{}/s", crate::Decimal::short(rate)),
                    });
                    self.with_arrivals(|a, w| a.rebase(w, p));
                }
            }
            (Target::Producer(p), Command::SetHotKey { share, .. }) => {
                if let Some((_, cfg)) = self.producers.get_mut(p as usize) {
                    cfg.hot_key_share = share;
                    self.emit(EventKind::Setting {
                        name: "hot key share".to_owned(),
                        value: crate::Decimal::short(share).to_string(),
                    });
                }
            }
            (Target::Member(m), command) => {
                let sim = &mut self.members[m as usize];
                sim.set_now(self.now);
                sim.apply(command);
                self.settle(m);
            }
            (Target::Group { log, group }, command) => {
                let node = &mut self.logs[log as usize];
                node.set_now(self.now);
                if let Some(stream) = node.as_kafka_mut() {
                    let live = stream.groups[group as usize]
                        .members
                        .iter()
                        .filter(|m| m.alive)
                        .count() as u32;
                    // Planning checked the command: only a group's commands get here.
                    let steps =
                        crate::topology::log::group_commands("", group as usize, live, &command)
                            .unwrap_or_default();
                    for step in steps {
                        stream.apply(step);
                    }
                } else if let (Some(stream), Command::Crash { consumer }) =
                    (node.as_redis_mut(), &command)
                {
                    stream.crash(*consumer as usize);
                }
                self.settle_log(log);
            }
            // Planning aims producer commands at producers and the rest at members.
            (Target::World | Target::Producer(_), _) => {}
        }
    }
}

impl Outlet for World {
    fn arrivals(&mut self) -> &mut Arrivals {
        &mut self.arrivals
    }

    fn now(&self) -> Millis {
        self.now
    }

    fn producer(&self, p: u32) -> &ProducerConfig {
        &self.producers[p as usize].1
    }

    fn schedule_tick(&mut self, at: Millis, producer: u32, generation: u32) {
        self.agenda.schedule(
            self.now,
            at,
            Due::Tick {
                producer,
                generation,
            },
        );
    }

    /// Every member the producer reaches gets its own copy, with the same event id. The
    /// publisher hears "refused" if any queue refused it (a RabbitMQ publisher confirm is a
    /// nack then), "deduplicated" only if every queue dropped it as a duplicate.
    fn publish(
        &mut self,
        p: u32,
        payload: Payload,
        group: u32,
        event: u64,
        duplicate_send: bool,
    ) -> Published {
        // A person's publish is counted into its exchange by the command, which knows it.
        if self.route_override.is_none() {
            for (r, router) in self.routers.iter().enumerate() {
                if router.publishers.iter().any(|(_, q)| u32::from(*q) == p) {
                    self.into_routers[r] += 1;
                }
            }
        }
        // A person's publish to an exchange goes where its key routes it, not where the
        // producer's own edge goes.
        let reached = match &self.route_override {
            Some(to) => to.len(),
            None => self.routes[p as usize].len(),
        };
        if reached == 0 {
            self.unroutable += 1;
            self.emit(EventKind::Unroutable { producer: p, event });
            return Published::Enqueued;
        }
        let (mut rejected, mut all_duplicates) = (false, true);
        for k in 0..reached {
            let m = match &self.route_override {
                Some(to) => to[k],
                None => self.routes[p as usize][k],
            };
            if let Some(l) = (m as usize).checked_sub(self.members.len()) {
                let node = &mut self.logs[l];
                node.set_now(self.now);
                node.append(event, group, payload == Payload::Poison);
                all_duplicates = false;
                self.settle_log(l as u16);
                continue;
            }
            let sim = &mut self.members[m as usize];
            sim.set_now(self.now);
            let outcome = sim.publish(p, payload, group, event, duplicate_send);
            rejected |= outcome == Published::Rejected;
            all_duplicates &= outcome == Published::Deduplicated;
            self.settle(m);
        }
        if rejected {
            Published::Rejected
        } else if all_duplicates {
            Published::Deduplicated
        } else {
            Published::Enqueued
        }
    }
}
