//! Growth by an eighth for the queue's long lines: the publish-order list, the ready list, the
//! dead letters and their expiry heap.
//!
//! # Contract
//! - [`Lean::push_back_lean`] and [`Lean::push_front_lean`] behave exactly as `push_back` and
//!   `push_front`; only the capacity they leave differs.
//! - A full container grows by an eighth of its length (at least [`STEP`] entries), so its
//!   capacity stays within 12.5 % (or one step) of what it holds. A deque with room for a
//!   quarter more shrinks back to that ([`Lean::shrink_lean`]).
//!
//! Why: a `VecDeque` doubles. At the rush-hour benchmark's peak (a backlog of about a million
//! messages) the publish-order list had just doubled to room for 2,097,152 handles, 33.5 MB,
//! half of it empty; the four lines together held 71 MB for 40 MB of entries (massif,
//! 2026-12-04). Growing by an eighth still costs amortised constant time per push: each
//! growth moves the whole line, but the next one comes only after an eighth more pushes.

use std::collections::{BinaryHeap, VecDeque};

/// The smallest growth: short lines grow in steps this size, not an eighth of a few entries.
pub(crate) const STEP: usize = 1024;

fn extra(len: usize) -> usize {
    (len / 8).max(STEP)
}

/// Pushes that grow the container by an eighth when it is full, rather than doubling it.
pub(crate) trait Lean<T> {
    /// Grows a full container by an eighth; does nothing while it has room.
    fn make_room(&mut self);
    fn push_back_lean(&mut self, value: T);
    fn push_front_lean(&mut self, value: T);
    /// Gives memory back once the container has room for a quarter more than it holds, down
    /// to an eighth over: a draining backlog's lines stop holding its peak.
    fn shrink_lean(&mut self);
}

impl<T> Lean<T> for VecDeque<T> {
    fn make_room(&mut self) {
        if self.len() == self.capacity() {
            self.reserve_exact(extra(self.len()));
        }
    }

    fn push_back_lean(&mut self, value: T) {
        self.make_room();
        self.push_back(value);
    }

    fn push_front_lean(&mut self, value: T) {
        self.make_room();
        self.push_front(value);
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn shrink_lean(&mut self) {
        // A quarter over before it shrinks, an eighth over after: about a tenth of the length
        // in pops comes between two moves of the line, and a move is one copy of it.
        if self.capacity() > self.len() + self.len() / 4 + 4 * STEP {
            self.shrink_to(self.len() + extra(self.len()));
        }
    }
}

/// A heap has one end to push to; the same growth.
pub(crate) fn push_lean<T: Ord>(heap: &mut BinaryHeap<T>, value: T) {
    if heap.len() == heap.capacity() {
        heap.reserve_exact(extra(heap.len()));
    }
    heap.push(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Capacity stays within an eighth (or one step) of the length at every size, at both
    /// ends, while order is exactly that of the plain pushes.
    #[test]
    fn a_long_line_keeps_its_capacity_close_to_its_length() {
        let mut lean = VecDeque::new();
        let mut plain = VecDeque::new();
        for i in 0..300_000u32 {
            if i % 3 == 0 {
                lean.push_front_lean(i);
                plain.push_front(i);
            } else {
                lean.push_back_lean(i);
                plain.push_back(i);
            }
            let room = lean.capacity() - lean.len();
            assert!(
                room <= extra(lean.len()),
                "{} for {}",
                lean.capacity(),
                lean.len()
            );
        }
        assert_eq!(lean, plain);
        // A doubling deque of the same length has room for about twice as many.
        assert!(plain.capacity() > lean.capacity() + lean.len() / 4);

        let mut heap = BinaryHeap::new();
        for i in 0..100_000u32 {
            push_lean(&mut heap, i.wrapping_mul(2_654_435_761));
            assert!(heap.capacity() - heap.len() <= extra(heap.len()));
        }
        let sorted = heap.into_sorted_vec();
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
    }
}
