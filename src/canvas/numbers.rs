//! The key numbers a box on the canvas shows, read from the world at the frame's time, so they
//! agree with every other count on the page. Each line is words and short counts (`33.1k`), at
//! most 24 characters, so a box holds them at any size; none is shown by colour alone.

use queue_engine::World;

use super::graph::{Place, Role, Source};
use crate::components::{compact, said};

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
                    said("ready", c.backlog()),
                    said("in flight", c.in_flight + c.held),
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
                (None, ..) => (said("records", log.appended()), String::new()),
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
