//! Range checks shared by scenario and command validation, each producing a [`ScenarioError`]
//! that names the field, the allowed range and the value given.

use crate::error::ScenarioError;
use crate::kernel::time::Millis;

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
            format!("a number from {min} to {max}"),
            value,
        ));
    }
    Ok(())
}
