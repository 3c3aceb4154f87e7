//! A growable array that grows a fixed-size chunk at a time.
//!
//! A `Vec` doubles: while it grows, the old buffer and the new one (twice the size) are both
//! alive, and in wasm the linear memory never gives back what that peak took. A backlog of
//! 700,000 messages made a 136 MB store briefly need 400 MB. Here, past the first chunk, growth
//! adds one chunk and moves nothing, so the memory a store holds stays close to what it stores.

/// Elements per chunk: 4096 messages are about 400 kB, small beside a backlog and large beside
/// the table of chunk pointers.
const CHUNK: usize = 4096;

#[derive(Clone, Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn push(&mut self, value: T) {
        if self.len % CHUNK == 0 {
            // The first chunk grows like a `Vec`, so a small store stays small; the doubling
            // it does stops at one chunk.
            let chunk = if self.len == 0 {
                Vec::new()
            } else {
                Vec::with_capacity(CHUNK)
            };
            self.chunks.push(chunk);
        }
        // The last chunk has room: a full one was followed by a new, empty one above.
        if let Some(last) = self.chunks.last_mut() {
            last.push(value);
        }
        self.len += 1;
    }

    // Called from every message access; inlined there it cost the page about 600 bytes.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_read_back_what_was_pushed_across_chunk_boundaries() {
        let mut c = Chunked::default();
        let n = 3 * CHUNK + 7;
        for i in 0..n {
            c.push(i as u32);
        }
        assert_eq!(c.len(), n);
        for i in [0, CHUNK - 1, CHUNK, 2 * CHUNK + 1, n - 1] {
            assert_eq!(c.get(i), Some(&(i as u32)));
        }
        assert_eq!(c.get(n), None);
        *c.get_mut(CHUNK).unwrap() = 99;
        assert_eq!(c.get(CHUNK), Some(&99));
        assert_eq!(c.iter().count(), n);
        assert_eq!(c.iter().nth(CHUNK + 1), Some(&((CHUNK + 1) as u32)));
    }

    #[test]
    fn growing_past_the_first_chunk_moves_nothing() {
        let mut c = Chunked::default();
        for i in 0..=(CHUNK as u64) {
            c.push(i);
        }
        let first: *const u64 = c.get(0).unwrap();
        let second: *const u64 = c.get(CHUNK).unwrap();
        for i in 0..(2 * CHUNK as u64) {
            c.push(i);
        }
        assert!(std::ptr::eq(first, c.get(0).unwrap()));
        assert!(std::ptr::eq(second, c.get(CHUNK).unwrap()));
        // Every chunk after the first was allocated once at its full size.
        assert!(c.chunks[1..].iter().all(|ch| ch.capacity() == CHUNK));
    }
}
