//! Determinism: the same scenario, seed and commands give the same event log, byte for byte;
//! another seed gives another log.

mod common;
use common::*;
use queue_engine::{Command, Millis, Scenario};
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
    let mut sim = common::OneQueue::new(s).unwrap();
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
    let mut jumps = common::OneQueue::new(busy()).unwrap();
    jumps.advance_to(Millis::from_secs(30));
    let mut steps = common::OneQueue::new(busy()).unwrap();
    while steps
        .next_event_time()
        .is_some_and(|t| t <= Millis::from_secs(30))
    {
        steps.step();
    }
    assert_eq!(jumps.log_hash(), steps.log_hash());
    // Advancing in small slices (as the UI does at 60 frames a second) changes nothing either.
    let mut frames = common::OneQueue::new(busy()).unwrap();
    for i in 1..=1800 {
        frames.advance_to(Millis(i * 1000 / 60));
    }
    frames.advance_to(Millis::from_secs(30));
    assert_eq!(jumps.log_hash(), frames.log_hash());
}

/// Golden hashes, one per scenario file (`scenarios/NAME.5m.loghash`): if one changes, the
/// engine's behaviour changed and every precomputed lesson number may be stale. Update them
/// only on purpose: `qsim run scenarios/NAME.json --until 5m --no-messages` prints `log_hash`.
/// They are the world's logs; for a single queue the world is event for event the queue engine
/// the page runs (tests/world.rs).
/// The browser test (tests/web_engine.rs) checks the same hashes under wasm.
#[test]
fn every_scenario_file_keeps_its_recorded_hash() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let web_test = std::fs::read_to_string(dir.join("../tests/web_engine.rs")).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v2 = queue_engine::ScenarioFile::from_json(&text)
            .unwrap()
            .into_v2();
        let run = || {
            let mut world = queue_engine::World::new(v2.plan().unwrap()).unwrap();
            world.advance_to(Millis::from_mins(5));
            world.log_hash()
        };
        let hash = run();
        assert_eq!(hash, run(), "{}", path.display());
        let golden = path.with_extension("5m.loghash");
        let recorded = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!(
                "{} has no recorded hash {}",
                path.display(),
                golden.display()
            )
        });
        assert_eq!(
            format!("{hash:016x}"),
            recorded.trim(),
            "{}",
            path.display()
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            web_test.contains(&format!("\"../scenarios/{name}\"")),
            "tests/web_engine.rs must check {name} in the browser too"
        );
        checked += 1;
    }
    assert!(checked >= 11, "only {checked} scenario files");
}

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
            .map(|m| (m.id(), m.published_at(), m.payload(), m.group()))
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
