//! FIFO deduplication: a resend of the same event within 5 minutes is accepted but not enqueued;
//! on a standard queue the same resend becomes a second message (and a duplicate to handle).

mod common;
use common::*;
use queue_engine::EventKind;
use serde_json::json;

fn resending(kind: &str, content_based: bool) -> common::OneQueue {
    let mut sim = sim(json!({
        "queue": { "kind": kind, "content_based_dedup": content_based },
        "producers": [{ "rate": 10, "stop": "30s", "duplicate_share": 0.3 }],
        "limits": { "event_log": 100000 }
    }));
    sim.advance_to(secs(60));
    sim
}

#[test]
fn fifo_drops_resends_of_the_same_event_within_the_window() {
    for content_based in [false, true] {
        let mut sim = resending("fifo", content_based);
        let events = sim.drain_events();
        let c = sim.counts();
        assert!(
            c.deduplicated > 50,
            "{} resends deduplicated",
            c.deduplicated
        );
        assert_eq!(
            count(&events, |k| matches!(k, EventKind::Deduplicated { .. })) as u64,
            c.deduplicated
        );
        assert_eq!(c.published, 300, "one message per event (10/s for 30 s)");
        assert_eq!(c.duplicates, 0);
        assert_eq!(c.store_records, c.published);
    }
}

#[test]
fn a_standard_queue_enqueues_the_resend_and_the_consumer_sees_a_duplicate() {
    let sim = resending("standard", false);
    let c = sim.counts();
    assert_eq!(c.deduplicated, 0);
    assert!(c.published > 350, "{} messages for 300 events", c.published);
    assert_eq!(
        c.duplicates,
        c.published - 300,
        "each resend was processed again"
    );
}
