//! Lesson rebalance-skip: committing offsets before processing, then losing a member, skips the
//! records it had fetched; committing after processing gives duplicates instead. Cooperative
//! rebalancing moves only the partitions that change owner.

mod common;

use queue_engine::stream::{GroupCounts, RecordMark, StreamScenario};
use queue_engine::Millis;

fn crash(commit: &str) -> (common::OneLog, GroupCounts) {
    let sc = StreamScenario::from_json(&format!(
        r#"{{ "topic": {{ "partitions": 4 }},
             "producers": [{{ "rate": 50, "stop": "30s" }}],
             "groups": [ {{ "consumers": 2, "commit": "{commit}", "max_poll_records": 20,
                           "processing": {{ "mean": "45ms" }} }} ],
             "commands": [ {{ "at": "10s", "do": {{ "type": "crash_consumer", "group": 0, "consumer": 0 }} }} ] }}"#
    ))
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    // 45 ms a record against 25 records/s per member: each member has a fetched backlog.
    sim.advance_to(Millis::from_secs(150));
    let counts = sim.groups[0].counts.clone();
    (sim, counts)
}

#[test]
fn commit_before_processing_then_a_crash_skips_records() {
    let (sim, c) = crash("before_processing");
    assert!(
        c.skipped > 0,
        "records committed but never processed: {c:?}"
    );
    assert_eq!(c.duplicates, 0);
    assert_eq!(
        c.processed + c.skipped,
        sim.published(),
        "every record processed or skipped"
    );
    assert_eq!(c.rebalances, 1);
}

#[test]
fn commit_after_processing_turns_the_loss_into_duplicates() {
    let (sim, c) = crash("after_processing");
    assert_eq!(c.skipped, 0, "nothing lost: {c:?}");
    assert!(c.duplicates > 0, "the crashed batch is processed again");
    assert_eq!(
        c.processed - c.duplicates,
        sim.published(),
        "each record processed at least once"
    );
}

/// How many retained records of group 0 carry `mark`, over every partition.
fn marked(sim: &common::OneLog, mark: RecordMark) -> u64 {
    let cursors = &sim.groups[0].cursors;
    let mut n = 0;
    for (p, log) in sim.partitions.iter().enumerate() {
        n += (log.start..log.end())
            .filter(|&off| cursors[p].mark(log.start, off) == Some(mark))
            .count() as u64;
    }
    n
}

/// The log marks which records were lost and which were repeated, one mark per record the
/// counts count (semantics.md §3: a group resumes from its committed offsets after a rebalance).
#[test]
fn the_log_marks_each_skipped_and_each_repeated_record() {
    let (sim, c) = crash("before_processing");
    assert_eq!(marked(&sim, RecordMark::Skipped), c.skipped, "{c:?}");
    assert_eq!(marked(&sim, RecordMark::Duplicate), 0);
    let (sim, c) = crash("after_processing");
    assert_eq!(marked(&sim, RecordMark::Skipped), 0);
    let repeated = marked(&sim, RecordMark::Duplicate);
    assert!(
        repeated > 0 && repeated <= c.duplicates,
        "{repeated} records repeated, {c:?}"
    );
}

/// A mark goes with its record when retention removes it.
#[test]
fn a_skipped_mark_expires_with_its_record() {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "partitions": 1, "retention": "1m" },
             "producers": [{ "rate": 50, "stop": "30s" }],
             "groups": [ { "consumers": 2, "commit": "before_processing", "max_poll_records": 20,
                           "processing": { "mean": "45ms" } } ],
             "commands": [ { "at": "10s", "do": { "type": "crash_consumer", "group": 0, "consumer": 0 } } ] }"#,
    )
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(40));
    let skipped = sim.groups[0].counts.skipped;
    assert!(skipped > 0 && marked(&sim, RecordMark::Skipped) == skipped);
    sim.advance_to(Millis::from_secs(150));
    assert!(sim.partitions[0].records.is_empty(), "all expired");
    assert_eq!(marked(&sim, RecordMark::Skipped), 0);
    assert_eq!(sim.groups[0].counts.skipped, skipped, "the count stays");
}

#[test]
fn auto_commit_can_run_ahead_of_processing() {
    let (_, c) = crash("auto");
    assert!(c.skipped + c.duplicates > 0, "{c:?}");
}

/// Records processed by each partition's owner while a member joins.
fn join(rebalance: &str) -> (u64, Vec<u32>) {
    let sc = StreamScenario::from_json(&format!(
        r#"{{ "topic": {{ "partitions": 6 }},
             "producers": [{{ "rate": 60 }}],
             "groups": [ {{ "consumers": 2, "rebalance": "{rebalance}", "rebalance_pause": "3s",
                           "processing": {{ "mean": "10ms" }} }} ],
             "commands": [ {{ "at": "20s", "do": {{ "type": "add_consumer", "group": 0 }} }} ] }}"#
    ))
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(20));
    let before = sim.groups[0].counts.processed;
    sim.advance_to(Millis(22_500));
    let during = sim.groups[0].counts.processed - before;
    let owners = sim.groups[0]
        .cursors
        .iter()
        .map(|c| c.owner.unwrap())
        .collect();
    (during, owners)
}

#[test]
fn eager_rebalancing_stops_the_group_and_cooperative_keeps_it_flowing() {
    let (eager, eager_owners) = join("eager");
    let (cooperative, coop_owners) = join("cooperative");
    assert!(
        eager <= 2,
        "eager: every partition revoked; only the records already in hand finish ({eager})"
    );
    assert!(
        cooperative > 60,
        "cooperative: unmoved partitions keep flowing ({cooperative})"
    );
    for owners in [eager_owners, coop_owners] {
        for m in 0..3 {
            assert_eq!(owners.iter().filter(|&&o| o == m).count(), 2, "{owners:?}");
        }
    }
}
