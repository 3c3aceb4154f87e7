//! Retention expiry (a counted loss) and long versus short polling (empty receives counted).

mod common;
use common::*;
use queue_engine::MsgState;
use serde_json::json;

#[test]
fn messages_older_than_the_retention_period_expire_and_are_counted() {
    let mut sim = sim(json!({
        "queue": { "retention": "60s" },
        "producers": [{ "rate": 2, "stop": "30s" }],
        "consumers": { "online": false },
        "commands": [ { "at": "80s", "do": { "type": "set_online", "online": true } } ]
    }));
    sim.advance_to(secs(120));
    let c = sim.counts();
    // Published at 0..30 s, two a second. The 41 from up to 20 s were a minute old when the
    // kitchen came back at 80 s; a few more aged out while it worked through the backlog.
    assert!((41..=45).contains(&c.expired), "expired {}", c.expired);
    assert_eq!(c.processed + c.expired, c.published);
    assert!(matches!(
        sim.message(1).unwrap().state(),
        MsgState::Expired { .. }
    ));
}

#[test]
fn long_polling_makes_far_fewer_empty_receives_than_short_polling() {
    let empty = |wait: &str| {
        let mut sim = sim(json!({
            "queue": { "receive_wait": wait, "short_poll_interval": "200ms" },
            "producers": [{ "rate": 0.2 }],
            "consumers": { "count": 2 }
        }));
        sim.advance_to(secs(600));
        (sim.counts().empty_receives, sim.counts().processed)
    };
    let (short, short_done) = empty("0s");
    let (long, long_done) = empty("20s");
    assert_eq!(short_done, long_done, "the same work gets done");
    assert!(
        short > 5000,
        "short polling: {short} empty receives in 10 minutes"
    );
    assert!(
        long < 70,
        "long polling: {long} empty receives in 10 minutes"
    );
}

/// semantics.md §1.3 (DLQ retention): a standard DLQ keeps each message's original enqueue time, so a dead
/// letter expires at publish time + the DLQ's retention, however late it was dead-lettered.
/// Every message is a poison pill here, so each is dead-lettered after one receive.
#[test]
fn dead_letters_expire_at_their_own_deadline_counted_from_publishing() {
    let mut sim = sim(json!({
        "queue": { "visibility_timeout": "1s" },
        "dlq": { "max_receive_count": 1, "retention": "90s" },
        "producers": [{ "rate": 1, "stop": "40s", "poison_share": 1.0 }],
        "consumers": { "online": false },
        "commands": [ { "at": "50s", "do": { "type": "set_online", "online": true } } ]
    }));
    sim.advance_to(secs(70));
    let dead = sim.counts().dead_lettered;
    assert!(dead >= 30, "dead-lettered by 70 s: {dead}");
    // At 100 s the first ten published (0..10 s) are past 90 s; the rest are not.
    sim.advance_to(secs(100));
    let expired: Vec<u64> = (1..=sim.counts().published)
        .filter(|id| {
            matches!(
                sim.message(*id).map(|m| m.state()),
                Some(MsgState::Expired { .. })
            )
        })
        .collect();
    for id in &expired {
        let published = sim.message(*id).unwrap().published_at();
        assert!(
            published.0 + 90_000 <= 100_000,
            "#{id} published at {published:?}"
        );
    }
    assert!((9..=11).contains(&expired.len()), "expired {expired:?}");
    // By 140 s every one of them is past its deadline.
    sim.advance_to(secs(140));
    assert_eq!(sim.counts().dead_lettered, 0);
    assert_eq!(sim.counts().expired, sim.counts().published);
}
