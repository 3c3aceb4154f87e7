//! Settling what a consumer processed: the side effects of a success, the delete (or the
//! stale receipt that fails it), giving a failed message back to the queue, its delivery limit
//! and dead-lettering, and the end of a batch with its failure mode.
//!
//! # Contract
//! - Every message a consumer held leaves this module in exactly one state: deleted, back in
//!   the queue (visible or delayed), dead-lettered, or dropped at its limit, each with its
//!   event, so the per-state counts keep adding up to `published`.

use crate::consumer::{Item, Outcome};
use crate::event::EventKind;
use crate::kernel::time::Millis;
use crate::message::{DeadLetterReason, FailureCause, Handle, MsgState};
use crate::scenario::{AckMode, BatchFailure, OnInvalid, RetryPolicy};
use crate::sim::{Sim, Timer};

impl Sim {
    /// Side effects of one message processed to the end: the data store write, the reply, and
    /// duplicate and order accounting.
    pub(crate) fn complete(&mut self, c: u32, item: &Item) {
        let Some(id) = self.msg(item.h).map(|m| m.id()) else {
            return;
        };
        match item.outcome {
            Outcome::Success => self.record_success(c, item),
            Outcome::Reject => {
                self.emit(EventKind::Rejected {
                    msg: id,
                    consumer: c,
                });
            }
            Outcome::Fail(cause) => {
                self.counts.processing_failures += 1;
                let m = self.msg_mut(item.h).expect("checked above");
                m.fail(cause);
                self.emit(EventKind::Failed {
                    msg: id,
                    consumer: c,
                    cause,
                });
            }
            Outcome::NotRun => {}
        }
    }

    /// Side effects of a successful processing: the data store write, the reply, and duplicate
    /// and order accounting. An idempotent consumer skips an event id it has seen.
    pub(crate) fn record_success(&mut self, c: u32, item: &Item) {
        let Some(m) = self.msg(item.h) else { return };
        let (event, id, group, seq) = (m.event(), m.id(), m.group(), m.seq());
        let seen = self.processed_events.contains(event);
        if seen && self.sc.consumers.idempotent {
            self.counts.duplicates_skipped += 1;
            self.emit(EventKind::SkippedDuplicate {
                msg: id,
                consumer: c,
            });
            return;
        }
        if seen {
            self.counts.duplicates += 1;
        }
        self.processed_events.insert(event);
        let m = self.msg_mut(item.h).expect("checked above");
        m.count_processed();
        let first = m.processed_count() == 1;
        self.emit(EventKind::Processed {
            msg: id,
            consumer: c,
            duplicate: seen,
        });
        if let Some(worker) = self.consumers.get_mut(c as usize) {
            worker.processed += 1;
        }
        if self.sc.data_store {
            self.counts.store_writes += 1;
            if !seen {
                self.counts.store_records += 1;
            }
            self.emit(EventKind::StoreWrite {
                msg: id,
                event,
                duplicate: seen,
            });
        }
        if first && self.ready.is_fifo() {
            let last = self.group_last_seq.get_or_insert(group, 0);
            if *last > seq {
                self.counts.order_violations += 1;
                self.emit(EventKind::OrderViolation { msg: id });
            } else {
                *last = seq;
            }
        }
        if self.sc.reply_queue {
            self.counts.replies_sent += 1;
            self.emit(EventKind::ReplySent { msg: id });
            self.schedule(
                self.now.saturating_add(Millis(20)),
                Timer::ReplyArrives { h: item.h },
            );
        }
    }

    /// Deletes a message with our receipt; a stale receipt leaves it where it is.
    fn delete(&mut self, c: u32, item: &Item, rejected: bool) {
        let Some(m) = self.msg(item.h) else { return };
        let ours =
            m.receive_count() == item.receipt && matches!(m.state(), MsgState::InFlight { .. });
        if !ours {
            self.counts.stale_deletes += 1;
            self.emit(EventKind::StaleDelete {
                msg: item.h.id,
                consumer: c,
            });
            return;
        }
        self.finish(item.h, rejected);
        self.emit(EventKind::Deleted {
            msg: item.h.id,
            consumer: c,
        });
    }

    /// The message leaves the queue for good, processed or rejected.
    pub(crate) fn finish(&mut self, h: Handle, rejected: bool) {
        let at = self.now;
        if rejected
            && self.sc.consumers.on_invalid == OnInvalid::DeadLetter
            && self.sc.dlq.is_some()
        {
            // The consumer dead-letters what it cannot read, then deletes it.
            self.dead_letter(h, DeadLetterReason::Rejected);
        } else if rejected {
            self.set_state(h, MsgState::Rejected { at });
        } else {
            let published = self.msg(h).map_or(at, |m| m.published_at());
            self.metrics.record_latency(at.saturating_sub(published).0);
            self.set_state(h, MsgState::Processed { at });
        }
    }

    /// A broker that counts at the return (`limit_at_return`) dead-letters or drops a message
    /// whose deliveries are used up; true if it did. Cold: once per poison message, and kept
    /// out of line so the page does not carry a copy in every caller.
    #[cold]
    pub(crate) fn limit_reached(
        &mut self,
        h: Handle,
        receives: u32,
        last_failure: Option<FailureCause>,
    ) -> bool {
        if let Some(max) = self.sc.dlq.as_ref().map(|d| d.max_receive_count) {
            if receives >= max {
                let reason = DeadLetterReason::MaxReceiveCount {
                    receives: crate::message::count16(receives),
                    last_failure,
                };
                self.dead_letter(h, reason);
                return true;
            }
        } else if self
            .sc
            .queue
            .max_deliveries
            .is_some_and(|max| receives >= max)
        {
            self.drop_at_limit(h);
            return true;
        }
        false
    }

    /// A failed (or unattempted) message goes back according to the retry policy.
    fn give_back(&mut self, item: &Item) {
        let Some(m) = self.msg(item.h) else { return };
        if m.receive_count() != item.receipt || !matches!(m.state(), MsgState::InFlight { .. }) {
            return;
        }
        let receives = m.receive_count();
        let last_failure = m.last_failure();
        if self.sc.queue.limit_at_return() && self.limit_reached(item.h, receives, last_failure) {
            return;
        }
        let policy = self.sc.queue.retry.clone();
        let new_deadline = match policy {
            RetryPolicy::VisibilityTimeout => None,
            RetryPolicy::Immediate => Some(self.now),
            RetryPolicy::Exponential { base, max } => {
                let factor = 1u64
                    .checked_shl(receives.saturating_sub(1).min(40))
                    .unwrap_or(u64::MAX);
                Some(
                    self.now
                        .saturating_add(Millis(base.0.saturating_mul(factor).min(max.0))),
                )
            }
            RetryPolicy::Tiers { delays } => {
                match delays.get(receives.saturating_sub(1) as usize) {
                    Some(d) => Some(self.now.saturating_add(*d)),
                    None if self.sc.dlq.is_some() => {
                        self.dead_letter(
                            item.h,
                            DeadLetterReason::RetriesExhausted {
                                attempts: crate::message::count16(receives),
                                last_failure,
                            },
                        );
                        return;
                    }
                    None => delays.last().map(|d| self.now.saturating_add(*d)),
                }
            }
        };
        if let Some(deadline) = new_deadline {
            if let Some(m) = self.msg_mut(item.h) {
                m.set_deadline(deadline);
            }
            if deadline > self.now {
                self.emit(EventKind::RetryScheduled {
                    msg: item.h.id,
                    at: deadline,
                });
            }
        }
        let deadline = match self.state(item.h) {
            Some(MsgState::InFlight { deadline, .. }) => deadline,
            _ => return,
        };
        if deadline <= self.now {
            self.return_to_queue(item.h);
        } else {
            self.schedule(
                deadline,
                Timer::Visibility {
                    h: item.h,
                    receipt: item.receipt,
                },
            );
        }
    }

    pub(crate) fn batch_done(&mut self, c: u32, batch: u64) {
        let Some(b) = self.consumers[c as usize].batch.take_if(|b| b.id == batch) else {
            return;
        };
        for item in &b.items {
            self.complete(c, item);
        }
        if self.sc.consumers.ack == AckMode::BeforeProcessing {
            for item in &b.items {
                self.settle_held(c, item);
            }
        } else {
            let mode = self.sc.consumers.batch_failure;
            let any_failed = b
                .items
                .iter()
                .any(|i| matches!(i.outcome, Outcome::Fail(_)));
            for item in &b.items {
                let keep = match (mode, item.outcome) {
                    (BatchFailure::WholeBatch, _) if any_failed => false,
                    (_, Outcome::Success) => true,
                    (_, Outcome::Reject) => true,
                    (_, Outcome::Fail(_) | Outcome::NotRun) => false,
                };
                if keep {
                    self.delete(c, item, item.outcome == Outcome::Reject);
                } else {
                    self.give_back(item);
                }
            }
        }
        self.consumer_ready(c);
    }

    /// Ack-before-processing: the message was deleted at receipt, so the outcome is final.
    pub(crate) fn settle_held(&mut self, c: u32, item: &Item) {
        let Some(m) = self.msg(item.h) else { return };
        if !matches!(m.state(), MsgState::Held { .. }) {
            return;
        }
        match item.outcome {
            Outcome::Success => self.finish(item.h, false),
            Outcome::Reject => self.finish(item.h, true),
            Outcome::Fail(_) | Outcome::NotRun => {
                let at = self.now;
                self.set_state(item.h, MsgState::Lost { at });
                self.emit(EventKind::Lost {
                    msg: item.h.id,
                    consumer: c,
                });
            }
        }
    }
}
