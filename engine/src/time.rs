//! Simulated time.

use serde::{Deserialize, Serialize};

/// A point in (or span of) simulated time, in whole milliseconds since the simulation started.
///
/// A newtype rather than a bare `u64` so that simulated time can never be mixed up with a wall-clock
/// reading, a count, or seconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    pub const ZERO: Millis = Millis(0);

    pub const fn from_secs(secs: u64) -> Millis {
        Millis(secs * 1000)
    }

    pub const fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub const fn saturating_add(self, other: Millis) -> Millis {
        Millis(self.0.saturating_add(other.0))
    }

    pub const fn saturating_sub(self, other: Millis) -> Millis {
        Millis(self.0.saturating_sub(other.0))
    }
}

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0;
        if ms < 1000 {
            write!(f, "{ms} ms")
        } else if ms < 60_000 {
            write!(f, "{:.1} s", ms as f64 / 1000.0)
        } else {
            write!(f, "{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
        }
    }
}
