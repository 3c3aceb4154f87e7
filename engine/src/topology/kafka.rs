//! A topology's Kafka part as the commands and settings a real cluster needs: each topic created
//! with `kafka-topics.sh`, the dead-letter topic its application publishes to, and one consumer
//! properties file per consumer group.
//!
//! # Contract
//! - Kafka logs and the consumer pools subscribed to them are written; producers and stores
//!   have no place in it and are left out (as in [`super::terraform`]).
//! - A topic gets its partitions and `retention.ms`, the engine's defaults (4 partitions, 7
//!   days, semantics notes §3) when the file says nothing.
//! - Consumer groups have no dead-letter queue (§3): after a group's `max_attempts` the
//!   application publishes the record to `<topic>-dlt` (Spring Kafka's
//!   `DeadLetterPublishingRecoverer`), so that topic is created too, once per topic.
//! - A group's properties say what the simulation runs: `group.id`, `auto.offset.reset`,
//!   `max.poll.records`, the commit mode as `enable.auto.commit` (and
//!   `auto.commit.interval.ms`) with a comment on when the application commits, and the
//!   rebalance protocol as `partition.assignment.strategy`: `RangeAssignor`, which is eager,
//!   or `CooperativeStickyAssignor`, which every member must use for cooperative rebalancing.
//! - Anything else (a queue, an exchange, an SNS topic, a Redis stream) is refused, naming
//!   the node, what was expected and what was given.

use std::fmt::Write;

use super::log::{LogProfile, PARTITIONS, RETENTION};
use super::{EdgeKind, Node, Topology};
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::stream::{CommitMode, GroupConfig, OffsetReset, Rebalance, TopicConfig};

/// A retention as people say it: whole days in days.
fn kept(r: Millis) -> String {
    const DAY: u64 = 24 * 3_600_000;
    match r.0 / DAY {
        1 if r.0 % DAY == 0 => "1 day".to_owned(),
        n if r.0 % DAY == 0 => format!("{n} days"),
        _ => r.to_string(),
    }
}

/// `kafka-topics.sh --create` for one topic, addressed to a local broker.
fn create(out: &mut String, topic: &str, partitions: u32, retention: Option<Millis>) {
    let _ = write!(
        out,
        "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic {topic} --partitions {partitions}"
    );
    if let Some(r) = retention {
        let _ = write!(out, " --config retention.ms={}", r.0);
    }
    out.push('\n');
}

/// One consumer group's properties file.
fn group(out: &mut String, g: &GroupConfig) {
    let name = &g.name;
    let members = match g.consumers {
        1 => "1 consumer with".to_owned(),
        n => format!("{n} consumers, each with"),
    };
    let _ = writeln!(
        out,
        "\n# consumer-{name}.properties: group \"{name}\", {members} these settings."
    );
    let _ = writeln!(out, "group.id={name}");
    let reset = match g.offset_reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
    };
    let _ = writeln!(out, "auto.offset.reset={reset}");
    match g.commit {
        CommitMode::AfterProcessing => out.push_str(
            "# Commit after processing (at least once): commitSync() once a poll's records are done.\nenable.auto.commit=false\n",
        ),
        CommitMode::BeforeProcessing => out.push_str(
            "# Commit before processing (at most once): commitSync() right after poll(), then process.\nenable.auto.commit=false\n",
        ),
        CommitMode::Auto => {
            let _ = write!(
                out,
                "# Auto-commit: an offset can be committed before its record is processed.\nenable.auto.commit=true\nauto.commit.interval.ms={}\n",
                g.auto_commit_interval.0
            );
        }
    }
    let _ = writeln!(out, "max.poll.records={}", g.max_poll_records);
    let (assignor, protocol) = match g.rebalance {
        Rebalance::Eager => (
            "RangeAssignor",
            "eager: a rebalance revokes every partition",
        ),
        Rebalance::Cooperative => (
            "CooperativeStickyAssignor",
            "cooperative: a rebalance moves only the partitions that change owner",
        ),
    };
    let _ = writeln!(
        out,
        "# Rebalancing is {protocol}.\npartition.assignment.strategy=org.apache.kafka.clients.consumer.{assignor}"
    );
}

/// One topic's commands and its groups' properties files, as [`export`] writes each Kafka log.
fn topic(topic: &TopicConfig, groups: &[GroupConfig]) -> String {
    let (name, partitions) = (&topic.name, topic.partitions);
    let mut out = format!(
        "# Topic {name}: {partitions} partitions; records are kept {} whether read or not.\n",
        kept(topic.retention)
    );
    create(&mut out, name, partitions, Some(topic.retention));
    if let Some(most) = groups.iter().map(|g| g.max_attempts).max() {
        let _ = writeln!(
            out,
            "# Consumer groups have no dead-letter queue: after {most} failed attempts the application\n# publishes the record to {name}-dlt, keeping its topic, partition and offset as headers."
        );
        create(&mut out, &format!("{name}-dlt"), partitions, None);
    }
    for g in groups {
        group(&mut out, g);
    }
    out
}

/// The topology's Kafka topics and consumer groups (see the module docs).
pub fn export(t: &Topology) -> Result<String, ScenarioError> {
    let mut out = String::new();
    for (name, node) in &t.nodes {
        let refuse = |given: String| {
            Err(ScenarioError::field(
                format!("nodes.{name}"),
                "a Kafka log and the consumer pools that read it",
                given,
            ))
        };
        match node {
            Node::Log(log) if log.profile == LogProfile::Kafka => {
                let config = TopicConfig {
                    name: name.clone(),
                    partitions: log.partitions.unwrap_or(PARTITIONS),
                    retention: log.retention.unwrap_or(RETENTION),
                };
                let groups: Vec<GroupConfig> = t
                    .edges_of(EdgeKind::Subscribe)
                    .filter(|(_, e)| e.from == *name)
                    .filter_map(|(_, e)| match t.node(&e.to) {
                        Some(Node::Consumer(pool)) => {
                            Some(e.group.clone().unwrap_or_default().config(&e.to, pool))
                        }
                        _ => None,
                    })
                    .collect();
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&topic(&config, &groups));
            }
            Node::Log(_) => return refuse("a Redis stream".to_owned()),
            Node::Queue(q) => return refuse(format!("a {} queue", q.profile.id())),
            Node::Router(r) => return refuse(format!("a {} router", r.kind.id())),
            Node::Producer(_) | Node::Consumer(_) | Node::Store(_) => {}
        }
    }
    if out.is_empty() {
        return Err(ScenarioError::field(
            "nodes",
            "at least one Kafka log",
            "none",
        ));
    }
    Ok(out)
}
