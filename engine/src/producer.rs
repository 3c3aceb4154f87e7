//! Producers: steady or random arrivals, spikes, manual sends, poison and transient payloads,
//! FIFO groups and deduplication, duplicate sends, and what happens when a full queue says no.

use crate::command::Payload;
use crate::event::EventKind;
use crate::kernel::time::Millis;
use crate::message::{Message, MsgState};
use crate::scenario::{Arrival, Mode, OnReject, Overflow, ProducerConfig, QueueKind};
use crate::sim::{Sim, Timer};

/// SQS FIFO deduplication interval.
pub const DEDUP_WINDOW: Millis = Millis::from_mins(5);

#[derive(Clone, Debug)]
pub(crate) struct Producer {
    /// Arrivals are at `epoch + k × gap`; rebased whenever the rate changes.
    epoch: Millis,
    k: u64,
    /// Poisson arrivals: the next arrival time in fractional milliseconds.
    next_random: f64,
    generation: u32,
    paused_until: Millis,
}

impl Producer {
    pub fn new(_config: &ProducerConfig) -> Producer {
        Producer {
            epoch: Millis::ZERO,
            k: 0,
            next_random: 0.0,
            generation: 0,
            paused_until: Millis::ZERO,
        }
    }
}

/// What became of one publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Published {
    Enqueued,
    Deduplicated,
    Rejected,
}

impl Sim {
    fn rate(&self, p: u32) -> f64 {
        self.sc.producers[p as usize].rate * self.spike_factor
    }

    pub(crate) fn start_producer(&mut self, p: u32) {
        let start = self.sc.producers[p as usize].start;
        let prod = &mut self.producers[p as usize];
        prod.epoch = start;
        prod.k = 0;
        prod.next_random = start.0 as f64;
        self.schedule_next_arrival(p);
    }

    pub(crate) fn rebase_producers(&mut self) {
        for p in 0..self.producers.len() as u32 {
            self.rebase_producer(p);
        }
    }

    /// The rate changed: arrivals continue from now at the new rate.
    pub(crate) fn rebase_producer(&mut self, p: u32) {
        let start = self.sc.producers[p as usize].start.max(self.now);
        let prod = &mut self.producers[p as usize];
        prod.generation += 1;
        prod.epoch = start;
        prod.k = 1;
        prod.next_random = start.0 as f64;
        if self.sc.producers[p as usize].arrival == Arrival::Poisson {
            let rate = self.rate(p);
            if rate > 0.0 {
                let gap = self.workload.exponential(1000.0 / rate);
                self.producers[p as usize].next_random += gap;
            }
        }
        self.schedule_next_arrival(p);
    }

    fn next_arrival(&self, p: u32) -> Option<Millis> {
        let rate = self.rate(p);
        if rate <= 0.0 {
            return None;
        }
        let prod = &self.producers[p as usize];
        let at = match self.sc.producers[p as usize].arrival {
            Arrival::Steady => prod.epoch.0 as f64 + prod.k as f64 * 1000.0 / rate,
            Arrival::Poisson => prod.next_random,
        };
        let at = Millis(at.round() as u64);
        match self.sc.producers[p as usize].stop {
            Some(stop) if at >= stop => None,
            _ => Some(at),
        }
    }

    fn schedule_next_arrival(&mut self, p: u32) {
        if let Some(at) = self.next_arrival(p) {
            let generation = self.producers[p as usize].generation;
            self.schedule(
                at,
                Timer::ProducerTick {
                    producer: p,
                    generation,
                },
            );
        }
    }

    pub(crate) fn producer_tick(&mut self, p: u32, generation: u32) {
        if self.producers[p as usize].generation != generation {
            return;
        }
        // Every arrival due by now (several per millisecond at high rates).
        while let Some(at) = self.next_arrival(p) {
            if at > self.now {
                break;
            }
            if self.now >= self.producers[p as usize].paused_until {
                self.publish_generated(p);
            }
            let poisson = self.sc.producers[p as usize].arrival == Arrival::Poisson;
            if poisson {
                let gap = self.workload.exponential(1000.0 / self.rate(p));
                self.producers[p as usize].next_random += gap;
            } else {
                self.producers[p as usize].k += 1;
            }
            if self.producers[p as usize].generation != generation {
                return;
            }
        }
        self.schedule_next_arrival(p);
    }

    fn publish_generated(&mut self, p: u32) {
        let cfg = &self.sc.producers[p as usize];
        let (poison, transient, dup, groups) = (
            cfg.poison_share,
            cfg.transient_share,
            cfg.duplicate_share,
            cfg.groups,
        );
        let roll = if poison > 0.0 || transient > 0.0 {
            self.workload.unit()
        } else {
            1.0
        };
        let payload = if roll < poison {
            Payload::Poison
        } else if roll < poison + transient {
            Payload::Transient
        } else {
            Payload::Normal
        };
        let group = if groups > 1 {
            self.workload.below(u64::from(groups)) as u32 + 1
        } else {
            1
        };
        let event = self.next_event;
        self.next_event += 1;
        let outcome = self.publish(p, payload, group, event, false);
        if outcome != Published::Rejected && self.workload.chance(dup) {
            // The producer did not see the acknowledgement and sent the same event again.
            self.publish(p, payload, group, event, true);
        }
    }

    /// A manual send from the controls.
    pub(crate) fn send_one(&mut self, p: u32, payload: Payload, group: Option<u32>) {
        let p = p.min(self.producers.len().saturating_sub(1) as u32);
        let groups = self.sc.producers.get(p as usize).map_or(1, |c| c.groups);
        let group = match group {
            Some(g) => g,
            None if groups > 1 => self.workload.below(u64::from(groups)) as u32 + 1,
            None => 1,
        };
        let event = self.next_event;
        self.next_event += 1;
        self.publish(p, payload, group, event, false);
    }

    pub(crate) fn publish(
        &mut self,
        p: u32,
        payload: Payload,
        group: u32,
        event: u64,
        duplicate_send: bool,
    ) -> Published {
        if self.sc.mode == Mode::Queue && self.sc.queue.kind == QueueKind::Fifo {
            // The deduplication id is the event id, or a digest of the body with content-based
            // deduplication: either way a resend of the same event matches.
            let key = if self.sc.queue.content_based_dedup {
                event.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ payload as u64
            } else {
                event
            };
            while let Some(&(until, k)) = self.dedup_order.front() {
                if until > self.now {
                    break;
                }
                self.dedup_order.pop_front();
                if self.dedup.get(&k) == Some(&until) {
                    self.dedup.remove(&k);
                }
            }
            if self.dedup.get(&key).is_some_and(|&until| until > self.now) {
                self.counts.deduplicated += 1;
                self.emit(EventKind::Deduplicated { event });
                return Published::Deduplicated;
            }
            let until = self.now.saturating_add(DEDUP_WINDOW);
            self.dedup.insert(key, until);
            self.dedup_order.push_back((until, key));
        }
        if self.sc.mode == Mode::Queue {
            if let Some(max) = self.sc.queue.max_depth {
                if self.counts.backlog() >= u64::from(max) {
                    match self.sc.queue.overflow {
                        Overflow::RejectPublish => {
                            self.counts.producer_errors += 1;
                            self.emit(EventKind::PublishRejected { producer: p });
                            let back_off = self
                                .sc
                                .producers
                                .get(p as usize)
                                .filter(|c| c.on_reject == OnReject::BackOff)
                                .map(|c| c.back_off);
                            if let Some(back_off) = back_off {
                                let until = self.now.saturating_add(back_off);
                                if let Some(prod) = self.producers.get_mut(p as usize) {
                                    prod.paused_until = until;
                                }
                            }
                            return Published::Rejected;
                        }
                        Overflow::DropOldest => self.drop_oldest(),
                    }
                }
            }
        }
        let id = self.next_msg;
        self.next_msg += 1;
        let seq = self.next_seq;
        self.next_seq += 1;
        let delay = self.sc.queue.delay.max(
            self.sc
                .producers
                .get(p as usize)
                .map_or(Millis::ZERO, |c| c.delay),
        );
        let state = if delay > Millis::ZERO && self.sc.mode == Mode::Queue {
            MsgState::Delayed {
                until: self.now.saturating_add(delay),
            }
        } else {
            MsgState::Visible
        };
        let message = Message {
            id,
            event,
            producer: p,
            payload,
            group,
            seq,
            published_at: self.now,
            state,
            receive_count: 0,
            first_received_at: None,
            last_received_at: None,
            processed_count: 0,
            last_failure: None,
            failure_receive: 0,
            redrives: 0,
            replied_at: None,
            duplicate_send,
        };
        let h = self.alloc(message);
        self.counts.published += 1;
        *self.counts.state_mut(&state) += 1;
        self.emit(EventKind::Published {
            msg: id,
            event,
            payload,
            group,
            duplicate_send,
        });
        if self.sc.mode == Mode::Http {
            self.http_request(h);
            return Published::Enqueued;
        }
        self.live.push_back(h);
        self.ensure_retention_check();
        match state {
            MsgState::Delayed { until } => self.schedule(until, Timer::DelayEnd { h }),
            _ => {
                self.ready.push_new(h, group, seq);
                self.wake();
            }
        }
        Published::Enqueued
    }

    /// Drop-oldest overflow: the oldest waiting message makes room.
    fn drop_oldest(&mut self) {
        let oldest = self.live.iter().copied().find(|&h| {
            matches!(
                self.state(h),
                Some(MsgState::Visible | MsgState::Delayed { .. })
            )
        });
        if let Some(h) = oldest {
            let at = self.now;
            self.set_state(h, MsgState::Dropped { at });
            self.emit(EventKind::Dropped { msg: h.id });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn a_fifo_resend_is_dropped_inside_five_minutes_and_enqueued_after() {
        let mut s = Scenario::default();
        s.queue.kind = QueueKind::Fifo;
        s.producers[0].rate = 0.0;
        let mut sim = Sim::new(s).unwrap();
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, false),
            Published::Enqueued
        );
        sim.advance_to(DEDUP_WINDOW.saturating_sub(Millis(1)));
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, true),
            Published::Deduplicated
        );
        sim.advance_to(DEDUP_WINDOW.saturating_add(Millis(1)));
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, true),
            Published::Enqueued
        );
        assert_eq!(sim.counts().deduplicated, 1);
        assert_eq!(sim.counts().published, 2);
    }
}
