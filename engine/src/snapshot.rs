//! A cheap view of the simulation for rendering: counts, consumers, and a capped number of
//! message tokens per place (the rest are shown as counts).

use serde::Serialize;

use crate::command::Payload;
use crate::kernel::time::Millis;
use crate::message::{MsgId, MsgState};
use crate::metrics::Counts;
use crate::scenario::{Mode, QueueKind};
use crate::sim::Sim;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub now: Millis,
    pub mode: Mode,
    pub kind: QueueKind,
    pub counts: Counts,
    pub consumers: Vec<ConsumerView>,
    /// Oldest first, at most `cap` of each.
    pub visible: Vec<Token>,
    pub delayed: Vec<Token>,
    pub in_flight: Vec<Token>,
    pub dlq: Vec<Token>,
    /// FIFO groups blocked by a message in flight.
    pub blocked_groups: u32,
    pub http_backlog: u32,
    pub oldest_age: Millis,
    pub lag_alert: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Token {
    pub id: MsgId,
    pub payload: Payload,
    pub group: u32,
    pub receive_count: u32,
    pub state: MsgState,
    pub published_at: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsumerStatus {
    Idle,
    /// Long polling: waiting for a message to arrive.
    Waiting,
    Busy,
    Offline,
    Crashed,
    Retired,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerView {
    pub id: u32,
    pub status: ConsumerStatus,
    /// The person's switch: false after "offline", even while it finishes its batch.
    pub online: bool,
    /// Messages in the batch it is processing.
    pub batch: u32,
    pub busy_until: Option<Millis>,
    pub crashed_until: Option<Millis>,
    /// Messages it has processed so far.
    pub processed: u64,
}

impl Sim {
    /// A view for rendering, with at most `cap` tokens per place. `#[inline]`: only the page
    /// renders, so it is built with the page's size-first settings (see the crate docs).
    #[inline]
    pub fn snapshot(&self, cap: usize) -> Snapshot {
        let mut visible = Vec::new();
        let mut delayed = Vec::new();
        let mut in_flight = Vec::new();
        for h in self.store.live_iter() {
            if visible.len() >= cap && delayed.len() >= cap && in_flight.len() >= cap {
                break;
            }
            let Some(m) = self.msg(h) else { continue };
            let list = match m.state() {
                MsgState::Visible => &mut visible,
                MsgState::Delayed { .. } => &mut delayed,
                MsgState::InFlight { .. } | MsgState::Held { .. } => &mut in_flight,
                _ => continue,
            };
            if list.len() < cap {
                list.push(token(m));
            }
        }
        if self.sc.mode == Mode::Http {
            for c in &self.consumers {
                if let Some(m) = c.http_job.and_then(|h| self.msg(h)) {
                    if in_flight.len() < cap && matches!(m.state(), MsgState::InFlight { .. }) {
                        in_flight.push(token(m));
                    }
                }
            }
            for h in self.http_backlog.iter() {
                if let Some(m) = self.msg(h).filter(|m| m.state() == MsgState::Visible) {
                    if visible.len() < cap {
                        visible.push(token(m));
                    }
                }
            }
        }
        let dlq = self
            .dlq
            .iter()
            .filter_map(|h| self.msg(h))
            .filter(|m| matches!(m.state(), MsgState::DeadLettered { .. }))
            .take(cap)
            .map(token)
            .collect();
        let consumers = self
            .consumers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let status = if c.retired {
                    ConsumerStatus::Retired
                } else if c.crashed_until.is_some() {
                    ConsumerStatus::Crashed
                } else if c.batch.is_some() || c.http_job.is_some() {
                    ConsumerStatus::Busy
                } else if !c.online {
                    ConsumerStatus::Offline
                } else if c.waiting() {
                    ConsumerStatus::Waiting
                } else {
                    ConsumerStatus::Idle
                };
                ConsumerView {
                    id: i as u32,
                    status,
                    online: c.online,
                    batch: c
                        .batch
                        .as_ref()
                        .map_or(u32::from(c.http_job.is_some()), |b| b.items.len() as u32),
                    busy_until: c.batch.as_ref().map(|b| b.ends),
                    crashed_until: c.crashed_until,
                    processed: c.processed,
                }
            })
            .collect();
        Snapshot {
            now: self.now,
            mode: self.sc.mode,
            kind: self.sc.queue.kind,
            counts: self.counts.clone(),
            consumers,
            visible,
            delayed,
            in_flight,
            dlq,
            blocked_groups: self.ready.blocked_groups(),
            http_backlog: self
                .http_backlog
                .iter()
                .filter(|&h| self.msg(h).is_some())
                .count() as u32,
            oldest_age: self.oldest_waiting_age(),
            lag_alert: self.lag_alert(),
        }
    }
}

/// How far into the publish-order line [`Sim::next_lock_end`] looks: received messages sit
/// near its front (a standard queue hands out roughly its oldest, a returned one goes back
/// to the front), so this finds them all in practice and bounds the cost of a frame.
const LOCK_SCAN: usize = 8192;

impl Sim {
    /// When the soonest lock on a received message ends (SQS's visibility timeout, Service
    /// Bus's lock, Pub/Sub's ack deadline): the moment the first message in flight comes
    /// back unless it is deleted before. None when nothing is in flight, in the HTTP
    /// baseline, or when not every message in flight is among the first [`LOCK_SCAN`] of
    /// the line: a countdown that might name the wrong message is better left out.
    pub fn next_lock_end(&self) -> Option<Millis> {
        let want = self.counts.in_flight;
        if want == 0 || self.sc.mode == Mode::Http {
            return None;
        }
        let mut found = 0;
        let mut soonest = Millis::MAX;
        let mut previous = None;
        for h in self.store.live_iter().take(LOCK_SCAN) {
            // A redriven message goes back in just before its own stale entry: count it once.
            if previous.replace(h) == Some(h) {
                continue;
            }
            if let Some(MsgState::InFlight { deadline, .. }) = self.state(h) {
                soonest = soonest.min(deadline);
                found += 1;
                if found == want {
                    return Some(soonest);
                }
            }
        }
        None
    }
}

fn token(m: &crate::message::Message) -> Token {
    Token {
        id: m.id(),
        payload: m.payload(),
        group: m.group(),
        receive_count: m.receive_count(),
        state: m.state(),
        published_at: m.published_at(),
    }
}
