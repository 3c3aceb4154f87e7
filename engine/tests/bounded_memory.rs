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
