//! The event log: a bounded window of recent events for people and tests to read, and (with the
//! feature `log-hash`) a hash of every event ever emitted ([`super::log_hash`]), so two runs can
//! be compared exactly even after the window has forgotten their beginnings.

use std::collections::VecDeque;
use std::hash::Hash;

#[cfg(feature = "log-hash")]
use super::log_hash::LogHasher;

/// Every event a model emits goes through here: it is hashed (feature `log-hash`) and kept
/// (while it is among the most recent `capacity`). Readers drain what they have not seen yet; a
/// reader that falls behind by more than `capacity` events gets only what is still kept, never
/// a stall.
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
    #[cfg(feature = "log-hash")]
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
            #[cfg(feature = "log-hash")]
            hash: LogHasher::default(),
        }
    }

    pub fn push(&mut self, event: E) {
        #[cfg(feature = "log-hash")]
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
    #[cfg(feature = "log-hash")]
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

    #[cfg(feature = "log-hash")]
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
}
