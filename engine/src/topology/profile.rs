//! Platform profiles: what a queue's settings are called on each platform, their defaults and
//! limits, which settings exist at all, and how a setting's value translates into what the
//! engine does. Every fact here comes from the project's semantics reference (section numbers
//! in the comments) and has a test in `engine/tests/profiles.rs` that names that section.
//!
//! # Contract
//! - A profile never invents a setting: asking for one the platform does not have (a delivery
//!   limit on a RabbitMQ classic queue) is an error that says so and why.
//! - Limits are the platform's own: a Service Bus lock of 10 minutes is refused even though an
//!   SQS visibility timeout of 10 minutes is fine.
//! - Counting is the platform's own: [`QueueProfile::deliveries`] turns the profile's limit into
//!   the number of deliveries a message gets before it leaves.

use serde::Serialize;

use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::scenario::{QueueKind, RetryPolicy};
use crate::validate::{duration, int};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueProfile {
    /// Amazon SQS standard queue: at-least-once, best-effort order.
    #[default]
    SqsStandard,
    /// Amazon SQS FIFO queue: strict order per message group, 5-minute deduplication.
    SqsFifo,
    /// RabbitMQ classic queue: a failed message is requeued at once, with no limit.
    RabbitmqClassic,
    /// RabbitMQ quorum queue: requeued at once until `x-delivery-limit` is exceeded.
    RabbitmqQuorum,
    /// Azure Service Bus queue in peek-lock mode, with its built-in dead-letter sub-queue.
    ServiceBus,
    /// A Google Cloud Pub/Sub pull subscription.
    Pubsub,
    /// ActiveMQ Classic 5.17 (as Debian ships it), with the client's default redelivery policy.
    Activemq,
}

crate::named_variants!(QueueProfile {
    SqsStandard = "sqs_standard",
    SqsFifo = "sqs_fifo",
    RabbitmqClassic = "rabbitmq_classic",
    RabbitmqQuorum = "rabbitmq_quorum",
    ServiceBus = "service_bus",
    Pubsub = "pubsub",
    Activemq = "activemq",
});

/// One setting as a platform names it, with its default and range (None: no such setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit<T> {
    pub name: &'static str,
    pub default: T,
    pub min: T,
    pub max: T,
}

impl QueueProfile {
    pub const ALL: [QueueProfile; 7] = [
        QueueProfile::SqsStandard,
        QueueProfile::SqsFifo,
        QueueProfile::RabbitmqClassic,
        QueueProfile::RabbitmqQuorum,
        QueueProfile::ServiceBus,
        QueueProfile::Pubsub,
        QueueProfile::Activemq,
    ];

    /// The name scenario files use (`"profile": "rabbitmq_quorum"`).
    pub fn id(self) -> &'static str {
        match self {
            QueueProfile::SqsStandard => "sqs_standard",
            QueueProfile::SqsFifo => "sqs_fifo",
            QueueProfile::RabbitmqClassic => "rabbitmq_classic",
            QueueProfile::RabbitmqQuorum => "rabbitmq_quorum",
            QueueProfile::ServiceBus => "service_bus",
            QueueProfile::Pubsub => "pubsub",
            QueueProfile::Activemq => "activemq",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueProfile::SqsStandard => "Amazon SQS standard queue",
            QueueProfile::SqsFifo => "Amazon SQS FIFO queue",
            QueueProfile::RabbitmqClassic => "RabbitMQ classic queue",
            QueueProfile::RabbitmqQuorum => "RabbitMQ quorum queue",
            QueueProfile::ServiceBus => "Azure Service Bus queue",
            QueueProfile::Pubsub => "Google Cloud Pub/Sub subscription",
            QueueProfile::Activemq => "ActiveMQ Classic queue",
        }
    }

    pub fn kind(self) -> QueueKind {
        match self {
            QueueProfile::SqsFifo => QueueKind::Fifo,
            _ => QueueKind::Standard,
        }
    }

    /// The lock on a delivered message (§1.1, §7, §6, §2.2). RabbitMQ has no per-message
    /// timeout; its `consumer_timeout` (30 min) closes the channel of a consumer that holds a
    /// delivery too long, which requeues it: the same effect, much later. ActiveMQ has neither,
    /// so the engine's largest value stands in for "never".
    pub fn visibility(self) -> Limit<Millis> {
        let secs = Millis::from_secs;
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => Limit {
                name: "VisibilityTimeout",
                default: secs(30),
                min: Millis::ZERO,
                max: secs(43_200),
            },
            // The reference gives no minimum for these two, so none is imposed.
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => Limit {
                name: "consumer_timeout",
                default: Millis::from_mins(30),
                min: Millis::ZERO,
                max: secs(43_200),
            },
            QueueProfile::ServiceBus => Limit {
                name: "LockDuration",
                default: secs(60),
                min: Millis::ZERO,
                max: Millis::from_mins(5),
            },
            QueueProfile::Pubsub => Limit {
                name: "ackDeadlineSeconds",
                default: secs(10),
                min: secs(10),
                max: secs(600),
            },
            QueueProfile::Activemq => Limit {
                name: "(none: only a connection timeout returns a message)",
                default: secs(43_200),
                min: secs(43_200),
                max: secs(43_200),
            },
        }
    }

    /// The retry limit (§1.3, §2.5, §7, §6, §8), or None where the platform has none: a classic
    /// queue requeues for ever (and `x-max-retries` is not a RabbitMQ argument, §2.6).
    pub fn delivery_limit(self) -> Option<Limit<u32>> {
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => Some(Limit {
                name: "maxReceiveCount",
                default: 10,
                min: 1,
                max: 1000,
            }),
            QueueProfile::RabbitmqClassic => None,
            QueueProfile::RabbitmqQuorum => Some(Limit {
                name: "x-delivery-limit",
                default: 20,
                min: 0,
                max: 999,
            }),
            QueueProfile::ServiceBus => Some(Limit {
                name: "MaxDeliveryCount",
                default: 10,
                min: 1,
                max: 1000,
            }),
            QueueProfile::Pubsub => Some(Limit {
                name: "maxDeliveryAttempts",
                default: 5,
                min: 5,
                max: 100,
            }),
            QueueProfile::Activemq => Some(Limit {
                name: "maximumRedeliveries",
                default: 6,
                min: 0,
                max: 999,
            }),
        }
    }

    /// How many times a message is delivered before it leaves, for the profile's limit value.
    /// SQS, Service Bus and Pub/Sub count deliveries, so the limit is the count. A quorum
    /// queue dead-letters once the limit is *exceeded* (§2.5), and ActiveMQ counts
    /// *re*deliveries (§8): both deliver one more time than the number written.
    pub fn deliveries(self, limit: u32) -> u32 {
        match self {
            QueueProfile::RabbitmqQuorum | QueueProfile::Activemq => limit.saturating_add(1),
            _ => limit,
        }
    }

    /// Whether the delivery limit applies the moment a failed message comes back rather than
    /// at the next receive: a quorum queue dead-letters (or drops) a message returned more times
    /// than its limit (§2.5), and ActiveMQ's client sends its poison ack as soon as the limit is
    /// exceeded, which the broker moves to the DLQ at once (§8; qsim-verify saw it in
    /// `ActiveMQ.DLQ` 16 ms after the last nack). SQS moves a message only when a receive finds
    /// its count used up (§1.3).
    pub fn limit_at_return(self) -> bool {
        matches!(self, QueueProfile::RabbitmqQuorum | QueueProfile::Activemq)
    }

    /// OpenTelemetry's `messaging.system` for the platform (semantics.md §11).
    pub fn messaging_system(self) -> &'static str {
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => "aws_sqs",
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => "rabbitmq",
            QueueProfile::ServiceBus => "servicebus",
            QueueProfile::Pubsub => "gcp_pubsub",
            QueueProfile::Activemq => "activemq",
        }
    }

    /// Whether a message whose time to live runs out, or that a full queue drops from the
    /// head, goes to the dead-letter target rather than away: RabbitMQ dead-letters on
    /// expiry and on `maxlen` (§2.3); the other profiles' retention deletes.
    pub fn dead_letter_drops(self) -> bool {
        matches!(
            self,
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum
        )
    }

    /// The inverse of [`QueueProfile::deliveries`]: the limit to write for that many deliveries.
    pub fn limit_for(self, deliveries: u32) -> u32 {
        match self {
            QueueProfile::RabbitmqQuorum | QueueProfile::Activemq => deliveries.saturating_sub(1),
            _ => deliveries,
        }
    }

    /// Whether the delivery limit is always in force: Service Bus's `MaxDeliveryCount` cannot
    /// be turned off (§7). Every other profile can retry for ever: SQS and Pub/Sub without a
    /// dead-letter policy, RabbitMQ without a delivery limit, ActiveMQ with
    /// `maximumRedeliveries` -1.
    pub fn limit_always_on(self) -> bool {
        self == QueueProfile::ServiceBus
    }

    /// The error for a delivery limit turned off where it is always on, at `path`. Only
    /// Service Bus's is ([`QueueProfile::limit_always_on`]), so the words are its own.
    pub fn limit_off_error(path: String) -> crate::error::ScenarioError {
        crate::error::ScenarioError::field(
            path,
            "a delivery count from 1 to 1000: Azure Service Bus's MaxDeliveryCount cannot be turned off",
            "none (off)",
        )
    }

    /// Whether running out of deliveries needs a dead-letter target to mean anything. Service
    /// Bus always has its `$deadletterqueue` sub-queue (§7) and ActiveMQ Classic its shared
    /// `ActiveMQ.DLQ` (§8); SQS's `maxReceiveCount` and Pub/Sub's `maxDeliveryAttempts` exist
    /// only inside a dead-letter policy (§1.3, §6).
    pub fn built_in_dlq(self) -> Option<&'static str> {
        match self {
            QueueProfile::ServiceBus => Some("$deadletterqueue"),
            QueueProfile::Activemq => Some("ActiveMQ.DLQ"),
            _ => None,
        }
    }

    /// How a failed message comes back when nothing else is said. SQS (with Lambda) waits out
    /// the visibility timeout (§1.5); RabbitMQ's nack with requeue, Service Bus's abandon and
    /// Pub/Sub's nack (no retry policy) make it deliverable at once (§2.2, §7, §6); ActiveMQ's
    /// client waits `initialRedeliveryDelay`, 1 s, with no back-off by default (§8).
    pub fn default_retry(self) -> RetryPolicy {
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => RetryPolicy::VisibilityTimeout,
            QueueProfile::Activemq => RetryPolicy::Exponential {
                base: Millis::from_secs(1),
                max: Millis::from_secs(1),
            },
            _ => RetryPolicy::Immediate,
        }
    }

    /// How strictly consumers take the oldest ready message: a receive may pick any of the
    /// first N. An SQS standard queue is best-effort (§1.2), so the engine's default window
    /// applies. RabbitMQ queues hand out messages in order and a requeued message goes back to
    /// its original position (§2.2), so a rejected message at the head is delivered again
    /// before anything behind it: qsim-verify saw exactly that on RabbitMQ 3.10.8.
    pub fn reorder_window(self) -> Option<u32> {
        match self {
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => Some(1),
            _ => None,
        }
    }

    /// The largest message body, in bytes: SQS's `MaximumMessageSize` defaults to its
    /// maximum, 1 MiB (§1.1). The reference gives no limit for the others, so none is
    /// modelled there.
    pub fn max_message_size(self) -> u32 {
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => {
                crate::scenario::SQS_MAX_MESSAGE_SIZE
            }
            _ => u32::MAX,
        }
    }

    /// What a full queue does when nothing is said: RabbitMQ's `x-overflow` defaults to
    /// `drop-head` (§2.4), dropping the oldest ready message; elsewhere the playground's bound
    /// refuses the publish.
    pub fn default_overflow(self) -> crate::scenario::Overflow {
        match self {
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => {
                crate::scenario::Overflow::DropOldest
            }
            _ => crate::scenario::Overflow::RejectPublish,
        }
    }

    /// How long an unconsumed message is kept (§1.1, §6). RabbitMQ, Service Bus and ActiveMQ
    /// keep messages until consumed unless a TTL is set, so the engine's longest retention
    /// stands in for "until consumed".
    pub fn retention(self) -> Limit<Millis> {
        let secs = Millis::from_secs;
        match self {
            QueueProfile::SqsStandard | QueueProfile::SqsFifo => Limit {
                name: "MessageRetentionPeriod",
                default: secs(345_600),
                min: secs(60),
                max: secs(1_209_600),
            },
            QueueProfile::Pubsub => Limit {
                name: "messageRetentionDuration",
                default: Millis::from_secs(7 * 86_400),
                min: Millis::from_mins(10),
                max: secs(31 * 86_400),
            },
            QueueProfile::RabbitmqClassic | QueueProfile::RabbitmqQuorum => Limit {
                name: "x-message-ttl",
                default: secs(1_209_600),
                min: Millis(1),
                max: secs(1_209_600),
            },
            _ => Limit {
                name: "(none: kept until consumed)",
                default: secs(1_209_600),
                min: secs(60),
                max: secs(1_209_600),
            },
        }
    }

    /// A command aimed at a queue of this profile, in the profile's own terms: a new lock is
    /// checked against the platform's range, and a new delivery limit is the platform's own
    /// (a quorum queue's x-delivery-limit 3 means four deliveries, as in a file).
    pub(crate) fn command(
        self,
        path: &str,
        command: &mut crate::Command,
    ) -> Result<(), ScenarioError> {
        match command {
            crate::Command::SetVisibilityTimeout { timeout } => {
                self.check_visibility(&format!("{path}.timeout"), *timeout)
            }
            crate::Command::SetMaxReceiveCount { count: Some(n) } => {
                self.check_limit(&format!("{path}.count"), *n)?;
                *n = self.deliveries(*n);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Checks a value against a limit, naming the platform's own setting in the message.
    pub(crate) fn check_visibility(self, path: &str, v: Millis) -> Result<(), ScenarioError> {
        let l = self.visibility();
        duration(path, v, l.min, l.max).map_err(|e| self.explain(e, l.name))
    }

    pub(crate) fn check_retention(self, path: &str, v: Millis) -> Result<(), ScenarioError> {
        let l = self.retention();
        duration(path, v, l.min, l.max).map_err(|e| self.explain(e, l.name))
    }

    pub(crate) fn check_limit(self, path: &str, v: u32) -> Result<(), ScenarioError> {
        match self.delivery_limit() {
            Some(l) => int(path, v, l.min, l.max).map_err(|e| self.explain(e, l.name)),
            None => Err(ScenarioError::field(
                path,
                format!(
                    "no delivery limit: a {} requeues a failed message for ever \
                     (x-max-retries is not a RabbitMQ argument; a quorum queue has x-delivery-limit)",
                    self.label()
                ),
                v,
            )),
        }
    }

    /// Adds "(`LockDuration`, Azure Service Bus queue)" to a range error.
    fn explain(self, e: ScenarioError, name: &str) -> ScenarioError {
        match e {
            ScenarioError::Field {
                path,
                expected,
                given,
            } => ScenarioError::Field {
                path,
                expected: format!("{expected} (`{name}`, {})", self.label()),
                given,
            },
            other => other,
        }
    }
}
