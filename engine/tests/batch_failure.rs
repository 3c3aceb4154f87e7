//! Lesson batch-failure: a batch of 5 with one failing message, under each failure mode.
//!
//! A returned message counts a receive whether or not it was processed, so in whole-batch mode
//! the good messages climb towards `maxReceiveCount` alongside the poison pill, and reach the
//! DLQ with it. That is real SQS behaviour and part of the lesson.

mod common;
use common::*;
use queue_engine::{Counts, MsgState};
use serde_json::json;

/// Five orders sent at once (one batch); the third is a poison pill.
fn batch(
    kind: &str,
    mode: &str,
    max_receives: u32,
    extra: Vec<serde_json::Value>,
) -> (common::OneQueue, Counts, Vec<u64>) {
    let mut commands: Vec<_> = ["normal", "normal", "poison", "normal", "normal"]
        .iter()
        .map(|p| json!({ "at": 0, "do": { "type": "send", "payload": p } }))
        .collect();
    commands.extend(extra);
    let mut sim = sim(json!({
        "queue": { "kind": kind, "visibility_timeout": "5s", "reorder_window": 1 },
        "dlq": { "max_receive_count": max_receives },
        "producers": [{ "rate": 0 }],
        "consumers": { "batch_size": 5, "batch_failure": mode, "processing": { "mean": "100ms" } },
        "limits": { "event_log": 10000 },
        "commands": commands
    }));
    let events = run(&mut sim, secs(60));
    let counts = sim.counts().clone();
    (sim, counts, processing_order(&events))
}

/// semantics.md §1.5 "Without RBIF": any error makes every message of the batch visible
/// again after the visibility timeout, successes included.
#[test]
fn whole_batch_mode_processes_the_four_good_messages_twice() {
    let (sim, c, _) = batch("standard", "whole_batch", 2, vec![]);
    assert_eq!(c.duplicates, 4, "the 4 good messages ran again");
    assert_eq!(c.store_writes, 8);
    assert_eq!(c.store_records, 4);
    // And they share the poison pill's fate: two receives each, then the DLQ.
    assert_eq!(c.dead_lettered, 5);
    assert!(matches!(
        sim.message(1).unwrap().state(),
        MsgState::DeadLettered { .. }
    ));
}

/// semantics.md §1.5: with `ReportBatchItemFailures`, only the items listed in
/// `batchItemFailures` return to the queue.
#[test]
fn partial_batch_response_returns_only_the_failed_message() {
    let (sim, c, order) = batch("standard", "report_failures", 2, vec![]);
    assert_eq!(c.duplicates, 0);
    assert_eq!(c.store_writes, 4);
    assert_eq!(c.processed, 4);
    assert_eq!(order, vec![1, 2, 4, 5]);
    assert_eq!(c.dead_lettered, 1, "only the poison pill");
    assert_eq!(sim.message(3).unwrap().receive_count(), 2);
    assert_eq!(sim.message(4).unwrap().receive_count(), 1);
}

/// semantics.md §1.5 "FIFO + partial failure": stop at the first failure and report it with
/// every unprocessed message after it, to keep the group's order.
#[test]
fn fifo_stop_at_first_returns_the_failure_and_everything_after_it() {
    // The fix ships after the poison pill's third failed receive; then all of it flows, in order.
    let fix = json!({ "at": "12s", "do": { "type": "fix_poison" } });
    let (sim, c, order) = batch("fifo", "stop_at_first", 5, vec![fix]);
    assert_eq!(c.duplicates, 0, "nothing ran twice");
    assert_eq!(
        order,
        vec![1, 2, 3, 4, 5],
        "the messages after the failure waited for it: order kept"
    );
    assert_eq!(sim.message(1).unwrap().receive_count(), 1);
    let (third, fourth) = (sim.message(3).unwrap(), sim.message(4).unwrap());
    assert_eq!(
        third.receive_count(),
        4,
        "three failed receives, then success"
    );
    assert_eq!(
        fourth.receive_count(),
        4,
        "returned unprocessed with it each time"
    );
    assert_eq!(fourth.processed_count(), 1);
    assert_eq!(c.order_violations, 0);
}

/// semantics.md §1.5 "Without RBIF": each return repeats the batch's good work too.
#[test]
fn in_whole_batch_mode_each_extra_receive_repeats_the_good_work() {
    let (_, c, _) = batch("standard", "whole_batch", 3, vec![]);
    // Three failed batches before all five reach the DLQ: the good four ran 3 times each.
    assert_eq!(c.duplicates, 8);
    assert_eq!(c.dead_lettered, 5);
}
