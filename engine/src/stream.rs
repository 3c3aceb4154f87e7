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

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::kernel::agenda::Agenda;
use crate::kernel::rng::Rng;
use crate::scenario::{Distribution, ProcessingTime};
use crate::{Millis, ScenarioError};

/// Kafka's `Utils.murmur2` (seed `0x9747b28c`), bit for bit.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = 0x9747_b28c ^ (len as u32);
    for chunk in data.chunks_exact(4) {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = &data[len & !3..];
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The default partitioner's choice for a keyed record: `toPositive(murmur2(key)) % n`.
pub fn partition_for(key: &[u8], partitions: u32) -> u32 {
    ((murmur2(key) & 0x7fff_ffff) as u32) % partitions.max(1)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeylessPartitioner {
    /// Kafka's default since 2.4: stick to one partition for a batch, then move on.
    #[default]
    Sticky,
    RoundRobin,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    Earliest,
    /// Kafka's default: a new group reads only what arrives after it joins.
    #[default]
    Latest,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rebalance {
    /// Every member gives up every partition and the group pauses while it reassigns.
    #[default]
    Eager,
    /// Only partitions that change owner move; the rest keep flowing.
    Cooperative,
}

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
    /// Distinct keys (`order-1` … `order-N`), chosen uniformly.
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeekTo {
    Earliest,
    Latest,
}

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
                format!("{:?}", Some(group)),
            ));
        }
        Ok(())
    }
}

/// One record of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub offset: u64,
    pub key: Option<String>,
    pub published_at: Millis,
    /// Order in which the producer sent it, over the whole topic.
    pub seq: u64,
    pub poison: bool,
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
    dead: std::collections::BTreeSet<u64>,
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
    pub order: VecDeque<(String, u64)>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Due {
    Produce(usize),
    Done { group: usize, member: usize },
    Poll { group: usize, member: usize },
    AutoCommit { group: usize, member: usize },
    Command(usize),
    Retention,
}

/// The partitioned-log simulation.
pub struct StreamSim {
    sc: StreamScenario,
    now: Millis,
    rng: Rng,
    workload: Rng,
    agenda: Agenda<Due>,
    pub partitions: Vec<PartitionLog>,
    pub groups: Vec<Group>,
    /// The latest [`HISTORY_CAP`] records published to the dead-letter topic.
    pub dlt: VecDeque<DeadLetter>,
    published: u64,
    hot_share: f64,
    /// Each producer's next due time in fractional milliseconds, so rates above 1,000/s keep
    /// their rate on a millisecond clock.
    due: Vec<f64>,
    sticky: (u32, u32),
    round_robin: u32,
}

const POLL_EVERY: Millis = Millis(100);

/// How many ordering and dead-letter records are kept.
pub const HISTORY_CAP: usize = 100_000;

impl StreamSim {
    pub fn new(sc: StreamScenario) -> Result<StreamSim, ScenarioError> {
        sc.validate()?;
        let p = sc.topic.partitions as usize;
        let mut sim = StreamSim {
            now: Millis::ZERO,
            rng: Rng::stream(sc.seed, "main"),
            workload: Rng::stream(sc.seed, "workload"),
            agenda: Agenda::new(),
            partitions: vec![PartitionLog::default(); p],
            groups: Vec::new(),
            dlt: VecDeque::new(),
            published: 0,
            hot_share: sc.producers.first().map_or(0.0, |p| p.hot_key_share),
            sticky: (0, 0),
            round_robin: 0,
            due: vec![0.0; sc.producers.len()],
            sc,
        };
        for i in 0..sim.sc.producers.len() {
            if sim.sc.producers[i].rate > 0.0 {
                sim.schedule(Millis::ZERO, Due::Produce(i));
            }
        }
        for (gi, config) in sim.sc.groups.clone().into_iter().enumerate() {
            sim.groups.push(Group {
                cursors: vec![Cursor::default(); p],
                members: Vec::new(),
                counts: GroupCounts::default(),
                next_member: 0,
                order: VecDeque::new(),
                config: config.clone(),
            });
            for _ in 0..config.consumers {
                sim.add_member(gi);
            }
            sim.rebalance(gi);
            // The first assignment is not a rebalance anyone waits for.
            sim.groups[gi].counts.rebalances = 0;
            for m in &mut sim.groups[gi].members {
                m.paused_until = Millis::ZERO;
            }
        }
        for i in 0..sim.sc.commands.len() {
            let at = sim.sc.commands[i].at;
            sim.schedule(at, Due::Command(i));
        }
        sim.schedule(Millis::from_secs(1), Due::Retention);
        Ok(sim)
    }

    pub fn scenario(&self) -> &StreamScenario {
        &self.sc
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn published(&self) -> u64 {
        self.published
    }

    /// The dead-letter topic's name: `<topic>-dlt`.
    /// The share of the first producer's records that carry the hot key now (scenario setting,
    /// then the latest `SetHotKey`).
    pub fn hot_key_share(&self) -> f64 {
        self.hot_share
    }

    pub fn dlt_topic(&self) -> String {
        format!("{}-dlt", self.sc.topic.name)
    }

    fn schedule(&mut self, at: Millis, due: Due) {
        self.agenda.schedule(self.now, at, due);
    }

    /// Applies a command now.
    pub fn command(&mut self, c: StreamCommand) -> Result<(), ScenarioError> {
        self.sc.validate_command("command", &c)?;
        self.apply(c);
        Ok(())
    }

    /// Schedules a command for simulated time `at` (now if `at` is past).
    pub fn command_at(&mut self, at: Millis, c: StreamCommand) -> Result<(), ScenarioError> {
        let timed = TimedStreamCommand {
            at: at.max(self.now),
            command: c,
        };
        self.sc.validate_command("command", &timed.command)?;
        self.sc.commands.push(timed.clone());
        self.schedule(timed.at, Due::Command(self.sc.commands.len() - 1));
        Ok(())
    }

    pub fn advance_to(&mut self, t: Millis) {
        while let Some((at, due)) = self.agenda.pop_until(t) {
            self.now = at;
            self.fire(due);
        }
        self.now = self.now.max(t);
    }

    fn fire(&mut self, due: Due) {
        match due {
            Due::Produce(i) => self.produce(i),
            Due::Done { group, member } => self.finish(group, member),
            Due::Poll { group, member } => self.poll(group, member),
            Due::AutoCommit { group, member } => self.auto_commit(group, member),
            Due::Command(i) => {
                let c = self.sc.commands[i].command.clone();
                self.apply(c);
            }
            Due::Retention => self.retention(),
        }
    }

    fn apply(&mut self, c: StreamCommand) {
        match c {
            StreamCommand::AddConsumer { group } => {
                self.add_member(group);
                self.rebalance(group);
            }
            StreamCommand::RemoveConsumer { group } => {
                if let Some(m) = self.groups[group].members.iter().rposition(|m| m.alive) {
                    self.leave(group, m, true);
                }
            }
            StreamCommand::CrashConsumer { group, consumer } => {
                if self.groups[group]
                    .members
                    .get(consumer)
                    .is_some_and(|m| m.alive)
                {
                    self.leave(group, consumer, false);
                }
            }
            StreamCommand::Seek { group, to } => self.seek(group, to),
            StreamCommand::SetHotKey { share } => self.hot_share = share.clamp(0.0, 1.0),
        }
    }

    fn produce(&mut self, i: usize) {
        let p = self.sc.producers[i].clone();
        if p.stop.is_some_and(|s| self.now >= s) {
            return;
        }
        let gap = 1000.0 / p.rate;
        while self.due[i] <= self.now.0 as f64 {
            self.publish_one(i, &p);
            self.due[i] += gap;
        }
        let next = Millis(self.due[i].ceil() as u64);
        self.schedule(next, Due::Produce(i));
    }

    fn publish_one(&mut self, i: usize, p: &StreamProducer) {
        let hot = if i == 0 {
            self.hot_share
        } else {
            p.hot_key_share
        };
        let key = if self.workload.chance(hot) {
            Some("hot".to_owned())
        } else if self.workload.chance(p.keyless_share) {
            None
        } else {
            Some(format!(
                "order-{}",
                self.workload.below(u64::from(p.keys)) + 1
            ))
        };
        let poison = self.workload.chance(p.poison_share);
        let n = self.sc.topic.partitions;
        let partition = match &key {
            Some(k) => partition_for(k.as_bytes(), n),
            None => match p.keyless {
                KeylessPartitioner::RoundRobin => {
                    self.round_robin = (self.round_robin + 1) % n;
                    self.round_robin
                }
                KeylessPartitioner::Sticky => {
                    if self.sticky.1 == 0 {
                        self.sticky = (
                            self.workload.below(u64::from(n)) as u32,
                            p.sticky_batch.max(1),
                        );
                    }
                    self.sticky.1 -= 1;
                    self.sticky.0
                }
            },
        };
        let log = &mut self.partitions[partition as usize];
        let offset = log.end();
        log.records.push_back(Record {
            offset,
            key,
            published_at: self.now,
            seq: self.published,
            poison,
        });
        self.published += 1;
        for g in 0..self.groups.len() {
            self.groups[g].cursors[partition as usize]
                .processed
                .push_back(0);
            if let Some(owner) = self.groups[g].cursors[partition as usize].owner {
                if let Some(m) = self.groups[g].members.iter().position(|m| m.id == owner) {
                    self.wake(g, m);
                }
            }
        }
    }

    fn add_member(&mut self, g: usize) -> usize {
        let group = &mut self.groups[g];
        let id = group.next_member;
        group.next_member += 1;
        group.members.push(Member {
            id,
            alive: true,
            partitions: Vec::new(),
            queue: VecDeque::new(),
            busy: None,
            paused_until: Millis::ZERO,
            processed: 0,
            pending: Vec::new(),
        });
        let m = group.members.len() - 1;
        if group.config.commit == CommitMode::Auto {
            let every = group.config.auto_commit_interval.max(Millis(1));
            self.schedule(
                self.now.saturating_add(every),
                Due::AutoCommit {
                    group: g,
                    member: m,
                },
            );
        }
        m
    }

    /// A member leaves: cleanly (it commits what it finished, as `close()` does) or by
    /// crashing (it commits nothing more). What it fetched but did not finish is dropped, and
    /// the group rebalances.
    fn leave(&mut self, g: usize, m: usize, clean: bool) {
        if clean {
            Self::commit_pending(&mut self.groups[g], m, None);
        }
        let member = &mut self.groups[g].members[m];
        member.pending.clear();
        member.alive = false;
        member.queue.clear();
        member.busy = None;
        member.partitions.clear();
        self.rebalance(g);
    }

    /// Reassigns partitions among the live members.
    fn rebalance(&mut self, g: usize) {
        let n = self.sc.topic.partitions;
        let now = self.now;
        let group = &mut self.groups[g];
        group.counts.rebalances += 1;
        let live: Vec<usize> = (0..group.members.len())
            .filter(|&i| group.members[i].alive)
            .collect();
        let mut owner: Vec<Option<usize>> = vec![None; n as usize];
        if !live.is_empty() {
            match group.config.rebalance {
                Rebalance::Eager => {
                    for (p, o) in owner.iter_mut().enumerate() {
                        *o = Some(live[p % live.len()]);
                    }
                }
                Rebalance::Cooperative => {
                    // Keep what each live member owns, up to its fair share; move the rest.
                    let fair = (n as usize).div_ceil(live.len());
                    let mut load = vec![0usize; group.members.len()];
                    for (p, slot) in owner.iter_mut().enumerate() {
                        if let Some(o) = group.cursors[p].owner.map(|o| o as usize) {
                            if let Some(idx) = group.members.iter().position(|m| m.id as usize == o)
                            {
                                if group.members[idx].alive && load[idx] < fair {
                                    *slot = Some(idx);
                                    load[idx] += 1;
                                }
                            }
                        }
                    }
                    for slot in owner.iter_mut().filter(|o| o.is_none()) {
                        let least = *live.iter().min_by_key(|&&i| (load[i], i)).expect("live");
                        *slot = Some(least);
                        load[least] += 1;
                    }
                }
            }
        }
        let eager = group.config.rebalance == Rebalance::Eager;
        let pause = group.config.rebalance_pause;
        let reset = group.config.offset_reset;
        let mut woken = Vec::new();
        for (p, assigned) in owner.iter().enumerate() {
            let new_owner = assigned.map(|i| group.members[i].id);
            let moved = group.cursors[p].owner != new_owner;
            if !(moved || eager) {
                continue;
            }
            // Revoke: the old owner commits what it finished of this partition (what a
            // well-behaved onPartitionsRevoked does) and drops what it fetched but did not start.
            if let Some(old) = group.cursors[p].owner {
                if let Some(oi) = group.members.iter().position(|m| m.id == old) {
                    if group.members[oi].alive {
                        Self::commit_pending(group, oi, Some(p as u32));
                    }
                    let om = &mut group.members[oi];
                    om.queue.retain(|(q, _)| *q as usize != p);
                    om.partitions.retain(|&q| q as usize != p);
                    if eager && om.alive {
                        om.paused_until = now.saturating_add(pause);
                    }
                }
            }
            let log = &self.partitions[p];
            let cursor = &mut group.cursors[p];
            let start = match cursor.committed {
                Some(c) => c.max(log.start),
                None => match reset {
                    OffsetReset::Earliest => log.start,
                    OffsetReset::Latest => log.end(),
                },
            };
            // Everything below the restart point that was never processed (and is not in a
            // live member's hands right now) is now skipped.
            let in_hand: Vec<u64> = group
                .members
                .iter()
                .filter(|m| m.alive)
                .filter_map(|m| m.busy.filter(|b| b.0 as usize == p).map(|b| b.1))
                .collect();
            for off in cursor.settled.max(log.start)..start {
                let i = (off - log.start) as usize;
                if cursor.processed.get(i).copied() == Some(0)
                    && cursor.committed.is_some()
                    && !in_hand.contains(&off)
                    && !cursor.dead.contains(&off)
                {
                    group.counts.skipped += 1;
                }
            }
            cursor.settled = cursor.settled.max(start);
            cursor.position = start;
            cursor.attempts = 0;
            cursor.owner = new_owner;
            if let Some(i) = *assigned {
                let m = &mut group.members[i];
                m.partitions.push(p as u32);
                m.partitions.sort_unstable();
                if eager {
                    m.paused_until = now.saturating_add(pause);
                }
                woken.push(i);
            }
        }
        woken.sort_unstable();
        woken.dedup();
        for i in woken {
            let at = self.groups[g].members[i].paused_until.max(now);
            self.schedule(
                at,
                Due::Poll {
                    group: g,
                    member: i,
                },
            );
        }
    }

    fn seek(&mut self, g: usize, to: SeekTo) {
        for p in 0..self.partitions.len() {
            let log = &self.partitions[p];
            let target = match to {
                SeekTo::Earliest => log.start,
                SeekTo::Latest => log.end(),
            };
            let group = &mut self.groups[g];
            let cursor = &mut group.cursors[p];
            cursor.replay_until = cursor.replay_until.max(cursor.position);
            cursor.committed = Some(target);
            cursor.settled = cursor.settled.min(target);
            cursor.position = target;
            cursor.attempts = 0;
            if let Some(owner) = cursor.owner {
                if let Some(m) = group.members.iter_mut().find(|m| m.id == owner) {
                    m.queue.retain(|(q, _)| *q as usize != p);
                }
            }
        }
        for m in 0..self.groups[g].members.len() {
            self.wake(g, m);
        }
    }

    fn wake(&mut self, g: usize, m: usize) {
        let member = &self.groups[g].members[m];
        if member.alive && member.busy.is_none() {
            let at = member.paused_until.max(self.now);
            self.schedule(
                at,
                Due::Poll {
                    group: g,
                    member: m,
                },
            );
        }
    }

    /// A member takes up to `max_poll_records` records from its partitions, in offset order
    /// per partition, and starts on the first.
    fn poll(&mut self, g: usize, m: usize) {
        let now = self.now;
        let group = &mut self.groups[g];
        let member = &group.members[m];
        if !member.alive || member.busy.is_some() || member.paused_until > now {
            return;
        }
        if group.members[m].queue.is_empty() {
            let limit = group.config.max_poll_records as usize;
            let parts = group.members[m].partitions.clone();
            let mut fetched = Vec::new();
            'fill: loop {
                let mut any = false;
                for &p in &parts {
                    if fetched.len() >= limit {
                        break 'fill;
                    }
                    let cursor = &mut group.cursors[p as usize];
                    let log = &self.partitions[p as usize];
                    if cursor.position < log.start {
                        group.counts.expired_unread += log.start - cursor.position;
                        cursor.position = log.start;
                    }
                    if cursor.position < log.end() {
                        fetched.push((p, cursor.position));
                        cursor.position += 1;
                        any = true;
                    }
                }
                if !any {
                    break;
                }
            }
            if group.config.commit == CommitMode::BeforeProcessing {
                for &p in &parts {
                    let c = &mut group.cursors[p as usize];
                    c.committed = Some(c.position);
                }
            }
            group.members[m].queue.extend(fetched);
        }
        self.start_next(g, m);
    }

    fn start_next(&mut self, g: usize, m: usize) {
        let group = &mut self.groups[g];
        let Some(&(p, off)) = group.members[m].queue.front() else {
            // Nothing to do: look again shortly.
            let at = self.now.saturating_add(POLL_EVERY);
            self.schedule(
                at,
                Due::Poll {
                    group: g,
                    member: m,
                },
            );
            return;
        };
        let done = self
            .now
            .saturating_add(group.config.processing.sample(&mut self.rng));
        group.members[m].busy = Some((p, off, done));
        self.schedule(
            done,
            Due::Done {
                group: g,
                member: m,
            },
        );
    }

    fn finish(&mut self, g: usize, m: usize) {
        let now = self.now;
        let topic = self.sc.topic.name.clone();
        let dlt = self.dlt_topic();
        let group = &mut self.groups[g];
        let Some((p, off, _)) = group.members[m].busy.take() else {
            return;
        };
        if !group.members[m].alive {
            return;
        }
        let log = &self.partitions[p as usize];
        let Some(record) = log.get(off).cloned() else {
            // Removed by retention meanwhile.
            Self::done_with(&mut group.members[m], p, off);
            self.start_next(g, m);
            return;
        };
        let max_attempts = group.config.max_attempts;
        let cursor = &mut group.cursors[p as usize];
        let owns = group.members[m].partitions.contains(&p);
        if record.poison {
            cursor.attempts += 1;
            group.counts.failures += 1;
            let still_queued = group.members[m].queue.front() == Some(&(p, off));
            if !owns || !still_queued {
                // Revoked (or sought away from) while failing: this member may not retry it.
                // If the group has committed past it, nobody will.
                if cursor.committed.is_some_and(|c| c > off) && !cursor.dead.contains(&off) {
                    group.counts.skipped += 1;
                }
                Self::done_with(&mut group.members[m], p, off);
                self.start_next(g, m);
                return;
            }
            if cursor.attempts < max_attempts {
                // Retry in place: the partition waits behind it (order per key is kept).
                self.start_next(g, m);
                return;
            }
            cursor.attempts = 0;
            // Read again after a rebalance, a record is dead-lettered again (the application
            // publishes it twice); the count is of distinct records.
            if cursor.dead.insert(off) {
                group.counts.dead_lettered += 1;
            }
            if self.dlt.len() >= HISTORY_CAP {
                self.dlt.pop_front();
            }
            self.dlt.push_back(DeadLetter {
                topic: dlt,
                group: group.config.name.clone(),
                original_topic: topic,
                original_partition: p,
                original_offset: off,
                key: record.key.clone(),
                attempts: max_attempts,
                at: now,
            });
        } else {
            let i = (off - log.start) as usize;
            let seen = cursor.processed.get(i).copied().unwrap_or(0);
            if let Some(slot) = cursor.processed.get_mut(i) {
                *slot = slot.saturating_add(1);
            }
            group.counts.processed += 1;
            group.members[m].processed += 1;
            if seen > 0 {
                if off < cursor.replay_until {
                    group.counts.replayed += 1;
                } else {
                    group.counts.duplicates += 1;
                }
            }
            // First processings only: a replay or a duplicate repeats an old record on purpose
            // and says nothing about the order records are first handled in.
            if let (0, Some(k)) = (seen, &record.key) {
                if group.order.len() >= HISTORY_CAP {
                    group.order.pop_front();
                }
                group.order.push_back((k.clone(), record.seq));
            }
        }
        if group.config.commit == CommitMode::AfterProcessing && owns {
            group.members[m].pending.push((p, off + 1));
        }
        Self::done_with(&mut group.members[m], p, off);
        if group.members[m].queue.is_empty() {
            Self::commit_pending(group, m, None);
        }
        self.start_next(g, m);
    }

    /// Takes a finished record off the member's queue. A rebalance may already have removed it
    /// (its partition was revoked while it was in hand): then the queue is left alone.
    fn done_with(member: &mut Member, p: u32, off: u64) {
        if member.queue.front() == Some(&(p, off)) {
            member.queue.pop_front();
        }
    }

    /// Commits a member's finished offsets (of one partition, or all).
    fn commit_pending(group: &mut Group, m: usize, only: Option<u32>) {
        let pending = std::mem::take(&mut group.members[m].pending);
        let mut kept = Vec::new();
        for (p, next) in pending {
            if only.is_some_and(|o| o != p) {
                kept.push((p, next));
                continue;
            }
            let c = &mut group.cursors[p as usize];
            c.committed = Some(c.committed.unwrap_or(0).max(next));
        }
        group.members[m].pending = kept;
    }

    fn auto_commit(&mut self, g: usize, m: usize) {
        let group = &mut self.groups[g];
        if !group.members[m].alive {
            return;
        }
        for &p in &group.members[m].partitions {
            let c = &mut group.cursors[p as usize];
            // The fetch position, whether or not those records were processed yet.
            c.committed = Some(c.position);
        }
        let every = group.config.auto_commit_interval.max(Millis(1));
        self.schedule(
            self.now.saturating_add(every),
            Due::AutoCommit {
                group: g,
                member: m,
            },
        );
    }

    fn retention(&mut self) {
        let cutoff = self.now.0.saturating_sub(self.sc.topic.retention.0);
        for (p, log) in self.partitions.iter_mut().enumerate() {
            while log
                .records
                .front()
                .is_some_and(|r| r.published_at.0 < cutoff)
            {
                log.records.pop_front();
                log.start += 1;
                for g in &mut self.groups {
                    g.cursors[p].processed.pop_front();
                }
            }
        }
        self.schedule(
            self.now.saturating_add(Millis::from_secs(1)),
            Due::Retention,
        );
    }

    /// How many times group `g` has processed a retained record (None: not retained).
    pub fn times_processed(&self, g: usize, p: usize, offset: u64) -> Option<u16> {
        let start = self.partitions[p].start;
        offset
            .checked_sub(start)
            .and_then(|i| self.groups[g].cursors[p].processed.get(i as usize).copied())
    }

    /// Records not yet committed by a group in a partition (Kafka's consumer lag).
    pub fn lag(&self, g: usize, p: usize) -> u64 {
        let log = &self.partitions[p];
        let committed = self.groups[g].cursors[p].committed.unwrap_or(log.start);
        log.end().saturating_sub(committed.max(log.start))
    }

    pub fn group_lag(&self, g: usize) -> u64 {
        (0..self.partitions.len()).map(|p| self.lag(g, p)).sum()
    }

    /// How often group `g` processed a record before one published earlier: first within the
    /// same key (which Kafka's per-partition order rules out), then across keys (which it does
    /// not promise). Over the latest [`HISTORY_CAP`] processings.
    pub fn order_inversions(&self, g: usize) -> (u64, u64) {
        let order = &self.groups[g].order;
        let mut last: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
        let mut per_key = 0;
        for (key, seq) in order {
            if last.insert(key, *seq).is_some_and(|prev| *seq < prev) {
                per_key += 1;
            }
        }
        let across = order
            .iter()
            .zip(order.iter().skip(1))
            .filter(|(a, b)| b.1 < a.1)
            .count() as u64;
        (per_key, across)
    }
}
