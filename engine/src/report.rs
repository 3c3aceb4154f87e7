//! The summary `qsim` prints: final counts, a metrics summary, each message's outcome, and a hash
//! of the event log that proves two runs were identical.

use serde::Serialize;

use crate::command::Payload;
use crate::kernel::time::Millis;
use crate::metrics::Counts;
use crate::sim::Sim;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub p50: Option<u64>,
    pub p95: Option<u64>,
    pub p99: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesSummary {
    pub name: &'static str,
    pub last: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub id: u64,
    pub event: u64,
    pub payload: Payload,
    pub group: u32,
    pub state: &'static str,
    pub receives: u32,
    pub processed: u32,
}

/// What `qsim run` prints for a world: the run as a whole, then each queue's own report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorldReport {
    pub scenario: String,
    pub seed: u64,
    pub until: Millis,
    /// Hash of the world's whole event log, as 16 hex digits.
    #[cfg(feature = "log-hash")]
    pub log_hash: String,
    pub events: u64,
    /// Copies published into queues and appended to logs, over all of them.
    pub published: u64,
    /// Every queue's `published` equals the sum over its states.
    pub conserved: bool,
    /// Messages a router had no matching binding for.
    pub unroutable: u64,
    pub queues: Vec<QueueReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogReport>,
}

/// One log of a world: what was appended, what retention removed, and each consumer group's
/// counts and lag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogReport {
    /// The log's node name.
    pub log: String,
    pub appended: u64,
    /// Per partition, the offset the next record will get (the log end offset).
    pub end_offsets: Vec<u64>,
    /// Records removed by retention, over all partitions.
    pub expired: u64,
    /// Every appended record is retained or counted as expired.
    pub conserved: bool,
    pub groups: Vec<GroupReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    /// The consumer pool's node name.
    pub group: String,
    #[serde(flatten)]
    pub counts: crate::stream::GroupCounts,
    /// Records not yet committed, over all partitions (Kafka's consumer lag).
    pub lag: u64,
}

impl LogReport {
    pub fn of(node: &crate::LogNode, name: &str) -> LogReport {
        match node {
            crate::LogNode::Kafka(log) => LogReport::kafka(log, name),
            crate::LogNode::Redis(stream) => LogReport::redis(stream, name),
        }
    }

    fn kafka(log: &crate::stream::StreamSim, name: &str) -> LogReport {
        let end_offsets: Vec<u64> = log.partitions.iter().map(|p| p.end()).collect();
        let expired = log.partitions.iter().map(|p| p.start).sum();
        LogReport {
            log: name.to_owned(),
            appended: log.published(),
            conserved: end_offsets.iter().sum::<u64>() == log.published(),
            end_offsets,
            expired,
            groups: log
                .groups
                .iter()
                .enumerate()
                .map(|(g, group)| GroupReport {
                    group: group.config.name.clone(),
                    counts: group.counts.clone(),
                    lag: log.group_lag(g),
                })
                .collect(),
        }
    }

    /// A Redis stream is one sequence; its group's processed count is what it acknowledged,
    /// and its lag what it has not (pending or never read). Every entry is acknowledged, dead,
    /// pending, unread, or lost to trimming (unread, or pending and then dropped by
    /// `XAUTOCLAIM`): that is its conservation.
    fn redis(stream: &crate::redis_stream::RedisStreamSim, name: &str) -> LogReport {
        let c = &stream.counts;
        let unacked = stream.pel.len() as u64 + stream.undelivered();
        let trimmed = c.added - stream.entries.len() as u64;
        LogReport {
            log: name.to_owned(),
            appended: c.added,
            end_offsets: vec![c.added],
            expired: trimmed,
            conserved: c.acked + c.dead + unacked + c.trimmed_unread + c.deleted_pending == c.added,
            groups: (stream.config.consumers > 0)
                .then(|| GroupReport {
                    group: String::new(),
                    counts: crate::stream::GroupCounts {
                        processed: c.acked + c.duplicates,
                        duplicates: c.duplicates,
                        dead_lettered: c.dead,
                        failures: c.failures,
                        ..Default::default()
                    },
                    lag: unacked,
                })
                .into_iter()
                .collect(),
        }
    }
}

/// One queue of a world (the world's log holds its events).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueReport {
    /// The queue's node name.
    pub queue: String,
    pub counts: Counts,
    pub conserved: bool,
    pub latency_ms: LatencySummary,
    pub series: Vec<SeriesSummary>,
    pub messages: Vec<Outcome>,
    pub messages_forgotten: u64,
}

impl QueueReport {
    /// Queue `queue` of a world: its counts, latency, series and (when asked) each message's
    /// outcome.
    pub fn of(sim: &Sim, queue: String, with_messages: bool) -> QueueReport {
        let counts = sim.counts().clone();
        let h = &sim.metrics().latency_all;
        let messages: Vec<Outcome> = sim
            .messages()
            .into_iter()
            .map(|m| Outcome {
                id: m.id(),
                event: m.event(),
                payload: m.payload(),
                group: m.group(),
                state: m.state().name(),
                receives: m.receive_count(),
                processed: m.processed_count(),
            })
            .collect();
        QueueReport {
            queue,
            conserved: counts.state_total() == counts.published,
            latency_ms: LatencySummary {
                count: h.count(),
                p50: h.quantile(0.5),
                p95: h.quantile(0.95),
                p99: h.quantile(0.99),
            },
            series: sim
                .metrics()
                .series()
                .iter()
                .map(|s| SeriesSummary {
                    name: s.name,
                    last: s.last().unwrap_or(0.0),
                    max: s.max(),
                })
                .collect(),
            messages_forgotten: counts.published - messages.len() as u64,
            messages: if with_messages { messages } else { Vec::new() },
            counts,
        }
    }
}

impl WorldReport {
    pub fn of(world: &crate::World, seed: u64, with_messages: bool) -> WorldReport {
        let queues: Vec<QueueReport> = world
            .members()
            .iter()
            .enumerate()
            .map(|(i, sim)| {
                let name = world.member_nodes(i as u16).queue.clone();
                QueueReport::of(sim, name, with_messages)
            })
            .collect();
        let logs: Vec<LogReport> = world
            .logs()
            .iter()
            .enumerate()
            .map(|(l, log)| {
                let nodes = world.member_nodes((world.members().len() + l) as u16);
                let mut report = LogReport::of(log, &nodes.queue);
                for (g, name) in report.groups.iter_mut().zip(&nodes.groups) {
                    g.group = name.clone();
                }
                report
            })
            .collect();
        WorldReport {
            scenario: world.name().to_owned(),
            seed,
            until: world.now(),
            #[cfg(feature = "log-hash")]
            log_hash: format!("{:016x}", world.log_hash()),
            events: world.events_total(),
            published: queues.iter().map(|q| q.counts.published).sum::<u64>()
                + logs.iter().map(|l| l.appended).sum::<u64>(),
            conserved: queues.iter().all(|q| q.conserved) && logs.iter().all(|l| l.conserved),
            unroutable: world.unroutable(),
            queues,
            logs,
        }
    }
}
