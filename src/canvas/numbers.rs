//! The key numbers a box on the canvas shows, read from the world at the frame's time, so they
//! agree with every other count on the page. Each line is words and short counts (`33.1k`), at
//! most 24 characters, so a box holds them at any size; none is shown by colour alone.

use queue_engine::topology::profile::QueueProfile;
use queue_engine::{Millis, World};

use super::graph::{Place, Role, Source};
use crate::components::{compact, said};

/// What a queue's box adds to its kind's line: the messages not yet deliverable (SQS delivery
/// delay, a retry's backoff), which are neither ready nor in flight. Empty for anything else.
pub fn aside(w: &World, place: &Place) -> String {
    match (place.role, place.source) {
        (Role::Queue, Source::Member(m)) => w
            .members()
            .get(m as usize)
            .map(|sim| sim.counts().delayed)
            .filter(|&d| d > 0)
            .map_or_else(String::new, |d| said("delayed", d)),
        _ => String::new(),
    }
}

/// `in flight N`, and how long until the soonest lock on a received message ends (its
/// visibility timeout, lock or ack deadline), rounded up to the second, so a learner sees a
/// message about to come back. ActiveMQ has no such lock (the engine's 12-hour stand-in for
/// "never"), so no countdown is drawn for it, nor for an SQS queue set to that same maximum.
fn in_flight(sim: &queue_engine::Sim, now: Millis, count: u64) -> String {
    let never = QueueProfile::Activemq.visibility().max;
    let left = sim
        .next_lock_end()
        .filter(|_| sim.scenario().queue.visibility_timeout < never)
        .map(|end| end.saturating_sub(now).0.div_ceil(1000));
    match left {
        Some(secs) => format!("{} · {}", said("in flight", count), Millis(secs * 1000)),
        None => said("in flight", count),
    }
}

/// Up to two short lines for `place`.
pub fn lines(w: &World, place: &Place) -> [String; 2] {
    let n = compact;
    match (place.role, place.source) {
        (Role::Producer, Source::Producer(p)) => {
            let rate = w.producer(p).map_or(0.0, |c| c.rate);
            let sent = if w.producer_names().len() == 1 {
                said("sent", w.sent())
            } else {
                String::new()
            };
            (sent, format!("{}/s", queue_engine::Decimal::fixed(rate, 1)))
        }
        // The world counts unroutable messages, not each router's traffic: with one router
        // they are all its own.
        (Role::Router, Source::Router(r)) => (
            w.routers()
                .get(usize::from(r))
                .map_or_else(String::new, |x| said("bindings", x.binds.len() as u64)),
            match (w.routers().len(), w.unroutable()) {
                (1, u) if u > 0 => said("unroutable", u),
                _ => String::new(),
            },
        ),
        (role, Source::Member(m)) => {
            let Some(sim) = w.members().get(m as usize) else {
                return Default::default();
            };
            let c = sim.counts();
            match role {
                Role::Queue => (
                    said("ready", c.visible),
                    in_flight(sim, w.now(), c.in_flight + c.held),
                ),
                Role::DeadLetter => (said("held", c.dead_lettered), String::new()),
                Role::Consumer => {
                    let pool = sim.snapshot(0).consumers;
                    let online = pool.iter().filter(|v| v.online).count();
                    // A small pool at work shows each worker's share: competing consumers
                    // split the queue between them.
                    let each = pool.iter().map(|v| n(v.processed)).collect::<Vec<_>>();
                    let second = if online == pool.len() && (2..=3).contains(&pool.len()) {
                        format!("each {}", each.join("/"))
                    } else {
                        format!("{online} of {} online", pool.len())
                    };
                    (said("processed", c.processed), second)
                }
                Role::Store => (said("records", c.store_records), String::new()),
                Role::Replies => (said("replies", c.replies_received), String::new()),
                _ => Default::default(),
            }
        }
        (_, Source::Log { member, group }) => {
            let queues = w.members().len();
            let Some(log) = w.logs().get(usize::from(member).saturating_sub(queues)) else {
                return Default::default();
            };
            match (group, log.as_kafka(), log.as_redis()) {
                // In each platform's own words: a Kafka log's records in its partitions, a
                // Redis stream's entries and its pending entries list (what XPENDING counts).
                (None, Some(k), _) => (
                    said("records", log.appended()),
                    said("partitions", k.partitions.len() as u64),
                ),
                (None, _, Some(r)) => (
                    said("entries", log.appended()),
                    said("pending", r.pel.len() as u64),
                ),
                (Some(g), Some(k), _) => (said("lag", k.group_lag(usize::from(g))), String::new()),
                (Some(_), _, Some(r)) => {
                    (said("acked", r.counts.acked), said("dead", r.counts.dead))
                }
                _ => Default::default(),
            }
        }
        _ => Default::default(),
    }
    .into()
}
