//! Memory stays bounded however long a run is: finished messages beyond the history cap are
//! forgotten (their counts remain), the event log and metric series have fixed caps.

mod common;
use common::*;
use serde_json::json;

#[test]
fn ten_minutes_at_1000_messages_a_second_keeps_the_store_and_series_bounded() {
    let mut sim = sim(json!({
        "producers": [{ "rate": 1000 }],
        "consumers": { "count": 4, "batch_size": 10, "processing": { "mean": "2ms" } },
        "queue": { "receive_wait": "20s" },
        "limits": { "history": 5000, "event_log": 2000 },
        "metrics": { "max_points": 64 }
    }));
    sim.advance_to(secs(600));
    let c = sim.counts();
    assert_eq!(c.published, 600_001);
    assert!(c.processed > 599_000);
    let stored = sim.messages().len() as u64;
    assert!(
        stored <= 5000 + c.visible + c.in_flight,
        "store holds {stored} messages"
    );
    assert!(sim.recent_events().count() <= 2000);
    assert!(sim.metrics().visible.points.len() < 64);
    assert_eq!(c.state_total(), c.published);
}

/// A message still in flight when its retention runs out waits at the front of the queue for its
/// visibility timeout (semantics.md §1: it expires only if it is not deleted first). Every
/// publish behind it used to schedule one more retention sweep that never stopped rescheduling
/// itself, so the agenda grew with the run's age and a week of video uploads ground to a halt.
#[test]
fn a_message_kept_past_its_retention_does_not_multiply_the_sweeps() {
    let mut sim = sim(json!({
        "queue": { "retention": "60s", "visibility_timeout": "15m" },
        "producers": [{ "rate": 2 }],
        "consumers": { "processing": { "mean": "5m", "distribution": "fixed" } }
    }));
    let mut most = 0;
    for minute in 1..=120 {
        sim.advance_to(secs(60 * minute));
        most = most.max(sim.0.pending());
    }
    let c = sim.counts();
    assert!(
        c.expired > 10_000,
        "the backlog ages out: {} expired",
        c.expired
    );
    assert!(
        c.processed >= 20,
        "the one consumer keeps working: {}",
        c.processed
    );
    // One consumer's timers, one producer's tick, the visibility timer of the message in hand,
    // the sampler and one sweep.
    assert!(most < 16, "{most} timers were pending at once");
}
