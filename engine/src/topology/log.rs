//! Logs in a world: a Kafka topic node, and how planning turns it and the consumer pools that
//! subscribe to it into a log member (each pool one consumer group).
//!
//! # Contract
//! - A log's settings are checked here, with the node's path in every error.
//! - A pool that reads a log is a consumer group: its `count` is the group's members, its
//!   `processing` the time per record, and its `group` object the group's own settings (Kafka's
//!   defaults when absent). `group` on a pool that reads a queue is refused.
//! - A message's FIFO group is its key (`store-N`); a message without a group has no key.
//!   A poison payload fails on every attempt; other payloads succeed.
//! - Commands aimed at a group: `crash`, `scale_consumers` and `seek`; anything else is refused
//!   with the commands that would work.

use serde::{Deserialize, Serialize};

use super::plan::MemberNodes;
use super::scenario::ScenarioV2;
use super::{EdgeKind, Node};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::stream::{KeylessPartitioner, StreamCommand, StreamScenario, TopicConfig};

/// A Kafka topic's settings (semantics notes §3). A record's key picks its partition with the
/// murmur2 partitioner; records without a key are spread by `keyless`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSpec {
    /// 1 to 64.
    pub partitions: u32,
    /// `retention.ms`: records older than this are removed, read or not.
    pub retention: Millis,
    /// How the producer spreads records that have no key.
    pub keyless: KeylessPartitioner,
    /// Records per sticky batch, when `keyless` is sticky.
    pub sticky_batch: u32,
}

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            partitions: 4,
            retention: Millis::from_mins(7 * 24 * 60),
            keyless: KeylessPartitioner::Sticky,
            sticky_batch: 16,
        }
    }
}

/// One log of the world, with its consumer groups.
#[derive(Clone, Debug, PartialEq)]
pub struct LogMember {
    pub nodes: MemberNodes,
    /// The log's own scenario: its topic and groups (no producers or commands of its own: the
    /// world runs those).
    pub scenario: StreamScenario,
    pub keyless: (KeylessPartitioner, u32),
}

impl ScenarioV2 {
    /// The log `name` and the pools subscribed to it, as a member of the world.
    pub(super) fn log_member(
        &self,
        name: &str,
        spec: &LogSpec,
    ) -> Result<LogMember, ScenarioError> {
        let at = |field: &str| format!("nodes.{name}.log.{field}");
        if !(1..=64).contains(&spec.partitions) {
            return Err(ScenarioError::field(
                at("partitions"),
                "1 to 64",
                spec.partitions.to_string(),
            ));
        }
        crate::validate::duration(
            &at("retention"),
            spec.retention,
            Millis::from_secs(1),
            Millis::from_mins(365 * 24 * 60),
        )?;
        if spec.sticky_batch == 0 {
            return Err(ScenarioError::field(at("sticky_batch"), "at least 1", "0"));
        }
        let mut groups = Vec::new();
        let mut names = Vec::new();
        for (_, e) in self
            .topology
            .edges_of(EdgeKind::Subscribe)
            .filter(|(_, e)| e.from == name)
        {
            let Some(Node::Consumer(pool)) = self.topology.node(&e.to) else {
                continue;
            };
            let settings = pool.group.clone().unwrap_or_default();
            let path = |f: &str| format!("nodes.{}.consumer.{f}", e.to);
            if pool.count > 64 {
                return Err(ScenarioError::field(
                    path("count"),
                    "0 to 64",
                    pool.count.to_string(),
                ));
            }
            if settings.max_poll_records == 0 || settings.max_attempts == 0 {
                return Err(ScenarioError::field(
                    path("group"),
                    "max_poll_records and max_attempts of at least 1",
                    format!(
                        "{} and {}",
                        settings.max_poll_records, settings.max_attempts
                    ),
                ));
            }
            groups.push(settings.config(&e.to, pool));
            names.push(e.to.clone());
        }
        let scenario = StreamScenario {
            version: 1,
            name: name.to_owned(),
            seed: self.seed,
            topic: TopicConfig {
                name: name.to_owned(),
                partitions: spec.partitions,
                retention: spec.retention,
            },
            producers: Vec::new(),
            groups,
            commands: Vec::new(),
        };
        Ok(LogMember {
            nodes: MemberNodes {
                queue: name.to_owned(),
                dlq: None,
                consumer: None,
                store: None,
                replies: None,
                groups: names,
            },
            scenario,
            keyless: (spec.keyless, spec.sticky_batch),
        })
    }
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
                serde_json::to_value(command)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
                    .unwrap_or_default(),
            ))
        }
    })
}

/// `group` settings belong to pools that read a log.
pub(super) fn check_pools(v2: &ScenarioV2) -> Result<(), ScenarioError> {
    for (_, e) in v2.topology.edges_of(EdgeKind::Subscribe) {
        let reads_queue = matches!(v2.topology.node(&e.from), Some(Node::Queue(_)));
        if let (true, Some(Node::Consumer(pool))) = (reads_queue, v2.topology.node(&e.to)) {
            if pool.group.is_some() {
                return Err(ScenarioError::field(
                    format!("nodes.{}.consumer.group", e.to),
                    "no group settings on a pool that reads a queue (they are for a consumer \
                     group reading a log)",
                    "a group object",
                ));
            }
        }
    }
    Ok(())
}
