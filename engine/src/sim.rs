//! The queue simulation: its timers on the kernel's agenda, the message store, and the command
//! dispatcher. Delivery, producers and the HTTP baseline live in their own files as further
//! `impl Sim` blocks.

use crate::kernel::decimal::Decimal;
use crate::kernel::lean::push_lean;
use crate::kernel::sorted::SortedMap;
use crate::line::Line;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use crate::command::Command;
use crate::consumer::Consumer;
use crate::error::ScenarioError;
use crate::event::{Event, EventKind};
use crate::kernel::rng::Rng;
use crate::kernel::time::Millis;
use crate::message::{Handle, Message, MsgId, MsgState};
use crate::metrics::{Counts, Metrics};
use crate::queue::Ready;
use crate::scenario::{Mode, QueueKind, Scenario};
use crate::store::Store;

/// Something scheduled to happen at a simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    Poll { consumer: u32 },
    BatchDone { consumer: u32, batch: u64 },
    Crash { consumer: u32, batch: u64 },
    Restart { consumer: u32, token: u64 },
    Heartbeat { consumer: u32, batch: u64 },
    Visibility { h: Handle, receipt: u32 },
    DelayEnd { h: Handle },
    Retention,
    DlqRetention,
    Redrive,
    Sample,
    ReplyArrives { h: Handle },
    HttpTimeout { h: Handle },
    HttpDone { consumer: u32, h: Handle },
}

/// One queue with its consumer pool, dead-letter queue, reply queue and store, run as a member of a
/// [`crate::World`]: the world owns the clock, the agenda, the producers, the commands and the
/// event log, and collects what this member schedules (`timers`) and emits (`emitted`) after
/// every call into it. The page and the tests read its state here.
pub struct Sim {
    pub(crate) sc: Scenario,
    pub(crate) now: Millis,
    pub(crate) rng: Rng,
    /// What it scheduled since the world last collected, in order.
    pub(crate) timers: crate::kernel::timers::Timers<Timer>,
    /// What it emitted since the world last collected.
    pub(crate) emitted: Vec<Event>,
    /// The messages, and the main queue's publish order (for retention and drop-oldest).
    pub(crate) store: Store,
    /// Finished messages in the order they finished, for evicting the oldest past `limits.history`.
    history: Line,
    pub(crate) ready: Ready,
    pub(crate) dlq: Line,
    /// Each dead letter's retention deadline, soonest first, as `(deadline, id, slot)`: a sweep
    /// takes only what is due, so a long DLQ expiring one message at a time stays linear. An
    /// entry whose message has since moved on (redriven, or dead-lettered again with a new
    /// deadline) is skipped when it comes up. The id is its low 32 bits, as in a [`Line`]:
    /// 16 bytes an entry, not 24 (rush hour's peak holds about 350,000).
    dlq_expiries: BinaryHeap<Reverse<(Millis, u32, u32)>>,
    dlq_next_expiry: Millis,
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) waiting: VecDeque<u32>,
    pub(crate) counts: Counts,
    pub(crate) metrics: Metrics,
    pub(crate) next_msg: MsgId,
    pub(crate) next_batch: u64,
    /// FIFO deduplication ids and when each stops counting. Only looked up, never walked (the
    /// order of expiry is `dedup_order`'s), so a hash map's order cannot reach the log; a
    /// `BTreeMap` cost the page its own copy of the tree's code.
    pub(crate) dedup: HashMap<u64, Millis>,
    pub(crate) dedup_order: VecDeque<(Millis, u64)>,
    /// Event ids that have been processed at least once (1 bit each).
    pub(crate) processed_events: BitSet,
    /// FIFO: the highest sequence number processed per group, to detect order violations.
    pub(crate) group_last_seq: SortedMap<u32, u64>,
    redriving: bool,
    pub(crate) http_backlog: Line,
    pub(crate) poison_fixed: bool,
    lag_alerting: bool,
    /// The soonest retention sweep on the agenda (`Millis::MAX` for none). A sweep that fires
    /// before it is a stale one and does nothing, so duplicate timers die out instead of each
    /// scheduling another.
    retention_at: Millis,
}

/// A growable bit set over event ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct BitSet(Vec<u64>);

impl BitSet {
    pub fn contains(&self, i: u64) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    pub fn insert(&mut self, i: u64) {
        let w = (i / 64) as usize;
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << (i % 64);
    }
}

impl Sim {
    /// Validates the scenario and sets the queue up at time 0 as a world's member. The
    /// scenario's producers are there for their per-message settings (delays); the world runs
    /// them, and its timed commands.
    pub(crate) fn member(scenario: Scenario) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let seed = scenario.seed;
        let fifo = scenario.queue.kind == QueueKind::Fifo;
        let metrics = Metrics::new(scenario.metrics.sample_every, scenario.metrics.max_points);
        let consumers = (0..scenario.consumers.count)
            .map(|_| Consumer::new(scenario.consumers.online))
            .collect();
        let mut sim = Sim {
            now: Millis::ZERO,
            rng: Rng::stream(seed, "main"),
            timers: crate::kernel::timers::Timers::new(),
            emitted: Vec::new(),
            store: Store::default(),
            history: Line::default(),
            ready: Ready::new(fifo),
            dlq: Line::default(),
            dlq_expiries: BinaryHeap::new(),
            dlq_next_expiry: Millis::MAX,
            consumers,
            waiting: VecDeque::new(),
            counts: Counts::default(),
            metrics,
            next_msg: 1,
            next_batch: 1,
            dedup: HashMap::new(),
            dedup_order: VecDeque::new(),
            processed_events: BitSet::default(),
            group_last_seq: SortedMap::default(),
            redriving: false,
            http_backlog: Line::default(),
            poison_fixed: false,
            lag_alerting: false,
            retention_at: Millis::MAX,
            sc: scenario,
        };
        let every = sim.sc.metrics.sample_every;
        sim.schedule(every, Timer::Sample);
        for c in 0..sim.consumers.len() as u32 {
            sim.consumer_ready(c);
        }
        Ok(sim)
    }

    /// The scenario with every runtime setting change applied so far.
    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// A message still in the store (live ones, and the most recent `limits.history` finished ones).
    pub fn message(&self, id: MsgId) -> Option<&Message> {
        self.store.iter().find(|m| m.id() == id)
    }

    /// Every stored message in no particular order: the cheap way to count or find.
    pub fn message_iter(&self) -> impl Iterator<Item = &Message> {
        self.store.iter()
    }

    /// Every stored message in publish order (sorted: reused slots break the store's order).
    pub fn messages(&self) -> Vec<&Message> {
        let mut all: Vec<&Message> = self.message_iter().collect();
        all.sort_by_key(|m| m.id());
        all
    }

    // ---- internals shared by the other `impl Sim` files ----

    pub(crate) fn schedule(&mut self, at: Millis, timer: Timer) {
        self.timers.schedule(self.now, at, timer);
    }

    pub(crate) fn emit(&mut self, kind: EventKind) {
        // The world's log holds a member's events, in the world's order, with one hash over
        // all of them.
        self.emitted.push(Event { t: self.now, kind });
    }

    pub(crate) fn msg(&self, h: Handle) -> Option<&Message> {
        self.store.get(h)
    }

    pub(crate) fn msg_mut(&mut self, h: Handle) -> Option<&mut Message> {
        self.store.get_mut(h)
    }

    pub(crate) fn state(&self, h: Handle) -> Option<MsgState> {
        self.msg(h).map(|m| m.state())
    }

    /// The one place a message changes state: keeps the per-state counts, FIFO group blocking,
    /// and the bounded history consistent.
    pub(crate) fn set_state(&mut self, h: Handle, new: MsgState) {
        let Some(m) = self.store.get_mut(h) else {
            return;
        };
        let old = m.state();
        let group = m.group();
        m.set_state(new);
        *self.counts.state_mut(&old) -= 1;
        *self.counts.state_mut(&new) += 1;
        let was_in_flight = matches!(old, MsgState::InFlight { .. });
        let is_in_flight = matches!(new, MsgState::InFlight { .. });
        if self.sc.mode == Mode::Queue && was_in_flight != is_in_flight {
            self.ready
                .group_in_flight(group, if is_in_flight { 1 } else { -1 });
        }
        if new.is_terminal() && !old.is_terminal() {
            self.history.push_back(h);
            if self.history.len() > self.sc.limits.history as usize {
                if let Some(old) = self.history.pop_front() {
                    // Frees a finished message's slot; its counts stay.
                    self.store.forget(old);
                }
            }
        }
        if matches!(new, MsgState::DeadLettered { .. }) || (new.is_terminal() && !old.is_terminal())
        {
            self.compact_live();
        }
    }

    /// Keeps the publish-order line close to the messages actually in the queue. Its finished
    /// entries hold their slots (see [`crate::store`]), so it may run only an eighth over.
    fn compact_live(&mut self) {
        let in_queue =
            (self.counts.visible + self.counts.delayed + self.counts.in_flight + self.counts.held)
                as usize;
        if self.store.live_len() > in_queue + in_queue / 8 + 1024 {
            self.store.live_retain(|m| {
                !m.state().is_terminal() && !matches!(m.state(), MsgState::DeadLettered { .. })
            });
        }
    }

    /// Makes sure a sweep is due when message `h`, just added to the main queue, outlives its
    /// retention. Only its own deadline matters: every message before it already has a sweep.
    pub(crate) fn ensure_retention_check(&mut self, h: Handle) {
        let Some(m) = self.msg(h) else { return };
        let at = m.published_at().saturating_add(self.sc.queue.retention);
        if at < self.retention_at {
            self.retention_at = at;
            self.schedule(at, Timer::Retention);
        }
    }

    /// True if the message is older than the queue's retention period.
    pub(crate) fn past_retention(&self, m: &Message) -> bool {
        self.now.saturating_sub(m.published_at()) >= self.sc.queue.retention
    }

    /// A message of the main queue outlived its retention (or time to live): dead-lettered
    /// with the reason `expired` where the profile does that and there is somewhere to go,
    /// otherwise gone.
    pub(crate) fn expire_from_queue(&mut self, h: Handle) {
        if self.sc.queue.dead_letter_drops() && self.sc.dlq.is_some() {
            self.dead_letter(h, crate::message::DeadLetterReason::Expired);
        } else {
            self.expire(h);
        }
    }

    pub(crate) fn expire(&mut self, h: Handle) {
        let at = self.now;
        self.set_state(h, MsgState::Expired { at });
        self.emit(EventKind::Expired { msg: h.id });
    }

    fn retention_sweep(&mut self) {
        if self.now < self.retention_at {
            return;
        }
        self.retention_at = Millis::MAX;
        let mut keep = Vec::new();
        while let Some(h) = self.store.live_front() {
            let Some(m) = self.msg(h) else {
                self.store.live_pop_front();
                continue;
            };
            if !self.past_retention(m) {
                break;
            }
            let state = m.state();
            self.store.live_pop_front();
            match state {
                MsgState::Visible | MsgState::Delayed { .. } => self.expire_from_queue(h),
                // Expires when its visibility runs out, if not deleted first.
                MsgState::InFlight { .. } | MsgState::Held { .. } => keep.push(h),
                _ => {}
            }
        }
        while let Some(h) = keep.pop() {
            self.store.live_push_front(h);
        }
        // The next check is due when the oldest message not yet past retention gets there.
        let next = self
            .store
            .live_iter()
            .filter_map(|h| self.msg(h))
            .find(|m| !self.past_retention(m))
            .map(|m| m.published_at().saturating_add(self.sc.queue.retention));
        if let Some(at) = next {
            self.retention_at = at;
            self.schedule(at, Timer::Retention);
        }
    }

    /// The delivery limit was reached and there is nowhere to dead-letter to: RabbitMQ drops
    /// the message (semantics.md §2.3 "Missing DLX").
    pub(crate) fn drop_at_limit(&mut self, h: Handle) {
        let at = self.now;
        let deliveries = self.msg(h).map_or(0, |m| m.receive_count());
        self.set_state(h, MsgState::Dropped { at });
        self.emit(EventKind::DroppedAtLimit {
            msg: h.id,
            deliveries,
        });
    }

    pub(crate) fn dead_letter(&mut self, h: Handle, reason: crate::message::DeadLetterReason) {
        let Some(retention) = self.sc.dlq.as_ref().map(|d| d.retention) else {
            return;
        };
        let at = self.now;
        self.set_state(h, MsgState::DeadLettered { at, reason });
        self.dlq.push_back(h);
        self.counts.dlq_moves += 1;
        self.emit(EventKind::DeadLettered { msg: h.id, reason });
        let expiry = self.msg(h).map_or(at.saturating_add(retention), |m| {
            self.dlq_deadline(m, at, retention)
        });
        push_lean(
            &mut self.dlq_expiries,
            Reverse((expiry, h.id as u32, h.slot)),
        );
        if expiry < self.dlq_next_expiry {
            self.dlq_next_expiry = expiry;
            self.schedule(expiry, Timer::DlqRetention);
        }
    }

    /// When a message dead-lettered at `dead_at` leaves the DLQ (semantics.md §1): standard
    /// DLQs keep the original enqueue time; FIFO DLQs start counting again.
    fn dlq_deadline(&self, m: &Message, dead_at: Millis, retention: Millis) -> Millis {
        match self.sc.queue.kind {
            QueueKind::Standard => m.published_at(),
            QueueKind::Fifo => dead_at,
        }
        .saturating_add(retention)
    }

    fn dlq_retention_sweep(&mut self) {
        let Some(retention) = self.sc.dlq.as_ref().map(|d| d.retention) else {
            return;
        };
        if self.now < self.dlq_next_expiry {
            return;
        }
        while let Some(&Reverse((due, tag, slot))) = self.dlq_expiries.peek() {
            if due > self.now {
                break;
            }
            self.dlq_expiries.pop();
            // The slot's message, if it is still the one this entry was made for.
            let Some(id) = self.store.id_at(slot).filter(|&id| id as u32 == tag) else {
                continue;
            };
            let h = Handle { slot, id };
            let Some(m) = self.msg(h) else { continue };
            let MsgState::DeadLettered { at, .. } = m.state() else {
                continue;
            };
            // Its deadline now: a message dead-lettered again has a later one of its own.
            if self.dlq_deadline(m, at, retention) <= self.now {
                self.expire(h);
            }
        }
        // Gone entries leave `dlq` from the front at once, and from anywhere once they are
        // half of it, so keeping it tidy costs a constant per dead letter.
        let store = &self.store;
        let gone = |h: &Handle| {
            !store
                .get(*h)
                .is_some_and(|m| matches!(m.state(), MsgState::DeadLettered { .. }))
        };
        while self.dlq.front().is_some_and(|h| gone(&h)) {
            self.dlq.pop_front();
        }
        if self.dlq.len() > 2 * self.counts.dead_lettered as usize + 64 {
            self.dlq.retain(|h| !gone(h));
        }
        let next = self
            .dlq_expiries
            .peek()
            .map_or(Millis::MAX, |Reverse((due, _, _))| *due);
        self.dlq_next_expiry = next;
        if next < Millis::MAX {
            self.schedule(next, Timer::DlqRetention);
        }
    }

    pub(crate) fn redrive_one(&mut self, h: Handle) -> bool {
        let Some(m) = self.msg_mut(h) else {
            return false;
        };
        if !matches!(m.state(), MsgState::DeadLettered { .. }) {
            return false;
        }
        m.redriven();
        let (group, seq, id) = (m.group(), m.seq(), m.id());
        self.set_state(h, MsgState::Visible);
        self.ready.push_new(h, group, seq);
        self.store.live_insert(h);
        self.ensure_retention_check(h);
        self.counts.redriven += 1;
        self.emit(EventKind::Redriven { msg: id });
        true
    }

    fn redrive_tick(&mut self) {
        if !self.redriving {
            return;
        }
        while let Some(h) = self.dlq.pop_front() {
            if self.redrive_one(h) {
                break;
            }
        }
        self.wake();
        // Every dead letter is in `dlq`, so the count says whether any are left to move.
        let more = self.counts.dead_lettered > 0;
        if more {
            let rate = self.sc.dlq.as_ref().map_or(10.0, |d| d.redrive_rate);
            let gap = Millis::round(1000.0 / rate).max(Millis(1));
            self.schedule(self.now.saturating_add(gap), Timer::Redrive);
        } else {
            self.redriving = false;
        }
    }

    fn find_dlq(&self, id: MsgId) -> Option<Handle> {
        self.dlq
            .iter()
            .find(|h| h.id == id && matches!(self.state(*h), Some(MsgState::DeadLettered { .. })))
    }

    /// Drops finished and dead-lettered entries from the front of `live`, so that scans for the
    /// oldest waiting message start where the waiting messages are.
    ///
    /// Finished entries behind a waiting one go too, up to the first message nobody has
    /// received yet: past it, nothing has finished. A poison pill waiting out its receives
    /// at the front would otherwise hold every slot finished behind it (see [`crate::store`]).
    fn trim_live_front(&mut self) {
        self.store.live_trim_front(
            |m| {
                matches!(
                    m.state(),
                    MsgState::Visible
                        | MsgState::Delayed { .. }
                        | MsgState::InFlight { .. }
                        | MsgState::Held { .. }
                )
            },
            |m| m.receive_count() == 0,
        );
    }

    fn sample(&mut self) {
        self.trim_live_front();
        let oldest = self.oldest_waiting_age();
        let counts = self.counts.clone();
        self.metrics.sample(&counts, oldest);
        let backlog = counts.backlog();
        let alert = backlog > u64::from(self.sc.metrics.lag_alert);
        if alert && !self.lag_alerting {
            self.emit(EventKind::LagAlert { backlog });
        }
        self.lag_alerting = alert;
        let every = self.sc.metrics.sample_every;
        self.schedule(self.now.saturating_add(every), Timer::Sample);
    }

    /// Age of the oldest message waiting to be received (SQS `ApproximateAgeOfOldestMessage`,
    /// which is approximate too: a standard queue's oldest is among the first few ready entries).
    pub fn oldest_waiting_age(&self) -> Millis {
        self.ready
            .oldest_candidates(32)
            .into_iter()
            .filter_map(|h| self.msg(h))
            .filter(|m| m.state() == MsgState::Visible)
            .map(|m| m.published_at())
            .min()
            .map_or(Millis::ZERO, |t| self.now.saturating_sub(t))
    }

    /// Whether a lag alert is active (backlog above `metrics.lag_alert` at the last sample).
    pub fn lag_alert(&self) -> bool {
        self.lag_alerting
    }

    /// As a world's member: the world's clock moved on.
    pub(crate) fn set_now(&mut self, now: Millis) {
        self.now = self.now.max(now);
    }

    pub(crate) fn fire(&mut self, timer: Timer, at: Millis) {
        match timer {
            Timer::Poll { consumer } => self.poll_timer(consumer, at),
            Timer::BatchDone { consumer, batch } => self.batch_done(consumer, batch),
            Timer::Crash { consumer, batch } => {
                if self.consumers[consumer as usize]
                    .batch
                    .as_ref()
                    .is_some_and(|b| b.id == batch)
                {
                    self.crash(consumer);
                }
            }
            Timer::Restart { consumer, token } => self.restart(consumer, token),
            Timer::Heartbeat { consumer, batch } => self.heartbeat(consumer, batch),
            Timer::Visibility { h, receipt } => self.visibility_timer(h, receipt),
            Timer::DelayEnd { h } => self.delay_end(h),
            Timer::Retention => self.retention_sweep(),
            Timer::DlqRetention => self.dlq_retention_sweep(),
            Timer::Redrive => self.redrive_tick(),
            Timer::Sample => self.sample(),
            Timer::ReplyArrives { h } => {
                // When it arrived is the event's time: a trace reads it from the log.
                if self.msg(h).is_some() {
                    self.counts.replies_received += 1;
                    self.emit(EventKind::ReplyReceived { msg: h.id });
                }
            }
            Timer::HttpTimeout { h } => self.http_timeout(h),
            Timer::HttpDone { consumer, h } => self.http_done(consumer, h),
        }
    }

    fn setting(&mut self, name: &str, value: impl std::fmt::Display) {
        self.emit(EventKind::Setting {
            name: name.to_owned(),
            value: value.to_string(),
        });
    }

    pub(crate) fn apply(&mut self, command: Command) {
        match command {
            Command::SetOnline { consumer, online } => {
                let targets: Vec<u32> = match consumer {
                    Some(c) => vec![c],
                    None => (0..self.consumers.len() as u32)
                        .filter(|&c| !self.consumers[c as usize].retired)
                        .collect(),
                };
                for c in targets {
                    if (c as usize) < self.consumers.len() {
                        self.set_online(c, online);
                    }
                }
            }
            Command::Crash { consumer } => {
                if (consumer as usize) < self.consumers.len() {
                    self.crash(consumer);
                }
            }
            Command::ScaleConsumers { count } => self.scale(count),
            Command::SetBatchFailure { mode } => {
                self.sc.consumers.batch_failure = mode;
                self.setting("batch failure mode", mode.words());
            }
            Command::SetBatchSize { size } => {
                self.sc.consumers.batch_size = size;
                self.setting("batch size", size);
            }
            Command::SetAck { mode } => {
                self.sc.consumers.ack = mode;
                self.setting("ack mode", mode.words());
            }
            Command::SetIdempotent { on } => {
                self.sc.consumers.idempotent = on;
                self.setting("idempotent consumer", on);
            }
            Command::SetVisibilityTimeout { timeout } => {
                self.sc.queue.visibility_timeout = timeout;
                self.setting("visibility timeout", timeout);
            }
            Command::SetExtendVisibility { on } => {
                self.sc.consumers.extend_visibility = on;
                self.setting("visibility extension", on);
            }
            Command::SetMaxReceiveCount { count } => {
                match count {
                    Some(n) => {
                        self.sc
                            .dlq
                            .get_or_insert_with(Default::default)
                            .max_receive_count = n;
                    }
                    None => self.sc.dlq = None,
                }
                self.setting(
                    "maxReceiveCount",
                    count.map_or("off (no DLQ)".to_owned(), |n| n.to_string()),
                );
            }
            Command::SetFailureRate { rate } => {
                self.sc.consumers.failure_rate = rate;
                self.setting("failure rate", Decimal::short(rate));
            }
            Command::SetOnInvalid { mode } => {
                self.sc.consumers.on_invalid = mode;
                self.setting("invalid messages", mode.words());
            }
            Command::SetProcessingTime { mean } => {
                self.sc.consumers.processing.mean = mean;
                self.setting("processing time", mean);
            }
            Command::SetRetry { policy } => {
                self.setting("retry policy", policy.words());
                self.sc.queue.retry = policy;
            }
            Command::RedriveAll => {
                if !self.redriving {
                    self.redriving = true;
                    self.schedule(self.now, Timer::Redrive);
                }
            }
            Command::RedriveOne { message } => {
                if let Some(h) = self.find_dlq(message) {
                    self.redrive_one(h);
                    self.wake();
                }
            }
            Command::Discard { message } => {
                if let Some(h) = self.find_dlq(message) {
                    let at = self.now;
                    self.set_state(h, MsgState::Discarded { at });
                    self.emit(EventKind::Discarded { msg: message });
                }
            }
            Command::FixPoison => {
                self.poison_fixed = true;
                self.setting("poison fix deployed", true);
            }
            // The world runs the producers (sends, spikes, rates, hot keys); validation keeps a
            // seek away from queues, which have no offsets to move.
            Command::Send { .. }
            | Command::Resend { .. }
            | Command::Spike { .. }
            | Command::SetRate { .. }
            | Command::SetHotKey { .. }
            | Command::Publish { .. }
            | Command::Seek { .. } => {}
            Command::Take { outcome } => self.take(outcome),
        }
    }
}
