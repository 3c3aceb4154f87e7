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

/// Rush hour without its spike: the same hour at 1,000 orders/s. Its cost per message is the
/// baseline for rush hour's: what a backlog of a million messages adds to each.
pub fn rush_hour_flat() -> Workload {
    let mut w = rush_hour();
    w.scenario.name = "bench-rush-hour-flat".into();
    w.scenario.commands.clear();
    w.name = "rush-hour-flat";
    w
}

/// The ceiling for a queue workload: its shape as a bare loop over a `(time, seq)` heap, with
/// nothing else. Poisson arrivals join a line of ids; each idle consumer takes up to a batch
/// and is done `processing.mean` per message later. Every lifecycle costs two heap entries
/// here (its arrival and a share of its batch's end); the engine's cost per lifecycle over
/// this one is what its bookkeeping adds. Returns messages processed.
pub fn ceiling(w: &Workload) -> u64 {
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, VecDeque};
    let s = &w.scenario;
    let (rate, batch) = (s.producers[0].rate, s.consumers.batch_size.max(1) as usize);
    let per_message = s.consumers.processing.mean.0;
    let mut rng = crate::kernel::rng::Rng::stream(s.seed, "ceiling");
    // (time, seq, consumer): consumer u32::MAX is the next arrival.
    let mut agenda = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |agenda: &mut BinaryHeap<_>, t: u64, who: u32| {
        seq += 1;
        agenda.push(Reverse((t, seq, who)));
    };
    let mut line = VecDeque::new();
    let mut idle: Vec<u32> = (0..s.consumers.count).collect();
    let mut taken = vec![0u64; idle.len()];
    let (mut processed, mut next_id, mut arrivals_at) = (0u64, 0u64, 0.0f64);
    push(&mut agenda, 0, u32::MAX);
    while let Some(Reverse((t, _, who))) = agenda.pop() {
        if t > w.until.0 {
            break;
        }
        if who == u32::MAX {
            next_id += 1;
            line.push_back(next_id);
            arrivals_at += rng.exponential(1000.0 / rate);
            push(&mut agenda, arrivals_at.ceil() as u64, u32::MAX);
        } else {
            processed += std::mem::take(&mut taken[who as usize]);
            idle.push(who);
        }
        while let (false, Some(&c)) = (line.is_empty(), idle.last()) {
            idle.pop();
            let n = line.len().min(batch);
            line.drain(..n);
            taken[c as usize] = n as u64;
            push(&mut agenda, t + per_message * n as u64, c);
        }
    }
    processed
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The yardsticks carry what their workloads carry: the ceiling as many lifecycles as the
    /// steady flow it stands beside, the flat hour rush hour's hour without the spike.
    #[test]
    fn the_yardsticks_run_their_workloads_shape() {
        let steady = steady();
        let (engine, bare) = (run(&steady) as f64, ceiling(&steady) as f64);
        assert!(
            (bare / engine - 1.0).abs() < 0.02,
            "ceiling {bare} against steady {engine}"
        );
        assert!(bare > 110_000.0, "{bare} lifecycles in 60 s at 2,000/s");
        let flat = rush_hour_flat();
        assert!(flat.scenario.commands.is_empty());
        assert_eq!(flat.until, rush_hour().until);
        assert!(
            !rush_hour().scenario.commands.is_empty(),
            "the spike is rush hour's"
        );
    }
}
