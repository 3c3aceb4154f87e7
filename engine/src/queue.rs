//! The main queue's ready structure: which visible message a receive gets next.
//!
//! Entries may be stale (the message expired, was dropped or dead-lettered since it was queued);
//! the simulation checks every candidate against the message store and skips stale ones, which
//! keeps removal O(1) everywhere.

use std::collections::VecDeque;

use crate::kernel::rng::Rng;
use crate::line::Line;
use crate::message::Handle;

#[derive(Clone, Debug)]
pub(crate) enum Ready {
    /// SQS standard: roughly oldest first, with best-effort (not strict) order.
    Standard(Line),
    /// SQS FIFO: strict order per message group; a group with a message in flight is blocked.
    Fifo(Fifo),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Fifo {
    /// Indexed by group number (1-based; index 0 unused).
    groups: Vec<Group>,
    /// Groups that may have deliverable messages, in the order they became ready.
    ready: VecDeque<u32>,
}

#[derive(Clone, Debug, Default)]
struct Group {
    /// Sorted by sequence number, which is the message id ([`crate::Message::seq`]).
    queue: Line,
    in_flight: u32,
    queued: bool,
}

impl Ready {
    pub fn new(fifo: bool) -> Ready {
        if fifo {
            Ready::Fifo(Fifo::default())
        } else {
            Ready::Standard(Line::default())
        }
    }

    /// A newly visible message, at the back.
    pub fn push_new(&mut self, h: Handle, group: u32, seq: u64) {
        match self {
            Ready::Standard(q) => q.push_back(h),
            Ready::Fifo(f) => {
                let g = f.group_mut(group);
                // Redriven messages are older than what is queued: keep the group sorted.
                let pos = g.queue.partition_point(|x| x.id < seq);
                g.queue.insert(pos, h);
                f.mark_ready(group);
            }
        }
    }

    /// A message coming back from in flight: it is older than anything queued behind it, so it
    /// goes to the front (standard) or to its place in the group (FIFO).
    pub fn push_returned(&mut self, h: Handle, group: u32, seq: u64) {
        match self {
            Ready::Standard(q) => q.push_front(h),
            Ready::Fifo(_) => self.push_new(h, group, seq),
        }
    }

    pub fn is_fifo(&self) -> bool {
        matches!(self, Ready::Fifo(_))
    }

    /// Standard queues: the next candidate, chosen among the first `window` entries.
    pub fn pick_standard(&mut self, rng: &mut Rng, window: u32) -> Option<Handle> {
        let Ready::Standard(q) = self else {
            return None;
        };
        let span = q.len().min(window as usize);
        match span {
            0 => None,
            1 => q.pop_front(),
            n => {
                let i = rng.below(n as u64) as usize;
                q.remove(i)
            }
        }
    }

    /// FIFO: the next group that has messages and nothing in flight.
    pub fn next_group(&mut self) -> Option<u32> {
        let Ready::Fifo(f) = self else { return None };
        while let Some(g) = f.ready.pop_front() {
            let group = &mut f.groups[g as usize];
            group.queued = false;
            if group.in_flight == 0 && !group.queue.is_empty() {
                return Some(g);
            }
        }
        None
    }

    /// FIFO: the head of a group.
    pub fn pop_group(&mut self, group: u32) -> Option<Handle> {
        let Ready::Fifo(f) = self else { return None };
        f.groups.get_mut(group as usize)?.queue.pop_front()
    }

    /// FIFO: a message of `group` went in flight (`+1`) or left in flight (`-1`).
    pub fn group_in_flight(&mut self, group: u32, delta: i32) {
        let Ready::Fifo(f) = self else { return };
        let g = f.group_mut(group);
        g.in_flight = g.in_flight.saturating_add_signed(delta);
        if g.in_flight == 0 {
            f.mark_ready(group);
        }
    }

    /// Entries among which the oldest waiting message is: the first `n` of a standard queue
    /// (returned messages go to the front), or the head of every FIFO group. May include stale ones.
    pub fn oldest_candidates(&self, n: usize) -> Vec<Handle> {
        match self {
            Ready::Standard(q) => q.iter().take(n).collect(),
            Ready::Fifo(f) => f.groups.iter().filter_map(|g| g.queue.front()).collect(),
        }
    }

    /// FIFO: a group with a message in flight is blocked (for the snapshot).
    pub fn blocked_groups(&self) -> u32 {
        match self {
            Ready::Standard(_) => 0,
            Ready::Fifo(f) => f.groups.iter().filter(|g| g.in_flight > 0).count() as u32,
        }
    }
}

impl Fifo {
    fn group_mut(&mut self, group: u32) -> &mut Group {
        let i = group as usize;
        if self.groups.len() <= i {
            self.groups.resize_with(i + 1, Group::default);
        }
        &mut self.groups[i]
    }

    fn mark_ready(&mut self, group: u32) {
        let g = &mut self.groups[group as usize];
        if !g.queued && g.in_flight == 0 && !g.queue.is_empty() {
            g.queued = true;
            self.ready.push_back(group);
        }
    }
}
