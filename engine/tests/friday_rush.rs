//! Lesson friday-rush: ten times the traffic for a while. Over HTTP the kitchen saturates and
//! latency and timeouts cascade to the caller; through a queue the depth absorbs the spike.

mod common;
use common::*;
use queue_engine::{EventKind, HttpFailure};
use serde_json::json;

fn rush(mode: &str) -> serde_json::Value {
    json!({
        "mode": mode,
        "limits": { "event_log": 200000 },
        "producers": [{ "rate": 10, "stop": "3m" }],
        "consumers": { "count": 2, "processing": { "mean": "80ms" } },
        "http": { "timeout": "2s", "backlog_limit": 100 },
        "commands": [ { "at": "30s", "do": { "type": "spike", "factor": 10, "duration": "30s" } } ]
    })
}

#[test]
fn over_http_the_rush_turns_into_timeouts_overload_and_wasted_work() {
    let mut sim = sim(rush("http"));
    let events = run(&mut sim, secs(240));
    let c = sim.counts();
    let timeouts = count(&events, |k| {
        matches!(
            k,
            EventKind::HttpFailed {
                cause: HttpFailure::Timeout,
                ..
            }
        )
    });
    let overloaded = count(&events, |k| {
        matches!(
            k,
            EventKind::HttpFailed {
                cause: HttpFailure::Overloaded,
                ..
            }
        )
    });
    assert!(timeouts > 100, "timeouts {timeouts}");
    assert!(overloaded > 100, "503s {overloaded}");
    assert!(
        c.wasted_work > 0,
        "the kitchen cooked orders whose callers had given up"
    );
    // Before the rush, calls took ~80 ms; during it the p95 latency is far higher.
    assert!(sim.metrics().latency_p95_ms.max() > 1000.0);
}

#[test]
fn through_a_queue_the_rush_is_absorbed_then_drained() {
    let mut sim = sim(rush("queue"));
    sim.advance_to(secs(60));
    let peak = sim.counts().visible;
    assert!(peak > 1000, "the queue absorbed the spike: depth {peak}");
    sim.advance_to(secs(300));
    let c = sim.counts();
    assert_eq!(c.producer_errors, 0);
    assert_eq!(c.processed, c.published);
    let lag = &sim.metrics().lag;
    assert!(
        lag.max() > 1000.0 && lag.last() == Some(0.0),
        "lag rose and fell back to zero"
    );
}
