//! The time-ordered agenda the log and Redis models share: events fire in (time, scheduling
//! order), so equal times keep the order they were scheduled in and runs are deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::Millis;

#[derive(Debug)]
pub(crate) struct Agenda<D: Ord> {
    heap: BinaryHeap<Reverse<(Millis, u64, D)>>,
    seq: u64,
}

impl<D: Ord> Agenda<D> {
    pub fn new() -> Agenda<D> {
        Agenda {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    pub fn schedule(&mut self, at: Millis, due: D) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, due)));
    }

    /// The next event due at or before `t`, removed from the agenda.
    pub fn pop_until(&mut self, t: Millis) -> Option<(Millis, D)> {
        if self.heap.peek().is_some_and(|Reverse((at, _, _))| *at <= t) {
            self.heap.pop().map(|Reverse((at, _, due))| (at, due))
        } else {
            None
        }
    }
}
