//! Reading the files' one-word settings (`"commit": "after_processing"`, `"kind": "fifo"`):
//! every enum whose variants carry nothing is read by one shared string reader and a table.
//!
//! # Contract
//! - A setting is a JSON string naming one variant, exactly as the enum's derived `Serialize`
//!   writes it (`rename_all`); [`named_variants!`] lists the names next to the variants, and a
//!   test writes every variant and reads it back.
//! - Anything else is refused in serde's words: "unknown variant `fly`, expected one of
//!   `a`, `b`, `c`", or "invalid type: integer `3`, expected `a` or `b`", so a scenario error
//!   keeps its three parts (which field, what was expected, what was given).
//!
//! Why not derive it: serde's derive builds a visitor, a variant reader and a field matcher per
//! enum. For the 25 such enums that was 21 kB of the page's wasm (3.0 kB gzip) for what is a
//! lookup in a list of words. Writing stays derived.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

#[doc(hidden)]
pub use serde::{Deserialize as __Deserialize, Deserializer as __Deserializer};

/// An enum of plain variants and the names the files give them, in the same order.
pub trait Named: Sized + Copy + 'static {
    const NAMES: &'static [&'static str];
    const ALL: &'static [Self];
}

/// Reads a string and returns the index of the name it matches. Generic over the reader only,
/// so the page carries one copy for all the enums.
pub fn variant<'de, D: Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    d.deserialize_str(OneOf(names))
}

struct OneOf(&'static [&'static str]);

impl<'de> Visitor<'de> for OneOf {
    type Value = usize;

    /// Serde's own wording for a list of variants, so both errors read alike.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            [a, b] => write!(f, "`{a}` or `{b}`"),
            names => {
                f.write_str("one of ")?;
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{n}`")?;
                }
                Ok(())
            }
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// `named_variants!(Type { Variant = "name", ... })`: implements [`Named`] and `Deserialize`
/// for an enum of plain variants. The names must be the ones its derived `Serialize` writes;
/// `every_named_enum_reads_back_what_it_writes` checks that for each use. A variant may carry
/// `#[cfg(...)]`, as a variant that exists in one build only does, and leaves both tables with it.
#[macro_export]
macro_rules! named_variants {
    ($ty:ty { $($(#[$when:meta])* $variant:ident = $name:literal),+ $(,)? }) => {
        impl $crate::names::Named for $ty {
            const NAMES: &'static [&'static str] = &[$($(#[$when])* $name),+];
            const ALL: &'static [Self] = &[$($(#[$when])* <$ty>::$variant),+];
        }

        impl<'de> $crate::names::__Deserialize<'de> for $ty {
            fn deserialize<D: $crate::names::__Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let i = $crate::names::variant(d, <$ty as $crate::names::Named>::NAMES)?;
                Ok(<$ty as $crate::names::Named>::ALL[i])
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Named;
    use serde::{de::DeserializeOwned, Serialize};

    /// Every variant is written by the derived `Serialize` as the name the table reads.
    fn reads_back<T: Named + Serialize + DeserializeOwned + PartialEq + fmt::Debug>() {
        assert_eq!(T::NAMES.len(), T::ALL.len());
        for (v, name) in T::ALL.iter().zip(T::NAMES) {
            let written = serde_json::to_string(v).unwrap();
            assert_eq!(written, format!("\"{name}\""), "{v:?}");
            assert_eq!(serde_json::from_str::<T>(&written).unwrap(), *v);
        }
    }

    use std::fmt;

    #[test]
    fn every_named_enum_reads_back_what_it_writes() {
        use crate::scenario::*;
        use crate::stream::*;
        use crate::topology::log::LogProfile;
        use crate::topology::profile::QueueProfile;
        use crate::topology::{EdgeKind, RouterType};
        reads_back::<crate::Payload>();
        reads_back::<crate::TakeOutcome>();
        reads_back::<Mode>();
        reads_back::<QueueKind>();
        reads_back::<Overflow>();
        reads_back::<BatchFailure>();
        reads_back::<AckMode>();
        reads_back::<OnInvalid>();
        reads_back::<Distribution>();
        reads_back::<Arrival>();
        reads_back::<OnReject>();
        reads_back::<QueueProfile>();
        reads_back::<LogProfile>();
        reads_back::<RouterType>();
        reads_back::<EdgeKind>();
        reads_back::<KeylessPartitioner>();
        reads_back::<CommitMode>();
        reads_back::<OffsetReset>();
        reads_back::<Rebalance>();
        reads_back::<SeekTo>();
    }

    #[test]
    fn a_wrong_word_or_type_is_refused_naming_what_was_expected() {
        let err = |json: &str| {
            serde_json::from_str::<crate::scenario::AckMode>(json)
                .unwrap_err()
                .to_string()
        };
        let two = "expected `after_processing` or `before_processing`";
        assert!(err("\"later\"").starts_with(&format!("unknown variant `later`, {two}")));
        assert!(err("3").starts_with(&format!("invalid type: integer `3`, {two}")));
        let three = serde_json::from_str::<crate::scenario::BatchFailure>("null")
            .unwrap_err()
            .to_string();
        assert!(
            three.starts_with(
                "invalid type: null, expected one of `whole_batch`, `report_failures`, `stop_at_first`"
            ),
            "{three}"
        );
    }
}
