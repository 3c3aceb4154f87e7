//! THE agenda: what happens next, in (time, scheduling order). Equal times keep the order they
//! were scheduled in, so runs are deterministic without the payload ever being compared; a
//! model's timers need no `Ord` and may carry anything.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

#[derive(Debug)]
pub(crate) struct Agenda<D> {
    heap: BinaryHeap<Entry<D>>,
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
            seq: 0,
        }
    }

    /// Schedules `due` at `at`, but never before `now`: a deadline that has already passed fires
    /// at once, after everything already due now, and simulated time never runs backwards when
    /// it is popped.
    pub fn schedule(&mut self, now: Millis, at: Millis, due: D) {
        self.seq += 1;
        self.heap.push(Entry {
            at: at.max(now),
            seq: self.seq,
            due,
        });
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// When the next entry is due, if any.
    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(|e| e.at)
    }

    /// The next entry, whenever it is due, removed from the agenda.
    pub fn pop(&mut self) -> Option<(Millis, D)> {
        self.heap.pop().map(|e| (e.at, e.due))
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

    #[test]
    fn a_deadline_in_the_past_fires_now_after_what_is_already_due() {
        let mut a = Agenda::new();
        a.schedule(Millis(50), Millis(50), Unordered("due now"));
        a.schedule(Millis(50), Millis(5), Unordered("overdue"));
        assert_eq!(a.pop(), Some((Millis(50), Unordered("due now"))));
        assert_eq!(a.pop(), Some((Millis(50), Unordered("overdue"))));
    }
}
