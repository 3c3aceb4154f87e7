//! Range checks shared by scenario and command validation, each producing a [`ScenarioError`]
//! that names the field, the allowed range and the value given.

use crate::error::ScenarioError;
use crate::kernel::decimal::Decimal;
use crate::kernel::time::Millis;
use crate::scenario::RetryPolicy;

pub fn duration(path: &str, value: Millis, min: Millis, max: Millis) -> Result<(), ScenarioError> {
    if value < min || value > max {
        let upper = if max == Millis::MAX {
            "no limit".to_owned()
        } else {
            max.to_string()
        };
        return Err(ScenarioError::field(
            path,
            format!("a duration from {min} to {upper}"),
            value,
        ));
    }
    Ok(())
}

pub fn int(path: &str, value: u32, min: u32, max: u32) -> Result<(), ScenarioError> {
    if value < min || value > max {
        return Err(ScenarioError::field(
            path,
            format!("a whole number from {min} to {max}"),
            value,
        ));
    }
    Ok(())
}

pub fn fraction_range(path: &str, value: f64, min: f64, max: f64) -> Result<(), ScenarioError> {
    if !value.is_finite() || value < min || value > max {
        return Err(ScenarioError::field(
            path,
            format!(
                "a number from {} to {}",
                Decimal::short(min),
                Decimal::short(max)
            ),
            Decimal::short(value),
        ));
    }
    Ok(())
}

/// One rule for a retry policy, whether it comes in a scenario file or a command at run time.
pub fn retry(path: &str, policy: &RetryPolicy) -> Result<(), ScenarioError> {
    let twelve_hours = Millis::from_secs(43_200);
    match policy {
        RetryPolicy::Exponential { base, max } => {
            duration(&format!("{path}.base"), *base, Millis(1), twelve_hours)?;
            duration(&format!("{path}.max"), *max, *base, twelve_hours)
        }
        RetryPolicy::Tiers { delays } => {
            if delays.is_empty() || delays.len() > 10 {
                return Err(ScenarioError::field(
                    format!("{path}.delays"),
                    "1 to 10 delays",
                    delays.len(),
                ));
            }
            for (i, d) in delays.iter().enumerate() {
                duration(
                    &format!("{path}.delays[{i}]"),
                    *d,
                    Millis::ZERO,
                    twelve_hours,
                )?;
            }
            Ok(())
        }
        RetryPolicy::VisibilityTimeout | RetryPolicy::Immediate => Ok(()),
    }
}
