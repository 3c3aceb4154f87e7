//! Producers: steady or random arrivals, spikes, manual sends, poison and transient payloads,
//! FIFO groups and deduplication, duplicate sends, and what happens when a full queue says no.

use crate::command::{Payload, LARGE_PAYLOAD_BYTES};
use crate::event::EventKind;
use crate::kernel::rng::Rng;
use crate::kernel::time::Millis;
use crate::message::{Message, MsgState};
use crate::scenario::{Arrival, Mode, OnReject, Overflow, ProducerConfig, QueueKind};
use crate::sim::{Sim, Timer};

/// SQS FIFO deduplication interval.
pub const DEDUP_WINDOW: Millis = Millis::from_mins(5);

/// One producer's arrival clock.
#[derive(Clone, Debug, Default)]
struct Producer {
    /// Arrivals are at `epoch + k × gap`; rebased whenever the rate changes.
    epoch: Millis,
    k: u64,
    /// Poisson arrivals: the next arrival time in fractional milliseconds.
    next_random: f64,
    generation: u32,
    paused_until: Millis,
}

/// What became of one publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Published {
    Enqueued,
    Deduplicated,
    Rejected,
}

/// Where producers publish, and the clock they publish by: a queue simulation of its own, or
/// the world, which routes each message to the queues it reaches.
pub(crate) trait Outlet: Sized {
    /// Where this outlet keeps its producers.
    fn arrivals(&mut self) -> &mut Arrivals;
    fn now(&self) -> Millis;
    fn producer(&self, p: u32) -> &ProducerConfig;
    fn schedule_tick(&mut self, at: Millis, producer: u32, generation: u32);
    fn publish(
        &mut self,
        p: u32,
        payload: Payload,
        group: u32,
        event: u64,
        duplicate_send: bool,
    ) -> Published;

    /// Runs the producers with this outlet (they publish into it and schedule their ticks on
    /// its agenda); they are taken out meanwhile, since they borrow the outlet mutably.
    fn with_arrivals<R>(&mut self, f: impl FnOnce(&mut Arrivals, &mut Self) -> R) -> R {
        let mut arrivals = std::mem::replace(self.arrivals(), Arrivals::placeholder());
        let r = f(&mut arrivals, self);
        *self.arrivals() = arrivals;
        r
    }
}

/// The group of a record sent with the hot key (`hot`); group 0 is a record with no key.
/// Both only reach Kafka logs (planning refuses them for a producer that reaches a queue).
pub(crate) const HOT_KEY: u32 = u32::MAX;

/// The producers' side of a run: every producer's arrival clock, the workload's own random
/// stream, traffic spikes and the CloudEvents id counter. The one arrival generator: a queue
/// simulation on its own and the world both run their producers through it.
///
/// The workload's stream (arrival times, payloads, groups, duplicate sends) is its own, so
/// changing how queues or consumers behave never changes which messages arrive when: two
/// configurations with one seed see the same workload (A/B compare relies on it).
#[derive(Clone, Debug)]
pub(crate) struct Arrivals {
    producers: Vec<Producer>,
    rng: Rng,
    spike_factor: f64,
    spike_generation: u32,
    /// The next CloudEvents id: one per event, shared by every copy a router makes of it.
    next_event: u64,
}

impl Arrivals {
    pub fn new(seed: u64, producers: usize) -> Arrivals {
        Arrivals {
            producers: vec![Producer::default(); producers],
            rng: Rng::stream(seed, "workload"),
            spike_factor: 1.0,
            spike_generation: 0,
            next_event: 1,
        }
    }

    /// An empty generator, to take its place while it runs (it borrows its outlet mutably).
    pub fn placeholder() -> Arrivals {
        Arrivals {
            producers: Vec::new(),
            rng: Rng::new(0),
            spike_factor: 1.0,
            spike_generation: 0,
            next_event: 0,
        }
    }

    /// Events the producers have sent so far (a router's copies of one count once).
    pub fn events(&self) -> u64 {
        self.next_event.saturating_sub(1)
    }

    fn rate(&self, out: &impl Outlet, p: u32) -> f64 {
        out.producer(p).rate * self.spike_factor
    }

    pub fn start_all(&mut self, out: &mut impl Outlet) {
        for p in 0..self.producers.len() as u32 {
            let start = out.producer(p).start;
            let prod = &mut self.producers[p as usize];
            prod.epoch = start;
            prod.k = 0;
            prod.next_random = start.0 as f64;
            self.schedule_next_arrival(out, p);
        }
    }

    /// Multiplies every producer's rate (the Friday rush); returns the spike's generation, so
    /// that only its own end timer ends it.
    pub fn spike(&mut self, out: &mut impl Outlet, factor: f64) -> u32 {
        self.spike_factor = factor;
        self.spike_generation += 1;
        self.rebase_all(out);
        self.spike_generation
    }

    pub fn spike_end(&mut self, out: &mut impl Outlet, generation: u32) {
        if generation == self.spike_generation {
            self.spike_factor = 1.0;
            self.rebase_all(out);
        }
    }

    fn rebase_all(&mut self, out: &mut impl Outlet) {
        for p in 0..self.producers.len() as u32 {
            self.rebase(out, p);
        }
    }

    /// The rate changed: arrivals continue from now at the new rate.
    pub fn rebase(&mut self, out: &mut impl Outlet, p: u32) {
        let start = out.producer(p).start.max(out.now());
        let prod = &mut self.producers[p as usize];
        prod.generation += 1;
        prod.epoch = start;
        prod.k = 1;
        prod.next_random = start.0 as f64;
        if out.producer(p).arrival == Arrival::Poisson {
            let rate = self.rate(out, p);
            if rate > 0.0 {
                let gap = self.rng.exponential(1000.0 / rate);
                self.producers[p as usize].next_random += gap;
            }
        }
        self.schedule_next_arrival(out, p);
    }

    fn next_arrival(&self, out: &impl Outlet, p: u32) -> Option<Millis> {
        let rate = self.rate(out, p);
        if rate <= 0.0 {
            return None;
        }
        let prod = &self.producers[p as usize];
        let cfg = out.producer(p);
        let at = match cfg.arrival {
            Arrival::Steady => prod.epoch.0 as f64 + prod.k as f64 * 1000.0 / rate,
            Arrival::Poisson => prod.next_random,
        };
        let at = Millis::round(at);
        match cfg.stop {
            Some(stop) if at >= stop => None,
            _ => Some(at),
        }
    }

    fn schedule_next_arrival(&mut self, out: &mut impl Outlet, p: u32) {
        if let Some(at) = self.next_arrival(out, p) {
            out.schedule_tick(at, p, self.producers[p as usize].generation);
        }
    }

    pub fn tick(&mut self, out: &mut impl Outlet, p: u32, generation: u32) {
        if self.producers[p as usize].generation != generation {
            return;
        }
        // Every arrival due by now (several per millisecond at high rates).
        while let Some(at) = self.next_arrival(out, p) {
            if at > out.now() {
                break;
            }
            if out.now() >= self.producers[p as usize].paused_until {
                self.publish_generated(out, p);
            }
            if out.producer(p).arrival == Arrival::Poisson {
                let gap = self.rng.exponential(1000.0 / self.rate(out, p));
                self.producers[p as usize].next_random += gap;
            } else {
                self.producers[p as usize].k += 1;
            }
            if self.producers[p as usize].generation != generation {
                return;
            }
        }
        self.schedule_next_arrival(out, p);
    }

    fn publish_generated(&mut self, out: &mut impl Outlet, p: u32) {
        let cfg = out.producer(p);
        let (poison, transient, dup, groups) = (
            cfg.poison_share,
            cfg.transient_share,
            cfg.duplicate_share,
            cfg.groups,
        );
        let good = if cfg.schema_version >= 2 {
            Payload::V2
        } else {
            Payload::Normal
        };
        let (hot, keyless) = (cfg.hot_key_share, cfg.keyless_share);
        let roll = if poison > 0.0 || transient > 0.0 {
            self.rng.unit()
        } else {
            1.0
        };
        let payload = if roll < poison {
            Payload::Poison
        } else if roll < poison + transient {
            Payload::Transient
        } else {
            good
        };
        // One roll for the key shares, and none when there are none, so a producer without
        // them draws exactly what it always drew.
        let key_roll = if hot > 0.0 || keyless > 0.0 {
            self.rng.unit()
        } else {
            1.0
        };
        let group = if key_roll < hot {
            HOT_KEY
        } else if key_roll < hot + keyless {
            0
        } else if groups > 1 {
            self.rng.below(u64::from(groups)) as u32 + 1
        } else {
            1
        };
        let event = self.next_event;
        self.next_event += 1;
        let outcome = self.publish(out, p, payload, group, event, false);
        if outcome != Published::Rejected && self.rng.chance(dup) {
            // The producer did not see the acknowledgement and sent the same event again.
            self.publish(out, p, payload, group, event, true);
        }
    }

    /// A manual send from the controls.
    pub fn send_one(
        &mut self,
        out: &mut impl Outlet,
        p: u32,
        payload: Payload,
        group: Option<u32>,
    ) -> Option<Published> {
        if self.producers.is_empty() {
            return None;
        }
        let p = p.min(self.producers.len() as u32 - 1);
        let groups = out.producer(p).groups;
        let group = match group {
            Some(g) => g,
            None if groups > 1 => self.rng.below(u64::from(groups)) as u32 + 1,
            None => 1,
        };
        let event = self.next_event;
        self.next_event += 1;
        Some(self.publish(out, p, payload, group, event, false))
    }

    /// A resend of an event already sent ([`Command::Resend`]): the same CloudEvents id, so
    /// the same FIFO deduplication id; marked as a duplicate send, which it is. None when the
    /// event has not been sent yet, or there is no producer.
    ///
    /// [`Command::Resend`]: crate::Command::Resend
    pub fn resend(
        &mut self,
        out: &mut impl Outlet,
        p: u32,
        event: u64,
        payload: Payload,
        group: Option<u32>,
    ) -> Option<Published> {
        if event == 0 || event >= self.next_event || self.producers.is_empty() {
            return None;
        }
        let p = p.min(self.producers.len() as u32 - 1);
        Some(self.publish(out, p, payload, group.unwrap_or(1), event, true))
    }

    /// Publishes and, when the queue refused it and the producer backs off, pauses it.
    fn publish(
        &mut self,
        out: &mut impl Outlet,
        p: u32,
        payload: Payload,
        group: u32,
        event: u64,
        duplicate_send: bool,
    ) -> Published {
        let outcome = out.publish(p, payload, group, event, duplicate_send);
        let cfg = out.producer(p);
        if outcome == Published::Rejected && cfg.on_reject == OnReject::BackOff {
            self.producers[p as usize].paused_until = out.now().saturating_add(cfg.back_off);
        }
        outcome
    }
}

impl Sim {
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
        if self.sc.mode == Mode::Queue && payload == Payload::Large {
            let claim_check = self
                .sc
                .producers
                .get(p as usize)
                .is_some_and(|c| c.claim_check);
            if claim_check {
                self.counts.claim_checked += 1;
            } else if LARGE_PAYLOAD_BYTES > self.sc.queue.max_message_size {
                // SendMessage fails: the body is over MaximumMessageSize (§1.1).
                self.counts.producer_errors += 1;
                self.counts.too_large += 1;
                self.emit(EventKind::TooLarge { producer: p, event });
                return Published::Rejected;
            }
        }
        if self.sc.mode == Mode::Queue {
            if let Some(max) = self.sc.queue.max_depth {
                if self.counts.backlog() >= u64::from(max) {
                    match self.sc.queue.overflow {
                        Overflow::RejectPublish => {
                            self.counts.producer_errors += 1;
                            self.emit(EventKind::PublishRejected { producer: p });
                            // The producer backs off if it is configured to (Arrivals::publish).
                            return Published::Rejected;
                        }
                        Overflow::DropOldest => self.drop_oldest(),
                    }
                }
            }
        }
        let id = self.next_msg;
        self.next_msg += 1;
        let seq = id;
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
        let message = Message::new(crate::message::Published {
            id,
            event,
            producer: p,
            payload,
            group,
            at: self.now,
            state,
            duplicate_send,
        });
        let h = self.store.alloc(message);
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
        self.store.live_push_back(h);
        self.ensure_retention_check(h);
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
        let oldest = self.store.live_iter().find(|&h| {
            matches!(
                self.state(h),
                Some(MsgState::Visible | MsgState::Delayed { .. })
            )
        });
        let Some(h) = oldest else { return };
        if self.sc.queue.dead_letter_drops() && self.sc.dlq.is_some() {
            // RabbitMQ dead-letters what drop-head removes, with the reason `maxlen` (§2.3).
            self.dead_letter(h, crate::message::DeadLetterReason::Maxlen);
            return;
        }
        let at = self.now;
        self.set_state(h, MsgState::Dropped { at });
        self.emit(EventKind::Dropped { msg: h.id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// Semantics notes §1.4: the deduplication interval is five minutes from the first send,
    /// and a resend the queue dropped does not extend it.
    #[test]
    fn a_fifo_resend_is_dropped_inside_five_minutes_and_enqueued_after() {
        let mut s = Scenario::default();
        s.queue.kind = QueueKind::Fifo;
        s.producers[0].rate = 0.0;
        let mut sim = Sim::member(s).unwrap();
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, false),
            Published::Enqueued
        );
        sim.set_now(DEDUP_WINDOW.saturating_sub(Millis(1)));
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, true),
            Published::Deduplicated
        );
        sim.set_now(DEDUP_WINDOW.saturating_add(Millis(1)));
        assert_eq!(
            sim.publish(0, Payload::Normal, 1, 7, true),
            Published::Enqueued
        );
        assert_eq!(sim.counts().deduplicated, 1);
        assert_eq!(sim.counts().published, 2);
    }
}
