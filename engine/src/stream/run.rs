//! Running the log: set-up, commands, the producers' records and the read-only queries.

use super::*;

impl StreamSim {
    /// The log as a member of a world: the world's producers append to it ([`Self::append`]),
    /// and the world runs its timers and timed commands, so the member only hands back what it
    /// schedules (`timers`) and emits (`emitted`). `keyless` spreads records without a key.
    /// The scenario's producers and commands are the world's business; the log ignores them.
    pub(crate) fn member(
        sc: StreamScenario,
        keyless: (KeylessPartitioner, u32),
    ) -> Result<StreamSim, ScenarioError> {
        sc.validate()?;
        let p = sc.topic.partitions as usize;
        let mut sim = StreamSim {
            now: Millis::ZERO,
            rng: Rng::stream(sc.seed, "main"),
            workload: Rng::stream(sc.seed, "workload"),
            timers: crate::kernel::timers::Timers::new(),
            partitions: vec![PartitionLog::default(); p],
            groups: Vec::new(),
            dlt: VecDeque::new(),
            published: 0,
            sticky: (0, 0),
            round_robin: 0,
            keyless,
            emitted: Vec::new(),
            sc,
        };
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
        // Set-up is not history: the first assignment is where the log starts.
        sim.emitted.clear();
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
    pub fn dlt_topic(&self) -> String {
        dead_letter_topic(&self.sc.topic.name)
    }

    pub(super) fn schedule(&mut self, at: Millis, due: Due) {
        self.timers.schedule(self.now, at, due);
    }

    /// Records what happened, for the world's log.
    pub(super) fn emit(&mut self, kind: crate::EventKind) {
        self.emitted.push(crate::Event { t: self.now, kind });
    }

    /// Runs one of its timers that fell due on the world's agenda.
    pub(crate) fn fire_timer(&mut self, due: Due, at: Millis) {
        self.now = self.now.max(at);
        self.fire(due);
    }

    pub(crate) fn set_now(&mut self, now: Millis) {
        self.now = self.now.max(now);
    }

    pub(super) fn fire(&mut self, due: Due) {
        match due {
            Due::Done { group, member } => self.finish(group as usize, member as usize),
            Due::Poll { group, member } => self.poll(group as usize, member as usize),
            Due::AutoCommit { group, member } => self.auto_commit(group as usize, member as usize),
            Due::Retention => self.retention(),
        }
    }

    pub(crate) fn apply(&mut self, c: StreamCommand) {
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
            // The world's producer holds the hot key's share.
            StreamCommand::SetHotKey { .. } => {}
        }
    }

    /// A message from the world's producers: `group` is its FIFO group, which is its key
    /// here (`store-N`; 0: no key; the hot key `hot`), `poison` whether processing it always
    /// fails.
    pub(crate) fn append(&mut self, event: u64, group: u32, poison: bool) {
        let (partition, offset) = self.append_record(Key(group), poison, event, self.keyless);
        self.emit(crate::EventKind::Appended {
            event,
            key: group,
            partition,
            offset,
        });
    }

    /// Puts a record on its partition: the key's murmur2 partition, or the choice of the
    /// sending producer's keyless partitioner (with its sticky batch size). Returns where it
    /// went.
    fn append_record(
        &mut self,
        key: Key,
        poison: bool,
        event: u64,
        keyless: (KeylessPartitioner, u32),
    ) -> (u32, u64) {
        let n = self.sc.topic.partitions;
        let partition = match key.partition(n) {
            Some(p) => p,
            None => match keyless.0 {
                KeylessPartitioner::RoundRobin => {
                    self.round_robin = (self.round_robin + 1) % n;
                    self.round_robin
                }
                KeylessPartitioner::Sticky => {
                    if self.sticky.1 == 0 {
                        self.sticky = (self.workload.below(u64::from(n)) as u32, keyless.1.max(1));
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
            event,
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
        (partition, offset)
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
        // Ordered, not hashed: the page carries the B-tree already, and this runs only when a
        // checkpoint reads its numbers.
        let mut last: std::collections::BTreeMap<Key, u64> = std::collections::BTreeMap::new();
        let mut per_key = 0;
        for (key, seq) in order {
            if last.insert(*key, *seq).is_some_and(|prev| *seq < prev) {
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

/// The name of the dead-letter topic for `topic`: one place, for the log and the page.
pub(super) fn dead_letter_topic(topic: &str) -> String {
    format!("{topic}-dlt")
}
