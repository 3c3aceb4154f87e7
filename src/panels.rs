//! The page's systems besides the main queue (the partitioned log, the fan-out topic, queue vs
//! topic, RabbitMQ's exchanges and the Redis stream), each a world, all owned by the playground
//! and run on its one clock.
//!
//! Contract: a panel never keeps a run of its own. It reads its world from [`Panels`] at the
//! playground's time and sends its buttons to the playground, which records each with its time
//! next to the main queue's commands. So a jump back in time rebuilds every world the same way,
//! acting in the past forgets the same future everywhere, and a link carries every panel.
//!
//! A world is built the first time it is read and rebuilt when it is read at a time before its
//! own: a panel nobody shows costs nothing, and time travel costs only what is on screen.

use std::cell::RefCell;
use std::rc::Rc;

use queue_engine::stream::{StreamCommand, StreamScenario, StreamSim};
use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{Command, Millis, TakeOutcome, World};
use serde::Deserialize;
use yew::Callback;

use crate::lessons::Numbers;
use crate::permalink::LogSettings;

/// Which model a lesson runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    /// The RabbitMQ pizza broker (`rabbitmq-pizza`), with the file's scripted publishes.
    Exchanges,
    /// The Redis orders stream (`redis-orders`), with the file's scripted crash.
    Redis,
    /// A system of one's own, built or opened in the studio (`scenario` is its plan, as the
    /// planner made it, so the lesson opens without the planner). The studio only.
    #[cfg(feature = "studio")]
    World,
}

queue_engine::named_variants!(Model {
    Queue = "queue",
    Log = "log",
    FanOut = "fan-out",
    PubsubVsQueue = "pubsub-vs-queue",
    Exchanges = "exchanges",
    Redis = "redis",
    #[cfg(feature = "studio")]
    World = "world",
});

/// A panel of the page, each showing one world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    FanOut = 0,
    Contrast = 1,
    Log = 2,
    Exchanges = 3,
    Redis = 4,
    /// A system an author opened from its file (the studio only: its planner runs there).
    #[cfg(feature = "studio")]
    Own = 5,
}

/// How many panels the page has: the studio has one more, for a system opened from a file.
pub const PANELS: usize = if cfg!(feature = "studio") { 6 } else { 5 };

impl Panel {
    pub const ALL: [Panel; PANELS] = [
        Panel::FanOut,
        Panel::Contrast,
        Panel::Log,
        Panel::Exchanges,
        Panel::Redis,
        #[cfg(feature = "studio")]
        Panel::Own,
    ];

    /// True for the studio's system opened from a file, which has no built-in name or words
    /// of its own.
    pub fn own(self) -> bool {
        #[cfg(feature = "studio")]
        if self == Panel::Own {
            return true;
        }
        false
    }

    /// The scenario file this panel runs, which is also its name in the Systems menu and in
    /// a link's `s`.
    pub fn system(self) -> &'static str {
        if self.own() {
            return OWN;
        }
        [
            "video-upload",
            "queue-vs-topic",
            "orders-log",
            "rabbitmq-pizza",
            "redis-orders",
        ][self as usize]
    }

    /// The panel that runs the system called `name` (None: a scenario of the main queue, or
    /// no system at all).
    pub fn by_system(name: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.system() == name)
    }

    /// The panel's region on the page (`#region-{id}`, and its name in `hide=`).
    pub fn region(self) -> &'static str {
        if self.own() {
            return "own";
        }
        ["fanout", "queue-vs-topic", "stream", "exchanges", "redis"][self as usize]
    }

    /// What the canvas draws for this panel's system, in words, for screen readers.
    pub fn picture(self) -> &'static str {
        if self.own() {
            return "The system from your file: its producers, routers, queues, logs and consumers, left to right";
        }
        [
            "upload-service publishes to the topic video-uploaded, which copies each upload to four subscription queues, each read by its own consumers, with its own dead-letter queue below it",
            "order-service publishes to the queue orders, read by three competing workers, and to the topic order-placed, which copies each order to three subscription queues, each read by its own consumer",
            "order-service appends to the log orders, read by the consumer groups kitchen and analytics, each at its own offsets",
            "Exchanges, the queues bound to them with their binding keys, and the dead-letter queue under the kitchen; the last publish's bindings and queues are ticked",
            "order-service adds to the stream orders, read by the consumer group kitchen; entries delivered too often go to orders:dead",
        ][self as usize]
    }

    /// The link parameter that carries what was done in this panel.
    pub fn param(self) -> &'static str {
        if self.own() {
            return "po";
        }
        ["pf", "pq", "pl", "px", "pr"][self as usize]
    }

    /// The panel a lesson on `model` runs on (None: the main queue).
    pub fn of(model: Model) -> Option<Panel> {
        match model {
            Model::Queue => None,
            Model::Log => Some(Panel::Log),
            Model::FanOut => Some(Panel::FanOut),
            Model::PubsubVsQueue => Some(Panel::Contrast),
            Model::Exchanges => Some(Panel::Exchanges),
            Model::Redis => Some(Panel::Redis),
            #[cfg(feature = "studio")]
            Model::World => Some(Panel::Own),
        }
    }
}

/// A system of one's own as planned, read and checked so that it runs (`World::check`): what
/// the planner worker sends, and what a lesson on the system carries. The one place both go
/// through, so the page carries the check once.
#[cfg(feature = "studio")]
pub fn own_plan(text: &str) -> Result<Plan, String> {
    let plan = Plan::from_json(text).map_err(|e| e.to_string())?;
    World::new(plan.clone())
        .and_then(|w| w.check())
        .map_err(|e| e.to_string())?;
    Ok(plan)
}

/// The name a system opened from a file goes by in the Systems menu's place and a link's `s`:
/// its own name is in its file, which a link carries whole (`sf`).
pub const OWN: &str = "your-file";

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

/// The video-upload example's seed, unless a lesson picks another.
const VIDEO_UPLOAD_SEED: u64 = 7;

/// What a panel's world is built from.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    Log(Box<StreamScenario>),
    FanOut {
        seed: u64,
    },
    Contrast {
        seed: u64,
    },
    /// The pizza shop's RabbitMQ broker (`rabbitmq-pizza`). In free play (`scripted: false`)
    /// without the file's publishes: the panel's buttons publish and take. A lesson keeps
    /// them, so its checkpoint has something to judge with nobody touching anything.
    Exchanges {
        scripted: bool,
    },
    /// The redis-orders system, in free play without its scripted crash (the panel's buttons
    /// crash workers), in a lesson with it.
    Redis {
        scripted: bool,
    },
    /// A system opened from its file, as the planner planned it (None: none opened yet).
    #[cfg(feature = "studio")]
    Own(Option<Box<Plan>>),
}

impl Spec {
    /// The model a lesson's `scenario` describes (None: the main queue).
    /// `scenario` is the lesson's `scenario`, as its JSON text.
    pub fn parse(model: Model, scenario: &str) -> Result<Option<Spec>, String> {
        let seed = || {
            serde_json::from_str::<SeedOnly>(scenario)
                .map(|s| s.seed)
                .map_err(|e| format!("scenario: {e}"))
        };
        Ok(match model {
            Model::Queue => None,
            Model::Log => Some(Spec::Log(Box::new(
                StreamScenario::from_json(scenario).map_err(|e| e.to_string())?,
            ))),
            Model::FanOut => Some(Spec::FanOut { seed: seed()? }),
            Model::PubsubVsQueue => Some(Spec::Contrast { seed: seed()? }),
            // The broker and the stream run their example files as they are, seed included:
            // any field here would be ignored, so it is refused instead.
            Model::Exchanges | Model::Redis => {
                // An empty object, whatever its spacing: the raw text is all there is to read.
                if !scenario
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .eq("{}".chars())
                {
                    return Err(format!(
                        "scenario: expected {{}} (this model runs its example file as it is); got {}",
                        crate::permalink::truncate(scenario)
                    ));
                }
                Some(match model {
                    Model::Exchanges => Spec::Exchanges { scripted: true },
                    _ => Spec::Redis { scripted: true },
                })
            }
            // The planner checked it when the author built the system; a file edited by hand
            // since is checked again here, so a plan that does not run is named, not replaced.
            #[cfg(feature = "studio")]
            Model::World => Some(Spec::Own(Some(Box::new(
                own_plan(scenario).map_err(|e| format!("scenario: {e}"))?,
            )))),
        })
    }

    /// What `panel` shows in free play, from the main run's seed where it follows it.
    pub fn free(panel: Panel, seed: u64) -> Spec {
        match panel {
            Panel::FanOut => Spec::FanOut {
                seed: VIDEO_UPLOAD_SEED,
            },
            Panel::Contrast => Spec::Contrast { seed },
            Panel::Log => Spec::Log(Box::new(crate::scenarios::log_system(seed))),
            Panel::Exchanges => Spec::Exchanges { scripted: false },
            Panel::Redis => Spec::Redis { scripted: false },
            #[cfg(feature = "studio")]
            Panel::Own => Spec::Own(None),
        }
    }

    /// The log settings a learner can change in the panel (None: not a log).
    pub fn log_settings(&self) -> Option<LogSettings> {
        let Spec::Log(sc) = self else {
            return None;
        };
        let g = sc.groups.first()?;
        Some(LogSettings {
            partitions: sc.topic.partitions,
            commit: g.commit,
            rebalance: g.rebalance,
        })
    }

    /// This log with `settings` (None: not a log).
    pub fn with_log_settings(&self, settings: LogSettings) -> Option<StreamScenario> {
        let Spec::Log(sc) = self else {
            return None;
        };
        let mut sc = (**sc).clone();
        sc.topic.partitions = settings.partitions;
        if let Some(g) = sc.groups.first_mut() {
            g.commit = settings.commit;
            g.rebalance = settings.rebalance;
        }
        Some(sc)
    }
}

/// A person's command in a panel.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelCommand {
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

/// What a panel asks of its world.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelAction {
    Command(PanelCommand),
    /// New log settings (partitions, commit or rebalance mode): the log starts over.
    LogScenario(Box<StreamScenario>),
}

/// One panel: what its world is built from, the person's commands with their times, and the
/// world once read.
struct Run {
    /// What the page opened with (a link's `lg` says how the log differs from it).
    initial: Spec,
    spec: Spec,
    given: Vec<(Millis, PanelCommand)>,
    /// How many of `given` the world has had applied.
    applied: usize,
    world: Option<World>,
}

impl Run {
    fn new(spec: Spec) -> Run {
        Run {
            initial: spec.clone(),
            spec,
            given: Vec::new(),
            applied: 0,
            world: None,
        }
    }

    /// Runs to `t`, applying the recorded commands as their times come; a time before the
    /// world's own rebuilds it from the start.
    fn advance_to(&mut self, t: Millis) -> &mut World {
        if self.world.as_ref().is_none_or(|w| w.now() > t) {
            self.world = Some(build(&self.spec));
            self.applied = 0;
        }
        let world = self.world.get_or_insert_with(|| build(&self.spec));
        while let Some((at, c)) = self.given.get(self.applied) {
            if *at > t {
                break;
            }
            world.advance_to(*at);
            // Recorded commands were accepted when given; a replay cannot refuse them.
            let _ = apply(world, c);
            self.applied += 1;
        }
        world.advance_to(t);
        world
    }
}

/// Every panel's world, with what the person did in it.
pub struct Panels {
    runs: [Run; PANELS],
    /// The panel the open lesson runs on.
    pub lesson: Option<Panel>,
    /// How many times the studio has opened a system of one's own: each builder step opens it
    /// anew from time zero, where a record opened before is another record or none.
    #[cfg(feature = "studio")]
    pub own_opened: u32,
}

impl Panels {
    /// Free play from the main run's `seed`, with the lesson's panel as the lesson describes it.
    pub fn new(seed: u64, lesson: Option<(Panel, Spec)>) -> Panels {
        let runs = Panel::ALL.map(|p| match &lesson {
            Some((panel, spec)) if *panel == p => Run::new(spec.clone()),
            _ => Run::new(Spec::free(p, seed)),
        });
        Panels {
            runs,
            lesson: lesson.map(|(p, _)| p),
            #[cfg(feature = "studio")]
            own_opened: 0,
        }
    }

    /// `panel`'s world at simulated time `t`.
    pub fn at(&mut self, panel: Panel, t: Millis) -> &World {
        self.runs[panel as usize].advance_to(t)
    }

    /// `panel`'s world as last read (None before it is first read).
    pub fn world(&self, panel: Panel) -> Option<&World> {
        self.runs[panel as usize].world.as_ref()
    }

    /// A person's command in `panel` at `now`: refused with the reason, or recorded.
    pub fn command(&mut self, panel: Panel, now: Millis, c: PanelCommand) -> Result<(), String> {
        let run = &mut self.runs[panel as usize];
        run.advance_to(now);
        run.given.truncate(run.applied);
        let world = run.world.as_mut().expect("advance_to builds the world");
        apply(world, &c)?;
        run.given.push((now, c));
        run.applied = run.given.len();
        Ok(())
    }

    /// The system an author opened from its file, from time zero, in place of the one before.
    #[cfg(feature = "studio")]
    pub fn open_own(&mut self, plan: Plan) {
        thread_local! {
            /// Counted for the page, not these panels: each opening starts from new ones.
            static OPENINGS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        self.runs[Panel::Own as usize] = Run::new(Spec::Own(Some(Box::new(plan))));
        self.own_opened = OPENINGS.with(|n| {
            n.set(n.get().wrapping_add(1));
            n.get()
        });
    }

    /// New log settings at `now`: the log starts over from time zero with them, without the
    /// commands given in it, and catches up to `now`.
    pub fn set_log(&mut self, now: Millis, sc: StreamScenario) -> Result<(), String> {
        Plan::from_stream(&sc).map_err(|e| e.to_string())?;
        let run = &mut self.runs[Panel::Log as usize];
        run.spec = Spec::Log(Box::new(sc));
        run.given.clear();
        run.world = None;
        run.advance_to(now);
        Ok(())
    }

    /// Acting at `now` after going back in time starts a new future: every panel forgets what
    /// was done after `now` (not yet applied, since no world stands past `now`).
    pub fn forget_after(&mut self, now: Millis) {
        for run in &mut self.runs {
            run.given.retain(|(at, _)| *at <= now);
            run.applied = run.applied.min(run.given.len());
        }
    }

    /// When the latest command in any panel was given.
    pub fn last_given(&self) -> Millis {
        let last = self.runs.iter().filter_map(|r| r.given.last());
        last.map(|(at, _)| *at).max().unwrap_or(Millis::ZERO)
    }

    /// What was done in `panel`, with times.
    pub fn given(&self, panel: Panel) -> &[(Millis, PanelCommand)] {
        &self.runs[panel as usize].given
    }

    pub fn spec(&self, panel: Panel) -> &Spec {
        &self.runs[panel as usize].spec
    }

    /// The log's settings when they differ from what the page opened with.
    pub fn changed_log(&self) -> Option<LogSettings> {
        let run = &self.runs[Panel::Log as usize];
        let now = run.spec.log_settings();
        now.filter(|n| run.initial.log_settings() != Some(*n))
    }

    /// The numbers a checkpoint can test in `panel` at `t`, by name.
    pub fn numbers(&mut self, panel: Panel, t: Millis) -> Numbers {
        let contrast = matches!(self.spec(panel), Spec::Contrast { .. });
        numbers(self.at(panel, t), contrast)
    }
}

/// The numbers a checkpoint can test in a world, by name (`contrast`: queue vs topic's): a
/// node's are `{node}_{what}`, the world's own plain `{what}`. Each family is a table, so
/// there is one key-building call, not one per number.
pub fn numbers(w: &World, contrast: bool) -> Numbers {
    let mut out = Numbers::new();
    let mut put = |node: &str, pairs: &[(&str, u64)]| {
        for (what, v) in pairs {
            let key = if node.is_empty() {
                (*what).to_owned()
            } else {
                format!("{node}_{what}")
            };
            out.insert(key, *v as f64);
        }
    };
    put(
        "",
        &[("published", w.sent()), ("unroutable", w.unroutable())],
    );
    for (i, sim) in w.members().iter().enumerate() {
        let c = sim.counts();
        put(
            w.member_nodes(i as u16).name(),
            &[
                ("received", c.published),
                ("processed", c.processed),
                ("waiting", c.backlog() + c.in_flight),
                ("dead_lettered", c.dead_lettered),
            ],
        );
    }
    for s in w.logs().iter().filter_map(|l| l.as_kafka()) {
        put("", &[("dlt", s.dlt.len() as u64)]);
        for (g, group) in s.groups.iter().enumerate() {
            let c = &group.counts;
            let lags = (0..s.partitions.len()).map(|p| s.lag(g, p));
            let (per_key, across) = s.order_inversions(g);
            put(
                &group.config.name,
                &[
                    ("processed", c.processed),
                    ("duplicates", c.duplicates),
                    ("replayed", c.replayed),
                    ("skipped", c.skipped),
                    ("dead_lettered", c.dead_lettered),
                    ("rebalances", c.rebalances),
                    ("lag", s.group_lag(g)),
                    ("max_partition_lag", lags.clone().max().unwrap_or(0)),
                    ("min_partition_lag", lags.min().unwrap_or(0)),
                    ("key_order_breaks", per_key),
                    ("topic_order_breaks", across),
                ],
            );
        }
    }
    for log in w.logs().iter().filter_map(|l| l.as_redis()) {
        let c = &log.counts;
        put(
            "",
            &[
                ("added", c.added),
                ("pending", log.pel.len() as u64),
                ("acked", c.acked),
                ("claimed", c.claimed),
                ("dead", c.dead),
            ],
        );
    }
    if contrast {
        contrast_numbers(w, &mut out);
    }
    out
}

/// The running log of a world, when it has one.
pub fn log_of(w: &World) -> Option<&StreamSim> {
    w.logs().first().and_then(|l| l.as_kafka())
}

/// A panel's view of the playground's worlds: read one at the playground's time, and send
/// actions back to be recorded.
#[derive(Clone)]
pub struct PanelHandle {
    pub panels: Rc<RefCell<Panels>>,
    /// The playground's version: the panel redraws whenever its world may have changed.
    pub version: u64,
    pub onaction: Callback<(Panel, PanelAction)>,
}

impl PartialEq for PanelHandle {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.panels, &other.panels)
    }
}

impl PanelHandle {
    /// The playground's worlds, with `panel`'s brought to `now`: what the panel renders.
    pub fn read(&self, panel: Panel, now: Millis) -> std::cell::Ref<'_, Panels> {
        self.panels.borrow_mut().at(panel, now);
        self.panels.borrow()
    }

    /// The actions of one panel.
    pub fn actions(&self, panel: Panel) -> Callback<PanelAction> {
        self.onaction.reform(move |a| (panel, a))
    }
}

fn build(spec: &Spec) -> World {
    match spec {
        Spec::Log(sc) => log_world(sc),
        Spec::FanOut { seed } => built_in("video-upload", Some(*seed), true),
        Spec::Contrast { seed } => built_in("queue-vs-topic", Some(*seed), true),
        Spec::Redis { scripted } => built_in("redis-orders", None, *scripted),
        Spec::Exchanges { scripted } => built_in("rabbitmq-pizza", None, *scripted),
        // The planner checked the plan; a world it still refuses gives way like a built-in's.
        #[cfg(feature = "studio")]
        Spec::Own(plan) => plan
            .as_ref()
            .and_then(|p| World::new((**p).clone()).ok())
            .unwrap_or_else(|| log_world(&StreamScenario::default())),
    }
}

fn apply(w: &mut World, c: &PanelCommand) -> Result<(), String> {
    let (target, command) = match c {
        PanelCommand::Log(c) => return w.log_command(c).map_err(|e| e.to_string()),
        PanelCommand::Subscriber { sub, online } => (
            Target::Member(*sub as u16),
            Command::SetOnline {
                consumer: None,
                online: *online,
            },
        ),
        PanelCommand::Publish { exchange, key } => (
            Target::Producer(0),
            Command::Publish {
                producer: 0,
                exchange: exchange.clone(),
                key: key.clone(),
            },
        ),
        PanelCommand::Take { member, outcome } => {
            (Target::Member(*member), Command::Take { outcome: *outcome })
        }
        PanelCommand::Crash { consumer } => (
            Target::Group { log: 0, group: 0 },
            Command::Crash {
                consumer: *consumer as u32,
            },
        ),
    };
    w.command(target, command).map_err(|e| e.to_string())
}

/// A built-in system as a world, from `seed` (or the file's), with its file's timed commands
/// unless it runs unscripted (free play on a panel whose buttons stand in for them). `build.rs`
/// planned it and the native tests run it, so it is there; the empty log stands in rather than
/// a panic, which would take the page down.
fn built_in(name: &str, seed: Option<u64>, scripted: bool) -> World {
    let world = crate::scenarios::plan(name).and_then(|mut plan| {
        if let Some(seed) = seed {
            plan = plan.with_seed(seed);
        }
        if !scripted {
            plan.commands.clear();
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
        // Not `expect`, which would bring the error's `Debug` into the page for a panic that
        // the native tests rule out.
        .unwrap_or_else(|_| panic!("the default log plans and runs"))
}
