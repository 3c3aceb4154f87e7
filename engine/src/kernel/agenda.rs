//! THE agenda: what happens next, in (time, scheduling order). Equal times keep the order they
//! were scheduled in, so runs are deterministic without the payload ever being compared; a
//! model's timers need no `Ord` and may carry anything.
//!
//! Two stores, one order: an entry due no earlier than all but the last few in the *lane*
//! joins the lane (a queue, kept in order), any other the heap; `pop` takes whichever front is
//! earlier by (time, scheduling order), so the order is exactly a single heap's. Most timers
//! a queue sets are a fixed span from now (a visibility timeout, a retry), so they arrive in
//! order: in a rush hour 12,000 failed messages each waited in the heap for its visibility
//! timeout, and sifting through them was most of the engine's time.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::kernel::time::Millis;

/// One scheduled entry. Ordered by (time, seq) only, reversed so that `BinaryHeap` (a max-heap)
/// pops the earliest first. `seq` is unique per agenda, so no two entries ever compare equal and
/// the payload is never looked at.
#[derive(Debug)]
struct Entry<D> {
    at: Millis,
    seq: u64,
    due: D,
}

impl<D> PartialEq for Entry<D> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<D> Eq for Entry<D> {}
impl<D> PartialOrd for Entry<D> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<D> Ord for Entry<D> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// How far from the lane's end an entry may go in: inserting moves at most this many.
const NEAR_THE_END: usize = 32;

#[derive(Debug)]
pub(crate) struct Agenda<D> {
    heap: BinaryHeap<Entry<D>>,
    /// Entries in (time, seq) order: each was due no earlier than the one before it.
    lane: VecDeque<Entry<D>>,
    seq: u64,
}

impl<D> Default for Agenda<D> {
    fn default() -> Self {
        Agenda::new()
    }
}

impl<D> Agenda<D> {
    pub fn new() -> Agenda<D> {
        Agenda {
            heap: BinaryHeap::new(),
            lane: VecDeque::new(),
            seq: 0,
        }
    }

    /// Schedules `due` at `at`, but never before `now`: a deadline that has already passed fires
    /// at once, after everything already due now, and simulated time never runs backwards when
    /// it is popped.
    pub fn schedule(&mut self, now: Millis, at: Millis, due: D) {
        self.seq += 1;
        let entry = Entry {
            at: at.max(now),
            seq: self.seq,
            due,
        };
        // Its seq is the largest yet, so it belongs after every lane entry due no later. Near
        // the lane's end (a timeout set a moment after another's, for a message received a
        // moment before) it is put in its place; far from it, it waits in the heap.
        let place = self.lane.partition_point(|e| e.at <= entry.at);
        if self.lane.len() - place <= NEAR_THE_END {
            self.lane.insert(place, entry);
        } else {
            self.heap.push(entry);
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.lane.len()
    }

    /// Whether the next entry is the lane's (rather than the heap's).
    fn lane_first(&self) -> bool {
        match (self.lane.front(), self.heap.peek()) {
            (Some(l), Some(h)) => (l.at, l.seq) < (h.at, h.seq),
            (l, _) => l.is_some(),
        }
    }

    /// When the next entry is due, if any.
    pub fn peek_time(&self) -> Option<Millis> {
        if self.lane_first() {
            self.lane.front().map(|e| e.at)
        } else {
            self.heap.peek().map(|e| e.at)
        }
    }

    /// The next entry, whenever it is due, removed from the agenda.
    pub fn pop(&mut self) -> Option<(Millis, D)> {
        let e = if self.lane_first() {
            self.lane.pop_front()
        } else {
            self.heap.pop()
        };
        e.map(|e| (e.at, e.due))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload with no ordering at all: the agenda must not need one.
    #[derive(Debug, PartialEq)]
    struct Unordered(&'static str);

    #[test]
    fn fires_in_time_order_and_ties_in_scheduling_order() {
        let mut a = Agenda::new();
        a.schedule(Millis::ZERO, Millis(20), Unordered("late"));
        a.schedule(Millis::ZERO, Millis(10), Unordered("first"));
        a.schedule(Millis::ZERO, Millis(10), Unordered("second"));
        assert_eq!(a.peek_time(), Some(Millis(10)));
        assert_eq!(a.pop(), Some((Millis(10), Unordered("first"))));
        assert_eq!(a.pop(), Some((Millis(10), Unordered("second"))));
        assert_eq!(a.peek_time(), Some(Millis(20)));
        assert_eq!(a.pop(), Some((Millis(20), Unordered("late"))));
        assert_eq!(a.peek_time(), None);
        assert_eq!(a.pop(), None);
    }

    /// Long timers in order beside short ones out of order: whatever store each lands in, the
    /// pops are in (time, scheduling order), as a single heap gives them.
    #[test]
    fn the_lane_and_the_heap_pop_as_one_order() {
        let mut a = Agenda::new();
        let mut expected = Vec::new();
        let mut seq = 0u32;
        let mut now = 0u64;
        for round in 0..200u64 {
            for (span, n) in [(30_000u64, 3), (round * 7 % 13, 2), (0, 1), (5, 2)] {
                for _ in 0..n {
                    seq += 1;
                    a.schedule(Millis(now), Millis(now + span), seq);
                    expected.push((now + span, seq));
                }
            }
            // Take what is due by now, as the world does between schedules.
            now += 3;
            while a.peek_time().is_some_and(|t| t <= Millis(now)) {
                let (t, s) = a.pop().unwrap();
                let first = expected.iter().copied().min().unwrap();
                assert_eq!((t.0, s), first);
                expected.retain(|e| *e != first);
            }
        }
        expected.sort_unstable();
        let rest: Vec<_> = std::iter::from_fn(|| a.pop())
            .map(|(t, s)| (t.0, s))
            .collect();
        assert_eq!(rest, expected);
        assert_eq!(a.len(), 0);
    }

    #[test]
    fn a_deadline_in_the_past_fires_now_after_what_is_already_due() {
        let mut a = Agenda::new();
        a.schedule(Millis(50), Millis(50), Unordered("due now"));
        a.schedule(Millis(50), Millis(5), Unordered("overdue"));
        assert_eq!(a.pop(), Some((Millis(50), Unordered("due now"))));
        assert_eq!(a.pop(), Some((Millis(50), Unordered("overdue"))));
    }
}
