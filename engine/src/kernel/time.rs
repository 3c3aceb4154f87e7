//! Simulated time.

use serde::{Deserialize, Deserializer, Serialize};

/// A point in (or span of) simulated time, in whole milliseconds since the simulation started.
///
/// A newtype rather than a bare `u64` so that simulated time can never be mixed up with a wall-clock
/// reading, a count, or seconds. In scenario files it is written either as a number of
/// milliseconds (`30000`) or as text with a unit (`"30s"`, `"5m"`, `"250ms"`, `"1h"`, `"4d"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    pub const ZERO: Millis = Millis(0);
    pub const MAX: Millis = Millis(u64::MAX);

    pub const fn from_secs(secs: u64) -> Millis {
        Millis(secs * 1000)
    }

    pub const fn from_mins(mins: u64) -> Millis {
        Millis(mins * 60_000)
    }

    /// `Millis(ms.round() as u64)` for any `ms`, to the bit: half away from zero, negative and
    /// NaN as 0, too large as `MAX`. Written out because x86-64 and wasm both call libm's
    /// `round` for `f64::round`, and every arrival and every processing time goes through here
    /// (perf put 4 % of a busy run's samples in that call). Exact: below 2^52 the fraction
    /// `ms - trunc(ms)` is representable, and from 2^52 on every `f64` is whole.
    pub fn round(ms: f64) -> Millis {
        let whole = ms as u64;
        if ms - whole as f64 >= 0.5 {
            Millis(whole.saturating_add(1))
        } else {
            Millis(whole)
        }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub const fn saturating_add(self, other: Millis) -> Millis {
        Millis(self.0.saturating_add(other.0))
    }

    pub const fn saturating_sub(self, other: Millis) -> Millis {
        Millis(self.0.saturating_sub(other.0))
    }

    /// Parses `"250ms"`, `"30s"`, `"1.5s"`, `"5m"`, `"2h"`, `"4d"` or a bare number of milliseconds.
    pub fn parse(text: &str) -> Result<Millis, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let unit_ms: f64 = match unit.trim() {
            "" | "ms" => 1.0,
            "s" => 1_000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            other => {
                return Err(format!(
                    "a duration like \"250ms\", \"30s\", \"5m\", \"2h\" or \"4d\" (unknown unit \"{other}\")"
                ))
            }
        };
        let value = super::decimal::parse_decimal(number).ok_or_else(|| {
            "a duration like \"30s\": a number followed by ms, s, m, h or d".to_owned()
        })?;
        let ms = value * unit_ms;
        if !ms.is_finite() || !(0.0..=1e15).contains(&ms) {
            return Err("a duration between 0 and about 30,000 years".to_owned());
        }
        Ok(Millis::round(ms))
    }
}

/// Read with a visitor rather than an untagged enum: serde reads an untagged enum by
/// buffering the value in a generic tree, and every duration field of every file would carry
/// that cost.
impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Millis;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a duration: milliseconds as a whole number, or text like \"30s\" or \"5m\"",
                )
            }

            fn visit_u64<E: serde::de::Error>(self, ms: u64) -> Result<Millis, E> {
                Ok(Millis(ms))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Millis, E> {
                Millis::parse(text).map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0;
        if ms < 1000 {
            write!(f, "{ms} ms")
        } else if ms < 60_000 {
            if ms % 1000 == 0 {
                write!(f, "{} s", ms / 1000)
            } else {
                let s = ms as f64 / 1000.0;
                write!(f, "{} s", super::decimal::Decimal::fixed(s, 1))
            }
        } else if ms < 3_600_000 {
            write!(f, "{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
        } else {
            write!(f, "{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_f64_round_to_the_bit() {
        let edges = [
            0.0,
            -0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            -0.4,
            -2.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            1.8e19,
            1.9e19,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ];
        let mut rng = crate::kernel::rng::Rng::new(11);
        let random = (0..100_000).map(|i| rng.exponential(10f64.powi(i % 12)));
        for ms in edges.into_iter().chain(random) {
            assert_eq!(Millis::round(ms), Millis(ms.round() as u64), "{ms:e}");
        }
    }

    #[test]
    fn parses_units() {
        assert_eq!(Millis::parse("250ms"), Ok(Millis(250)));
        assert_eq!(Millis::parse("30s"), Ok(Millis(30_000)));
        assert_eq!(Millis::parse("1.5s"), Ok(Millis(1_500)));
        assert_eq!(Millis::parse("5m"), Ok(Millis(300_000)));
        assert_eq!(Millis::parse("4d"), Ok(Millis(345_600_000)));
        assert_eq!(Millis::parse("42"), Ok(Millis(42)));
        assert!(Millis::parse("5 parsecs").unwrap_err().contains("parsecs"));
        assert!(Millis::parse("-3s").is_err());
        assert!(Millis::parse("").is_err());
    }

    #[test]
    fn displays_for_people() {
        assert_eq!(Millis(250).to_string(), "250 ms");
        assert_eq!(Millis(30_000).to_string(), "30 s");
        assert_eq!(Millis(90_000).to_string(), "1m30s");
        assert_eq!(Millis(3_660_000).to_string(), "1h01m");
    }
}
