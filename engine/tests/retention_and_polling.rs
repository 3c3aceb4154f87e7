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
        sim.message(1).unwrap().state,
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
