//! The event log's hash (feature `log-hash`): equal hashes mean identical runs, on any target.
//!
//! # Contract
//! - The same events in the same order give the same hash natively and in wasm: `usize` and
//!   `isize` are widened to 64 bits.
//! - Any changed, added, removed or reordered event changes it, barring chance; it is not meant
//!   to resist deliberate collisions.

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

#[cfg(test)]
mod tests {
    use super::*;

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
