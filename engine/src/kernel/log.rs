//! The event log: a bounded window of recent events for people and tests to read, and a hash of
//! every event ever emitted, so two runs can be compared exactly even after the window has
//! forgotten their beginnings.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// The log's hash: each event's words folded into one word by [`EventWords`], and that word
/// folded into the running hash with the Fx multiply-rotate step, so the order of events counts.
/// `usize`/`isize` are widened to 64 bits so that a 32-bit wasm build and a 64-bit native build
/// produce the same hash for the same log. It detects any difference between two runs; it is not
/// meant to resist deliberate collisions.
///
/// Changing anything here changes every recorded log hash (`scenarios/*.loghash`, the
/// determinism tests), which is the point of recording them.
#[derive(Clone, Debug)]
pub(crate) struct LogHasher(u64);

impl Default for LogHasher {
    fn default() -> Self {
        LogHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl LogHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    /// Adds one event, whatever its `Hash` encoding writes.
    #[inline]
    pub fn add<E: Hash>(&mut self, event: &E) {
        let mut words = EventWords::default();
        event.hash(&mut words);
        self.mix(words.finish());
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// One event's words folded into one: each word is spread by a multiplication (`(w ^ K1) * K2`,
/// `K2` odd, so a changed word changes its term and a word of 0 still adds one), and the terms
/// are summed with a rotation between them, so where a word sits counts. The multiplications do
/// not wait for each other, unlike chaining every word through the running hash, which took a
/// quarter of a busy run's time.
#[derive(Default)]
struct EventWords(u64);

impl EventWords {
    #[inline]
    fn word(&mut self, w: u64) {
        let term = (w ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 = self.0.rotate_left(7).wrapping_add(term);
    }
}

impl Hasher for EventWords {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.word(u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.word(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.word(i as u64);
    }
}

/// Every event a model emits goes through here: it is hashed (always) and kept (while it is
/// among the most recent `capacity`). Readers drain what they have not seen yet; a reader that
/// falls behind by more than `capacity` events gets only what is still kept, never a stall.
///
/// Generic over the event type so that models with their own event vocabulary can share the
/// window, the drain bookkeeping and the hash.
#[derive(Clone, Debug)]
pub(crate) struct EventLog<E> {
    kept: VecDeque<E>,
    capacity: usize,
    /// Events ever emitted, kept or not.
    total: u64,
    /// `total` at the last drain.
    drained: u64,
    hash: LogHasher,
}

impl<E: Hash + Clone> EventLog<E> {
    /// A log keeping the most recent `capacity` events; 0 keeps none but still hashes all.
    pub fn new(capacity: usize) -> EventLog<E> {
        EventLog {
            kept: VecDeque::new(),
            capacity,
            total: 0,
            drained: 0,
            hash: LogHasher::default(),
        }
    }

    pub fn push(&mut self, event: E) {
        self.hash.add(&event);
        self.total += 1;
        if self.capacity > 0 {
            if self.kept.len() >= self.capacity {
                self.kept.pop_front();
            }
            self.kept.push_back(event);
        }
    }

    /// Events since the last drain that are still kept.
    pub fn drain(&mut self) -> Vec<E> {
        let first_kept = self.total - self.kept.len() as u64;
        let from = self.drained.max(first_kept);
        let skip = (from - first_kept) as usize;
        self.drained = self.total;
        self.kept.iter().skip(skip).cloned().collect()
    }

    /// The kept events, oldest first.
    pub fn recent(&self) -> impl Iterator<Item = &E> {
        self.kept.iter()
    }

    /// A hash of every event so far, kept or not: equal hashes mean identical runs.
    pub fn hash(&self) -> u64 {
        self.hash.finish()
    }

    pub fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recent_and_hashes_everything() {
        let mut small = EventLog::new(2);
        let mut none = EventLog::new(0);
        for e in 1u64..=5 {
            small.push(e);
            none.push(e);
        }
        assert_eq!(small.recent().copied().collect::<Vec<_>>(), vec![4, 5]);
        assert_eq!(none.recent().count(), 0);
        assert_eq!(small.total(), 5);
        assert_eq!(
            small.hash(),
            none.hash(),
            "the window does not affect the hash"
        );
    }

    #[test]
    fn a_drain_returns_only_what_is_new_and_still_kept() {
        let mut log = EventLog::new(3);
        log.push(1u64);
        log.push(2);
        assert_eq!(log.drain(), vec![1, 2]);
        assert_eq!(log.drain(), Vec::<u64>::new());
        for e in 3..=7 {
            log.push(e);
        }
        // 3 and 4 were forgotten before anyone drained them.
        assert_eq!(log.drain(), vec![5, 6, 7]);
    }

    #[test]
    fn the_hash_is_the_same_for_usize_and_u64() {
        // Widening usize keeps 32-bit wasm and 64-bit native hashes equal.
        let mut a = LogHasher::default();
        let mut b = LogHasher::default();
        a.add(&12_345usize);
        b.add(&12_345u64);
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn the_hash_sees_order_position_and_zeroes() {
        let hash = |events: &[(u64, u64)]| {
            let mut h = LogHasher::default();
            events.iter().for_each(|e| h.add(e));
            h.finish()
        };
        let base = hash(&[(1, 2), (3, 4)]);
        assert_ne!(base, hash(&[(3, 4), (1, 2)]), "events swapped");
        assert_ne!(
            base,
            hash(&[(2, 1), (3, 4)]),
            "words swapped within an event"
        );
        assert_ne!(
            base,
            hash(&[(1, 2), (3, 4), (0, 0)]),
            "an event of zeroes added"
        );
        assert_ne!(
            base,
            hash(&[(1, 2 | 1 << 63), (3, 4)]),
            "only a top bit differs"
        );
    }
}
