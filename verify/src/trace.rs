//! The engine's own run of a planned scenario, read back from its event log: the messages it
//! published (replayed as they are on the broker) and, per message, what the engine says
//! happened to it, in the terms [`crate::compare`] compares.
//!
//! # Contract
//! - A message's place follows the *delete*, not the processing: a consumer that processed
//!   a message but whose delete was stale (a superseded receipt) leaves it queued, as the
//!   engine models SQS (semantics notes §1.2).
//! - The rank within a FIFO group counts first processings, in the order they happened.
//! - A publish refused by a full queue (`reject-publish`) never gets an engine id, so it is
//!   reported apart, with its time and producer; the plan gives it one.
//! - A dead letter gets a reason only on RabbitMQ, which writes `x-death`; SQS keeps none, and
//!   ActiveMQ only `original-destination` (checked by the broker side), no reason.

use std::collections::BTreeMap;

use queue_engine::topology::plan::Plan;
use queue_engine::{DeadLetterReason, EventKind, Millis, Payload, World};

use crate::compare::{CountRule, Death, Expected, Facts};
use crate::plan::{payload_name, Platform, Publish};
use crate::Error;

/// What the engine's event log says about each message.
#[derive(Default)]
struct Trace {
    at: Millis,
    payload: Option<Payload>,
    group: u32,
    received: u32,
    processed: u32,
    /// What the consumer did last: `processed` or `deleted` (discarded unprocessed); it
    /// becomes the place only when the delete succeeds (a stale receipt leaves it queued).
    outcome: &'static str,
    place: &'static str,
    order: Option<u32>,
    deaths: u64,
    reason: Option<String>,
}

/// The engine's run: the messages it published, what it says about each, and the publishes a
/// full `reject-publish` queue refused, as (time, producer index): those never got an id.
pub struct EngineRun {
    pub publishes: Vec<Publish>,
    pub expected: Vec<Expected>,
    pub refused: Vec<(Millis, u32)>,
    /// FIFO resends the queue dropped as duplicates (semantics notes §1.4): (time, the engine
    /// id of the message first sent with that deduplication id).
    pub deduplicated: Vec<(Millis, u64)>,
}

pub fn run_engine(
    mut lowered: queue_engine::Scenario,
    until: Millis,
    platform: Platform,
    fifo: bool,
) -> Result<EngineRun, Error> {
    // Keep every event between two drains (a second at a time, as `qsim run --events` does).
    lowered.limits.event_log = lowered.limits.event_log.max(2_000_000);
    let mut world = World::new(Plan::single(lowered)).map_err(|e| Error::File(e.to_string()))?;
    let mut traces: BTreeMap<u64, Trace> = BTreeMap::new();
    // FIFO: how many messages of each group were processed so far (the next one's rank).
    let mut group_done: BTreeMap<u32, u32> = BTreeMap::new();
    let mut refused = Vec::new();
    let mut deduplicated = Vec::new();
    // CloudEvents id → the engine id of the message first published with it.
    let mut first_of: BTreeMap<u64, u64> = BTreeMap::new();
    let mut t = Millis::ZERO;
    loop {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        world.advance_to(t);
        for e in world.drain_events().into_iter().map(|e| e.event) {
            match e.kind {
                EventKind::PublishRejected { producer } => refused.push((e.t, producer)),
                EventKind::Published { msg, event, .. } => {
                    first_of.entry(event).or_insert(msg);
                }
                EventKind::Deduplicated { event } => {
                    if let Some(&msg) = first_of.get(&event) {
                        deduplicated.push((e.t, msg));
                    }
                }
                _ => {}
            }
            let Some(id) = e.msg() else { continue };
            let tr = traces.entry(id).or_default();
            match &e.kind {
                EventKind::Published { payload, group, .. } => {
                    tr.at = e.t;
                    tr.payload = Some(*payload);
                    tr.group = *group;
                    tr.place = "queued";
                }
                EventKind::Received { .. } => tr.received += 1,
                EventKind::Processed { .. } => {
                    tr.processed += 1;
                    tr.outcome = "processed";
                    if fifo && tr.order.is_none() {
                        let n = group_done.entry(tr.group).or_default();
                        tr.order = Some(*n);
                        *n += 1;
                    }
                }
                EventKind::Rejected { .. } => tr.outcome = "deleted",
                EventKind::Deleted { .. } => tr.place = tr.outcome,
                EventKind::DeadLettered { reason, .. } => {
                    tr.place = "dead_lettered";
                    tr.deaths += 1;
                    // SQS keeps no reason on a moved message; RabbitMQ writes `x-death`.
                    tr.reason = match (platform, reason) {
                        (Platform::Sqs | Platform::Activemq, _) => None,
                        // A quorum queue's x-delivery-limit is the engine's receive limit.
                        (_, DeadLetterReason::MaxReceiveCount { .. }) => {
                            Some("delivery_limit".into())
                        }
                        (_, DeadLetterReason::RetriesExhausted { .. }) => {
                            Some("retries_exhausted".into())
                        }
                        (_, other) => Some(other.amqp().into()),
                    };
                }
                EventKind::Redriven { .. } => tr.place = "queued",
                EventKind::Expired { .. } => tr.place = "expired",
                EventKind::Dropped { .. } | EventKind::DroppedAtLimit { .. } => {
                    tr.place = "dropped"
                }
                EventKind::Lost { .. } => tr.place = "lost",
                EventKind::Discarded { .. } => tr.place = "discarded",
                _ => {}
            }
        }
        if t >= until {
            break;
        }
    }
    let mut publishes = Vec::new();
    let mut expected = Vec::new();
    for (id, tr) in traces {
        let Some(payload) = tr.payload else { continue };
        publishes.push(Publish {
            id,
            at: tr.at,
            payload,
            group: tr.group,
        });
        expected.push(expected_of(id, payload, &tr));
    }
    publishes.sort_by_key(|p| (p.at, p.id));
    Ok(EngineRun {
        publishes,
        expected,
        refused,
        deduplicated,
    })
}

fn expected_of(id: u64, payload: Payload, tr: &Trace) -> Expected {
    let facts = Facts {
        delivered: tr.received,
        processed: tr.processed,
        place: tr.place.to_owned(),
        order: tr.order,
        death: tr.reason.as_ref().map(|r| Death {
            reason: r.clone(),
            count: tr.deaths,
        }),
    };
    Expected {
        id,
        payload: payload_name(payload).into(),
        rule: if facts.place == "queued" && facts.delivered >= 2 {
            CountRule::Unbounded
        } else {
            CountRule::Exact
        },
        facts,
    }
}
