//! Determinism: the same scenario, seed and commands give the same event log, byte for byte;
//! another seed gives another log.

mod common;
use common::*;
use queue_engine::{Command, Millis, Scenario, Sim};
use serde_json::json;

fn busy() -> Scenario {
    scenario(json!({
        "seed": 11,
        "queue": { "visibility_timeout": "3s" },
        "dlq": { "max_receive_count": 3 },
        "producers": [{ "rate": 50, "arrival": "poisson", "poison_share": 0.05, "transient_share": 0.1, "duplicate_share": 0.05, "groups": 4 }],
        "consumers": { "count": 3, "batch_size": 4, "failure_rate": 0.05, "crash_probability": 0.02,
                       "processing": { "mean": "60ms", "distribution": "exponential" } },
        "reply_queue": true,
        "limits": { "event_log": 1000000 }
    }))
}

fn run_with_commands(s: Scenario) -> (u64, Vec<queue_engine::Event>) {
    let mut sim = Sim::new(s).unwrap();
    sim.advance_to(Millis::from_secs(20));
    sim.command(Command::Spike {
        factor: 3.0,
        duration: Millis::from_secs(10),
    })
    .unwrap();
    sim.command_at(Millis::from_secs(25), Command::Crash { consumer: 1 })
        .unwrap();
    sim.advance_to(Millis::from_secs(40));
    sim.command(Command::SetBatchFailure {
        mode: queue_engine::BatchFailure::ReportFailures,
    })
    .unwrap();
    sim.advance_to(Millis::from_secs(90));
    (sim.log_hash(), sim.drain_events())
}

#[test]
fn the_same_inputs_give_an_identical_event_log() {
    let (hash_a, log_a) = run_with_commands(busy());
    let (hash_b, log_b) = run_with_commands(busy());
    assert!(log_a.len() > 10_000, "a busy run: {} events", log_a.len());
    assert_eq!(hash_a, hash_b);
    assert_eq!(
        serde_json::to_string(&log_a).unwrap(),
        serde_json::to_string(&log_b).unwrap()
    );
}

#[test]
fn a_different_seed_gives_a_different_log() {
    let (a, _) = run_with_commands(busy());
    let mut other = busy();
    other.seed = 12;
    let (b, _) = run_with_commands(other);
    assert_ne!(a, b);
}

#[test]
fn stepping_event_by_event_matches_advancing_in_big_jumps() {
    let mut jumps = Sim::new(busy()).unwrap();
    jumps.advance_to(Millis::from_secs(30));
    let mut steps = Sim::new(busy()).unwrap();
    while steps
        .next_event_time()
        .is_some_and(|t| t <= Millis::from_secs(30))
    {
        steps.step();
    }
    assert_eq!(jumps.log_hash(), steps.log_hash());
    // Advancing in small slices (as the UI does at 60 frames a second) changes nothing either.
    let mut frames = Sim::new(busy()).unwrap();
    for i in 1..=1800 {
        frames.advance_to(Millis(i * 1000 / 60));
    }
    frames.advance_to(Millis::from_secs(30));
    assert_eq!(jumps.log_hash(), frames.log_hash());
}

/// A golden hash: if this changes, the engine's behaviour changed, and every precomputed lesson
/// number may be stale. Update it only on purpose.
#[test]
fn the_kitchen_outage_scenario_keeps_its_recorded_hash() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/kitchen-outage.json"
    ))
    .unwrap();
    let scenario = || {
        queue_engine::ScenarioFile::from_json(&text)
            .unwrap()
            .lower()
            .unwrap()
    };
    let mut sim = Sim::new(scenario()).unwrap();
    sim.advance_to(Millis::from_mins(5));
    let again = {
        let mut s = Sim::new(scenario()).unwrap();
        s.advance_to(Millis::from_mins(5));
        s.log_hash()
    };
    assert_eq!(sim.log_hash(), again);
    // The browser test (tests/web_engine.rs) checks the same recorded hash under wasm.
    assert_eq!(
        format!("{:016x}", sim.log_hash()),
        GOLDEN_KITCHEN_OUTAGE.trim()
    );
}

const GOLDEN_KITCHEN_OUTAGE: &str = include_str!("../../scenarios/kitchen-outage.5m.loghash");

/// The workload has its own random stream: how consumers behave (their speed, failures,
/// crashes) never changes which messages arrive, when, or with what payload. A/B compare
/// depends on this to show two configurations on the same workload.
#[test]
fn consumer_settings_do_not_change_the_workload() {
    let workload = |consumers: serde_json::Value| {
        let mut sim = common::sim(serde_json::json!({
            "seed": 11,
            "producers": [{ "rate": 8, "arrival": "poisson", "poison_share": 0.1, "transient_share": 0.1, "groups": 3, "duplicate_share": 0.05 }],
            "consumers": consumers,
        }));
        sim.advance_to(Millis::from_secs(60));
        let mut v: Vec<_> = sim
            .messages()
            .iter()
            .map(|m| (m.id, m.published_at, m.payload, m.group))
            .collect();
        v.sort_by_key(|m| m.0);
        v
    };
    let calm = workload(serde_json::json!({ "count": 2 }));
    let chaotic = workload(serde_json::json!({
        "count": 5, "failure_rate": 0.3, "crash_probability": 0.2, "batch_size": 4,
        "processing": { "mean": "700ms", "distribution": "exponential" }
    }));
    assert!(calm.len() > 400, "{} messages", calm.len());
    assert_eq!(calm, chaotic);
}
