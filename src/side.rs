//! A lesson's or panel's run on a system other than the single queue, as a world: the
//! partitioned log, the RabbitMQ exchanges, the fan-out topic, the pub/sub-vs-queue contrast
//! or the Redis stream.
//!
//! The playground owns it like the main simulation, so the checkpoint is judged on exactly the
//! run the learner sees and acts on: the panel renders it and sends its buttons here. It runs on
//! the main clock; the learner's commands are kept with their times so a jump back in time
//! rebuilds it and replays them.

use queue_engine::stream::{StreamCommand, StreamScenario, StreamSim};
use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{Command, Millis, TakeOutcome, World};
use serde::Deserialize;

use crate::lessons::Numbers;

/// Which model a lesson runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// The main queue simulation (every lesson before the log and fan-out ones).
    #[default]
    Queue,
    /// The partitioned log (`scenario` is a stream scenario).
    Log,
    /// The video-upload topic with four subscriptions.
    FanOut,
    /// One producer feeding a queue with three workers and a topic with three subscriptions.
    PubsubVsQueue,
}

/// What the fan-out and contrast lessons may set: only the seed (their topology is the example).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedOnly {
    #[serde(default = "default_seed")]
    seed: u64,
}

fn default_seed() -> u64 {
    42
}

#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    Log(Box<StreamScenario>),
    FanOut {
        seed: u64,
    },
    Contrast {
        seed: u64,
    },
    /// The pizza shop's RabbitMQ broker (`rabbitmq-pizza`) without its scripted publishes:
    /// the panel's buttons publish and take (no lesson runs on it yet).
    Exchanges,
    /// The redis-orders system without its scripted crash: the panel's buttons crash workers
    /// (its panel only, for now).
    Redis,
}

impl Spec {
    /// The model a lesson's `scenario` describes (None: the main queue).
    pub fn parse(model: Model, scenario: &serde_json::Value) -> Result<Option<Spec>, String> {
        let seed = || {
            serde_json::from_value::<SeedOnly>(scenario.clone())
                .map(|s| s.seed)
                .map_err(|e| format!("scenario: {e}"))
        };
        Ok(match model {
            Model::Queue => None,
            Model::Log => Some(Spec::Log(Box::new(
                StreamScenario::from_json(&scenario.to_string()).map_err(|e| e.to_string())?,
            ))),
            Model::FanOut => Some(Spec::FanOut { seed: seed()? }),
            Model::PubsubVsQueue => Some(Spec::Contrast { seed: seed()? }),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SideCommand {
    Log(StreamCommand),
    /// Take a subscription's consumers offline (false) or bring them back (true).
    Subscriber {
        sub: usize,
        online: bool,
    },
    Publish {
        exchange: String,
        key: String,
    },
    /// A person takes the head of a queue member (`basic.get`) and settles it.
    Take {
        member: u16,
        outcome: TakeOutcome,
    },
    /// A Redis consumer dies with its entries still pending.
    Crash {
        consumer: usize,
    },
}

/// What a panel asks of the lesson's run.
#[derive(Clone, Debug, PartialEq)]
pub enum SideAction {
    Command(SideCommand),
    /// New log settings (partitions, commit or rebalance mode): the log starts over.
    LogScenario(Box<StreamScenario>),
}

pub struct SideRun {
    pub spec: Spec,
    /// The learner's commands with their simulated times, in order.
    pub history: Vec<(Millis, SideCommand)>,
    /// How many of `history` the model has had applied.
    applied: usize,
    pub world: World,
}

impl SideRun {
    pub fn new(spec: Spec) -> SideRun {
        let world = build(&spec);
        SideRun {
            spec,
            history: Vec::new(),
            applied: 0,
            world,
        }
    }

    pub fn now(&self) -> Millis {
        self.world.now()
    }

    /// Runs to `t`, applying the recorded commands as their times come.
    pub fn advance_to(&mut self, t: Millis) {
        if t < self.now() {
            self.world = build(&self.spec);
            self.applied = 0;
        }
        while let Some((at, c)) = self.history.get(self.applied).cloned() {
            if at > t {
                break;
            }
            self.step_to(at);
            // Recorded commands were accepted when given; a replay cannot refuse them.
            let _ = apply(&mut self.world, &c);
            self.applied += 1;
        }
        self.step_to(t);
    }

    fn step_to(&mut self, t: Millis) {
        self.world.advance_to(t);
    }

    /// A command now. Acting after a jump back in time starts a new future, as on the queue.
    pub fn command(&mut self, c: SideCommand) -> Result<(), String> {
        let now = self.now();
        self.history.truncate(self.applied);
        apply(&mut self.world, &c)?;
        self.history.push((now, c));
        self.applied = self.history.len();
        Ok(())
    }

    /// New log settings: the log starts over from time zero and catches up to now.
    pub fn set_log(&mut self, sc: StreamScenario) -> Result<(), String> {
        Plan::from_stream(&sc).map_err(|e| e.to_string())?;
        self.restart(Spec::Log(Box::new(sc)));
        Ok(())
    }

    /// Starts over as `spec` (new settings or a new seed): from time zero, without the recorded
    /// commands, caught up to now.
    pub fn restart(&mut self, spec: Spec) {
        let now = self.now();
        self.spec = spec;
        self.history.clear();
        self.applied = 0;
        self.world = build(&self.spec);
        self.step_to(now);
    }

    /// The running log, when this run is the log.
    pub fn log(&self) -> Option<&StreamSim> {
        self.world.logs().first().and_then(|l| l.as_kafka())
    }

    /// The log's settings as the lesson or panel gave them (producers and timed commands
    /// included), to change one and start over.
    pub fn log_scenario(&self) -> Option<&StreamScenario> {
        match &self.spec {
            Spec::Log(sc) => Some(sc),
            _ => None,
        }
    }

    /// The share of the first producer's records sent with the hot key, now.
    pub fn hot_key_share(&self) -> f64 {
        self.world.producer(0).map_or(0.0, |p| p.hot_key_share)
    }

    /// The numbers a checkpoint can test, by name.
    pub fn numbers(&self) -> Numbers {
        let mut out = Numbers::new();
        let mut put = |k: String, v: u64| {
            out.insert(k, v as f64);
        };
        let w = &self.world;
        put("published".into(), w.sent());
        for (i, sim) in w.members().iter().enumerate() {
            let nodes = w.member_nodes(i as u16);
            let name = nodes.name();
            let c = sim.counts();
            put(format!("{name}_received"), c.published);
            put(format!("{name}_processed"), c.processed);
            put(format!("{name}_waiting"), c.backlog() + c.in_flight);
            put(format!("{name}_dead_lettered"), c.dead_lettered);
        }
        for s in w.logs().iter().filter_map(|l| l.as_kafka()) {
            put("dlt".into(), s.dlt.len() as u64);
            for (g, group) in s.groups.iter().enumerate() {
                let n = &group.config.name;
                let c = &group.counts;
                put(format!("{n}_processed"), c.processed);
                put(format!("{n}_duplicates"), c.duplicates);
                put(format!("{n}_replayed"), c.replayed);
                put(format!("{n}_skipped"), c.skipped);
                put(format!("{n}_dead_lettered"), c.dead_lettered);
                put(format!("{n}_rebalances"), c.rebalances);
                put(format!("{n}_lag"), s.group_lag(g));
                let lags = (0..s.partitions.len()).map(|p| s.lag(g, p));
                put(
                    format!("{n}_max_partition_lag"),
                    lags.clone().max().unwrap_or(0),
                );
                put(format!("{n}_min_partition_lag"), lags.min().unwrap_or(0));
                let (per_key, across) = s.order_inversions(g);
                put(format!("{n}_key_order_breaks"), per_key);
                put(format!("{n}_topic_order_breaks"), across);
            }
        }
        for log in w.logs().iter().filter_map(|l| l.as_redis()) {
            put("added".into(), log.counts.added);
            put("pending".into(), log.pel.len() as u64);
            put("acked".into(), log.counts.acked);
            put("claimed".into(), log.counts.claimed);
            put("dead".into(), log.counts.dead);
        }
        put("unroutable".into(), w.unroutable());
        if matches!(self.spec, Spec::Contrast { .. }) {
            contrast_numbers(w, &mut out);
        }
        out
    }
}

fn build(spec: &Spec) -> World {
    match spec {
        Spec::Log(sc) => log_world(sc),
        Spec::FanOut { seed } => built_in("video-upload", Some(*seed)),
        Spec::Contrast { seed } => built_in("queue-vs-topic", Some(*seed)),
        // The panel's Crash buttons stand in for the file's scripted crash (not carried).
        Spec::Redis => built_in("redis-orders", None),
        Spec::Exchanges => built_in("rabbitmq-pizza", None),
    }
}

fn apply(w: &mut World, c: &SideCommand) -> Result<(), String> {
    let (target, command) = match c {
        SideCommand::Log(c) => return w.log_command(c).map_err(|e| e.to_string()),
        SideCommand::Subscriber { sub, online } => (
            Target::Member(*sub as u16),
            Command::SetOnline {
                consumer: None,
                online: *online,
            },
        ),
        SideCommand::Publish { exchange, key } => (
            Target::Producer(0),
            Command::Publish {
                producer: 0,
                exchange: exchange.clone(),
                key: key.clone(),
            },
        ),
        SideCommand::Take { member, outcome } => {
            (Target::Member(*member), Command::Take { outcome: *outcome })
        }
        SideCommand::Crash { consumer } => (
            Target::Group { log: 0, group: 0 },
            Command::Crash {
                consumer: *consumer as u32,
            },
        ),
    };
    w.command(target, command).map_err(|e| e.to_string())
}

/// A built-in system as a world, from `seed` (or the file's), with the timed commands the page
/// carries for it (`build.rs` leaves out those a panel's buttons stand in for). `build.rs`
/// planned it and the native tests run it, so it is there; the empty log stands in rather than
/// a panic, which would take the page down.
fn built_in(name: &str, seed: Option<u64>) -> World {
    let world = crate::scenarios::plan(name).and_then(|mut plan| {
        if let Some(seed) = seed {
            plan = plan.with_seed(seed);
        }
        World::new(plan).ok()
    });
    world.unwrap_or_else(|| log_world(&StreamScenario::default()))
}

/// The queue-vs-topic numbers: its first queue has three competing workers, the others are
/// the topic's subscriptions.
fn contrast_numbers(w: &World, out: &mut Numbers) {
    let Some((queue, subs)) = w.members().split_first() else {
        return;
    };
    let published = w.sent();
    let queue_total = queue.counts().processed;
    let topic_total: u64 = subs.iter().map(|s| s.counts().processed).sum();
    out.insert("queue_processed".into(), queue_total as f64);
    out.insert("topic_processed".into(), topic_total as f64);
    for c in queue.snapshot(0).consumers {
        out.insert(format!("worker_{}_processed", c.id + 1), c.processed as f64);
    }
    // Processings per published message, to one decimal: 1 for the queue, 3 for the topic.
    let per = |n: u64| (n as f64 / published.max(1) as f64 * 10.0).round() / 10.0;
    out.insert("queue_per_message".into(), per(queue_total));
    out.insert("topic_per_message".into(), per(topic_total));
}

/// A log scenario as a world; one that does not plan (a link can carry any settings) gives way
/// to the default log rather than a panic.
fn log_world(sc: &StreamScenario) -> World {
    Plan::from_stream(sc)
        .or_else(|_| Plan::from_stream(&StreamScenario::default()))
        .and_then(World::new)
        .expect("the default log plans and runs")
}
