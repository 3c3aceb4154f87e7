//! Messages moving on the canvas: what crossed each edge since the last frame, drawn as a token
//! that travels the edge, or, when there is too much to follow, as the edge's flow per
//! simulated second. Pure: it reads counts and clocks and keeps its own memory, so it is
//! tested natively.
//!
//! # Contract
//! - A token stands for messages that really crossed its edge between two frames: the counts
//!   come from the world ([`crossed`]), never from a guess. An edge the world does not count
//!   by itself (a queue fed by two routers) draws no tokens and no flow.
//! - A token carries its meaning in its letter and, for an ack or a requeue, its direction,
//!   never in colour alone ([`letter`]). One token per edge, way and frame; a burst says its
//!   size (`P 12`).
//! - Nothing moves that did not happen: no tokens after going back in time, after a jump,
//!   or at a speed where a frame spans more than [`FAST`] simulated ms per real ms. An edge
//!   that carries more than [`BUSY`] messages per real second shows its flow instead.
//! - Flow figures change on a slower clock ([`WINDOW_MS`]) than tokens.

use queue_engine::{EdgeKind, Millis, World};

use super::graph::{Graph, Link, Role, Source};

/// How long a token takes to cross its edge, in real milliseconds.
pub const TRAVEL_MS: f64 = 900.0;
/// How often the flow figures change, in real milliseconds.
pub const WINDOW_MS: f64 = 600.0;
/// Messages per real second above which an edge shows its flow, not tokens: about seven
/// tokens on an edge at once. Well above what a 1x system sends (3 to 5 a second), because a
/// busy page measures its real time late or early by a frame or two.
pub const BUSY: f64 = 8.0;
/// Simulated ms per real ms above which no token moves (above 10×, the fastest pace a learner
/// can follow).
pub const FAST: f64 = 20.0;

/// How many messages have crossed `link` so far, each [`Way`]: along it, back along it (a
/// consumer's acknowledgement, a call's answer), and back to the queue to be received again.
/// None when the world does not count this edge on its own.
pub fn crossed(w: &World, g: &Graph, link: &Link) -> Option<[u64; 3]> {
    let (from, to) = (&g.places[link.from], &g.places[link.to]);
    // Into a queue or log: its own arrivals, if this edge is its only way in.
    let only_way_in = || {
        g.links
            .iter()
            .filter(|l| l.to == link.to && matches!(l.kind, EdgeKind::Publish | EdgeKind::Bind))
            .count()
            == 1
    };
    let member = |m: u16| w.members().get(usize::from(m)).map(|s| s.counts());
    let log = |m: u16| w.logs().get(usize::from(m).checked_sub(w.members().len())?);
    let one = |n: u64| Some([n, 0, 0]);
    match (link.kind, from.source, to.source) {
        (EdgeKind::Publish, _, Source::Router(r)) => {
            let r = usize::from(r);
            // A router fed by two producers counts both together.
            (w.routers().get(r)?.publishers.len() == 1).then(|| [w.into_router(r), 0, 0])
        }
        (EdgeKind::Publish | EdgeKind::Bind, _, Source::Member(m)) if only_way_in() => {
            one(member(m)?.published)
        }
        (EdgeKind::Publish | EdgeKind::Bind, _, Source::Log { member: m, .. }) if only_way_in() => {
            one(log(m)?.appended())
        }
        (EdgeKind::Subscribe, Source::Member(m), _) => {
            let c = member(m)?;
            Some([c.receives, c.processed, c.requeued])
        }
        (
            EdgeKind::Subscribe,
            _,
            Source::Log {
                member: m,
                group: Some(k),
            },
        ) => {
            let log = log(m)?;
            let lag = log.as_kafka()?.group_lag(usize::from(k));
            one(log.appended().saturating_sub(lag))
        }
        // A call out, and its answer back: the kitchen took the order, or it failed.
        (EdgeKind::Call, _, Source::Member(m)) => {
            let c = member(m)?;
            Some([c.published, c.processed + c.producer_errors, 0])
        }
        (EdgeKind::DeadLetter, Source::Member(m), _) => one(member(m)?.dlq_moves),
        (EdgeKind::Write, _, Source::Member(m)) if to.role == Role::Store => {
            one(member(m)?.store_writes)
        }
        (EdgeKind::Reply, _, Source::Member(m)) => one(member(m)?.replies_sent),
        _ => None,
    }
}

/// Which way a token travels its edge, and why: the index of its count in [`crossed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    Along,
    /// Back towards the edge's start: an ack, or a call's answer.
    Back,
    /// Back to the queue, to be received again (its visibility ran out, or it was requeued).
    Requeue,
}

/// The letter a token carries: what is happening to the message on this edge.
pub fn letter(kind: EdgeKind, way: Way) -> &'static str {
    match (kind, way) {
        (_, Way::Requeue) => "Q",
        (EdgeKind::Subscribe, Way::Back) => "A",
        (EdgeKind::Publish, _) => "P",
        (EdgeKind::Bind, _) => "R",
        (EdgeKind::Subscribe, _) => "D",
        (EdgeKind::DeadLetter, _) => "X",
        (EdgeKind::Write, _) => "W",
        (EdgeKind::Reply, _) => "Y",
        (EdgeKind::Call, _) => "C",
    }
}

/// Messages that crossed one edge in one frame, on their way along it.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub link: usize,
    pub way: Way,
    pub count: u64,
    /// The real time it set off, in ms.
    pub born: f64,
}

/// One edge's memory between frames.
#[derive(Clone, Copy, Debug, Default)]
struct Edge {
    /// Its counts at the last frame (zero for an edge the world does not count).
    seen: [u64; 3],
    counted: bool,
    /// Its forward count when the current flow window started.
    start: u64,
    /// Its last window was too busy for tokens.
    busy: bool,
    /// Its flow per simulated second over the last window.
    rate: Option<u64>,
}

/// The canvas's memory between frames.
#[derive(Debug, Default)]
pub struct Flow {
    /// The simulated and real time of the last frame, and of the current window's start.
    at: (Millis, f64),
    window: (Millis, f64),
    edges: Vec<Edge>,
    pub tokens: Vec<Token>,
}

impl Flow {
    /// Takes in one frame: the simulated time shown, the real time in ms, and each edge's
    /// [`crossed`] counts. Returns whether anything drawn changed (a token set off or
    /// arrived, or a flow figure changed), so the page redraws the overlay only then.
    pub fn observe(&mut self, now: Millis, real: f64, given: Vec<Option<[u64; 3]>>) -> bool {
        let before = self.tokens.len();
        self.tokens.retain(|t| real - t.born < TRAVEL_MS);
        let mut changed = before != self.tokens.len();
        let counts: Vec<[u64; 3]> = given.iter().map(|c| c.unwrap_or_default()).collect();
        let went_back = now < self.at.0
            || counts.len() != self.edges.len()
            || counts
                .iter()
                .zip(&self.edges)
                .any(|(c, e)| c.iter().zip(&e.seen).any(|(c, s)| c < s));
        let (start, began) = self.window;
        let close = real - began >= WINDOW_MS && now > start;
        if went_back {
            // Another world, or an earlier moment of this one: start again from here.
            self.edges = given
                .iter()
                .zip(&counts)
                .map(|(g, c)| Edge {
                    seen: *c,
                    counted: g.is_some(),
                    start: c[0],
                    ..Edge::default()
                })
                .collect();
            self.window = (now, real);
            self.tokens.clear();
            changed = true;
        } else if now > self.at.0 {
            // Nothing moves when a frame spans more than a learner can follow.
            let slow = (now.0 - self.at.0 .0) as f64 <= FAST * (real - self.at.1).max(1.0);
            for (i, (e, c)) in self.edges.iter_mut().zip(&counts).enumerate() {
                for (k, way) in [Way::Along, Way::Back, Way::Requeue]
                    .into_iter()
                    .enumerate()
                {
                    let count = c[k] - e.seen[k];
                    if count > 0 && slow && e.counted && !e.busy {
                        self.tokens.push(Token {
                            link: i,
                            way,
                            count,
                            born: real,
                        });
                        changed = true;
                    }
                }
                e.seen = *c;
                if close && e.counted {
                    // Busy by real time, figured by simulated time.
                    let moved = c[0] - e.start;
                    e.busy = moved as f64 * 1000.0 > BUSY * (real - began);
                    let sim_ms = now.0 - start.0;
                    let rate = (moved > 0).then(|| (moved * 1000 + sim_ms / 2) / sim_ms);
                    changed |= rate != e.rate;
                    (e.rate, e.start) = (rate, c[0]);
                }
            }
            if close {
                self.window = (now, real);
            }
        }
        self.at = (now, real);
        changed
    }

    /// Whether edge `link` shows its flow figure rather than tokens.
    pub fn busy(&self, link: usize) -> bool {
        self.edges.get(link).is_some_and(|e| e.busy)
    }

    /// Edge `link`'s flow per simulated second over the last window, if anything moved.
    pub fn rate(&self, link: usize) -> Option<u64> {
        self.edges.get(link).and_then(|e| e.rate)
    }
}
