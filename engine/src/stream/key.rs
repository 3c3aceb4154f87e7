//! Record keys and Kafka's default partitioner for them: which partition a keyed record goes
//! to, bit for bit as the Java client picks it (semantics notes §3).

/// Kafka's `Utils.murmur2` (seed `0x9747b28c`), bit for bit.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = 0x9747_b28c ^ (len as u32);
    for chunk in data.chunks_exact(4) {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = &data[len & !3..];
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The default partitioner's choice for a keyed record: `toPositive(murmur2(key)) % n`.
pub fn partition_for(key: &[u8], partitions: u32) -> u32 {
    ((murmur2(key) & 0x7fff_ffff) as u32) % partitions.max(1)
}

/// A record's key as the world's producers send it: none, the hot key (`hot`), or a store's
/// (`store-N`). Kept as the producer's number for it, not as text: a log holds every record it
/// retains, and each group's ordering check one key per record it processed. As strings
/// they cost an allocation, a copy and a free per record and group: with the copies of whole
/// records, more than half of `qsim bench log`'s time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub(crate) u32);

impl Key {
    /// A record sent without a key.
    pub const NONE: Key = Key(0);

    /// The key as Kafka sees it (None: a record without a key).
    pub fn name(self) -> Option<String> {
        match self.0 {
            0 => None,
            crate::producer::HOT_KEY => Some("hot".to_owned()),
            g => Some(format!("store-{g}")),
        }
    }

    /// The partition the default partitioner picks for it among `partitions`, or None for a
    /// record without a key. Spelled backwards into a buffer on the stack: this runs for every
    /// record.
    pub(crate) fn partition(self, partitions: u32) -> Option<u32> {
        let mut buf = *b"store-0123456789";
        let from = match self.0 {
            0 => return None,
            crate::producer::HOT_KEY => {
                buf[13..].copy_from_slice(b"hot");
                13
            }
            mut g => {
                let mut i = buf.len();
                loop {
                    i -= 1;
                    buf[i] = b'0' + (g % 10) as u8;
                    g /= 10;
                    if g == 0 {
                        break;
                    }
                }
                buf.copy_within(0..6, i - 6);
                i - 6
            }
        };
        Some(partition_for(&buf[from..], partitions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key spelled on the stack goes where its name would: the partition decides which
    /// group member sees a record, and the log hashes of every scenario hold it too.
    #[test]
    fn a_key_goes_to_the_partition_of_its_name() {
        for g in [
            1,
            7,
            499,
            123_456,
            crate::producer::HOT_KEY - 1,
            crate::producer::HOT_KEY,
        ] {
            let name = Key(g).name().expect("a key");
            for n in [1, 3, 8, 64] {
                assert_eq!(
                    Key(g).partition(n),
                    Some(partition_for(name.as_bytes(), n)),
                    "{name}"
                );
            }
        }
        assert_eq!(Key(crate::producer::HOT_KEY).name().as_deref(), Some("hot"));
        assert_eq!(Key(42).name().as_deref(), Some("store-42"));
        assert_eq!((Key(0).name(), Key(0).partition(8)), (None, None));
    }
}
