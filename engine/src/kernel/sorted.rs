//! A small ordered map kept as a sorted `Vec`, for the models' maps that stay small: a FIFO
//! queue's last sequence number per group, a Redis stream's pending entries, a log cursor's
//! dead-lettered offsets.
//!
//! # Contract
//! - The same answers and the same order as `BTreeMap`: iteration is by key, ascending.
//! - Lookups are binary searches; an insert or remove moves the entries after it, so it is for
//!   maps of hundreds of entries, not of a backlog. Keys that mostly arrive in order (stream
//!   ids, offsets) are appended.
//!
//! Why not `BTreeMap`: every key and value type of one costs the page's wasm its own copy of
//! the tree code (insert, remove, rebalancing, clone), several kB each, while these maps are
//! small enough for a `Vec` to be as fast.

/// An ordered map on a sorted `Vec` of pairs (see the module's contract).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { items: Vec::new() }
    }
}

impl<K: Ord + Copy, V> SortedMap<K, V> {
    fn find(&self, key: K) -> Result<usize, usize> {
        // Most inserts come at the end: check it before searching.
        match self.items.last() {
            Some((last, _)) if *last < key => Err(self.items.len()),
            _ => self.items.binary_search_by(|(k, _)| k.cmp(&key)),
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let i = self.find(*key).ok()?;
        Some(&self.items[i].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(*key).ok()?;
        Some(&mut self.items[i].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(*key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    /// The value at `key`, set to `value` first if there was none (`entry().or_insert()`).
    pub fn get_or_insert(&mut self, key: K, value: V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (key, value));
                i
            }
        };
        &mut self.items[i].1
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(*key).ok()?;
        Some(self.items.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every entry, by key, ascending.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }
}

impl<K: Ord + Copy, V> std::ops::Index<&K> for SortedMap<K, V> {
    type Output = V;

    fn index(&self, key: &K) -> &V {
        self.get(key).expect("a key in the map")
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;
    use std::collections::BTreeMap;

    #[test]
    fn answers_and_orders_as_a_btree_map_does() {
        let (mut ours, mut theirs) = (SortedMap::default(), BTreeMap::new());
        // In order, out of order, repeated, and removed, from a fixed scramble of 0..200.
        for step in 0u64..600 {
            let key = (step * 7919) % 211;
            match step % 5 {
                0..=2 => assert_eq!(ours.insert(key, step), theirs.insert(key, step)),
                3 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                _ => {
                    let a = *ours.get_or_insert(key, step);
                    assert_eq!(a, *theirs.entry(key).or_insert(step));
                }
            }
            assert_eq!(ours.get(&key), theirs.get(&key));
            assert_eq!(
                ours.contains_key(&(key + 1)),
                theirs.contains_key(&(key + 1))
            );
            assert_eq!(ours.len(), theirs.len());
        }
        let a: Vec<_> = ours.iter().collect();
        let b: Vec<_> = theirs.iter().collect();
        assert_eq!(a, b);
        assert!(ours.values().eq(theirs.values()));
        assert!(ours.keys().eq(theirs.keys()));
    }
}
