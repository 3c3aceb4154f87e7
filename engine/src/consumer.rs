//! Consumers: competing workers that receive batches, process them and settle each message.
//!
//! A batch is planned when it is received (each message's processing time and outcome are
//! drawn then, in order), and settled when its last message is done, or when the consumer
//! crashes part way through.

use crate::command::Payload;
use crate::event::EventKind;
use crate::kernel::time::Millis;
use crate::message::{DeadLetterReason, FailureCause, Handle, MsgState};
use crate::scenario::{AckMode, BatchFailure, Mode, OnInvalid};
use crate::sim::{Sim, Timer};

#[derive(Clone, Debug)]
pub(crate) struct Consumer {
    pub online: bool,
    /// Scaled away: finishes its batch, then takes no more.
    pub retired: bool,
    pub crashed_until: Option<Millis>,
    pub batch: Option<Batch>,
    /// Why the consumer is between receives, if it is: it wants to poll again at `due`.
    pub wait: Option<Wait>,
    pub due: Millis,
    /// The time of its one poll timer in the heap. Keeping a single armed timer per consumer
    /// (re-armed lazily when `due` moves later) keeps the heap small: a long poll that is woken
    /// early leaves no stale timer behind.
    pub armed: Option<Millis>,
    /// Invalidates outstanding restart timers.
    pub token: u64,
    /// HTTP mode: the request this worker is handling.
    pub http_job: Option<Handle>,
    /// Messages this worker processed: how competing consumers shared the queue's work.
    pub processed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Long polling: waiting for a message, until `due`.
    LongPoll,
    /// Short polling: asks again at `due`.
    ShortPoll,
    /// Filling a batch during the batching window, until `due`.
    Window,
}

#[derive(Clone, Debug)]
pub(crate) struct Batch {
    pub id: u64,
    pub items: Vec<Item>,
    pub ends: Millis,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub h: Handle,
    /// The receive count at receipt: our receipt handle. A delete with an older one is stale.
    pub receipt: u32,
    pub done_at: Millis,
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    Reject,
    Fail(FailureCause),
    /// Stop-at-first mode: not attempted because an earlier message failed.
    NotRun,
}

impl Consumer {
    pub fn new(online: bool) -> Consumer {
        Consumer {
            online,
            retired: false,
            crashed_until: None,
            batch: None,
            wait: None,
            due: Millis::ZERO,
            armed: None,
            token: 0,
            http_job: None,
            processed: 0,
        }
    }

    /// Up and allowed to work (it may still be busy).
    pub fn up(&self) -> bool {
        self.online && !self.retired && self.crashed_until.is_none()
    }

    pub fn idle(&self) -> bool {
        self.up() && self.batch.is_none() && self.http_job.is_none() && self.wait.is_none()
    }

    pub fn waiting(&self) -> bool {
        self.wait == Some(Wait::LongPoll)
    }
}

impl Sim {
    /// A consumer that may have become free: let it poll.
    pub(crate) fn consumer_ready(&mut self, c: u32) {
        if self.sc.mode == Mode::Http {
            self.http_worker_free(c);
        } else if self.consumers[c as usize].idle() {
            self.poll(c);
        }
    }

    fn next_token(&mut self, c: u32) -> u64 {
        let con = &mut self.consumers[c as usize];
        con.token += 1;
        con.token
    }

    /// The consumer wants to poll again at `at`, for `why`.
    fn request_poll(&mut self, c: u32, why: Wait, at: Millis) {
        let con = &mut self.consumers[c as usize];
        con.wait = Some(why);
        con.due = at;
        if con.armed.is_none_or(|armed| armed > at) {
            con.armed = Some(at);
            self.schedule(at, Timer::Poll { consumer: c });
        }
        if why == Wait::LongPoll {
            self.waiting.push_back(c);
        }
    }

    /// Stops waiting (woken, taken offline, crashed or scaled away); an armed timer is ignored.
    pub(crate) fn cancel_wait(&mut self, c: u32) {
        if self.consumers[c as usize].wait.take() == Some(Wait::LongPoll) {
            self.waiting.retain(|&w| w != c);
        }
    }

    pub(crate) fn poll(&mut self, c: u32) {
        let batch_size = self.sc.consumers.batch_size;
        let window = self.sc.consumers.batch_window;
        let con = &self.consumers[c as usize];
        if !con.up() || con.batch.is_some() {
            return;
        }
        let collected = con.wait == Some(Wait::Window);
        self.consumers[c as usize].wait = None;
        if window > Millis::ZERO && !collected && self.counts.visible < u64::from(batch_size) {
            self.request_poll(c, Wait::Window, self.now.saturating_add(window));
            return;
        }
        let items = self.receive(c, batch_size);
        if !items.is_empty() {
            self.start_batch(c, items);
            return;
        }
        let wait = self.sc.queue.receive_wait;
        if wait > Millis::ZERO {
            self.request_poll(c, Wait::LongPoll, self.now.saturating_add(wait));
        } else {
            self.counts.empty_receives += 1;
            self.emit(EventKind::EmptyReceive { consumer: c });
            let gap = self.sc.queue.short_poll_interval;
            self.request_poll(c, Wait::ShortPoll, self.now.saturating_add(gap));
        }
    }

    pub(crate) fn poll_timer(&mut self, c: u32, at: Millis) {
        let con = &mut self.consumers[c as usize];
        if con.armed != Some(at) {
            return;
        }
        con.armed = None;
        let Some(why) = con.wait else { return };
        if con.due > self.now {
            let due = con.due;
            con.armed = Some(due);
            self.schedule(due, Timer::Poll { consumer: c });
            return;
        }
        if why == Wait::LongPoll {
            // A long poll that waited its full time and found nothing.
            self.counts.empty_receives += 1;
            self.emit(EventKind::EmptyReceive { consumer: c });
        }
        self.cancel_wait(c);
        if why == Wait::Window {
            // `poll` sees that the batching window has been waited out.
            self.consumers[c as usize].wait = Some(Wait::Window);
        }
        self.poll(c);
    }

    /// Messages became visible: hand them to long-polling consumers at once.
    pub(crate) fn wake(&mut self) {
        let mut tries = self.waiting.len();
        while tries > 0 && self.counts.visible > 0 {
            tries -= 1;
            let Some(c) = self.waiting.pop_front() else {
                break;
            };
            if !self.consumers[c as usize].waiting() {
                continue;
            }
            self.consumers[c as usize].wait = None;
            let before = self.counts.receives;
            self.poll(c);
            if self.counts.receives == before {
                // Nothing deliverable (e.g. every FIFO group is blocked): stop waking others.
                break;
            }
        }
    }

    /// One ReceiveMessage call: up to `max` messages, skipping stale entries, expiring old ones
    /// and moving over-received ones to the DLQ, as SQS does at receive time.
    fn receive(&mut self, c: u32, max: u32) -> Vec<Item> {
        let mut items = Vec::new();
        let mut group: Option<u32> = None;
        let window = self.sc.queue.reorder_window;
        let ack_first = self.sc.consumers.ack == AckMode::BeforeProcessing;
        while items.len() < max as usize {
            let candidate = if self.ready.is_fifo() {
                let from_group = group.and_then(|g| self.ready.pop_group(g));
                match from_group {
                    Some(h) => Some(h),
                    None => match self.ready.next_group() {
                        Some(g) => {
                            group = Some(g);
                            continue;
                        }
                        None => None,
                    },
                }
            } else {
                self.ready.pick_standard(&mut self.rng, window)
            };
            let Some(h) = candidate else { break };
            let Some(m) = self.msg(h) else { continue };
            if m.state() != MsgState::Visible {
                continue;
            }
            if self.past_retention(m) {
                self.expire_from_queue(h);
                continue;
            }
            if let Some(max_receives) = self.sc.dlq.as_ref().map(|d| d.max_receive_count) {
                if m.receive_count() >= max_receives {
                    let reason = DeadLetterReason::MaxReceiveCount {
                        receives: crate::message::count16(m.receive_count()),
                        last_failure: m.last_failure(),
                    };
                    self.dead_letter(h, reason);
                    continue;
                }
            } else if let Some(max) = self.sc.queue.max_deliveries {
                if m.receive_count() >= max {
                    self.drop_at_limit(h);
                    continue;
                }
            }
            let now = self.now;
            let m = self.msg_mut(h).expect("checked above");
            m.received();
            let receipt = m.receive_count();
            let state = if ack_first {
                MsgState::Held { consumer: c }
            } else {
                MsgState::InFlight {
                    consumer: c,
                    deadline: now.saturating_add(self.sc.queue.visibility_timeout),
                }
            };
            self.set_state(h, state);
            self.counts.receives += 1;
            items.push(Item {
                h,
                receipt,
                done_at: now,
                outcome: Outcome::NotRun,
            });
        }
        items
    }

    pub(crate) fn processing_time(&mut self) -> Millis {
        self.sc.consumers.processing.sample(&mut self.rng)
    }

    /// How processing one message will go, decided when the batch starts.
    pub(crate) fn outcome_for(&mut self, h: Handle) -> Outcome {
        let Some(m) = self.msg(h) else {
            return Outcome::NotRun;
        };
        let transient_failures = self
            .sc
            .producers
            .get(m.producer() as usize)
            .map_or(2, |p| p.transient_failures);
        // A body that fails validation, or a schema version newer than the consumer reads,
        // is invalid to it: what happens next is its `on_invalid` choice.
        let invalid = match m.payload() {
            Payload::Poison if !self.poison_fixed => Some(FailureCause::Malformed),
            Payload::V2 if self.sc.consumers.schema_version < 2 => {
                Some(FailureCause::UnknownVersion)
            }
            _ => None,
        };
        if let Some(cause) = invalid {
            return match self.sc.consumers.on_invalid {
                OnInvalid::Throw => Outcome::Fail(cause),
                OnInvalid::Discard | OnInvalid::DeadLetter => Outcome::Reject,
            };
        }
        match m.payload() {
            Payload::Transient if m.receive_count() <= transient_failures => {
                return Outcome::Fail(FailureCause::Transient);
            }
            _ => {}
        }
        if self.rng.chance(self.sc.consumers.failure_rate) {
            Outcome::Fail(FailureCause::Random)
        } else {
            Outcome::Success
        }
    }

    fn start_batch(&mut self, c: u32, mut items: Vec<Item>) {
        let stop_at_first = self.sc.consumers.batch_failure == BatchFailure::StopAtFirst;
        let mut t = self.now;
        let mut stopped = false;
        for item in items.iter_mut() {
            let hidden_until = match self.state(item.h) {
                Some(MsgState::InFlight { deadline, .. }) => Some(deadline),
                _ => None,
            };
            self.emit(EventKind::Received {
                msg: item.h.id,
                consumer: c,
                receive: item.receipt,
                batch: self.next_batch,
                hidden_until,
            });
            if stopped {
                item.outcome = Outcome::NotRun;
                item.done_at = t;
                continue;
            }
            t = t.saturating_add(self.processing_time());
            item.outcome = self.outcome_for(item.h);
            item.done_at = t;
            if stop_at_first && matches!(item.outcome, Outcome::Fail(_)) {
                stopped = true;
            }
        }
        let id = self.next_batch;
        self.next_batch += 1;
        let ends = t;
        // A visibility timer is only needed if the deadline can pass while we still hold the message.
        let vt = self.sc.queue.visibility_timeout;
        let deadline = self.now.saturating_add(vt);
        let ack_first = self.sc.consumers.ack == AckMode::BeforeProcessing;
        if !ack_first && deadline < ends {
            for item in &items {
                self.schedule(
                    deadline,
                    Timer::Visibility {
                        h: item.h,
                        receipt: item.receipt,
                    },
                );
            }
        }
        if self.rng.chance(self.sc.consumers.crash_probability) {
            let span = ends.0.saturating_sub(self.now.0).max(1);
            let at = self.now.saturating_add(Millis(self.rng.below(span)));
            self.schedule(
                at,
                Timer::Crash {
                    consumer: c,
                    batch: id,
                },
            );
        }
        if self.sc.consumers.extend_visibility && !ack_first && vt.0 >= 2 && deadline < ends {
            self.schedule(
                self.now.saturating_add(Millis(vt.0 / 2)),
                Timer::Heartbeat {
                    consumer: c,
                    batch: id,
                },
            );
        }
        self.schedule(
            ends,
            Timer::BatchDone {
                consumer: c,
                batch: id,
            },
        );
        self.consumers[c as usize].batch = Some(Batch { id, items, ends });
    }

    pub(crate) fn heartbeat(&mut self, c: u32, batch: u64) {
        let Some(b) = self.consumers[c as usize].batch.clone() else {
            return;
        };
        if b.id != batch || !self.sc.consumers.extend_visibility {
            return;
        }
        let vt = self.sc.queue.visibility_timeout;
        let until = self.now.saturating_add(vt);
        for item in &b.items {
            let Some(m) = self.msg_mut(item.h) else {
                continue;
            };
            if m.receive_count() != item.receipt {
                continue;
            }
            if m.in_flight_with() == Some(c) {
                m.set_deadline(until);
                self.emit(EventKind::VisibilityExtended {
                    msg: item.h.id,
                    until,
                });
                if until < b.ends {
                    self.schedule(
                        until,
                        Timer::Visibility {
                            h: item.h,
                            receipt: item.receipt,
                        },
                    );
                }
            }
        }
        let next = self.now.saturating_add(Millis(vt.0 / 2));
        if next < b.ends && vt.0 >= 2 {
            self.schedule(next, Timer::Heartbeat { consumer: c, batch });
        }
    }

    pub(crate) fn visibility_timer(&mut self, h: Handle, receipt: u32) {
        let Some(m) = self.msg(h) else { return };
        let MsgState::InFlight { deadline, .. } = m.state() else {
            return;
        };
        if m.receive_count() != receipt || deadline > self.now {
            return;
        }
        self.return_to_queue(h);
    }

    /// An in-flight message whose visibility ran out becomes receivable again.
    pub(crate) fn return_to_queue(&mut self, h: Handle) {
        let Some(m) = self.msg_mut(h) else { return };
        if !m.failed_this_receive() {
            m.fail(FailureCause::VisibilityExpired);
        }
        let (group, seq) = (m.group(), m.seq());
        self.emit(EventKind::VisibilityExpired { msg: h.id });
        if self.msg(h).is_some_and(|m| self.past_retention(m)) {
            self.expire_from_queue(h);
            return;
        }
        self.counts.requeued += 1;
        self.set_state(h, MsgState::Visible);
        self.ready.push_returned(h, group, seq);
        self.wake();
    }

    pub(crate) fn delay_end(&mut self, h: Handle) {
        let Some(m) = self.msg(h) else { return };
        if !matches!(m.state(), MsgState::Delayed { .. }) {
            return;
        }
        let (group, seq) = (m.group(), m.seq());
        self.set_state(h, MsgState::Visible);
        self.ready.push_new(h, group, seq);
        self.emit(EventKind::Visible { msg: h.id });
        self.wake();
    }

    // Settling a message (ack, retry, dead-letter) is in `settle.rs`.

    pub(crate) fn crash(&mut self, c: u32) {
        let restart_after = self.sc.consumers.restart_after;
        if self.sc.mode == Mode::Http {
            self.http_crash(c);
        }
        let batch = self.consumers[c as usize].batch.take();
        if let Some(b) = batch {
            for item in &b.items {
                let finished = item.done_at <= self.now && item.outcome != Outcome::NotRun;
                if finished {
                    self.complete(c, item);
                }
                match self.state(item.h) {
                    Some(MsgState::Held { .. }) => {
                        let settled = if finished {
                            *item
                        } else {
                            Item {
                                outcome: Outcome::NotRun,
                                ..*item
                            }
                        };
                        self.settle_held(c, &settled);
                    }
                    Some(MsgState::InFlight { deadline, .. })
                        if self
                            .msg(item.h)
                            .is_some_and(|m| m.receive_count() == item.receipt) =>
                    {
                        // Nobody will delete it: it reappears when its visibility runs out.
                        self.schedule(
                            deadline,
                            Timer::Visibility {
                                h: item.h,
                                receipt: item.receipt,
                            },
                        );
                    }
                    _ => {}
                }
            }
        }
        let token = self.next_token(c);
        self.cancel_wait(c);
        let con = &mut self.consumers[c as usize];
        con.crashed_until = Some(self.now.saturating_add(restart_after));
        self.counts.crashes += 1;
        self.emit(EventKind::ConsumerCrashed { consumer: c });
        self.schedule(
            self.now.saturating_add(restart_after),
            Timer::Restart { consumer: c, token },
        );
    }

    pub(crate) fn restart(&mut self, c: u32, token: u64) {
        let con = &mut self.consumers[c as usize];
        if con.token != token || con.crashed_until.is_none() {
            return;
        }
        con.crashed_until = None;
        self.emit(EventKind::ConsumerRestarted { consumer: c });
        self.consumer_ready(c);
    }

    pub(crate) fn set_online(&mut self, c: u32, online: bool) {
        let con = &mut self.consumers[c as usize];
        if con.online == online {
            return;
        }
        con.online = online;
        if online {
            self.emit(EventKind::ConsumerOnline { consumer: c });
            self.consumer_ready(c);
        } else {
            // Graceful: it finishes what it holds, then stops asking for more.
            self.cancel_wait(c);
            self.emit(EventKind::ConsumerOffline { consumer: c });
        }
    }

    pub(crate) fn scale(&mut self, count: u32) {
        let mut active = self.consumers.iter().filter(|c| !c.retired).count() as u32;
        let online =
            self.sc.consumers.online || self.consumers.iter().any(|c| !c.retired && c.online);
        while active < count {
            let c = match self.consumers.iter().position(|c| c.retired) {
                Some(i) => {
                    self.consumers[i].retired = false;
                    self.consumers[i].online = online;
                    i as u32
                }
                None => {
                    self.consumers.push(Consumer::new(online));
                    (self.consumers.len() - 1) as u32
                }
            };
            active += 1;
            self.consumer_ready(c);
        }
        while active > count {
            let Some(i) = self.consumers.iter().rposition(|c| !c.retired) else {
                break;
            };
            self.consumers[i].retired = true;
            self.cancel_wait(i as u32);
            active -= 1;
        }
        self.sc.consumers.count = count;
        self.emit(EventKind::ConsumersScaled { count });
    }
}
