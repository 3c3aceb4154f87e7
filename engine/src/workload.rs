//! Benchmark workloads, shared by the native criterion benches, `qsim bench` and the in-browser
//! benchmark, so native and wasm figures measure exactly the same simulation.

use crate::kernel::time::Millis;
use crate::scenario::Scenario;

/// A named workload: a scenario and how long to run it.
pub struct Workload {
    pub name: &'static str,
    pub scenario: Scenario,
    pub until: Millis,
}

/// Steady flow: 2,000 messages/s through 8 consumers for 60 simulated seconds (120,000 full
/// publish → receive → process → delete lifecycles).
pub fn steady() -> Workload {
    let mut s = Scenario {
        name: "bench-steady".into(),
        ..Scenario::default()
    };
    s.producers[0].rate = 2000.0;
    s.consumers.count = 8;
    s.consumers.batch_size = 10;
    s.consumers.processing.mean = Millis(2);
    s.queue.receive_wait = Millis::from_secs(20);
    s.limits.event_log = 0;
    s.limits.history = 1000;
    Workload {
        name: "steady",
        scenario: s,
        until: Millis::from_secs(60),
    }
}

/// The one-hour Friday rush: 1,000 orders/s for an hour (3.6 M messages) with a ×3 spike for
/// ten minutes, 2% poison pills, a DLQ, and 20 kitchen workers taking batches of 10.
pub fn rush_hour() -> Workload {
    let mut s = Scenario {
        name: "bench-rush-hour".into(),
        ..Scenario::default()
    };
    s.producers[0].rate = 1000.0;
    s.producers[0].poison_share = 0.02;
    s.consumers.count = 20;
    s.consumers.batch_size = 10;
    s.consumers.processing.mean = Millis(10);
    s.queue.receive_wait = Millis::from_secs(20);
    s.dlq = Some(crate::scenario::DlqConfig {
        max_receive_count: 3,
        ..Default::default()
    });
    s.limits.event_log = 0;
    s.limits.history = 10_000;
    s.commands.push(crate::scenario::TimedCommand {
        at: Millis::from_mins(20),
        command: crate::command::Command::Spike {
            factor: 3.0,
            duration: Millis::from_mins(10),
        },
    });
    Workload {
        name: "rush-hour",
        scenario: s,
        until: Millis::from_mins(60),
    }
}

/// Runs a workload to its end as a world of one queue; returns messages processed (the unit of
/// throughput).
pub fn run(w: &Workload) -> u64 {
    let plan = crate::topology::plan::Plan::single(w.scenario.clone());
    let mut world = crate::World::new(plan).expect("benchmark scenarios are valid");
    world.advance_to(w.until);
    world.members()[0].counts().processed
}

/// A partitioned-log workload: a scenario for [`crate::stream::StreamSim`] and how long to run it.
pub struct StreamWorkload {
    pub name: &'static str,
    pub scenario: crate::stream::StreamScenario,
    pub until: Millis,
}

/// The partitioned log: 2,000 records/s with 500 keys into 8 partitions for 60 simulated
/// seconds, read by two consumer groups (4 and 2 members) committing after processing:
/// 240,000 record processings.
pub fn partitioned_log() -> StreamWorkload {
    use crate::stream::{GroupConfig, StreamProducer, StreamScenario, TopicConfig};
    let group = |name: &str, consumers| GroupConfig {
        name: name.into(),
        consumers,
        processing: crate::scenario::ProcessingTime {
            mean: Millis(1),
            distribution: crate::scenario::Distribution::Fixed,
        },
        max_poll_records: 100,
        ..Default::default()
    };
    StreamWorkload {
        name: "log",
        scenario: StreamScenario {
            name: "bench-log".into(),
            topic: TopicConfig {
                partitions: 8,
                ..Default::default()
            },
            producers: vec![StreamProducer {
                rate: 2000.0,
                keys: 500,
                ..Default::default()
            }],
            groups: vec![group("kitchen", 4), group("analytics", 2)],
            ..Default::default()
        },
        until: Millis::from_secs(60),
    }
}

/// Runs a log workload to its end; returns records processed over all groups.
pub fn run_stream(w: &StreamWorkload) -> u64 {
    let plan = crate::topology::plan::Plan::from_stream(&w.scenario)
        .expect("benchmark scenarios are valid");
    let mut world = crate::World::new(plan).expect("benchmark scenarios are valid");
    world.advance_to(w.until);
    world.logs()[0]
        .as_kafka()
        .map_or(0, |s| s.groups.iter().map(|g| g.counts.processed).sum())
}
