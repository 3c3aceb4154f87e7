//! A person at the queue: takes the message at its head, as AMQP `basic.get` does, and settles
//! it at once with an ack, a reject or a requeue (semantics notes §2.2). The RabbitMQ panel's
//! buttons run on this, so a queue with no consumer pool can still be worked by hand.
//!
//! # Contract
//! - The head is the oldest visible message (the FIFO group next in turn). What is stale,
//!   past its retention or out of deliveries on the way is settled as a receive would settle
//!   it, and the next one is taken.
//! - Each take counts as a delivery (`receive_count`), so a quorum queue's delivery limit
//!   holds for a person as for a consumer: a requeue of the last allowed delivery
//!   dead-letters the message (reason `delivery_limit`) or drops it without a target.
//! - A reject without requeue dead-letters with the reason `rejected` where there is a
//!   dead-letter queue; otherwise the message is gone (RabbitMQ drops it without a DLX, §2.3).
//! - An empty queue changes nothing; the caller refuses the command before it gets here.

use crate::command::TakeOutcome;
use crate::event::EventKind;
use crate::message::{DeadLetterReason, Handle, MsgState};
use crate::sim::Sim;

impl Sim {
    /// Whether a person could take a message now.
    pub fn has_ready(&self) -> bool {
        self.counts.visible > 0
    }

    pub(crate) fn take(&mut self, outcome: TakeOutcome) {
        let Some(h) = self.head() else { return };
        let Some(m) = self.msg_mut(h) else { return };
        m.received();
        let (delivery, group, seq) = (m.receive_count(), m.group(), m.seq());
        self.counts.receives += 1;
        self.emit(EventKind::Taken {
            msg: h.id,
            outcome,
            delivery,
        });
        match outcome {
            TakeOutcome::Ack => self.finish(h, false),
            TakeOutcome::Reject if self.sc.dlq.is_some() => {
                self.dead_letter(h, DeadLetterReason::Rejected)
            }
            TakeOutcome::Reject => self.finish(h, true),
            TakeOutcome::Requeue => {
                if self.sc.queue.limit_at_return() && self.limit_reached(h, delivery, None) {
                    return;
                }
                // Back to its place at the head (§2.2), at once.
                self.ready.push_returned(h, group, seq);
                self.wake();
            }
        }
    }

    /// Pops the visible message at the head, settling on the way what a receive would not
    /// hand out (expired, or out of deliveries on a profile that counts at the receive).
    fn head(&mut self) -> Option<Handle> {
        let mut group: Option<u32> = None;
        loop {
            let candidate = if self.ready.is_fifo() {
                match group.and_then(|g| self.ready.pop_group(g)) {
                    Some(h) => h,
                    None => {
                        group = Some(self.ready.next_group()?);
                        continue;
                    }
                }
            } else {
                // A window of one draws no random number: a person's take leaves the
                // consumers' random stream as it was.
                self.ready.pick_standard(&mut self.rng, 1)?
            };
            let Some(m) = self.msg(candidate) else {
                continue;
            };
            if m.state() != MsgState::Visible {
                continue;
            }
            if self.past_retention(m) {
                self.expire_from_queue(candidate);
                continue;
            }
            let receives = m.receive_count();
            if !self.sc.queue.limit_at_return() && self.limit_reached(candidate, receives, None) {
                continue;
            }
            return Some(candidate);
        }
    }
}
