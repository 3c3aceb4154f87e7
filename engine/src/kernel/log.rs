//! The event log: a bounded window of recent events for people and tests to read, and a hash of
//! every event ever emitted, so two runs can be compared exactly even after the window has
//! forgotten their beginnings.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// A word-at-a-time hash (the Fx multiply-rotate step) over the events' `Hash` encoding, with
/// `usize`/`isize` widened to 64 bits so that a 32-bit wasm build and a 64-bit native build
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
}

impl Hasher for LogHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
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
        event.hash(&mut self.hash);
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
        a.write_usize(12_345);
        b.write_u64(12_345);
        assert_eq!(a.finish(), b.finish());
    }
}
