//! A consumer group at work: membership and rebalancing, fetching, processing, commits and
//! retention.

use super::*;

impl StreamSim {
    pub(super) fn add_member(&mut self, g: usize) -> usize {
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
            self.next_auto_commit(g, m);
        }
        self.emit(EventKind::GroupMemberJoined {
            group: g as u32,
            member: m as u32,
        });
        m
    }

    /// A member leaves: cleanly (it commits what it finished, as `close()` does) or by
    /// crashing (it commits nothing more). What it fetched but did not finish is dropped, and
    /// the group rebalances.
    pub(super) fn leave(&mut self, g: usize, m: usize, clean: bool) {
        if clean {
            Self::commit_pending(&mut self.groups[g], m, None);
        }
        // A rebalance leaves the record a live member is working on out of its skip count and
        // moves past it, trusting that member to finish it. If the member leaves first, the
        // group has committed past a record nobody will read again: skipped, counted here.
        let group = &mut self.groups[g];
        if let Some((p, off, _)) = group.members[m].busy {
            let cursor = &group.cursors[p as usize];
            let start = self.partitions[p as usize].start;
            let unread = off >= start
                && off < cursor.settled
                && cursor.processed.get((off - start) as usize).copied() == Some(0)
                && cursor.committed.is_some_and(|c| c > off)
                && !cursor.dead.contains_key(&off);
            if unread {
                group.counts.skipped += 1;
                group.cursors[p as usize].skipped.insert(off, ());
                self.emit(EventKind::RecordsSkipped {
                    group: g as u32,
                    partition: p,
                    count: 1,
                });
            }
        }
        let member = &mut self.groups[g].members[m];
        member.pending.clear();
        member.alive = false;
        member.queue.clear();
        member.busy = None;
        member.partitions.clear();
        self.emit(EventKind::GroupMemberLeft {
            group: g as u32,
            member: m as u32,
            crashed: !clean,
        });
        self.rebalance(g);
    }

    /// Reassigns partitions among the live members.
    pub(super) fn rebalance(&mut self, g: usize) {
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
        let mut skips = Vec::new();
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
            let mut count = 0;
            for off in cursor.settled.max(log.start)..start {
                let i = (off - log.start) as usize;
                if cursor.processed.get(i).copied() == Some(0)
                    && cursor.committed.is_some()
                    && !in_hand.contains(&off)
                    && !cursor.dead.contains_key(&off)
                {
                    count += 1;
                    cursor.skipped.insert(off, ());
                }
            }
            if count > 0 {
                group.counts.skipped += count;
                skips.push((p as u32, count));
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
        let members = live.len() as u32;
        for (partition, count) in skips {
            self.emit(EventKind::RecordsSkipped {
                group: g as u32,
                partition,
                count,
            });
        }
        self.emit(EventKind::Rebalanced {
            group: g as u32,
            members,
        });
        woken.sort_unstable();
        woken.dedup();
        for i in woken {
            let at = self.groups[g].members[i].paused_until.max(now);
            self.schedule(
                at,
                Due::Poll {
                    group: g as u32,
                    member: i as u32,
                },
            );
        }
    }

    pub(super) fn seek(&mut self, g: usize, to: SeekTo) {
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

    pub(super) fn wake(&mut self, g: usize, m: usize) {
        let member = &self.groups[g].members[m];
        if member.alive && member.busy.is_none() {
            let at = member.paused_until.max(self.now);
            self.schedule(
                at,
                Due::Poll {
                    group: g as u32,
                    member: m as u32,
                },
            );
        }
    }

    /// A member takes up to `max_poll_records` records from its partitions, in offset order
    /// per partition, and starts on the first.
    pub(super) fn poll(&mut self, g: usize, m: usize) {
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

    pub(super) fn start_next(&mut self, g: usize, m: usize) {
        let group = &mut self.groups[g];
        let Some(&(p, off)) = group.members[m].queue.front() else {
            // Nothing to do: look again shortly.
            let at = self.now.saturating_add(POLL_EVERY);
            self.schedule(
                at,
                Due::Poll {
                    group: g as u32,
                    member: m as u32,
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
                group: g as u32,
                member: m as u32,
            },
        );
    }

    pub(super) fn finish(&mut self, g: usize, m: usize) {
        let now = self.now;
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
        let (gi, mi) = (g as u32, m as u32);
        let mut outcome: [Option<EventKind>; 2] = [None, None];
        if record.poison {
            cursor.attempts += 1;
            group.counts.failures += 1;
            let failed = EventKind::RecordFailed {
                group: gi,
                member: mi,
                partition: p,
                offset: off,
                attempt: cursor.attempts,
            };
            let still_queued = group.members[m].queue.front() == Some(&(p, off));
            if !owns || !still_queued {
                // Revoked (or sought away from) while failing: this member may not retry it.
                // If the group has committed past it, nobody will.
                let skipped =
                    cursor.committed.is_some_and(|c| c > off) && !cursor.dead.contains_key(&off);
                if skipped {
                    group.counts.skipped += 1;
                    cursor.skipped.insert(off, ());
                }
                Self::done_with(&mut group.members[m], p, off);
                self.emit(failed);
                if skipped {
                    self.emit(EventKind::RecordsSkipped {
                        group: gi,
                        partition: p,
                        count: 1,
                    });
                }
                self.start_next(g, m);
                return;
            }
            if cursor.attempts < max_attempts {
                // Retry in place: the partition waits behind it (order per key is kept).
                self.emit(failed);
                self.start_next(g, m);
                return;
            }
            cursor.attempts = 0;
            // Read again after a rebalance, a record is dead-lettered again (the application
            // publishes it twice); the count is of distinct records.
            if cursor.dead.insert(off, ()).is_none() {
                group.counts.dead_lettered += 1;
            }
            if self.dlt.len() >= HISTORY_CAP {
                self.dlt.pop_front();
            }
            self.dlt.push_back(DeadLetter {
                topic: super::run::dead_letter_topic(&self.sc.topic.name),
                group: group.config.name.clone(),
                original_topic: self.sc.topic.name.clone(),
                original_partition: p,
                original_offset: off,
                key: record.key.name(),
                attempts: max_attempts,
                at: now,
            });
            outcome = [
                Some(failed),
                Some(EventKind::RecordDeadLettered {
                    group: gi,
                    partition: p,
                    offset: off,
                }),
            ];
        } else {
            let i = (off - log.start) as usize;
            let seen = cursor.processed.get(i).copied().unwrap_or(0);
            if let Some(slot) = cursor.processed.get_mut(i) {
                *slot = slot.saturating_add(1);
            }
            group.counts.processed += 1;
            group.members[m].processed += 1;
            outcome[0] = Some(EventKind::RecordProcessed {
                group: gi,
                member: mi,
                partition: p,
                offset: off,
                times: seen.saturating_add(1),
            });
            if seen > 0 {
                if off < cursor.replay_until {
                    group.counts.replayed += 1;
                } else {
                    group.counts.duplicates += 1;
                }
            }
            // First processings only: a replay or a duplicate repeats an old record on purpose
            // and says nothing about the order records are first handled in.
            if seen == 0 && record.key != Key::NONE {
                if group.order.len() >= HISTORY_CAP {
                    group.order.pop_front();
                }
                group.order.push_back((record.key, record.seq));
            }
        }
        if group.config.commit == CommitMode::AfterProcessing && owns {
            group.members[m].pending.push((p, off + 1));
        }
        Self::done_with(&mut group.members[m], p, off);
        if group.members[m].queue.is_empty() {
            Self::commit_pending(group, m, None);
        }
        for kind in outcome.into_iter().flatten() {
            self.emit(kind);
        }
        self.start_next(g, m);
    }

    /// Takes a finished record off the member's queue. A rebalance may already have removed it
    /// (its partition was revoked while it was in hand): then the queue is left alone.
    pub(super) fn done_with(member: &mut Member, p: u32, off: u64) {
        if member.queue.front() == Some(&(p, off)) {
            member.queue.pop_front();
        }
    }

    /// Commits a member's finished offsets (of one partition, or all).
    pub(super) fn commit_pending(group: &mut Group, m: usize, only: Option<u32>) {
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

    pub(super) fn auto_commit(&mut self, g: usize, m: usize) {
        let group = &mut self.groups[g];
        if !group.members[m].alive {
            return;
        }
        for &p in &group.members[m].partitions {
            let c = &mut group.cursors[p as usize];
            // The fetch position, whether or not those records were processed yet.
            c.committed = Some(c.position);
        }
        self.next_auto_commit(g, m);
    }

    /// `enable.auto.commit`: the member commits its fetch position every interval.
    fn next_auto_commit(&mut self, g: usize, m: usize) {
        let every = self.groups[g].config.auto_commit_interval.max(Millis(1));
        self.schedule(
            self.now.saturating_add(every),
            Due::AutoCommit {
                group: g as u32,
                member: m as u32,
            },
        );
    }

    pub(super) fn retention(&mut self) {
        let cutoff = self.now.0.saturating_sub(self.sc.topic.retention.0);
        let mut expired = Vec::new();
        for (p, log) in self.partitions.iter_mut().enumerate() {
            let before = log.start;
            while log
                .records
                .front()
                .is_some_and(|r| r.published_at.0 < cutoff)
            {
                log.records.pop_front();
                log.start += 1;
                for g in &mut self.groups {
                    let cursor = &mut g.cursors[p];
                    cursor.processed.pop_front();
                    // The mark goes with its record.
                    cursor.skipped.remove(&(log.start - 1));
                }
            }
            if log.start > before {
                expired.push((p as u32, log.start - before));
            }
        }
        for (partition, count) in expired {
            self.emit(EventKind::RecordsExpired { partition, count });
        }
        self.schedule(
            self.now.saturating_add(Millis::from_secs(1)),
            Due::Retention,
        );
    }
}
