//! A queue's long lines of message handles (publish order, ready, dead letters, history) at
//! 8 bytes a handle instead of 16.
//!
//! # Contract
//! - A [`Line`] behaves as a `VecDeque<Handle>`: what goes in comes out, in the same order.
//! - It stores a handle's slot and the low 32 bits of its id, and gives back the full id from
//!   the newest id it has been given. That is exact while every id in the line is within
//!   2^32 of the newest one: four billion publishes apart, which no run reaches (the lines
//!   drop finished entries as they go). A handle read back is checked against the store as
//!   before, so an entry whose slot was reused is still seen as stale.
//! - It grows by an eighth ([`crate::kernel::lean`]), not by doubling, and shrinks back once
//!   it has room for a quarter more.
//!
//! Why: at the rush-hour benchmark's peak a million messages wait, and each is in the
//! publish-order line and the ready line; at 16 bytes a handle the two held 34 MB.

use std::collections::VecDeque;

use crate::kernel::lean::Lean;
use crate::message::{Handle, MsgId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packed {
    slot: u32,
    /// The id's low 32 bits.
    tag: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    q: VecDeque<Packed>,
    /// The largest id ever put in: the others are at most 2^32 below it.
    newest: MsgId,
}

impl Line {
    fn pack(&mut self, h: Handle) -> Packed {
        self.newest = self.newest.max(h.id);
        Packed {
            slot: h.slot,
            tag: h.id as u32,
        }
    }

    fn unpack(&self, p: Packed) -> Handle {
        unpack(self.newest, p)
    }

    pub fn len(&self) -> usize {
        self.q.len()
    }

    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    pub fn push_back(&mut self, h: Handle) {
        let p = self.pack(h);
        self.q.push_back_lean(p);
    }

    pub fn push_front(&mut self, h: Handle) {
        let p = self.pack(h);
        self.q.push_front_lean(p);
    }

    pub fn front(&self) -> Option<Handle> {
        self.q.front().map(|&p| self.unpack(p))
    }

    pub fn pop_front(&mut self) -> Option<Handle> {
        let p = self.q.pop_front()?;
        self.q.shrink_lean();
        Some(self.unpack(p))
    }

    pub fn remove(&mut self, i: usize) -> Option<Handle> {
        let p = self.q.remove(i)?;
        self.q.shrink_lean();
        Some(self.unpack(p))
    }

    pub fn insert(&mut self, i: usize, h: Handle) {
        let p = self.pack(h);
        self.q.make_room();
        self.q.insert(i, p);
    }

    pub fn iter(&self) -> impl Iterator<Item = Handle> + '_ {
        self.q.iter().map(|&p| self.unpack(p))
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Handle) -> bool) {
        let newest = self.newest;
        self.q.retain(|&p| keep(&unpack(newest, p)));
        self.q.shrink_lean();
    }

    /// The index of the first handle for which `before` is false, as on a sorted slice.
    pub fn partition_point(&self, mut before: impl FnMut(Handle) -> bool) -> usize {
        self.q.partition_point(|&p| before(self.unpack(p)))
    }
}

/// The full id of a packed handle, from the newest id its line holds.
fn unpack(newest: MsgId, p: Packed) -> Handle {
    let back = (newest as u32).wrapping_sub(p.tag);
    Handle {
        slot: p.slot,
        id: newest.wrapping_sub(u64::from(back)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(slot: u32, id: MsgId) -> Handle {
        Handle { slot, id }
    }

    /// Handles come back whole, across a 2^32 boundary of the ids too, in deque order.
    #[test]
    fn handles_come_back_whole_and_in_order() {
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        let mut line = Line::default();
        let near = (1u64 << 32) - 2;
        let ids = [
            near - 3,
            near,
            near + 1,
            near + 2,
            near + 3,
            (1 << 32) + 100,
        ];
        for (i, &id) in ids.iter().enumerate() {
            line.push_back(h(i as u32, id));
        }
        let back: Vec<_> = line.iter().map(|h| h.id).collect();
        assert_eq!(back, ids);
        line.push_front(h(9, near - 7));
        assert_eq!(line.front(), Some(h(9, near - 7)));
        assert_eq!(line.pop_front(), Some(h(9, near - 7)));
        line.retain(|h| h.id != near + 1);
        assert_eq!(line.len(), ids.len() - 1);
        let at = line.partition_point(|x| x.id < near + 1);
        line.insert(at, h(8, near + 1));
        let back: Vec<_> = line.iter().map(|h| h.id).collect();
        assert_eq!(back, ids);
        assert_eq!(line.remove(1), Some(h(1, near)));
    }
}
