//! The engine's side of a verification: which scenarios a broker run can replay, the engine's
//! own run of it, and per message what the engine says happened.
//!
//! # Contract
//! - Only what a broker reproduces deterministically is accepted: a RabbitMQ classic or quorum
//!   queue, producers publishing to it, one consumer pool that acknowledges after processing one
//!   message at a time, an optional `dead_letter` edge, and `send` commands. Anything else
//!   (random failures, crashes, batches, other platforms, other commands) is refused with the
//!   reason, never silently approximated.
//! - The messages replayed on the broker are exactly those the engine published, with their
//!   payloads and times, read from the engine's event log; so a producer's random poison share
//!   is decided once, by the engine, and both sides see the same messages.

use std::collections::BTreeMap;

use queue_engine::topology::profile::QueueProfile;
use queue_engine::{
    AckMode, Command, DeadLetterReason, EventKind, Millis, Node, OnInvalid, Payload, RetryPolicy,
    ScenarioFile, ScenarioV2, Sim,
};

use crate::compare::{CountRule, Death, Expected, Facts};
use crate::Error;

/// The wall-clock window a run aims for: long enough to see a few requeue loops, short enough
/// for CI (each scenario stays well under a minute with set-up and clean-up).
pub const TARGET_WINDOW: Millis = Millis(5_000);
/// Simulated time run when `--until` is not given.
pub const DEFAULT_UNTIL: Millis = Millis(30_000);

#[derive(Clone, Debug, PartialEq)]
pub struct QueuePlan {
    /// The node name; on the broker it gets the run's unique prefix.
    pub node: String,
    pub profile: QueueProfile,
    /// `x-delivery-limit` (quorum only).
    pub delivery_limit: Option<u32>,
    /// The `dead_letter` edge's target node.
    pub dlq: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Publish {
    pub id: u64,
    pub at: Millis,
    pub payload: Payload,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    pub queue: QueuePlan,
    pub consumers: u32,
    /// Each delivery is held this long (simulated) before the consumer answers.
    pub processing: Millis,
    /// `on_invalid: discard`: a poison message is acknowledged unprocessed instead of requeued.
    pub discard_invalid: bool,
    pub until: Millis,
    /// Simulated milliseconds per wall-clock millisecond (≥ 1).
    pub scale: f64,
    pub publishes: Vec<Publish>,
    pub expected: Vec<Expected>,
}

impl Plan {
    /// A simulated duration as wall-clock time on the broker.
    pub fn wall(&self, t: Millis) -> std::time::Duration {
        std::time::Duration::from_micros((t.0 as f64 * 1000.0 / self.scale) as u64)
    }
}

pub fn payload_name(p: Payload) -> &'static str {
    match p {
        Payload::Normal => "normal",
        Payload::Poison => "poison",
        Payload::Transient => "transient",
    }
}

fn unsupported(path: &str, why: &str) -> Error {
    Error::File(format!(
        "{path}: qsim-verify cannot replay this on a broker yet: {why}"
    ))
}

/// Reads a scenario file and runs the engine on it.
pub fn load(path: &str, until: Option<Millis>) -> Result<Plan, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::File(format!("cannot read {path}: {e}")))?;
    let scenario = ScenarioFile::from_json(&text)
        .map(ScenarioFile::into_v2)
        .map_err(|e| Error::File(format!("{path}: {e}")))?;
    plan(&scenario, until.unwrap_or(DEFAULT_UNTIL)).map_err(|e| match e {
        Error::File(m) => Error::File(format!("{path}: {m}")),
        other => other,
    })
}

/// Checks the scenario is one a broker replays deterministically, then runs the engine.
pub fn plan(scenario: &ScenarioV2, until: Millis) -> Result<Plan, Error> {
    let lowered = scenario.lower().map_err(|e| Error::File(e.to_string()))?;
    let q = &lowered.queue;
    let Some(Node::Queue(spec)) = scenario.topology.node(&q.name) else {
        return Err(unsupported("nodes", "no queue node"));
    };
    let at = |f: &str| format!("nodes.{}.queue.{f}", q.name);
    let profile = spec.profile;
    if !matches!(
        profile,
        QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum
    ) {
        return Err(unsupported(
            &at("profile"),
            "only rabbitmq_classic and rabbitmq_quorum queues are verified so far",
        ));
    }
    if !matches!(q.retry, RetryPolicy::Immediate) {
        return Err(unsupported(
            &at("retry"),
            "a RabbitMQ consumer requeues at once; retry policies have no broker equivalent",
        ));
    }
    if spec.visibility_timeout.is_some() {
        return Err(unsupported(
            &at("visibility_timeout"),
            "RabbitMQ's consumer_timeout is a broker-wide setting (no queue argument on 3.10), \
             so a run cannot set it; leave it at the profile's default",
        ));
    }
    if q.delay != Millis::ZERO || q.max_depth.is_some() || spec.retention.is_some() {
        return Err(unsupported(
            &at("delay / max_depth / retention"),
            "delays, length limits and TTLs are not replayed yet",
        ));
    }
    let c = &lowered.consumers;
    let cat = |f: &str| format!("nodes.{}.consumer.{f}", c.name);
    if c.failure_rate > 0.0 || c.crash_probability > 0.0 {
        return Err(unsupported(
            &cat("failure_rate / crash_probability"),
            "random failures and crashes would differ between the engine and the broker",
        ));
    }
    if c.batch_size != 1 || c.ack != AckMode::AfterProcessing || !c.online {
        return Err(unsupported(
            &cat("batch_size / ack / online"),
            "only an online pool acknowledging one message after processing it is replayed",
        ));
    }
    if lowered.reply_queue || lowered.mode != queue_engine::Mode::Queue {
        return Err(unsupported(
            "edges",
            "reply queues and HTTP calls are not replayed yet",
        ));
    }
    for (i, p) in lowered.producers.iter().enumerate() {
        if p.transient_share > 0.0 || p.duplicate_share > 0.0 || p.delay != Millis::ZERO {
            return Err(unsupported(
                &format!("nodes.{}.producer (producer {i})", p.name),
                "transient failures, duplicate sends and delays are not replayed yet",
            ));
        }
    }
    for (i, cmd) in scenario.commands.iter().enumerate() {
        match &cmd.command {
            Command::Send {
                payload: Payload::Normal | Payload::Poison,
                ..
            } => {}
            _ => {
                return Err(unsupported(
                    &format!("commands[{i}]"),
                    "only `send` commands with a normal or poison payload are replayed yet",
                ))
            }
        }
    }
    let dlq = lowered.dlq.as_ref().map(|d| d.name.clone());
    let delivery_limit = match profile {
        QueueProfile::RabbitmqQuorum => Some(
            spec.delivery_limit
                .unwrap_or_else(|| profile.delivery_limit().map_or(20, |l| l.default)),
        ),
        _ => None,
    };
    let quorum = delivery_limit.is_some();
    let processing = c.processing.mean;
    let discard_invalid = c.on_invalid == OnInvalid::Discard;
    let consumers = c.count;

    let (publishes, expected) = run_engine(lowered.clone(), until, quorum)?;
    let scale = (until.0 as f64 / TARGET_WINDOW.0 as f64).max(1.0);
    Ok(Plan {
        name: scenario.name.clone(),
        queue: QueuePlan {
            node: q.name.clone(),
            profile,
            delivery_limit,
            dlq,
        },
        consumers,
        processing,
        discard_invalid,
        until,
        scale,
        publishes,
        expected,
    })
}

/// What the engine's event log says about each message.
#[derive(Default)]
struct Trace {
    at: Millis,
    payload: Option<Payload>,
    received: u32,
    place: &'static str,
    deaths: u64,
    reason: Option<String>,
}

fn run_engine(
    mut lowered: queue_engine::Scenario,
    until: Millis,
    quorum: bool,
) -> Result<(Vec<Publish>, Vec<Expected>), Error> {
    // Keep every event between two drains (a second at a time, as `qsim run --events` does).
    lowered.limits.event_log = lowered.limits.event_log.max(2_000_000);
    let mut sim = Sim::new(lowered).map_err(|e| Error::File(e.to_string()))?;
    let mut traces: BTreeMap<u64, Trace> = BTreeMap::new();
    let mut t = Millis::ZERO;
    loop {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        sim.advance_to(t);
        for e in sim.drain_events() {
            let Some(id) = e.msg() else { continue };
            let tr = traces.entry(id).or_default();
            match &e.kind {
                EventKind::Published { payload, .. } => {
                    tr.at = e.t;
                    tr.payload = Some(*payload);
                    tr.place = "queued";
                }
                EventKind::Received { .. } => tr.received += 1,
                EventKind::Processed { .. } => tr.place = "processed",
                EventKind::Rejected { .. } => tr.place = "deleted",
                EventKind::DeadLettered { reason, .. } => {
                    tr.place = "dead_lettered";
                    tr.deaths += 1;
                    tr.reason = Some(match reason {
                        // A quorum queue's x-delivery-limit is the engine's receive limit.
                        DeadLetterReason::MaxReceiveCount { .. } if quorum => {
                            "delivery_limit".into()
                        }
                        DeadLetterReason::MaxReceiveCount { .. } => "max_receive_count".into(),
                        DeadLetterReason::RetriesExhausted { .. } => "retries_exhausted".into(),
                    });
                }
                EventKind::Redriven { .. } => tr.place = "queued",
                EventKind::Expired { .. } => tr.place = "expired",
                EventKind::Dropped { .. } => tr.place = "dropped",
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
        });
        expected.push(expected_of(id, payload, &tr));
    }
    publishes.sort_by_key(|p| (p.at, p.id));
    Ok((publishes, expected))
}

fn expected_of(id: u64, payload: Payload, tr: &Trace) -> Expected {
    let facts = Facts {
        delivered: tr.received,
        place: tr.place.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(profile: &str, limit: &str, dlq: bool) -> ScenarioV2 {
        let dlq_node = if dlq {
            format!(r#", "orders-dlq": {{ "queue": {{ "profile": "{profile}" }} }}"#)
        } else {
            String::new()
        };
        let dlq_edge = if dlq {
            r#", { "kind": "dead_letter", "from": "orders", "to": "orders-dlq" }"#
        } else {
            ""
        };
        let text = format!(
            r#"{{ "version": 2, "name": "t", "seed": 1,
              "nodes": {{
                "order-service": {{ "producer": {{ "rate": 0 }} }},
                "orders": {{ "queue": {{ "profile": "{profile}" {limit} }} }},
                "kitchen": {{ "consumer": {{ "count": 1 }} }} {dlq_node} }},
              "edges": [
                {{ "kind": "publish", "from": "order-service", "to": "orders" }},
                {{ "kind": "subscribe", "from": "orders", "to": "kitchen" }} {dlq_edge} ],
              "commands": [
                {{ "at": "1s", "node": "order-service", "do": {{ "type": "send", "payload": "poison" }} }},
                {{ "at": "2s", "node": "order-service", "do": {{ "type": "send" }} }} ] }}"#
        );
        ScenarioV2::from_json(&text).expect("test scenario loads")
    }

    #[test]
    fn quorum_poison_is_delivered_limit_plus_one_times_then_dead_lettered() {
        let p = plan(
            &scenario("rabbitmq_quorum", r#", "delivery_limit": 3"#, true),
            Millis::from_secs(20),
        )
        .expect("plan");
        assert_eq!(p.queue.delivery_limit, Some(3));
        assert_eq!(p.queue.dlq.as_deref(), Some("orders-dlq"));
        assert_eq!(p.publishes.len(), 2);
        let poison = &p.expected[0];
        assert_eq!(poison.payload, "poison");
        assert_eq!(poison.rule, CountRule::Exact);
        assert_eq!(poison.facts.delivered, 4);
        assert_eq!(poison.facts.place, "dead_lettered");
        assert_eq!(
            poison.facts.death,
            Some(Death {
                reason: "delivery_limit".into(),
                count: 1
            })
        );
        let good = &p.expected[1];
        assert_eq!(
            (good.facts.delivered, good.facts.place.as_str()),
            (1, "processed")
        );
    }

    #[test]
    fn classic_poison_loops_and_is_compared_as_unbounded() {
        let p = plan(
            &scenario("rabbitmq_classic", "", false),
            Millis::from_secs(10),
        )
        .expect("plan");
        assert_eq!(p.queue.delivery_limit, None);
        let poison = &p.expected[0];
        assert_eq!(poison.rule, CountRule::Unbounded);
        assert_eq!(poison.facts.place, "queued");
        assert!(poison.facts.delivered > 2, "{poison:?}");
    }

    #[test]
    fn other_platforms_are_refused_with_the_reason() {
        let err = plan(&scenario("sqs_standard", "", false), Millis::from_secs(10)).unwrap_err();
        let Error::File(m) = err else {
            panic!("a file error")
        };
        assert!(m.contains("nodes.orders.queue.profile"), "{m}");
        assert!(m.contains("rabbitmq_classic"), "{m}");
    }

    #[test]
    fn a_consumer_timeout_is_refused() {
        let err = plan(
            &scenario("rabbitmq_quorum", r#", "visibility_timeout": "5s""#, false),
            Millis::from_secs(10),
        )
        .unwrap_err();
        let Error::File(m) = err else {
            panic!("a file error")
        };
        assert!(m.contains("nodes.orders.queue.visibility_timeout"), "{m}");
        assert!(m.contains("consumer_timeout"), "{m}");
    }

    #[test]
    fn time_is_scaled_to_the_target_window() {
        let p = plan(
            &scenario("rabbitmq_classic", "", false),
            Millis::from_secs(40),
        )
        .expect("plan");
        assert_eq!(p.scale, 8.0);
        assert_eq!(
            p.wall(Millis::from_secs(40)),
            std::time::Duration::from_secs(5)
        );
        let p = plan(
            &scenario("rabbitmq_classic", "", false),
            Millis::from_secs(4),
        )
        .expect("plan");
        assert_eq!(p.scale, 1.0);
    }
}
