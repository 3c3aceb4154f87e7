//! Helpers shared by the behaviour tests: build scenarios from partial JSON (defaults fill the
//! rest, exactly as for scenario files) and run them.
#![allow(dead_code)]

use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{Command, Event, EventKind, Millis, Scenario, Sim, World, WorldEvent};
use serde_json::Value;

/// A scenario from partial JSON; panics with the validation message if it is wrong.
pub fn scenario(json: Value) -> Scenario {
    Scenario::from_json(&json.to_string())
        .unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

pub fn sim(json: Value) -> OneQueue {
    OneQueue::new(scenario(json)).expect("valid scenario")
}

/// One queue's system (a version 1 scenario) run as a world of one member, as the page runs its
/// queue: the world's clock, commands and log, and the member's state through `Deref`.
pub struct OneQueue(pub World);

impl OneQueue {
    pub fn new(s: Scenario) -> Result<OneQueue, queue_engine::ScenarioError> {
        World::new(Plan::single(s)).map(OneQueue)
    }

    pub fn now(&self) -> Millis {
        self.0.now()
    }

    pub fn advance_to(&mut self, t: Millis) {
        self.0.advance_to(t)
    }

    pub fn step(&mut self) -> Option<Millis> {
        self.0.step()
    }

    pub fn next_event_time(&self) -> Option<Millis> {
        self.0.next_event_time()
    }

    pub fn command(&mut self, c: Command) -> Result<(), queue_engine::ScenarioError> {
        self.0.command(Target::in_one_queue(&c), c)
    }

    pub fn command_at(
        &mut self,
        at: Millis,
        c: Command,
    ) -> Result<(), queue_engine::ScenarioError> {
        self.0.command_at(at, Target::in_one_queue(&c), c)
    }

    pub fn drain_events(&mut self) -> Vec<Event> {
        self.0.drain_events().into_iter().map(|e| e.event).collect()
    }

    pub fn recent_events(&self) -> impl Iterator<Item = &Event> {
        self.0.recent_events().map(|e| &e.event)
    }

    pub fn log_hash(&self) -> u64 {
        self.0.log_hash()
    }

    pub fn trace(&self, id: u64) -> Option<queue_engine::trace::Trace> {
        self.0.trace(0, id)
    }

    pub fn timeline(&self, id: u64) -> Vec<Event> {
        self.0.timeline(0, id)
    }
}

impl std::ops::Deref for OneQueue {
    type Target = Sim;
    fn deref(&self) -> &Sim {
        &self.0.members()[0]
    }
}

pub fn secs(s: u64) -> Millis {
    Millis::from_secs(s)
}

/// Runs to `until`, returning every event (the scenario should keep a large enough event log).
pub fn run(sim: &mut OneQueue, until: Millis) -> Vec<Event> {
    sim.advance_to(until);
    sim.drain_events()
}

pub fn count(events: &[Event], pred: impl Fn(&EventKind) -> bool) -> usize {
    events.iter().filter(|e| pred(&e.kind)).count()
}

/// Message ids in the order their processing completed (first successful processing only).
pub fn processing_order(events: &[Event]) -> Vec<u64> {
    let mut seen = std::collections::BTreeSet::new();
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Processed { msg, .. } if seen.insert(msg) => Some(msg),
            _ => None,
        })
        .collect()
}

/// Times at which a message was received.
pub fn receive_times(events: &[Event], id: u64) -> Vec<Millis> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Received { msg, .. } if msg == id => Some(e.t),
            _ => None,
        })
        .collect()
}

/// The field error a version 2 file gives (path, expected, given); panics if it loads.
pub fn v2_field_error(value: &Value) -> (String, String, String) {
    match queue_engine::ScenarioV2::from_json(&value.to_string()) {
        Err(queue_engine::ScenarioError::Field {
            path,
            expected,
            given,
        }) => (path, expected, given),
        other => panic!(
            "expected a field error for {value}, got {:?}",
            other.map(|_| ())
        ),
    }
}

/// Every event of a world run to `until`, drained each simulated second so a small log window
/// loses nothing.
pub fn world_events(w: &mut World, until: Millis) -> Vec<WorldEvent> {
    let mut all = Vec::new();
    let mut t = Millis::ZERO;
    while t < until {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        w.advance_to(t);
        all.extend(w.drain_events());
    }
    all
}

/// How often the record at `offset` of a log failed, over a world's events.
pub fn failures_at(log: &[WorldEvent], at: u64) -> usize {
    log.iter()
        .filter(|e| matches!(e.event.kind, EventKind::RecordFailed { offset, .. } if offset == at))
        .count()
}

/// A world from version 2 JSON; panics with the reason if it does not read or plan.
pub fn v2_world(json: Value) -> World {
    let s = queue_engine::ScenarioV2::from_json(&json.to_string())
        .unwrap_or_else(|e| panic!("test scenario is invalid: {e}"));
    World::new(s.plan().unwrap_or_else(|e| panic!("{e}"))).expect("a planned world runs")
}

/// One of the example systems in `scenarios/`, from `seed`.
pub fn example_world(name: &str, seed: u64) -> World {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let plan = queue_engine::ScenarioFile::from_json(&text)
        .and_then(|f| f.into_v2().plan())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    World::new(plan.with_seed(seed)).expect("a planned world runs")
}

/// A member of a world by its consumer pool's name (or its queue's, without one).
pub fn member<'a>(w: &'a World, name: &str) -> &'a Sim {
    let i = (0..w.members().len())
        .find(|&i| {
            let n = w.member_nodes(i as u16);
            n.consumer.as_deref() == Some(name) || n.queue == name
        })
        .unwrap_or_else(|| panic!("no member {name}"));
    &w.members()[i]
}

/// A log scenario (the log lessons' JSON) run as a world of one log, as the page runs it. A
/// timed add or remove of one member is given as a person gives it, at its time (a plan
/// refuses it: how many members it means depends on crashes before it).
pub struct OneLog {
    pub world: World,
    clicks: Vec<(Millis, queue_engine::stream::StreamCommand)>,
}

impl OneLog {
    pub fn new(
        mut sc: queue_engine::stream::StreamScenario,
    ) -> Result<OneLog, queue_engine::ScenarioError> {
        use queue_engine::stream::StreamCommand::{AddConsumer, RemoveConsumer};
        let (clicks, planned) = std::mem::take(&mut sc.commands)
            .into_iter()
            .partition(|c| matches!(c.command, AddConsumer { .. } | RemoveConsumer { .. }));
        sc.commands = planned;
        let mut clicks: Vec<_> = clicks.into_iter().map(|c| (c.at, c.command)).collect();
        clicks.sort_by_key(|c| c.0);
        Ok(OneLog {
            world: World::new(Plan::from_stream(&sc)?)?,
            clicks,
        })
    }

    pub fn now(&self) -> Millis {
        self.world.now()
    }

    pub fn advance_to(&mut self, t: Millis) {
        while self.clicks.first().is_some_and(|c| c.0 <= t) {
            let (at, c) = self.clicks.remove(0);
            self.world.advance_to(at);
            // A click the log refuses (a group that does not exist) does nothing, as in the page.
            let _ = self.world.log_command(&c);
        }
        self.world.advance_to(t)
    }

    pub fn command(
        &mut self,
        c: queue_engine::stream::StreamCommand,
    ) -> Result<(), queue_engine::ScenarioError> {
        self.world.log_command(&c)
    }
}

impl std::ops::Deref for OneLog {
    type Target = queue_engine::stream::StreamSim;
    fn deref(&self) -> &queue_engine::stream::StreamSim {
        self.world.logs()[0].as_kafka().expect("a Kafka log")
    }
}

/// What `qsim SUBCOMMAND scenarios/FILE` printed: its exit status, standard output and
/// standard error.
pub fn qsim_on(subcommand: &str, file: &str) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qsim"))
        .args([
            subcommand,
            &format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR")),
        ])
        .output()
        .expect("qsim runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code(), text(out.stdout), text(out.stderr))
}
