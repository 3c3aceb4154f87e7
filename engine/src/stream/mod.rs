//! The partitioned log (Kafka's model): a topic of P partitions, records kept until retention
//! (never deleted on consume), and consumer groups that each read every partition at their own
//! committed offset.
//!
//! Modelled after the Kafka client's documented behaviour:
//! - a key goes to `toPositive(murmur2(key)) % partitions` ([`partition_for`]); a record with
//!   no key goes to a sticky partition (changed every `sticky_batch` records) or round robin;
//! - each partition is owned by one member of a group; a member fetches in offset order;
//! - the committed offset is the next offset to read; a new owner starts there, so records
//!   processed but not committed are processed again (duplicates), and records committed but not
//!   processed are never read again (skipped);
//! - rebalance when members join, leave or crash: eager revokes every partition and pauses the
//!   whole group; cooperative moves only the partitions that change owner;
//! - `auto.offset.reset` decides where a group with no commit starts;
//! - Kafka has no DLQ for consumer groups: after `max_attempts` failures the application
//!   publishes the record to `<topic>-dlt`, keeping topic, partition and offset as headers.
//!
//! Deterministic like [`crate::Sim`]: one seed; the workload (keys, arrival) draws from its own
//! stream, so group settings never change which records arrive.
//!
//! It runs only as a world's member (`StreamSim::member`): the world's producers append to it,
//! the world's agenda holds its timers and commands, and everything it does is an event in the
//! world's log. A log scenario file (the lessons' JSON) plans as such a world
//! ([`crate::topology::plan::Plan::from_stream`]).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::kernel::rng::Rng;
use crate::scenario::{Distribution, ProcessingTime};
use crate::{EventKind, Millis, ScenarioError};

mod group;
mod key;
mod run;

pub use key::{murmur2, partition_for, Key};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeylessPartitioner {
    /// Kafka's default since 2.4: stick to one partition for a batch, then move on.
    #[default]
    Sticky,
    RoundRobin,
}

crate::named_variants!(KeylessPartitioner {
    Sticky = "sticky",
    RoundRobin = "round_robin",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// Commit each record's offset after processing it: at least once (duplicates on a crash).
    #[default]
    AfterProcessing,
    /// Commit what was fetched as soon as it is fetched: at most once (skips on a crash).
    BeforeProcessing,
    /// `enable.auto.commit`: every interval, commit the fetch position, processed or not.
    Auto,
}

crate::named_variants!(CommitMode {
    AfterProcessing = "after_processing",
    BeforeProcessing = "before_processing",
    Auto = "auto",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    Earliest,
    /// Kafka's default: a new group reads only what arrives after it joins.
    #[default]
    Latest,
}

crate::named_variants!(OffsetReset {
    Earliest = "earliest",
    Latest = "latest",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rebalance {
    /// Every member gives up every partition and the group pauses while it reassigns.
    #[default]
    Eager,
    /// Only partitions that change owner move; the rest keep flowing.
    Cooperative,
}

crate::named_variants!(Rebalance {
    Eager = "eager",
    Cooperative = "cooperative",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicConfig {
    pub name: String,
    pub partitions: u32,
    pub retention: Millis,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            name: "orders".into(),
            partitions: 4,
            retention: Millis::from_mins(7 * 24 * 60),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamProducer {
    pub name: String,
    /// Records per second.
    pub rate: f64,
    /// Distinct keys (`store-1` … `store-N`, the world producer's groups), chosen uniformly.
    pub keys: u32,
    /// Share of records sent with the one key `hot` (a hot key).
    pub hot_key_share: f64,
    /// Share of records with no key.
    pub keyless_share: f64,
    pub keyless: KeylessPartitioner,
    /// Records per sticky batch.
    pub sticky_batch: u32,
    /// Share of records that fail processing every time (sent to the DLT after max attempts).
    pub poison_share: f64,
    pub stop: Option<Millis>,
}

impl Default for StreamProducer {
    fn default() -> Self {
        StreamProducer {
            name: "order-service".into(),
            rate: 10.0,
            keys: 100,
            hot_key_share: 0.0,
            keyless_share: 0.0,
            keyless: KeylessPartitioner::Sticky,
            sticky_batch: 16,
            poison_share: 0.0,
            stop: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupConfig {
    pub name: String,
    pub consumers: u32,
    pub processing: ProcessingTime,
    pub commit: CommitMode,
    pub auto_commit_interval: Millis,
    pub offset_reset: OffsetReset,
    pub rebalance: Rebalance,
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// How long an eager rebalance stops the group.
    pub rebalance_pause: Millis,
    /// Attempts before a failing record goes to the dead-letter topic.
    pub max_attempts: u32,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            name: "kitchen".into(),
            consumers: 2,
            processing: ProcessingTime {
                mean: Millis(50),
                distribution: Distribution::Fixed,
            },
            commit: CommitMode::AfterProcessing,
            auto_commit_interval: Millis::from_secs(5),
            offset_reset: OffsetReset::Earliest,
            rebalance: Rebalance::Eager,
            max_poll_records: 10,
            rebalance_pause: Millis::from_secs(3),
            max_attempts: 3,
        }
    }
}

/// A consumer group's own settings, when a consumer pool reads a log (`"group": {…}` on a
/// consumer node). The defaults are Kafka's consumer defaults (semantics notes §3):
/// `enable.auto.commit` every 5 s, `auto.offset.reset=latest`, `max.poll.records=500`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSettings {
    pub commit: CommitMode,
    /// `auto.commit.interval.ms`.
    pub auto_commit_interval: Millis,
    pub offset_reset: OffsetReset,
    pub rebalance: Rebalance,
    /// How long an eager rebalance stops the whole group.
    pub rebalance_pause: Millis,
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// Attempts before the application publishes a failing record to `<topic>-dlt` (Kafka has
    /// no dead-letter queue of its own; this is the application's choice). On a Redis stream:
    /// deliveries before the janitor moves an entry to the dead stream.
    pub max_attempts: u32,
    /// Redis Streams: how often the janitor runs `XAUTOCLAIM` (5 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_every: Option<Millis>,
    /// Redis Streams: the `min-idle-time` the janitor claims with (10 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_idle: Option<Millis>,
}

impl Default for GroupSettings {
    fn default() -> Self {
        GroupSettings {
            commit: CommitMode::Auto,
            auto_commit_interval: Millis::from_secs(5),
            offset_reset: OffsetReset::Latest,
            rebalance: Rebalance::Eager,
            rebalance_pause: Millis::from_secs(3),
            max_poll_records: 500,
            max_attempts: 3,
            claim_every: None,
            min_idle: None,
        }
    }
}

impl GroupSettings {
    /// The group as the log runs it: named after its pool, with the pool's size and
    /// processing time.
    pub fn config(&self, name: &str, pool: &crate::ConsumerConfig) -> GroupConfig {
        GroupConfig {
            name: name.to_owned(),
            consumers: pool.count,
            processing: pool.processing.clone(),
            commit: self.commit,
            auto_commit_interval: self.auto_commit_interval,
            offset_reset: self.offset_reset,
            rebalance: self.rebalance,
            max_poll_records: self.max_poll_records,
            rebalance_pause: self.rebalance_pause,
            max_attempts: self.max_attempts,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "crate::tagged::RawStreamCommand"
)]
pub enum StreamCommand {
    /// A new member joins the group (a rebalance).
    AddConsumer { group: usize },
    /// A member leaves cleanly: it stops after its current record (a rebalance).
    RemoveConsumer { group: usize },
    /// A member dies mid-batch: whatever it fetched but did not finish is abandoned.
    CrashConsumer { group: usize, consumer: usize },
    /// Move the group's committed offsets: `earliest` replays the retained history.
    Seek { group: usize, to: SeekTo },
    /// Change the share of records sent with the hot key.
    SetHotKey { share: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeekTo {
    Earliest,
    Latest,
}

crate::named_variants!(SeekTo {
    Earliest = "earliest",
    Latest = "latest",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedStreamCommand {
    pub at: Millis,
    #[serde(rename = "do")]
    pub command: StreamCommand,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamScenario {
    pub version: u32,
    pub name: String,
    pub seed: u64,
    pub topic: TopicConfig,
    pub producers: Vec<StreamProducer>,
    pub groups: Vec<GroupConfig>,
    pub commands: Vec<TimedStreamCommand>,
}

impl Default for StreamScenario {
    fn default() -> Self {
        StreamScenario {
            version: 1,
            name: "orders-log".into(),
            seed: 42,
            topic: TopicConfig::default(),
            producers: vec![StreamProducer::default()],
            groups: vec![GroupConfig::default()],
            commands: Vec::new(),
        }
    }
}

impl StreamScenario {
    #[inline]
    pub fn from_json(text: &str) -> Result<StreamScenario, ScenarioError> {
        let s: StreamScenario = serde_json::from_str(text).map_err(|e| ScenarioError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        s.validate()?;
        Ok(s)
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        let field = |path: String, expected: &str, given: String| {
            Err(ScenarioError::field(path, expected.to_owned(), given))
        };
        if !(1..=64).contains(&self.topic.partitions) {
            return field(
                "topic.partitions".into(),
                "1 to 64",
                self.topic.partitions.to_string(),
            );
        }
        for (i, p) in self.producers.iter().enumerate() {
            if !(0.0..=10_000.0).contains(&p.rate) {
                return field(
                    format!("producers[{i}].rate"),
                    "0 to 10000 per second",
                    crate::Decimal::short(p.rate).to_string(),
                );
            }
            for (name, v) in [
                ("hot_key_share", p.hot_key_share),
                ("keyless_share", p.keyless_share),
                ("poison_share", p.poison_share),
            ] {
                if !(0.0..=1.0).contains(&v) {
                    return field(
                        format!("producers[{i}].{name}"),
                        "a share from 0 to 1",
                        crate::Decimal::short(v).to_string(),
                    );
                }
            }
            if p.keys == 0 {
                return field(format!("producers[{i}].keys"), "at least 1", "0".into());
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.consumers > 64 {
                return field(
                    format!("groups[{i}].consumers"),
                    "0 to 64",
                    g.consumers.to_string(),
                );
            }
            if g.max_poll_records == 0 || g.max_attempts == 0 {
                return field(
                    format!("groups[{i}]"),
                    "max_poll_records and max_attempts of at least 1",
                    format!("{} and {}", g.max_poll_records, g.max_attempts),
                );
            }
        }
        for (i, c) in self.commands.iter().enumerate() {
            self.validate_command(&format!("commands[{i}].do"), &c.command)?;
        }
        Ok(())
    }
}

impl StreamScenario {
    /// Checks one command against this scenario (its group must exist); `path` names it in
    /// the error.
    pub fn validate_command(&self, path: &str, c: &StreamCommand) -> Result<(), ScenarioError> {
        let group = match c {
            StreamCommand::AddConsumer { group }
            | StreamCommand::RemoveConsumer { group }
            | StreamCommand::CrashConsumer { group, .. }
            | StreamCommand::Seek { group, .. } => *group,
            StreamCommand::SetHotKey { .. } => return Ok(()),
        };
        if group >= self.groups.len() {
            return Err(ScenarioError::field(
                format!("{path}.group"),
                format!("a group index below {}", self.groups.len()),
                group.to_string(),
            ));
        }
        Ok(())
    }
}

/// One record of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub offset: u64,
    pub key: Key,
    pub published_at: Millis,
    /// Order in which the producer sent it, over the whole topic.
    pub seq: u64,
    pub poison: bool,
    /// Its CloudEvents id: every copy a router makes of a message keeps it.
    pub event: u64,
}

#[derive(Clone, Debug, Default)]
pub struct PartitionLog {
    /// Offset of `records[0]`: older records were removed by retention.
    pub start: u64,
    pub records: VecDeque<Record>,
}

impl PartitionLog {
    /// The log end offset: the offset the next record will get.
    pub fn end(&self) -> u64 {
        self.start + self.records.len() as u64
    }

    fn get(&self, offset: u64) -> Option<&Record> {
        offset
            .checked_sub(self.start)
            .and_then(|i| self.records.get(i as usize))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: u32,
    pub alive: bool,
    pub partitions: Vec<u32>,
    /// Fetched records not yet processed, in processing order: (partition, offset).
    pub queue: VecDeque<(u32, u64)>,
    /// The record being processed and when it finishes.
    pub busy: Option<(u32, u64, Millis)>,
    /// Paused by a rebalance until then.
    pub paused_until: Millis,
    pub processed: u64,
    /// Offsets processed in the current batch, committed when the batch is done
    /// (commit-after-processing commits per batch, like a `commitSync()` after the loop).
    pending: Vec<(u32, u64)>,
}

/// Per group, per partition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cursor {
    /// The next offset to read after a restart or reassignment (None: never committed).
    pub committed: Option<u64>,
    /// The next offset the owner will fetch.
    pub position: u64,
    pub owner: Option<u32>,
    /// Offsets below this were checked for skips at the last reassignment.
    settled: u64,
    /// Offsets below this were re-read on purpose by a seek: reading them again is a replay.
    replay_until: u64,
    /// Times each retained offset was processed by this group (index: offset - start).
    processed: VecDeque<u16>,
    /// Failed attempts of the record at `position` being retried.
    attempts: u32,
    /// Offsets handed to the dead-letter topic (handled, though never processed).
    dead: crate::kernel::sorted::SortedMap<u64, ()>,
    /// Retained offsets this group committed past without processing: each one counted in
    /// [`GroupCounts::skipped`], kept so the log can mark which records were lost.
    skipped: crate::kernel::sorted::SortedMap<u64, ()>,
}

/// What became of one record for one group, as the log marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordMark {
    /// Committed past but never processed: lost for this group.
    Skipped,
    /// Processed more than once without a seek asking for it.
    Duplicate,
}

impl Cursor {
    /// The mark for `offset` of a partition whose oldest retained offset is `start`, if any.
    pub fn mark(&self, start: u64, offset: u64) -> Option<RecordMark> {
        if self.skipped.contains_key(&offset) {
            return Some(RecordMark::Skipped);
        }
        let times = offset
            .checked_sub(start)
            .and_then(|i| self.processed.get(i as usize).copied())
            .unwrap_or(0);
        (times > 1 && offset >= self.replay_until).then_some(RecordMark::Duplicate)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCounts {
    pub processed: u64,
    /// Processed more than once without a seek asking for it.
    pub duplicates: u64,
    /// Processed again because the group was rewound.
    pub replayed: u64,
    /// Committed past but never processed: gone for this group.
    pub skipped: u64,
    /// Sent to the dead-letter topic after `max_attempts` failures.
    pub dead_lettered: u64,
    pub failures: u64,
    pub rebalances: u64,
    /// Records removed by retention before this group read them.
    pub expired_unread: u64,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub config: GroupConfig,
    pub members: Vec<Member>,
    pub cursors: Vec<Cursor>,
    pub counts: GroupCounts,
    next_member: u32,
    /// First-processing order, for the ordering checks: (key, seq), the latest
    /// [`HISTORY_CAP`] only, so a long run at high speed keeps bounded memory.
    pub order: VecDeque<(Key, u64)>,
}

/// A record in the dead-letter topic, with the headers that say where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadLetter {
    pub topic: String,
    pub group: String,
    pub original_topic: String,
    pub original_partition: u32,
    pub original_offset: u64,
    pub key: Option<String>,
    pub attempts: u32,
    pub at: Millis,
}

/// A timer of the log. As a world's member, the log hands these to the world's agenda, so
/// they are kept small (the agenda holds one per pending timer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    Done { group: u32, member: u32 },
    Poll { group: u32, member: u32 },
    AutoCommit { group: u32, member: u32 },
    Retention,
}

/// The partitioned-log simulation.
pub struct StreamSim {
    sc: StreamScenario,
    now: Millis,
    rng: Rng,
    workload: Rng,
    /// The timers it set since the world collected them.
    pub(crate) timers: crate::kernel::timers::Timers<Due>,
    pub partitions: Vec<PartitionLog>,
    pub groups: Vec<Group>,
    /// The latest [`HISTORY_CAP`] records published to the dead-letter topic.
    pub dlt: VecDeque<DeadLetter>,
    published: u64,
    sticky: (u32, u32),
    round_robin: u32,
    /// How the records the world appends without a key are spread: the partitioner and its
    /// sticky batch size.
    keyless: (KeylessPartitioner, u32),
    /// The events it emitted since the world last collected them.
    pub(crate) emitted: Vec<crate::Event>,
}

const POLL_EVERY: Millis = Millis(100);

/// How many ordering and dead-letter records are kept.
pub const HISTORY_CAP: usize = 100_000;
