//! Lesson kitchen-offline: a long outage. The producer never waits, depth and the age of the
//! oldest message grow, and everything is processed after the restart.

mod common;
use common::*;
use serde_json::json;

#[test]
fn a_five_minute_outage_builds_a_backlog_that_drains_after_restart() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 5, "stop": "8m" }],
        "consumers": { "count": 1, "processing": { "mean": "50ms" } },
        "commands": [
            { "at": "1m", "do": { "type": "set_online", "online": false } },
            { "at": "6m", "do": { "type": "set_online", "online": true } }
        ]
    }));
    sim.advance_to(secs(359));
    let during = sim.counts().clone();
    // The producer kept its pace through the outage: 5/s for 359 s, no waiting, no errors.
    assert_eq!(
        during.published,
        5 * 359 + 1,
        "one at t=0, then every 200 ms"
    );
    assert_eq!(during.producer_errors, 0);
    assert!(
        during.visible >= 5 * 295,
        "depth during the outage: {}",
        during.visible
    );
    assert!(
        sim.oldest_waiting_age() >= secs(295),
        "oldest message age {}",
        sim.oldest_waiting_age()
    );

    sim.advance_to(secs(600));
    let after = sim.counts();
    assert_eq!(
        after.processed, after.published,
        "all processed after the restart"
    );
    assert_eq!(after.visible, 0);
    assert!(sim.metrics().oldest_age_s.max() >= 295.0);
    assert_eq!(sim.oldest_waiting_age(), queue_engine::Millis::ZERO);
}
