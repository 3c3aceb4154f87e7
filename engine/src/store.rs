//! A queue's message store: the slots that hold its packed messages, and the line of its main
//! queue's messages in publish order, which names slots only.
//!
//! # Contract
//! - [`Store::alloc`] puts a message in a free slot and returns its handle; [`Store::get`]
//!   finds it by handle while the slot still holds it.
//! - A finished message stays readable until [`Store::forget`]. Its slot is reused only once
//!   it is forgotten **and** out of the publish-order line, so a line entry (4 bytes, a slot)
//!   always names the message it was made for: no id is needed to see whether the slot was
//!   reused. A message is in the line at most once.
//! - A forgotten message is invisible to [`Store::get`] and [`Store::iter`] even while the line
//!   still names its slot; the line's walks see it as gone.
//! - The line grows by an eighth and gives memory back once it has room for a quarter more
//!   ([`crate::kernel::lean`]).
//!
//! Why: at the rush-hour benchmark's peak about a million messages wait, and each is in this
//! line; handles of slot and id (8 bytes) held 9 MB of it.

use std::collections::VecDeque;

use crate::kernel::chunked::Chunked;
use crate::kernel::lean::Lean;
use crate::message::{Handle, Message, MsgId};

/// No free slot.
const NONE: u32 = u32::MAX;

/// How many waiting messages [`Store::live_trim_front`] looks past.
const TRIM_KEEP: usize = 32_768;

#[derive(Clone, Debug)]
pub(crate) struct Store {
    slots: Chunked<Message>,
    /// The first free slot ([`NONE`] for none). Each free slot names the next one itself
    /// ([`Message::free`]), so the free list costs no memory of its own.
    free: u32,
    /// The main queue's messages in publish order, by slot.
    live: VecDeque<u32>,
    /// The line's entries before this one were kept by the last [`Store::live_trim_front`],
    /// which starts after them: each entry is looked at about once, not once per trim. Any
    /// other change but a pop from the front sets it back to 0.
    worked: usize,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            slots: Chunked::default(),
            free: NONE,
            live: VecDeque::new(),
            worked: 0,
        }
    }
}

impl Store {
    // Every message access comes here: inlined at each, the checks cost the page bytes.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn get(&self, h: Handle) -> Option<&Message> {
        self.slots
            .get(h.slot as usize)
            .filter(|m| m.id() == h.id && !m.forgotten())
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn get_mut(&mut self, h: Handle) -> Option<&mut Message> {
        self.slots
            .get_mut(h.slot as usize)
            .filter(|m| m.id() == h.id && !m.forgotten())
    }

    /// Every message not yet forgotten, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &Message> {
        self.slots.iter().filter(|m| present(m))
    }

    /// The id of the message a slot holds, unless it is free or forgotten.
    pub fn id_at(&self, slot: u32) -> Option<MsgId> {
        self.slots
            .get(slot as usize)
            .filter(|m| present(m))
            .map(Message::id)
    }

    pub fn alloc(&mut self, message: Message) -> Handle {
        let id = message.id();
        let slot = match self.slots.get_mut(self.free as usize) {
            Some(m) => {
                let slot = self.free;
                self.free = m.next_free();
                *m = message;
                slot
            }
            None => {
                self.slots.push(message);
                (self.slots.len() - 1) as u32
            }
        };
        Handle { slot, id }
    }

    /// Lets a finished message's slot go: at once, or when the line lets go of it.
    pub fn forget(&mut self, h: Handle) {
        let Some(m) = self.get_mut(h) else { return };
        if !m.state().is_terminal() {
            return;
        }
        m.set_forgotten();
        if !m.in_live() {
            release(&mut self.slots, &mut self.free, h.slot);
        }
    }

    // ---- the publish-order line ----

    pub fn live_len(&self) -> usize {
        self.live.len()
    }

    fn handle(&self, slot: u32) -> Handle {
        let id = self.slots.get(slot as usize).map_or(0, Message::id);
        Handle { slot, id }
    }

    pub fn live_front(&self) -> Option<Handle> {
        self.live.front().map(|&s| self.handle(s))
    }

    pub fn live_iter(&self) -> impl Iterator<Item = Handle> + '_ {
        self.live.iter().map(|&s| self.handle(s))
    }

    pub fn live_push_back(&mut self, h: Handle) {
        if self.enter_live(h) {
            self.live.push_back_lean(h.slot);
        }
    }

    pub fn live_push_front(&mut self, h: Handle) {
        self.worked = 0;
        if self.enter_live(h) {
            self.live.push_front_lean(h.slot);
        }
    }

    /// Puts a message back in its place by publish order (a redrive), unless it never left.
    pub fn live_insert(&mut self, h: Handle) {
        if !self.enter_live(h) {
            return;
        }
        self.worked = 0;
        let slots = &self.slots;
        let at = self
            .live
            .partition_point(|&s| slots.get(s as usize).map_or(0, Message::id) < h.id);
        self.live.make_room();
        self.live.insert(at, h.slot);
    }

    pub fn live_pop_front(&mut self) -> Option<Handle> {
        let slot = self.live.pop_front()?;
        self.worked = self.worked.saturating_sub(1);
        let h = self.handle(slot);
        release(&mut self.slots, &mut self.free, slot);
        self.live.shrink_lean();
        Some(h)
    }

    /// Drops the entries at the front whose message is gone (finished, dead-lettered or
    /// forgotten: not `waiting`), and those behind a waiting one, until the first waiting
    /// message that is `untouched` (or [`TRIM_KEEP`] kept ones). Order is kept. What the
    /// last trim kept is not looked at again, except at the very front.
    pub fn live_trim_front(
        &mut self,
        mut waiting: impl FnMut(&Message) -> bool,
        mut untouched: impl FnMut(&Message) -> bool,
    ) {
        while let Some(&slot) = self.live.front() {
            if holds(&self.slots, slot, &mut waiting) {
                break;
            }
            self.live_pop_front();
        }
        let start = self.worked.min(self.live.len());
        let (mut kept, mut i) = (start, start);
        while i < self.live.len() && kept < TRIM_KEEP {
            let slot = self.live[i];
            if !holds(&self.slots, slot, &mut waiting) {
                release(&mut self.slots, &mut self.free, slot);
            } else if self.slots.get(slot as usize).is_some_and(&mut untouched) {
                break;
            } else {
                self.live[kept] = slot;
                kept += 1;
            }
            i += 1;
        }
        self.live.drain(kept..i);
        self.worked = kept;
        self.live.shrink_lean();
    }

    /// Keeps the entries whose message is still there (not forgotten) and passes `keep`.
    pub fn live_retain(&mut self, mut keep: impl FnMut(&Message) -> bool) {
        self.worked = 0;
        let (slots, free) = (&mut self.slots, &mut self.free);
        self.live.retain(|&s| {
            let kept = holds(slots, s, &mut keep);
            if !kept {
                release(slots, free, s);
            }
            kept
        });
        self.live.shrink_lean();
    }

    /// Marks the message as in the line; false when it already was (or is gone).
    fn enter_live(&mut self, h: Handle) -> bool {
        match self.get_mut(h) {
            Some(m) if !m.in_live() => {
                m.set_in_live(true);
                true
            }
            _ => false,
        }
    }
}

/// Whether a slot holds a message, not forgotten, that passes `test`.
fn holds(slots: &Chunked<Message>, slot: u32, mut test: impl FnMut(&Message) -> bool) -> bool {
    slots
        .get(slot as usize)
        .is_some_and(|m| !m.forgotten() && test(m))
}

/// A message not forgotten in a slot that is not free.
fn present(m: &Message) -> bool {
    m.id() != 0 && !m.forgotten()
}

/// The line let go of a slot, or never held it: the slot is free now if its message has been
/// forgotten.
fn release(slots: &mut Chunked<Message>, free: &mut u32, slot: u32) {
    let Some(m) = slots.get_mut(slot as usize) else {
        return;
    };
    m.set_in_live(false);
    if m.forgotten() {
        m.free(*free);
        *free = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Payload;
    use crate::kernel::time::Millis;
    use crate::message::{MsgState, Published};

    fn message(id: u64, state: MsgState) -> Message {
        Message::new(Published {
            id,
            event: id,
            producer: 0,
            payload: Payload::Normal,
            group: 1,
            at: Millis(id),
            state,
            duplicate_send: false,
        })
    }

    /// A slot the line still names is not reused, however long ago its message was forgotten;
    /// once the line lets go, it is.
    #[test]
    fn a_slot_in_the_line_waits_for_the_line_before_it_is_reused() {
        let mut store = Store::default();
        let done = MsgState::Processed { at: Millis(5) };
        let a = store.alloc(message(1, MsgState::Visible));
        let b = store.alloc(message(2, done));
        store.live_push_back(a);
        store.live_push_back(b);
        store.live_push_back(b);
        assert_eq!(store.live_len(), 2, "a message is in the line once");
        store.forget(b);
        assert!(
            store.get(b).is_none(),
            "a forgotten message is gone to readers"
        );
        assert_eq!(store.iter().count(), 1);
        let c = store.alloc(message(3, done));
        assert_ne!(c.slot, b.slot, "the line still names b's slot");
        store.forget(c);
        let d = store.alloc(message(4, MsgState::Visible));
        assert_eq!(
            d.slot, c.slot,
            "c was in no line: its slot is reused at once"
        );
        store.live_retain(|m| m.state() == MsgState::Visible);
        assert_eq!(store.live_iter().collect::<Vec<_>>(), vec![a]);
        let e = store.alloc(message(5, MsgState::Visible));
        assert_eq!(
            e.slot, b.slot,
            "b's slot is free once the line let go of it"
        );
        assert_eq!(store.get(e).map(Message::id), Some(5));
    }

    /// A redriven message goes back to its place by id, and only if it had left the line.
    #[test]
    fn a_redrive_puts_a_message_back_in_publish_order_once() {
        let mut store = Store::default();
        let hs: Vec<Handle> = (1..=4)
            .map(|id| store.alloc(message(id, MsgState::Visible)))
            .collect();
        for &h in &hs {
            store.live_push_back(h);
        }
        store.live_retain(|m| m.id() != 3);
        store.live_insert(hs[2]);
        store.live_insert(hs[1]);
        let ids: Vec<u64> = store.live_iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4]);
        assert_eq!(store.live_pop_front(), Some(hs[0]));
        assert_eq!(store.live_front(), Some(hs[1]));
    }
}
