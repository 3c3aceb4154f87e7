//! Commands: what a person (or a scenario's timeline) does to a running simulation.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{AckMode, BatchFailure, OnInvalid, QueueKind, RetryPolicy, Scenario};
use crate::topology::profile::QueueProfile;
use crate::validate::{duration, fraction_range, int, retry};

/// What a message carries, which decides how processing it goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// A good order.
    #[default]
    Normal,
    /// Malformed (the pineapple order): fails validation on every attempt.
    Poison,
    /// Hits a passing fault (the oven is briefly unavailable) for its first few attempts.
    Transient,
    /// An order with a photo of the customer's own pizza design, [`LARGE_PAYLOAD_BYTES`]
    /// long: over SQS's maximum message size unless the producer stores it aside (a claim
    /// check).
    Large,
    /// An order in version 2 of the event schema, which consumers that read only version 1
    /// do not understand.
    V2,
}

crate::named_variants!(Payload {
    Normal = "normal",
    Poison = "poison",
    Transient = "transient",
    Large = "large",
    V2 = "v2",
});

/// How long a [`Payload::Large`] body is: a 3 MB photo, three times SQS's 1 MiB maximum
/// message size (semantics §1.1).
pub const LARGE_PAYLOAD_BYTES: u32 = 3_000_000;

/// Every command's `type`, as files spell it: what a builder offers to add.
pub const COMMAND_TYPES: &[&str] = crate::tagged::KIND_NAMES;

/// Written as `{"type": "set_online", "online": false}`: the type, then that command's own
/// fields. Read through `tagged::RawCommand`, which costs the page far less than serde's
/// internally tagged enums.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "crate::tagged::RawCommand"
)]
pub enum Command {
    /// Send one message now (the "send one order" and "send a poison pill" buttons).
    Send {
        #[serde(default)]
        producer: u32,
        #[serde(default)]
        payload: Payload,
        /// FIFO group number (1-based); random among the producer's groups when absent.
        #[serde(default)]
        group: Option<u32>,
    },
    /// Take consumers offline or bring them back; `consumer` absent means all of them.
    SetOnline {
        #[serde(default)]
        consumer: Option<u32>,
        online: bool,
    },
    /// A consumer dies mid-work; it restarts after the configured delay.
    Crash {
        consumer: u32,
    },
    ScaleConsumers {
        count: u32,
    },
    /// Multiply every producer's rate for a while (the Friday rush).
    Spike {
        factor: f64,
        duration: Millis,
    },
    SetRate {
        #[serde(default)]
        producer: u32,
        rate: f64,
    },
    SetBatchFailure {
        mode: BatchFailure,
    },
    SetBatchSize {
        size: u32,
    },
    SetAck {
        mode: AckMode,
    },
    SetIdempotent {
        on: bool,
    },
    SetVisibilityTimeout {
        timeout: Millis,
    },
    SetExtendVisibility {
        on: bool,
    },
    /// Turn the DLQ's redrive policy on with this `maxReceiveCount`, or off with `null`.
    SetMaxReceiveCount {
        count: Option<u32>,
    },
    SetFailureRate {
        rate: f64,
    },
    SetOnInvalid {
        mode: OnInvalid,
    },
    SetProcessingTime {
        mean: Millis,
    },
    SetRetry {
        policy: RetryPolicy,
    },
    /// Move every DLQ message back to the source queue at the DLQ's redrive rate.
    RedriveAll,
    RedriveOne {
        message: u64,
    },
    /// Delete one DLQ message for good (a person decided it is not worth processing).
    Discard {
        message: u64,
    },
    /// The fix for the poison pill has shipped: malformed messages are now handled.
    FixPoison,
    /// A consumer group reading a log moves its committed offsets: `earliest` replays what
    /// the log still holds, `latest` skips to its end.
    Seek {
        to: crate::stream::SeekTo,
    },
    /// A producer that publishes to Kafka logs sends this share of its records with the one
    /// key `hot` from now on (semantics notes §3: one key, one partition).
    SetHotKey {
        #[serde(default)]
        producer: u32,
        share: f64,
    },
    /// A person takes the message at the head of a queue, as AMQP `basic.get` does, and
    /// settles it at once (semantics notes §2.2).
    Take {
        outcome: TakeOutcome,
    },
    /// The producer publishes one message to the exchange named here (`""`: the default
    /// exchange, which routes to the queue the key names) with this routing key, whatever
    /// its own publish edge says (semantics notes §2.1).
    Publish {
        #[serde(default)]
        producer: u32,
        exchange: String,
        key: String,
    },
    /// The producer sends an event it sent before again, under the same CloudEvents id, which
    /// is also its FIFO deduplication id: a retry after a lost acknowledgement, at any time.
    /// `payload` is the body this time; with content-based deduplication a different body is
    /// a different message (semantics notes §1.4). An event not sent yet sends nothing.
    Resend {
        #[serde(default)]
        producer: u32,
        event: u64,
        #[serde(default)]
        payload: Payload,
        #[serde(default)]
        group: Option<u32>,
    },
}

/// How a person settles a message taken with [`Command::Take`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TakeOutcome {
    /// `basic.ack`: done, and gone from the queue.
    Ack,
    /// `basic.reject` with `requeue=false`: dead-lettered (reason `rejected`), or gone when
    /// there is nowhere to dead-letter to.
    Reject,
    /// `basic.nack` with `requeue=true`: back to the head, unless that was its last delivery.
    Requeue,
}

crate::named_variants!(TakeOutcome {
    Ack = "ack",
    Reject = "reject",
    Requeue = "requeue",
});

/// AMQP carries the routing key as a short string: at most 255 bytes.
pub const MAX_ROUTING_KEY: usize = 255;

impl Command {
    /// Checks a command against the scenario it will run in; `path` names it in the error.
    pub fn validate(&self, path: &str, scenario: &Scenario) -> Result<(), ScenarioError> {
        let at = |field: &str| format!("{path}.{field}");
        let producers = scenario.producers.len() as u32;
        match self {
            Command::Send {
                producer, group, ..
            }
            | Command::Resend {
                producer, group, ..
            } => {
                if *producer >= producers.max(1) {
                    return Err(ScenarioError::field(
                        at("producer"),
                        format!("a producer index below {}", producers.max(1)),
                        producer,
                    ));
                }
                if let Some(g) = group {
                    int(&at("group"), *g, 1, 10_000)?;
                }
            }
            Command::SetOnline {
                consumer: Some(c), ..
            }
            | Command::Crash { consumer: c } => {
                int(&at("consumer"), *c, 0, 63)?;
            }
            Command::SetOnline { consumer: None, .. } => {}
            Command::ScaleConsumers { count } => int(&at("count"), *count, 0, 64)?,
            Command::Spike {
                factor,
                duration: d,
            } => {
                fraction_range(&at("factor"), *factor, 0.0, 1000.0)?;
                duration(&at("duration"), *d, Millis(1), Millis::from_secs(86_400))?;
            }
            Command::Publish { producer, key, .. } => {
                if *producer >= producers.max(1) {
                    return Err(ScenarioError::field(
                        at("producer"),
                        format!("a producer index below {}", producers.max(1)),
                        producer,
                    ));
                }
                if key.len() > MAX_ROUTING_KEY {
                    return Err(ScenarioError::field(
                        at("key"),
                        format!("at most {MAX_ROUTING_KEY} bytes (an AMQP short string)"),
                        format!("{} bytes", key.len()),
                    ));
                }
            }
            Command::SetHotKey { producer, share } => {
                if *producer >= producers.max(1) {
                    return Err(ScenarioError::field(
                        at("producer"),
                        format!("a producer index below {}", producers.max(1)),
                        producer,
                    ));
                }
                fraction_range(&at("share"), *share, 0.0, 1.0)?;
            }
            Command::SetRate { producer, rate } => {
                if *producer >= producers {
                    return Err(ScenarioError::field(
                        at("producer"),
                        format!("a producer index below {producers}"),
                        producer,
                    ));
                }
                fraction_range(&at("rate"), *rate, 0.0, 100_000.0)?;
            }
            Command::SetBatchSize { size } => {
                let max = if scenario.queue.kind == QueueKind::Fifo {
                    10
                } else {
                    10_000
                };
                int(&at("size"), *size, 1, max)?;
            }
            Command::SetVisibilityTimeout { timeout } => {
                duration(
                    &at("timeout"),
                    *timeout,
                    Millis::ZERO,
                    Millis::from_secs(43_200),
                )?;
            }
            Command::SetMaxReceiveCount { count: Some(n) } => int(&at("count"), *n, 1, 1000)?,
            Command::SetMaxReceiveCount { count: None }
                if scenario.queue.profile().limit_always_on() =>
            {
                return Err(QueueProfile::limit_off_error(at("count")));
            }
            Command::SetFailureRate { rate } => fraction_range(&at("rate"), *rate, 0.0, 1.0)?,
            Command::SetProcessingTime { mean } => {
                duration(&at("mean"), *mean, Millis::ZERO, Millis::from_secs(43_200))?;
            }
            Command::SetRetry { policy } => retry(&at("policy"), policy)?,
            Command::SetBatchFailure { .. }
            | Command::SetAck { .. }
            | Command::SetIdempotent { .. }
            | Command::SetExtendVisibility { .. }
            | Command::SetMaxReceiveCount { count: None }
            | Command::SetOnInvalid { .. }
            | Command::RedriveAll
            | Command::RedriveOne { .. }
            | Command::Discard { .. }
            | Command::Take { .. }
            | Command::FixPoison => {}
            Command::Seek { .. } => {
                return Err(ScenarioError::field(
                    path.to_owned(),
                    "a command a queue's consumers understand (seek is for a consumer group \
                     reading a log)",
                    "seek",
                ))
            }
        }
        Ok(())
    }
}
