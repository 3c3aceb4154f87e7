//! What the lesson writer's tests share: the numbers a system offers its choices, and a draft
//! written on it with exactly those names.

use queue_playground::authoring::{Draft, System};
use queue_playground::lessons::numbers_at;

/// The names of the numbers `system` has, as the writer lists them to an author.
pub fn names(system: &System) -> Vec<String> {
    numbers_at(system.model, &system.scenario, queue_engine::Millis::ZERO)
        .expect("the system runs")
        .names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// `d` written on `system`, or what the writer refused, in words.
pub fn write(d: &Draft, system: &System) -> Result<String, String> {
    let names = names(system);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    d.write(system, &names).map_err(|w| w.to_string())
}
