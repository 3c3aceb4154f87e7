//! Lesson stream-replay: a log keeps records after they are consumed; each consumer group has
//! its own offsets; rewinding one group replays history without touching the other.

mod common;

use queue_engine::stream::{SeekTo, StreamCommand, StreamScenario};
use queue_engine::Millis;

fn log() -> common::OneLog {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "partitions": 4 },
             "producers": [{ "rate": 20, "stop": "30s" }],
             "groups": [ { "name": "kitchen" }, { "name": "analytics" } ] }"#,
    )
    .unwrap();
    common::OneLog::new(sc).unwrap()
}

#[test]
fn records_stay_in_the_log_after_every_group_has_read_them() {
    let mut sim = log();
    sim.advance_to(Millis::from_secs(60));
    let retained: u64 = sim.partitions.iter().map(|p| p.records.len() as u64).sum();
    assert_eq!(retained, sim.published());
    for g in 0..2 {
        assert_eq!(
            sim.groups[g].counts.processed,
            sim.published(),
            "group {g} read everything"
        );
        assert_eq!(sim.group_lag(g), 0);
    }
}

#[test]
fn rewinding_one_group_replays_history_and_leaves_the_other_alone() {
    let mut sim = log();
    sim.advance_to(Millis::from_secs(60));
    let published = sim.published();
    let analytics_before = sim.groups[1]
        .cursors
        .iter()
        .map(|c| c.committed)
        .collect::<Vec<_>>();
    sim.command(StreamCommand::Seek {
        group: 0,
        to: SeekTo::Earliest,
    })
    .unwrap();
    assert!(sim.group_lag(0) > 0, "rewound: the whole log is lag again");
    sim.advance_to(Millis::from_secs(120));
    let kitchen = &sim.groups[0].counts;
    assert_eq!(
        kitchen.replayed, published,
        "every record read a second time, on purpose"
    );
    assert_eq!(
        kitchen.duplicates, 0,
        "a replay is not counted as an accident"
    );
    assert_eq!(kitchen.processed, 2 * published);
    let analytics_after = sim.groups[1]
        .cursors
        .iter()
        .map(|c| c.committed)
        .collect::<Vec<_>>();
    assert_eq!(
        analytics_before, analytics_after,
        "the other group's offsets did not move"
    );
    assert_eq!(sim.groups[1].counts.processed, published);
}

#[test]
fn retention_removes_old_records_not_consumption() {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "partitions": 2, "retention": "20s" },
             "producers": [{ "rate": 10, "stop": "30s" }],
             "groups": [ { "consumers": 0 } ] }"#,
    )
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(35));
    let retained: usize = sim.partitions.iter().map(|p| p.records.len()).sum();
    // Only the last ~20 s of records are left, read or not.
    assert!(
        (140..=160).contains(&retained),
        "{retained} retained of {}",
        sim.published()
    );
    assert!(sim.partitions.iter().all(|p| p.start > 0));
}

#[test]
fn rates_above_one_per_millisecond_keep_their_rate() {
    let sc =
        StreamScenario::from_json(r#"{ "producers": [{ "rate": 2500 }], "groups": [] }"#).unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(10));
    assert!(
        (24_990..=25_010).contains(&sim.published()),
        "{}",
        sim.published()
    );
}
