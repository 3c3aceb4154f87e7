//! Decimal numbers read and written without the standard library's float parser and
//! formatter.
//!
//! # Contract
//! - [`parse_decimal`] reads digits with at most one point, exactly (see its doc), and refuses
//!   anything else.
//! - [`Decimal`] writes a number with a fixed count of decimals ([`Decimal::fixed`]), or with
//!   at most six and no trailing zeros ([`Decimal::short`]), rounding half away from zero;
//!   from 10^15 up, as `2.5e20`.
//!
//! Why: the page formats and reads only plain decimals (speeds, rates, durations, chart
//! coordinates), and the general algorithms behind `f64`'s `Display` and `FromStr` cost about
//! 25 kB of wasm, tables included, which barely compress. Everything the engine or the page
//! shows goes through here, so that neither is linked.

use std::fmt;

/// A plain decimal such as `"42"`, `"1.5"` or `".25"`: digits with at most one point, no sign
/// and no exponent. Up to 19 significant digits it is correctly rounded (an exact integer
/// divided by an exact power of ten). It exists so that the page does not carry the standard
/// library's general float parser, whose table alone is 10 kB of wasm.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    for c in whole.bytes().chain(fraction.bytes()) {
        if !c.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    let scale = 10f64.powi(i32::try_from(fraction.len()).ok()?);
    Some(mantissa as f64 / scale)
}

/// A number to write as a decimal; see the module doc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decimal {
    value: f64,
    places: u8,
    trim: bool,
}

impl Decimal {
    /// Exactly `places` decimals (at most 9): `fixed(2.0, 1)` writes `2.0`.
    pub fn fixed(value: f64, places: u8) -> Decimal {
        Decimal {
            value,
            places: places.min(9),
            trim: false,
        }
    }

    /// Up to six decimals, without trailing zeros: `0.05`, `2`, `1.5`.
    pub fn short(value: f64) -> Decimal {
        Decimal {
            value,
            places: 6,
            trim: true,
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        if v.is_nan() {
            return f.write_str("NaN");
        }
        if v.is_infinite() {
            return f.write_str(if v > 0.0 { "inf" } else { "-inf" });
        }
        if v.abs() >= 1e15 {
            // Too large for the digits after the point to mean anything: scientific form.
            let (mut lead, mut exponent) = (v.abs(), 0);
            while lead >= 10.0 {
                lead /= 10.0;
                exponent += 1;
            }
            let sign = if v < 0.0 { "-" } else { "" };
            return write!(f, "{sign}{}e{exponent}", Decimal::short(lead));
        }
        let scale = 10u64.pow(u32::from(self.places));
        let n = (v.abs() * scale as f64).round() as u64;
        let (whole, mut fraction, mut places) = (n / scale, n % scale, self.places);
        if self.trim {
            while places > 0 && fraction % 10 == 0 {
                fraction /= 10;
                places -= 1;
            }
        }
        if v < 0.0 && n != 0 {
            f.write_str("-")?;
        }
        write!(f, "{whole}")?;
        if places > 0 {
            write!(f, ".{fraction:0width$}", width = usize::from(places))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_parse_exactly_and_anything_else_is_refused() {
        assert_eq!(parse_decimal("42"), Some(42.0));
        assert_eq!(parse_decimal("1.5"), Some(1.5));
        assert_eq!(parse_decimal(".25"), Some(0.25));
        assert_eq!(parse_decimal("3."), Some(3.0));
        assert_eq!(
            parse_decimal("0.1"),
            Some(0.1),
            "as close as the std parser"
        );
        assert_eq!(parse_decimal("0.05"), "0.05".parse().ok());
        assert_eq!(parse_decimal("10000"), Some(10_000.0));
        for bad in [
            "",
            ".",
            "1.2.3",
            "-1",
            "+1",
            "1e3",
            " 1",
            "1,5",
            "12345678901234567890123",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decimals_are_written_like_the_standard_formatter_for_plain_values() {
        for v in [
            0.0, 0.05, 0.1, 0.25, 1.5, 2.0, 42.0, 1000.0, 12.345678, 0.000001,
        ] {
            assert_eq!(Decimal::short(v).to_string(), format!("{v}"), "{v}");
        }
        assert_eq!(
            Decimal::short(0.1 + 0.2).to_string(),
            "0.3",
            "no binary noise"
        );
        assert_eq!(Decimal::short(-1.5).to_string(), "-1.5");
        assert_eq!(
            Decimal::short(-0.0000001).to_string(),
            "0",
            "no negative zero"
        );
        assert_eq!(Decimal::fixed(2.0, 1).to_string(), "2.0");
        assert_eq!(Decimal::fixed(4.20571, 2).to_string(), "4.21");
        assert_eq!(Decimal::fixed(99.95, 0).to_string(), "100");
        assert_eq!(
            Decimal::fixed(0.5, 0).to_string(),
            "1",
            "half away from zero"
        );
        assert_eq!(Decimal::fixed(-0.04, 1).to_string(), "0.0");
        assert_eq!(Decimal::fixed(f64::NAN, 1).to_string(), "NaN");
        assert_eq!(Decimal::fixed(f64::INFINITY, 1).to_string(), "inf");
        assert_eq!(Decimal::short(1e300).to_string(), "1e300");
        assert_eq!(Decimal::fixed(-2.5e20, 1).to_string(), "-2.5e20");
    }

    #[test]
    fn what_is_written_reads_back() {
        for v in [0.05, 1.5, 10_000.0, 0.01, 123.456] {
            assert_eq!(parse_decimal(&Decimal::short(v).to_string()), Some(v));
        }
    }
}
