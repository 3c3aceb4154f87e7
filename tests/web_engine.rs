//! The engine under wasm in a real browser: the same scenario gives the same event-log hash as
//! the native build recorded, so a lesson's numbers are the same everywhere.
#![cfg(target_arch = "wasm32")]

use queue_engine::{Millis, Scenario, ScenarioFile, Sim};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KITCHEN_OUTAGE: &str = include_str!("../scenarios/kitchen-outage.json");
/// Recorded by the native determinism test (engine/tests/determinism.rs).
const KITCHEN_OUTAGE_5M_HASH: &str = include_str!("../scenarios/kitchen-outage.5m.loghash");

#[wasm_bindgen_test]
fn the_kitchen_outage_runs_to_the_same_log_hash_as_natively() {
    // The file is version 2: read and lowered exactly as `qsim` and the native test do.
    let scenario = ScenarioFile::from_json(KITCHEN_OUTAGE)
        .unwrap()
        .lower()
        .unwrap();
    let mut sim = Sim::new(scenario).unwrap();
    sim.advance_to(Millis::from_mins(5));
    assert_eq!(
        format!("{:016x}", sim.log_hash()),
        KITCHEN_OUTAGE_5M_HASH.trim()
    );
    let c = sim.counts();
    assert_eq!(c.state_total(), c.published);
}

#[wasm_bindgen_test]
fn a_busy_randomised_run_is_reproducible_in_the_browser() {
    let json = r#"{"seed": 9, "dlq": {"max_receive_count": 3},
        "producers": [{"rate": 80, "arrival": "poisson", "poison_share": 0.05, "transient_share": 0.1, "duplicate_share": 0.05}],
        "consumers": {"count": 3, "batch_size": 5, "crash_probability": 0.02, "failure_rate": 0.05,
                      "processing": {"mean": "40ms", "distribution": "exponential"}}}"#;
    let run = || {
        let mut sim = Sim::new(Scenario::from_json(json).unwrap()).unwrap();
        sim.advance_to(Millis::from_mins(2));
        (sim.log_hash(), sim.counts().published)
    };
    let (a, published) = run();
    assert!(published > 9000);
    assert_eq!(a, run().0);
}
