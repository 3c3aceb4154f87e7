//! Helpers shared by the behaviour tests: build scenarios from partial JSON (defaults fill the
//! rest, exactly as for scenario files) and run them.
#![allow(dead_code)]

use queue_engine::{Event, EventKind, Millis, Scenario, Sim, World, WorldEvent};
use serde_json::Value;

/// A scenario from partial JSON; panics with the validation message if it is wrong.
pub fn scenario(json: Value) -> Scenario {
    Scenario::from_json(&json.to_string())
        .unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

pub fn sim(json: Value) -> Sim {
    Sim::new(scenario(json)).expect("valid scenario")
}

pub fn secs(s: u64) -> Millis {
    Millis::from_secs(s)
}

/// Runs to `until`, returning every event (the scenario should keep a large enough event log).
pub fn run(sim: &mut Sim, until: Millis) -> Vec<Event> {
    sim.advance_to(until);
    sim.drain_events()
}

pub fn count(events: &[Event], pred: impl Fn(&EventKind) -> bool) -> usize {
    events.iter().filter(|e| pred(&e.kind)).count()
}

/// Message ids in the order their processing completed (first successful processing only).
pub fn processing_order(events: &[Event]) -> Vec<u64> {
    let mut seen = std::collections::BTreeSet::new();
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Processed { msg, .. } if seen.insert(msg) => Some(msg),
            _ => None,
        })
        .collect()
}

/// Times at which a message was received.
pub fn receive_times(events: &[Event], id: u64) -> Vec<Millis> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Received { msg, .. } if msg == id => Some(e.t),
            _ => None,
        })
        .collect()
}

/// The field error a version 2 file gives (path, expected, given); panics if it loads.
pub fn v2_field_error(value: &Value) -> (String, String, String) {
    match queue_engine::ScenarioV2::from_json(&value.to_string()) {
        Err(queue_engine::ScenarioError::Field {
            path,
            expected,
            given,
        }) => (path, expected, given),
        other => panic!(
            "expected a field error for {value}, got {:?}",
            other.map(|_| ())
        ),
    }
}

/// Every event of a world run to `until`, drained each simulated second so a small log window
/// loses nothing.
pub fn world_events(w: &mut World, until: Millis) -> Vec<WorldEvent> {
    let mut all = Vec::new();
    let mut t = Millis::ZERO;
    while t < until {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        w.advance_to(t);
        all.extend(w.drain_events());
    }
    all
}

/// How often the record at `offset` of a log failed, over a world's events.
pub fn failures_at(log: &[WorldEvent], at: u64) -> usize {
    log.iter()
        .filter(|e| matches!(e.event.kind, EventKind::RecordFailed { offset, .. } if offset == at))
        .count()
}
