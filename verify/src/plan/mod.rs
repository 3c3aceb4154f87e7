//! The engine's side of a verification: which scenarios a broker run can replay, the engine's
//! own run of it, and per message what the engine says happened.
//!
//! # Contract
//! - Only what a broker reproduces deterministically is accepted: a RabbitMQ classic or quorum
//!   queue, an SQS standard or FIFO queue, or an ActiveMQ Classic queue, producers publishing to it, one consumer pool that
//!   acknowledges (deletes) after processing one message at a time, an optional `dead_letter`
//!   edge, and `send` commands. On RabbitMQ also a TTL (`x-message-ttl`) and a length limit
//!   with either overflow (`drop-head`, or `reject-publish`, whose refusals are compared as the
//!   publisher's nacks). Anything else (random failures, crashes, batches, other
//!   platforms, other commands) is refused with the field and the reason, never silently
//!   approximated.
//! - Time is scaled by one factor for the whole run ([`Plan::scale`]). For SQS the factor is
//!   chosen so that the visibility timeout is a whole number of seconds on the broker, since
//!   SQS accepts nothing finer ([`sqs_scale`]). For ActiveMQ it is chosen so that the
//!   redelivery delay is exactly [`ACTIVEMQ_BROKER_DELAY`] on the broker, the only delay the
//!   verification broker's redelivery policies use ([`activemq_scale`]).
//! - The messages replayed on the broker are exactly those the engine published, with their
//!   payloads and times, read from the engine's event log; so a producer's random poison share
//!   is decided once, by the engine, and both sides see the same messages.

use queue_engine::topology::profile::QueueProfile;
use queue_engine::{
    AckMode, BatchFailure, Command, Millis, Node, OnInvalid, Overflow, Payload, RetryPolicy,
    ScenarioFile, ScenarioV2,
};

use crate::compare::Expected;
use crate::Error;

/// The wall-clock window a run aims for: long enough to see a few requeue loops, short enough
/// for CI (each scenario stays well under a minute with set-up and clean-up).
pub const TARGET_WINDOW: Millis = Millis(5_000);
/// Simulated time run when `--until` is not given.
pub const DEFAULT_UNTIL: Millis = Millis(30_000);
/// The longest wall-clock window a run may take: with set-up and clean-up each scenario stays
/// under a minute.
pub const MAX_WALL: Millis = Millis(45_000);

/// Which kind of broker a plan needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Rabbitmq,
    Sqs,
    Activemq,
}

impl Platform {
    pub fn of(p: QueueProfile) -> Option<Platform> {
        match p {
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => {
                Some(Platform::Rabbitmq)
            }
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => Some(Platform::Sqs),
            QueueProfile::Activemq => Some(Platform::Activemq),
            _ => None,
        }
    }

    /// The `--broker` URL scheme for this platform, for messages.
    pub fn scheme(self) -> &'static str {
        match self {
            Platform::Rabbitmq => "amqp://127.0.0.1:PORT",
            Platform::Sqs => "sqs+http://127.0.0.1:PORT",
            Platform::Activemq => "stomp://127.0.0.1:PORT",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueuePlan {
    /// The node name; on the broker it gets the run's unique prefix.
    pub node: String,
    pub profile: QueueProfile,
    /// `x-delivery-limit` (quorum only).
    pub delivery_limit: Option<u32>,
    /// The `dead_letter` edge's target node.
    pub dlq: Option<String>,
    /// RabbitMQ `x-max-length` (semantics.md §2.4), with `x-overflow: drop-head` (the
    /// profiles' default: the oldest ready message makes room) unless [`Self::reject_publish`].
    pub max_length: Option<u32>,
    /// RabbitMQ `x-overflow: reject-publish`: a full queue refuses the publish, and the
    /// publisher's confirm is a `basic.nack` (semantics.md §2.4).
    pub reject_publish: bool,
    /// RabbitMQ `x-message-ttl` on the broker, ms (already scaled; semantics.md §2.4).
    pub message_ttl_ms: Option<u64>,
    /// SQS `maxReceiveCount` of the redrive policy (SQS with a dead-letter queue only).
    pub max_receive_count: Option<u32>,
    /// SQS `VisibilityTimeout` on the broker, whole seconds (already scaled).
    pub visibility_secs: Option<u32>,
    /// ActiveMQ `maximumRedeliveries` (ActiveMQ only): deliveries are this plus one.
    pub max_redeliveries: Option<u32>,
}

impl QueuePlan {
    pub fn fifo(&self) -> bool {
        self.profile == QueueProfile::SqsFifo
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Publish {
    pub id: u64,
    pub at: Millis,
    pub payload: Payload,
    /// The FIFO message group (1-based; meaningful on FIFO queues only).
    pub group: u32,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    pub platform: Platform,
    pub queue: QueuePlan,
    pub consumers: u32,
    /// Each delivery is held this long (simulated) before the consumer answers.
    pub processing: Millis,
    /// `on_invalid: discard`: a poison message is acknowledged unprocessed instead of requeued.
    pub discard_invalid: bool,
    /// A FIFO resend the engine dropped as a duplicate → the message first sent with its
    /// deduplication id, whose id the resend carries as `MessageDeduplicationId`.
    pub resend_of: std::collections::BTreeMap<u64, u64>,
    /// When the pool starts receiving (a `set_online` for an offline pool; SQS only).
    pub start_at: Millis,
    /// Messages per receive (SQS only; 1 elsewhere), gathered for up to `batch_window`.
    pub batch_size: u32,
    pub batch_window: Millis,
    /// What a batch with a failure deletes (semantics notes §1.5).
    pub batch_failure: BatchFailure,
    /// SQS with `retry: immediate`: a failed message is released with
    /// `ChangeMessageVisibility 0`; otherwise it is left to its visibility timeout.
    pub release_at_once: bool,
    pub until: Millis,
    /// Simulated milliseconds per wall-clock millisecond.
    pub scale: f64,
    /// The settings scaled for the broker, as `name: simulated → broker`, for the report.
    pub scaled: Vec<String>,
    pub publishes: Vec<Publish>,
    pub expected: Vec<Expected>,
}

impl Plan {
    /// A simulated duration as wall-clock time on the broker.
    pub fn wall(&self, t: Millis) -> std::time::Duration {
        wall(t, self.scale)
    }
}

/// A simulated duration as wall-clock time, at `scale` simulated ms per wall ms.
pub fn wall(t: Millis, scale: f64) -> std::time::Duration {
    std::time::Duration::from_micros((t.0 as f64 * 1000.0 / scale) as u64)
}

pub fn payload_name(p: Payload) -> &'static str {
    match p {
        Payload::Normal => "normal",
        Payload::Poison => "poison",
        Payload::Transient => "transient",
        Payload::Large => "large",
        Payload::V2 => "v2",
    }
}

/// A file a broker cannot replay (yet), naming the field and the reason.
pub(crate) fn unsupported(path: &str, why: &str) -> Error {
    Error::File(format!(
        "{path}: qsim-verify cannot replay this on a broker yet: {why}"
    ))
}

/// Reads a scenario file (version 1 or 2) as version 2.
pub fn read(path: &str) -> Result<ScenarioV2, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::File(format!("cannot read {path}: {e}")))?;
    ScenarioFile::from_json(&text)
        .map(ScenarioFile::into_v2)
        .map_err(|e| Error::File(format!("{path}: {e}")))
}

/// Reads a scenario file and runs the engine on it.
pub fn load(path: &str, until: Option<Millis>) -> Result<Plan, Error> {
    plan(&read(path)?, until.unwrap_or(DEFAULT_UNTIL)).map_err(|e| e.in_file(path))
}

/// The time scale for an SQS run and the visibility timeout it gives on the broker, in whole
/// seconds. SQS takes `VisibilityTimeout` in whole seconds only (semantics notes §1.1), so
/// the scale that fits `until` into [`TARGET_WINDOW`] is adjusted until the scaled visibility
/// is whole: `visibility / scale` seconds exactly. Refused when the window would exceed
/// [`MAX_WALL`] (a visibility much longer than the window, say).
pub fn sqs_scale(visibility: Millis, until: Millis) -> Result<(f64, u32), String> {
    let first = (until.0 as f64 / TARGET_WINDOW.0 as f64).max(1.0);
    if visibility == Millis::ZERO {
        return Ok((first, 0));
    }
    let secs = (visibility.0 as f64 / first / 1000.0).round().max(1.0);
    let scale = visibility.0 as f64 / (secs * 1000.0);
    let wall = until.0 as f64 / scale;
    if wall > MAX_WALL.0 as f64 {
        return Err(format!(
            "a visibility timeout of {visibility} is {secs} s on the broker (whole seconds), \
             so {until} simulated would take {:.0} s of wall time, more than the {} s allowed; \
             shorten --until or lengthen the visibility timeout",
            wall / 1000.0,
            MAX_WALL.0 / 1000
        ));
    }
    Ok((scale, secs as u32))
}

/// The redelivery delay every policy of the verification broker uses (`initialRedeliveryDelay`
/// and `redeliveryDelay`). ActiveMQ 5.17's `redeliveryPlugin` refuses to start with anything
/// under 1000 ms (`RedeliveryPlugin.validatePolicyDelay`), so the delay cannot be scaled
/// below it: the scenario's delay is mapped onto it instead.
pub const ACTIVEMQ_BROKER_DELAY: Millis = Millis(1_000);
/// The `maximumRedeliveries` values the verification broker has a policy for (one
/// `qsim.r<N>.>` entry each; see the README's ActiveMQ set-up).
pub const ACTIVEMQ_MAX_REDELIVERIES: u32 = 10;

/// The time scale for an ActiveMQ run: simulated milliseconds per wall millisecond such that
/// the scenario's constant redelivery `delay` lasts exactly [`ACTIVEMQ_BROKER_DELAY`] on the
/// broker. A delay under a second slows the run down (scale < 1); refused when `until` would
/// then exceed [`MAX_WALL`].
pub fn activemq_scale(delay: Millis, until: Millis) -> Result<f64, String> {
    if delay == Millis::ZERO {
        return Err(
            "a redelivery delay of 0: ActiveMQ's redeliveryPlugin needs at least 1 s".into(),
        );
    }
    let scale = delay.0 as f64 / ACTIVEMQ_BROKER_DELAY.0 as f64;
    let wall = until.0 as f64 / scale;
    if wall > MAX_WALL.0 as f64 {
        return Err(format!(
            "a redelivery delay of {delay} becomes the broker's {} ms, so {until} simulated \
             would take {:.0} s of wall time, more than the {} s allowed; shorten --until or \
             lengthen the delay",
            ACTIVEMQ_BROKER_DELAY.0,
            wall / 1000.0,
            MAX_WALL.0 / 1000
        ));
    }
    Ok(scale)
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
    let Some(platform) = Platform::of(profile) else {
        return Err(unsupported(
            &at("profile"),
            "only rabbitmq_classic, rabbitmq_quorum, sqs_standard, sqs_fifo and activemq \
             queues are verified so far",
        ));
    };
    let retry_ok = match platform {
        Platform::Rabbitmq => matches!(q.retry, RetryPolicy::Immediate),
        Platform::Sqs => matches!(
            q.retry,
            RetryPolicy::Immediate | RetryPolicy::VisibilityTimeout
        ),
        // A constant delay only: the broker's policies do not back off (no
        // useExponentialBackOff), which is the client's default the profile models (§8).
        Platform::Activemq => {
            matches!(q.retry, RetryPolicy::Exponential { base, max } if base == max)
        }
    };
    if !retry_ok {
        return Err(unsupported(
            &at("retry"),
            match platform {
                Platform::Rabbitmq => {
                    "a RabbitMQ consumer requeues at once; retry policies have no broker equivalent"
                }
                Platform::Sqs => {
                    "only visibility_timeout (leave it unacknowledged) and immediate \
                     (ChangeMessageVisibility 0) are replayed on SQS"
                }
                Platform::Activemq => {
                    "only a constant redelivery delay (exponential with base = max, the \
                     profile's default) is replayed on ActiveMQ: the broker's policies do not \
                     back off, and its redeliveryPlugin allows no delay under 1 s"
                }
            },
        ));
    }
    if platform != Platform::Sqs && spec.visibility_timeout.is_some() {
        return Err(unsupported(
            &at("visibility_timeout"),
            "RabbitMQ's consumer_timeout is a broker-wide setting (no queue argument on 3.10), \
             so a run cannot set it; leave it at the profile's default",
        ));
    }
    if q.delay != Millis::ZERO {
        return Err(unsupported(&at("delay"), "delays are not replayed yet"));
    }
    if spec.retention.is_some() && platform != Platform::Rabbitmq {
        return Err(unsupported(
            &at("retention"),
            "a retention period is replayed on RabbitMQ only (x-message-ttl, in ms); SQS \
             keeps a message at least 60 s and Service Bus and ActiveMQ have no queue TTL here",
        ));
    }
    if q.max_depth.is_some() && platform != Platform::Rabbitmq {
        return Err(unsupported(
            &at("max_depth"),
            "a length limit is replayed on RabbitMQ only (x-max-length with drop-head or \
             reject-publish)",
        ));
    }
    // Without a dead-letter queue a message the broker drops (drop-head) and one that expires
    // both just vanish, so the broker run could not tell which happened.
    if q.max_depth.is_some() && spec.retention.is_some() && lowered.dlq.is_none() {
        return Err(unsupported(
            &at("max_depth / retention"),
            "a length limit and a TTL together need a dead-letter queue, whose x-death reason \
             (maxlen or expired) tells the broker's drops apart",
        ));
    }
    let reject_publish = q.max_depth.is_some() && q.overflow == Overflow::RejectPublish;
    if platform == Platform::Sqs && q.content_based_dedup {
        return Err(unsupported(
            &at("content_based_dedup"),
            "content-based deduplication is not replayed (the broker digests the body, and \
             each replayed body carries its own id); duplicate sends with explicit ids are",
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
    if c.ack != AckMode::AfterProcessing {
        return Err(unsupported(
            &cat("ack"),
            "only a pool acknowledging after processing is replayed",
        ));
    }
    // An offline pool that one `set_online` brings up (SQS only): every message sent before
    // is waiting when the first receive comes, on both sides, so a batch is the same batch.
    let online_at = scenario.commands.iter().find_map(|cmd| match cmd.command {
        Command::SetOnline {
            consumer: None,
            online: true,
        } => Some(cmd.at),
        _ => None,
    });
    let start_at = match (c.online, online_at) {
        (true, None) => Millis::ZERO,
        (false, Some(at)) if platform == Platform::Sqs => at,
        _ => {
            return Err(unsupported(
                &cat("online"),
                "an offline pool is replayed on SQS only, brought up once by a `set_online` \
                 command for the whole pool",
            ))
        }
    };
    // Batches are Lambda's event source mapping on SQS (semantics notes §1.5): one receive of
    // up to 10, the batch window, and the batch-failure mode deciding what is deleted.
    if c.batch_size != 1 && (platform != Platform::Sqs || c.batch_size > 10) {
        return Err(unsupported(
            &cat("batch_size"),
            "batches are replayed on SQS only, up to 10 (one ReceiveMessage)",
        ));
    }
    if c.extend_visibility {
        return Err(unsupported(
            &cat("extend_visibility"),
            "visibility heartbeats are not replayed yet",
        ));
    }
    if lowered.reply_queue || lowered.mode != queue_engine::Mode::Queue {
        return Err(unsupported(
            "edges",
            "reply queues and HTTP calls are not replayed yet",
        ));
    }
    // The broker-side consumer knows one schema and no blob store: a version 2 event, a
    // claim check or a dead-letter-at-once consumer has nothing to replay it with yet.
    let new_payload = lowered.commands.iter().any(|c| {
        matches!(
            c.command,
            queue_engine::Command::Send {
                payload: Payload::Large | Payload::V2,
                ..
            }
        )
    });
    if new_payload
        || lowered.consumers.on_invalid == OnInvalid::DeadLetter
        || lowered
            .producers
            .iter()
            .any(|p| p.schema_version != 1 || p.claim_check)
    {
        return Err(unsupported(
            "nodes",
            "schema versions, claim checks and dead-lettering on invalid are not replayed yet",
        ));
    }
    for (i, p) in lowered.producers.iter().enumerate() {
        if p.transient_share > 0.0 || p.delay != Millis::ZERO {
            return Err(unsupported(
                &format!("nodes.{}.producer (producer {i})", p.name),
                "transient failures and delays are not replayed yet",
            ));
        }
        // A duplicate send is replayed with the first send's MessageDeduplicationId. SQS's
        // window is a fixed 5 minutes (§1.4), which a scaled run cannot stretch, so a resend
        // the engine enqueues after the window would be dropped on the broker.
        if p.duplicate_share > 0.0
            && (profile != QueueProfile::SqsFifo || until > queue_engine::DEDUP_WINDOW)
        {
            return Err(unsupported(
                &format!("nodes.{}.producer.duplicate_share", p.name),
                "duplicate sends are replayed on an SQS FIFO queue only, and only within the \
                 5-minute deduplication window (--until 5m at most): the broker's window is \
                 real time and cannot be scaled",
            ));
        }
        // A refused publish has no message, so its payload is known only from its command.
        if reject_publish && p.rate > 0.0 {
            return Err(unsupported(
                &format!("nodes.{}.producer.rate", p.name),
                "with x-overflow reject-publish only `send` commands are replayed (rate 0): \
                 a refused publish is matched to its command for its payload",
            ));
        }
    }
    for (i, cmd) in scenario.commands.iter().enumerate() {
        match &cmd.command {
            Command::Send {
                payload: Payload::Normal | Payload::Poison,
                ..
            } => {}
            Command::SetOnline { .. } if Some(cmd.at) == online_at && !c.online => {}
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
    let max_receive_count = match platform {
        Platform::Sqs => lowered.dlq.as_ref().map(|d| d.max_receive_count),
        _ => None,
    };
    // §8: the limit counts *re*deliveries; the profile's default is the client's 6.
    let max_redeliveries = match platform {
        Platform::Activemq => {
            let n = spec
                .delivery_limit
                .unwrap_or_else(|| profile.delivery_limit().map_or(6, |l| l.default));
            if n > ACTIVEMQ_MAX_REDELIVERIES {
                return Err(unsupported(
                    &at("delivery_limit"),
                    &format!(
                        "the verification broker has redelivery policies for 0 to \
                         {ACTIVEMQ_MAX_REDELIVERIES} redeliveries only"
                    ),
                ));
            }
            Some(n)
        }
        _ => None,
    };
    let mut scaled = Vec::new();
    let (scale, visibility_secs) = match platform {
        Platform::Rabbitmq => ((until.0 as f64 / TARGET_WINDOW.0 as f64).max(1.0), None),
        Platform::Sqs => {
            let (scale, secs) = sqs_scale(q.visibility_timeout, until)
                .map_err(|m| unsupported(&at("visibility_timeout"), &m))?;
            scaled.push(format!(
                "VisibilityTimeout: {} simulated → {secs} s",
                q.visibility_timeout
            ));
            (scale, Some(secs))
        }
        Platform::Activemq => {
            let RetryPolicy::Exponential { base, .. } = q.retry else {
                unreachable!("checked above")
            };
            let scale = activemq_scale(base, until).map_err(|m| unsupported(&at("retry"), &m))?;
            scaled.push(format!(
                "redelivery delay: {base} simulated → {} ms (initialRedeliveryDelay = \
                 redeliveryDelay)",
                ACTIVEMQ_BROKER_DELAY.0
            ));
            (scale, None)
        }
    };
    let message_ttl_ms = spec.retention.map(|ttl| {
        // RabbitMQ takes whole milliseconds; never 0, which would expire at once.
        let ms = ((ttl.0 as f64 / scale).round() as u64).max(1);
        scaled.push(format!("x-message-ttl: {ttl} simulated → {ms} ms"));
        ms
    });
    let processing = c.processing.mean;
    if c.batch_window > Millis::ZERO {
        scaled.push(format!(
            "batch window: {} simulated → {} ms",
            c.batch_window,
            (c.batch_window.0 as f64 / scale).round()
        ));
    }
    scaled.push(format!(
        "processing time: {processing} simulated → {} ms",
        (processing.0 as f64 / scale).round()
    ));
    scaled.push(format!(
        "publish times and the window: ÷{scale:.2} ({until} simulated → {:.1} s)",
        until.0 as f64 / scale / 1000.0
    ));
    let discard_invalid = c.on_invalid == OnInvalid::Discard;
    let consumers = c.count;
    let release_at_once = platform == Platform::Sqs && q.retry == RetryPolicy::Immediate;
    let fifo = profile == QueueProfile::SqsFifo;
    let run = crate::trace::run_engine(lowered.clone(), until, platform, fifo)?;
    let (mut publishes, mut expected) = (run.publishes, run.expected);
    refused_publishes(
        scenario,
        &lowered,
        &run.refused,
        &mut publishes,
        &mut expected,
    )?;
    let resend_of = resends(&run.deduplicated, &mut publishes, &mut expected);
    Ok(Plan {
        name: scenario.name.clone(),
        platform,
        queue: QueuePlan {
            node: q.name.clone(),
            profile,
            delivery_limit,
            dlq,
            max_length: q.max_depth,
            reject_publish,
            message_ttl_ms,
            max_receive_count,
            visibility_secs,
            max_redeliveries,
        },
        consumers,
        processing,
        resend_of,
        start_at,
        batch_size: c.batch_size,
        batch_window: c.batch_window,
        batch_failure: c.batch_failure,
        discard_invalid,
        release_at_once,
        until,
        scale,
        scaled,
        publishes,
        expected,
    })
}

/// Gives each publish a full queue refused an id after the engine's own, and the payload of
/// the `send` command it came from, so the broker replays it and its `basic.nack` is compared
/// with the engine's refusal (place `rejected`).
fn refused_publishes(
    scenario: &ScenarioV2,
    lowered: &queue_engine::Scenario,
    refused: &[(Millis, u32)],
    publishes: &mut Vec<Publish>,
    expected: &mut Vec<Expected>,
) -> Result<(), Error> {
    let mut used = vec![false; scenario.commands.len()];
    let first = expected.iter().map(|e| e.id + 1).max().unwrap_or(0);
    for (next, &(at, producer)) in (first..).zip(refused) {
        let name = lowered
            .producers
            .get(producer as usize)
            .map(|p| p.name.as_str());
        let found = scenario
            .commands
            .iter()
            .enumerate()
            .find_map(|(i, c)| match &c.command {
                Command::Send { payload, .. }
                    if !used[i]
                        && c.at == at
                        && (c.node.as_deref() == name || (c.node.is_none() && producer == 0)) =>
                {
                    Some((i, *payload))
                }
                _ => None,
            });
        let Some((i, payload)) = found else {
            return Err(Error::File(format!(
                "the engine refused a publish at {at} that no `send` command explains"
            )));
        };
        used[i] = true;
        publishes.push(Publish {
            id: next,
            at,
            payload,
            group: 0,
        });
        expected.push(Expected {
            id: next,
            payload: payload_name(payload).into(),
            rule: crate::compare::CountRule::Exact,
            facts: crate::compare::Facts {
                delivered: 0,
                processed: 0,
                place: "rejected".into(),
                order: None,
                death: None,
            },
        });
    }
    publishes.sort_by_key(|p| (p.at, p.id));
    Ok(())
}

/// Gives each resend the engine dropped as a duplicate an id after the others, with its first
/// send's payload and group: the broker gets it with the first send's deduplication id and
/// must drop it too (place `deduplicated`).
fn resends(
    deduplicated: &[(Millis, u64)],
    publishes: &mut Vec<Publish>,
    expected: &mut Vec<Expected>,
) -> std::collections::BTreeMap<u64, u64> {
    let mut resend_of = std::collections::BTreeMap::new();
    let first = expected.iter().map(|e| e.id + 1).max().unwrap_or(0);
    for (id, &(at, original)) in (first..).zip(deduplicated) {
        let Some(o) = publishes.iter().find(|p| p.id == original).cloned() else {
            continue;
        };
        publishes.push(Publish { id, at, ..o });
        expected.push(Expected {
            id,
            payload: payload_name(o.payload).into(),
            rule: crate::compare::CountRule::Exact,
            facts: crate::compare::Facts {
                delivered: 0,
                processed: 0,
                place: "deduplicated".into(),
                order: None,
                death: None,
            },
        });
        resend_of.insert(id, original);
    }
    publishes.sort_by_key(|p| (p.at, p.id));
    resend_of
}

/// How many messages the engine settles at publish (refused, or dropped as duplicates): the
/// broker settles those without any consumer.
pub fn settled_at_publish(expected: &[Expected]) -> usize {
    expected
        .iter()
        .filter(|e| matches!(e.facts.place.as_str(), "rejected" | "deduplicated"))
        .count()
}

#[cfg(test)]
mod tests;
