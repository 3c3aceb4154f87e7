//! Logs in a world: the `log` node (a Kafka topic or a Redis stream), and how planning turns
//! it and the consumer pools that subscribe to it into a log member (each pool one consumer
//! group).
//!
//! # Contract
//! - A log's settings are checked here, with the node's or edge's path in every error; a
//!   setting that exists only on the other platform is refused by name.
//! - A pool that reads a log is a consumer group: its `count` is the group's members, its
//!   `processing` the time per record, and the subscribe edge's `group` object the group's own
//!   settings (the platform's defaults when absent). `group` on any other edge is refused.
//! - On Kafka a message's FIFO group is its key (`store-N`); a message without a group has no
//!   key. A poison payload fails on every attempt; other payloads succeed.
//! - Commands aimed at a Kafka group: `crash`, `scale_consumers` and `seek`; at a Redis group:
//!   `crash`. Anything else is refused with the commands that would work.
//! - A Redis stream has one consumer group for now; a second subscribing pool is refused.

use serde::{Deserialize, Serialize};

use super::plan::MemberNodes;
use super::scenario::ScenarioV2;
use super::{EdgeKind, Node};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::redis_stream::{RedisConfig, MAXLEN};
use crate::scenario::ConsumerConfig;
use crate::stream::{
    GroupSettings, KeylessPartitioner, StreamCommand, StreamScenario, TopicConfig,
};

/// Which platform's log a `log` node is (semantics notes §3 and §4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogProfile {
    /// A Kafka topic: partitions, offsets per consumer group, retention by age.
    #[default]
    Kafka,
    /// A Redis stream: one sequence of entries, a consumer group with a pending entries list
    /// (PEL), `XAUTOCLAIM` for idle entries, trimmed by `MAXLEN` (`max_len`).
    RedisStreams,
}

crate::named_variants!(LogProfile {
    Kafka = "kafka",
    RedisStreams = "redis_streams",
});

/// A log's settings. On Kafka a record's key picks its partition with the murmur2
/// partitioner, and records without a key are spread by `keyless`; a Redis stream has neither
/// partitions nor age-based retention, so those are refused there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSpec {
    pub profile: LogProfile,
    /// Kafka: 1 to 64 (4 when left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<u32>,
    /// Kafka `retention.ms`: records older than this are removed, read or not (7 days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<Millis>,
    /// Kafka: how the producer spreads records that have no key.
    pub keyless: KeylessPartitioner,
    /// Redis: `XADD … MAXLEN`: the stream keeps at most this many entries, read or not
    /// (10,000; 1 to 100,000). The engine trims exactly, as `MAXLEN =` does; Redis's `~` may
    /// keep up to a node of entries (100 by default) more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// Kafka: records per sticky batch, when `keyless` is sticky.
    pub sticky_batch: u32,
}

/// A Kafka topic's partitions and `retention.ms` when the file leaves them out (semantics
/// notes §3: retention defaults to 7 days).
pub(crate) const PARTITIONS: u32 = 4;
pub(crate) const RETENTION: Millis = Millis(7 * 24 * 3_600_000);

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            profile: LogProfile::Kafka,
            partitions: None,
            retention: None,
            max_len: None,
            keyless: KeylessPartitioner::Sticky,
            sticky_batch: 16,
        }
    }
}

/// One log of the world, with its consumer groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogMember {
    pub nodes: MemberNodes,
    pub run: LogPlan,
}

/// What the world runs for a log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LogPlan {
    /// A Kafka topic's own scenario (its topic and groups; no producers or commands of its
    /// own, the world runs those) and its keyless partitioner with the sticky batch size.
    Kafka {
        scenario: StreamScenario,
        keyless: (KeylessPartitioner, u32),
    },
    /// A Redis stream with its one consumer group.
    Redis(RedisConfig),
}

impl ScenarioV2 {
    /// The log `name` and the pools subscribed to it, as a member of the world.
    pub(super) fn log_member(
        &self,
        name: &str,
        spec: &LogSpec,
    ) -> Result<LogMember, ScenarioError> {
        let at = |field: &str| format!("nodes.{name}.log.{field}");
        let mut pools = Vec::new();
        for (i, e) in self
            .topology
            .edges_of(EdgeKind::Subscribe)
            .filter(|(_, e)| e.from == name)
        {
            if let Some(Node::Consumer(pool)) = self.topology.node(&e.to) {
                let settings = e.group.clone().unwrap_or_default();
                check_group(i, &e.to, pool, &settings, spec.profile)?;
                pools.push((e.to.clone(), pool, settings));
            }
        }
        let names = pools.iter().map(|(n, _, _)| n.clone()).collect();
        let run = match spec.profile {
            LogProfile::Kafka => {
                if spec.max_len.is_some() {
                    return Err(ScenarioError::field(
                        at("max_len"),
                        "no such setting on a Kafka topic (it is a Redis stream's MAXLEN; a \
                         topic is trimmed by age, `retention`)",
                        "a value",
                    ));
                }
                let partitions = spec.partitions.unwrap_or(PARTITIONS);
                if !(1..=64).contains(&partitions) {
                    return Err(ScenarioError::field(
                        at("partitions"),
                        "1 to 64",
                        partitions.to_string(),
                    ));
                }
                let retention = spec.retention.unwrap_or(RETENTION);
                crate::validate::duration(
                    &at("retention"),
                    retention,
                    Millis::from_secs(1),
                    Millis::from_mins(365 * 24 * 60),
                )?;
                if spec.sticky_batch == 0 {
                    return Err(ScenarioError::field(at("sticky_batch"), "at least 1", "0"));
                }
                let scenario = StreamScenario {
                    version: 1,
                    name: name.to_owned(),
                    seed: self.seed,
                    topic: TopicConfig {
                        name: name.to_owned(),
                        partitions,
                        retention,
                    },
                    producers: Vec::new(),
                    groups: pools
                        .iter()
                        .map(|(n, pool, settings)| settings.config(n, pool))
                        .collect(),
                    commands: Vec::new(),
                };
                LogPlan::Kafka {
                    scenario,
                    keyless: (spec.keyless, spec.sticky_batch),
                }
            }
            LogProfile::RedisStreams => LogPlan::Redis(self.redis_config(name, spec, &pools)?),
        };
        Ok(LogMember {
            nodes: MemberNodes {
                queue: name.to_owned(),
                dlq: None,
                consumer: None,
                store: None,
                replies: None,
                groups: names,
                dlx: None,
            },
            run,
        })
    }

    /// A Redis stream: no partitions, retention or partitioner (refused when given), and one
    /// consumer group, the pool that subscribes to it.
    fn redis_config(
        &self,
        name: &str,
        spec: &LogSpec,
        pools: &[(String, &ConsumerConfig, GroupSettings)],
    ) -> Result<RedisConfig, ScenarioError> {
        let kafka_only = [
            ("partitions", spec.partitions.is_some()),
            ("retention", spec.retention.is_some()),
            ("keyless", spec.keyless != LogSpec::default().keyless),
            (
                "sticky_batch",
                spec.sticky_batch != LogSpec::default().sticky_batch,
            ),
        ];
        if let Some((field, _)) = kafka_only.iter().find(|(_, given)| *given) {
            return Err(ScenarioError::field(
                format!("nodes.{name}.log.{field}"),
                "no such setting on a Redis stream (it is a Kafka setting; a stream is one \
                 sequence, trimmed by MAXLEN ~)",
                "a value",
            ));
        }
        let max_len = spec.max_len.unwrap_or(MAXLEN);
        if !(1..=100_000).contains(&max_len) {
            return Err(ScenarioError::field(
                format!("nodes.{name}.log.max_len"),
                "1 to 100000",
                max_len.to_string(),
            ));
        }
        let (pool_name, pool, settings) = match pools {
            [] => {
                return Ok(RedisConfig {
                    consumers: 0,
                    seed: self.seed,
                    max_len,
                    ..RedisConfig::default()
                })
            }
            [one] => one,
            [_, (second, ..), ..] => {
                return Err(ScenarioError::field(
                    format!("nodes.{second}"),
                    "one consumer group per Redis stream for now",
                    "a second pool subscribed to it",
                ))
            }
        };
        let _ = pool_name;
        Ok(RedisConfig {
            seed: self.seed,
            consumers: pool.count,
            count: settings.max_poll_records,
            processing: pool.processing.mean,
            claim_every: settings.claim_every.unwrap_or(Millis::from_secs(5)),
            min_idle: settings.min_idle.unwrap_or(Millis::from_secs(10)),
            max_deliveries: settings.max_attempts,
            max_len,
        })
    }
}

/// The group settings of subscribe edge `edge` (to pool `pool_name`), checked against the
/// log's platform; errors name the edge's path.
fn check_group(
    edge: usize,
    pool_name: &str,
    pool: &ConsumerConfig,
    s: &GroupSettings,
    profile: LogProfile,
) -> Result<(), ScenarioError> {
    if pool.count > 64 {
        return Err(ScenarioError::field(
            format!("nodes.{pool_name}.consumer.count"),
            "0 to 64",
            pool.count.to_string(),
        ));
    }
    let path = |f: &str| format!("edges[{edge}].{f}");
    if s.max_poll_records == 0 || s.max_attempts == 0 {
        return Err(ScenarioError::field(
            path("group"),
            "max_poll_records and max_attempts of at least 1",
            format!("{} and {}", s.max_poll_records, s.max_attempts),
        ));
    }
    let d = GroupSettings::default();
    let wrong = match profile {
        LogProfile::Kafka => [
            ("claim_every", s.claim_every.is_some()),
            ("min_idle", s.min_idle.is_some()),
        ]
        .into_iter()
        .find(|(_, given)| *given)
        .map(|(f, _)| {
            (
                f,
                "a Redis Streams setting (XAUTOCLAIM); a Kafka group has no pending list",
            )
        }),
        LogProfile::RedisStreams => [
            ("commit", s.commit != d.commit),
            (
                "auto_commit_interval",
                s.auto_commit_interval != d.auto_commit_interval,
            ),
            ("offset_reset", s.offset_reset != d.offset_reset),
            ("rebalance", s.rebalance != d.rebalance),
            ("rebalance_pause", s.rebalance_pause != d.rebalance_pause),
        ]
        .into_iter()
        .find(|(_, given)| *given)
        .map(|(f, _)| {
            (
                f,
                "a Kafka setting; a Redis group acknowledges entry by entry (XACK)",
            )
        }),
    };
    if let Some((field, why)) = wrong {
        return Err(ScenarioError::field(
            path(&format!("group.{field}")),
            format!("no such setting here: {why}"),
            "a value",
        ));
    }
    for (field, value) in [("claim_every", s.claim_every), ("min_idle", s.min_idle)] {
        if let Some(v) = value {
            crate::validate::duration(
                &path(&format!("group.{field}")),
                v,
                Millis(1),
                Millis::from_secs(86_400),
            )?;
        }
    }
    Ok(())
}

/// What a command aimed at consumer group `group` does to the log; `path` names it in errors.
pub(crate) fn group_commands(
    path: &str,
    group: usize,
    current: u32,
    command: &Command,
) -> Result<Vec<StreamCommand>, ScenarioError> {
    Ok(match command {
        Command::Crash { consumer } => vec![StreamCommand::CrashConsumer {
            group,
            consumer: *consumer as usize,
        }],
        Command::ScaleConsumers { count } => {
            // Planning refuses a count over the queue's limit of 64 by name; the cap keeps a
            // person's huge count from building a step per member.
            let count = &(*count).min(64);
            let step = if *count > current {
                StreamCommand::AddConsumer { group }
            } else {
                StreamCommand::RemoveConsumer { group }
            };
            vec![step; count.abs_diff(current) as usize]
        }
        Command::Seek { to } => vec![StreamCommand::Seek { group, to: *to }],
        _ => {
            return Err(ScenarioError::field(
                path.to_owned(),
                "crash, scale_consumers or seek (what a consumer group reading a log understands)",
                command.name(),
            ))
        }
    })
}

/// `group` settings belong on a subscribe edge from a log.
pub(super) fn check_pools(v2: &ScenarioV2) -> Result<(), ScenarioError> {
    for (i, e) in v2.topology.edges.iter().enumerate() {
        let from_log = matches!(v2.topology.node(&e.from), Some(Node::Log(_)));
        if e.group.is_some() && !(e.kind == EdgeKind::Subscribe && from_log) {
            return Err(ScenarioError::field(
                format!("edges[{i}].group"),
                "group settings only on a subscribe edge from a log (a consumer group is how \
                 a pool reads a log)",
                format!(
                    "a group object on a {} edge {} → {}",
                    e.kind.id(),
                    e.from,
                    e.to
                ),
            ));
        }
    }
    Ok(())
}
