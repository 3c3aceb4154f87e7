//! Counts in words: "1 order", "2 orders". Every number a learner reads next to a noun goes
//! through [`count`], so no panel says "1 replies" or "1 records published".

/// `n` and the noun that agrees with it: `one` for exactly 1, `many` otherwise (0 included).
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_takes_the_singular_and_every_other_number_the_plural() {
        assert_eq!(count(1u64, "order", "orders"), "1 order");
        assert_eq!(count(0u64, "order", "orders"), "0 orders");
        assert_eq!(count(2u32, "entry", "entries"), "2 entries");
        assert_eq!(count(11u64, "copy", "copies"), "11 copies");
    }
}
