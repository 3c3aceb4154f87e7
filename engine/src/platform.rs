//! The platform lens: the current settings in each platform's own names and defaults, and
//! configuration to copy into the real thing.
//!
//! Facts come from the platforms' documentation (see shared semantics notes): SQS attribute
//! names and defaults, Lambda's SQS event source mapping, RabbitMQ 4.x queue arguments (there is
//! no `x-max-retries`; quorum queues have `x-delivery-limit`, default 20), Kafka consumer
//! properties. Where a platform has no equivalent, the row says so and why; nothing is faked.

use serde_json::Value;

use crate::envelope::obj;

use crate::{AckMode, BatchFailure, Overflow, QueueKind, Scenario};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Amazon SQS (standard or FIFO, following the scenario's ordering) with a Lambda consumer.
    Sqs,
    RabbitClassic,
    RabbitQuorum,
    Kafka,
    RedisStreams,
    PubSub,
    ServiceBus,
    /// ActiveMQ Classic with the JMS client's redelivery policy (semantics.md §8).
    ActiveMq,
}

impl Platform {
    pub const ALL: [Platform; 8] = [
        Platform::Sqs,
        Platform::RabbitClassic,
        Platform::RabbitQuorum,
        Platform::PubSub,
        Platform::ServiceBus,
        Platform::ActiveMq,
        Platform::Kafka,
        Platform::RedisStreams,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Platform::Sqs => "sqs",
            Platform::RabbitClassic => "rabbitmq-classic",
            Platform::RabbitQuorum => "rabbitmq-quorum",
            Platform::Kafka => "kafka",
            Platform::RedisStreams => "redis-streams",
            Platform::PubSub => "pubsub",
            Platform::ServiceBus => "service-bus",
            Platform::ActiveMq => "activemq",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Platform::Sqs => "Amazon SQS + Lambda",
            Platform::RabbitClassic => "RabbitMQ classic queue",
            Platform::RabbitQuorum => "RabbitMQ quorum queue",
            Platform::Kafka => "Apache Kafka consumer group",
            Platform::RedisStreams => "Redis Streams consumer group",
            Platform::PubSub => "Google Cloud Pub/Sub subscription",
            Platform::ServiceBus => "Azure Service Bus queue",
            Platform::ActiveMq => "ActiveMQ Classic queue",
        }
    }

    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The platform a queue of this profile is on: where the lens opens.
    pub fn of(profile: crate::topology::profile::QueueProfile) -> Platform {
        use crate::topology::profile::QueueProfile as Q;
        match profile {
            Q::SqsStandard | Q::SqsFifo => Platform::Sqs,
            Q::RabbitmqClassic => Platform::RabbitClassic,
            Q::RabbitmqQuorum => Platform::RabbitQuorum,
            Q::ServiceBus => Platform::ServiceBus,
            Q::Pubsub => Platform::PubSub,
            Q::Activemq => Platform::ActiveMq,
        }
    }

    /// How many receives this platform gives a failing message when nobody sets a limit (None:
    /// no limit at all). Counted as the playground's "DLQ after" counts, in deliveries.
    pub fn default_receive_limit(self) -> Option<u32> {
        match self {
            // The API default; tutorials often use 3.
            Platform::Sqs => Some(10),
            Platform::RabbitClassic | Platform::Kafka | Platform::RedisStreams => None,
            // x-delivery-limit 20 is exceeded on the 21st delivery (§2.5).
            Platform::RabbitQuorum => Some(21),
            // Only once a dead-letter policy is set; 5 is also the minimum.
            Platform::PubSub => Some(5),
            Platform::ServiceBus => Some(10),
            // maximumRedeliveries 6 counts redeliveries: seven deliveries (§8).
            Platform::ActiveMq => Some(7),
        }
    }
}

/// One setting seen through a platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// What the playground calls it.
    pub ours: &'static str,
    /// The platform's name for it, or None when it has no equivalent.
    pub name: Option<String>,
    /// The value for the current settings.
    pub value: String,
    /// The platform's default.
    pub default: String,
    /// Why it differs, or why there is no equivalent.
    pub note: String,
}

/// The `x-delivery-limit` that gives `receives` deliveries: the profile's own arithmetic (§2.5),
/// so the lens, the export and a topology agree.
fn quorum_limit(receives: u32) -> u32 {
    crate::topology::profile::QueueProfile::RabbitmqQuorum.limit_for(receives)
}

pub(crate) fn secs(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

fn row(ours: &'static str, name: &str, value: String, default: &str, note: &str) -> Setting {
    Setting {
        ours,
        name: Some(name.to_owned()),
        value,
        default: default.to_owned(),
        note: note.to_owned(),
    }
}

fn none(ours: &'static str, value: String, note: &str) -> Setting {
    Setting {
        ours,
        name: None,
        value,
        default: "—".into(),
        note: note.to_owned(),
    }
}

/// The current settings through `platform`'s eyes.
#[inline]
pub fn lens(platform: Platform, s: &Scenario) -> Vec<Setting> {
    let fifo = s.queue.kind == QueueKind::Fifo;
    let receives = s.dlq.as_ref().map(|d| d.max_receive_count);
    let vt = secs(s.queue.visibility_timeout.0);
    let c = &s.consumers;
    match platform {
        Platform::Sqs => vec![
            row(
                "Ordering",
                "FifoQueue",
                fifo.to_string(),
                "false",
                if fifo {
                    "FIFO: order per MessageGroupId; the queue name must end in .fifo."
                } else {
                    "Standard: at-least-once, best-effort order."
                },
            ),
            row(
                "Visibility timeout",
                "VisibilityTimeout",
                format!("{vt} s"),
                "30 s",
                "0 to 43,200 s. For Lambda, at least 6× the function timeout.",
            ),
            row(
                "DLQ after",
                "RedrivePolicy.maxReceiveCount",
                receives.map_or("no redrive policy".into(), |n| n.to_string()),
                "10",
                "Without a redrive policy a failing message returns until retention deletes it.",
            ),
            row(
                "Retention",
                "MessageRetentionPeriod",
                format!("{} s", secs(s.queue.retention.0)),
                "345,600 s (4 days)",
                "60 s to 14 days.",
            ),
            row(
                "Delay",
                "DelaySeconds",
                format!("{} s", secs(s.queue.delay.0)),
                "0 s",
                "At most 900 s. FIFO queues allow a queue delay, not a per-message one.",
            ),
            row(
                "Long polling",
                "ReceiveMessageWaitTimeSeconds",
                format!("{} s", secs(s.queue.receive_wait.0)),
                "0 s (short polling)",
                "Lambda long-polls for you.",
            ),
            row(
                "Batch size",
                "BatchSize (event source mapping)",
                c.batch_size.to_string(),
                "10",
                if fifo {
                    "At most 10 for FIFO."
                } else {
                    "Up to 10,000 for standard queues with a batching window."
                },
            ),
            row(
                "Batch window",
                "MaximumBatchingWindowInSeconds",
                format!("{} s", secs(c.batch_window.0)),
                "0 s",
                "0 to 300 s; not available for FIFO.",
            ),
            row(
                "Batch failure",
                "FunctionResponseTypes",
                match c.batch_failure {
                    BatchFailure::WholeBatch => "[] (an error returns the whole batch)".into(),
                    _ => "[\"ReportBatchItemFailures\"]".into(),
                },
                "[]",
                match c.batch_failure {
                    BatchFailure::StopAtFirst => "FIFO: report the first failure and every message after it.",
                    _ => "With it, return {\"batchItemFailures\":[{\"itemIdentifier\": id}]} for just the failures.",
                },
            ),
            none(
                "Max depth",
                s.queue.max_depth.map_or("unbounded".into(), |n| n.to_string()),
                "No equivalent: an SQS queue has no length limit (about 120,000 in flight at most). Push back in the producer.",
            ),
            row(
                "Ack",
                "DeleteMessage",
                match c.ack {
                    AckMode::AfterProcessing => "after processing".into(),
                    AckMode::BeforeProcessing => "before processing".into(),
                },
                "Lambda deletes after success",
                "Deleting first is an application choice: a crash then loses the message.",
            ),
            row(
                "Extend visibility",
                "ChangeMessageVisibility",
                if c.extend_visibility { "heartbeat on" } else { "off" }.into(),
                "off",
                "The new timeout counts from the call and is not remembered for the next receive.",
            ),
            none(
                "Idempotent consumer",
                if c.idempotent { "on" } else { "off" }.into(),
                "No broker setting: the consumer remembers processed ids. FIFO deduplication only covers repeated sends within 5 minutes.",
            ),
        ],
        Platform::Kafka => vec![
            row("Ordering", "partitions + record key", if fifo { "keyed" } else { "unkeyed" }.into(), "key → murmur2 % partitions",
                "Order holds within a partition only: use the order (or group) id as the key."),
            none("Visibility timeout", format!("{vt} s"),
                "No equivalent: a partition stays with its member; a member that does not poll within max.poll.interval.ms (300 s) leaves the group and its partitions move."),
            none("DLQ after", receives.map_or("off".into(), |n| n.to_string()),
                "No DLQ in consumer groups: count attempts in the consumer and publish to <topic>-dlt (e.g. Spring's DeadLetterPublishingRecoverer)."),
            row("Retention", "retention.ms", format!("{} ms", s.queue.retention.0), "604,800,000 (7 days)",
                "Records stay until retention whether or not anyone read them."),
            none("Delay", format!("{} s", secs(s.queue.delay.0)), "No delivery delay: a consumer that must wait checks the record's timestamp itself."),
            row("Long polling", "fetch.max.wait.ms", format!("{} ms", s.queue.receive_wait.0.min(500)), "500 ms", "How long a fetch waits for data."),
            row("Batch size", "max.poll.records", c.batch_size.to_string(), "500", "Records returned by one poll()."),
            none("Batch failure", c.batch_failure.words().into(),
                "No per-record ack: the committed offset is a position. Stop at the failure (keeps order) or skip it to a DLT."),
            none("Max depth", s.queue.max_depth.map_or("none".into(), |n| n.to_string()), "No length limit: retention.ms and retention.bytes bound the log."),
            row("Ack", "enable.auto.commit", match c.ack {
                AckMode::AfterProcessing => "false (commitSync after processing)".into(),
                AckMode::BeforeProcessing => "true (can commit before processing)".into(),
            }, "true, every 5 s", "Auto-commit can run ahead of processing: a crash then skips records."),
            none("Extend visibility", if c.extend_visibility { "on" } else { "off" }.into(), "Not needed: poll often enough, or pause() the partition while working."),
            none("Idempotent consumer", if c.idempotent { "on" } else { "off" }.into(),
                "enable.idempotence (default true) stops producer-retry duplicates; consumer duplicates after a rebalance need your own dedup."),
        ],
        Platform::RedisStreams => vec![
            row("Ordering", "stream order", "append order".into(), "append order", "Entries are ordered by id; a group hands each entry to one consumer."),
            row("Visibility timeout", "XAUTOCLAIM min-idle-time", format!("{} ms", s.queue.visibility_timeout.0), "none (you choose)",
                "Nothing returns on its own: pending entries stay with their consumer until someone claims them (XCLAIM/XAUTOCLAIM)."),
            none("DLQ after", receives.map_or("off".into(), |n| n.to_string()),
                "No built-in DLQ: read the delivery count from XPENDING, XADD the entry to a dead stream and XACK it."),
            row("Retention", "XADD MAXLEN / MINID", "trim by length or id".into(), "none (kept until trimmed)", "Acked entries are not deleted; trimming is what removes them."),
            none("Delay", format!("{} s", secs(s.queue.delay.0)), "No delivery delay."),
            row("Long polling", "XREADGROUP BLOCK", format!("{} ms", s.queue.receive_wait.0), "no blocking", "BLOCK 0 waits for ever."),
            row("Batch size", "XREADGROUP COUNT", c.batch_size.to_string(), "no limit", "Entries per read."),
            none("Batch failure", c.batch_failure.words().into(), "Each entry is XACKed on its own; failed ones stay in the pending entries list."),
            none("Max depth", s.queue.max_depth.map_or("none".into(), |n| n.to_string()), "MAXLEN trims the oldest entries, read or not: a bound, not backpressure."),
            row("Ack", "XACK", match c.ack {
                AckMode::AfterProcessing => "after processing".into(),
                AckMode::BeforeProcessing => "NOACK on read (at most once)".into(),
            }, "manual XACK", "XREADGROUP ... NOACK skips the pending list: a crash loses the entry."),
            none("Extend visibility", if c.extend_visibility { "on" } else { "off" }.into(), "Not needed: an entry is only taken over when someone claims it."),
            none("Idempotent consumer", if c.idempotent { "on" } else { "off" }.into(), "No broker setting: remember processed ids."),
        ],
        Platform::PubSub => vec![
            row("Ordering", "enableMessageOrdering + orderingKey", fifo.to_string(), "false", "Order holds per ordering key, within a region."),
            row("Visibility timeout", "ackDeadlineSeconds", format!("{} s", vt.clamp(10, 600)), "10 s", "10 to 600 s; client libraries extend it while you work (modifyAckDeadline)."),
            row("DLQ after", "deadLetterPolicy.maxDeliveryAttempts", receives.map_or("no dead-letter policy".into(), |n| n.clamp(5, 100).to_string()), "5 (when a dead-letter topic is set)",
                "5 to 100, with a deadLetterTopic; counts are approximate. Values below 5 are not allowed."),
            row("Retention", "messageRetentionDuration", format!("{} s", secs(s.queue.retention.0)), "7 days", "Unacked messages are kept this long."),
            row("Delay", "retryPolicy.minimumBackoff", format!("{} s", secs(s.queue.delay.0)), "10 s (with a retry policy)", "No delay on first delivery; the retry policy spaces out redeliveries."),
            none("Long polling", format!("{} s", secs(s.queue.receive_wait.0)), "Streaming pull keeps a connection open; no setting."),
            row("Batch size", "flowControl.maxMessages (client)", c.batch_size.to_string(), "1,000 (client libraries)", "Outstanding messages per subscriber client."),
            none("Batch failure", c.batch_failure.words().into(), "Each message is acked or nacked on its own."),
            none("Max depth", s.queue.max_depth.map_or("none".into(), |n| n.to_string()), "No length limit; publishers see quota errors, not a full queue."),
            row("Ack", "ack() / nack()", "after processing".into(), "ack after processing", "A nack or a missed deadline redelivers."),
            row("Extend visibility", "modifyAckDeadline", if c.extend_visibility { "on" } else { "off" }.into(), "automatic in client libraries", "The libraries lease messages for you up to a maximum extension."),
            row("Idempotent consumer", "enableExactlyOnceDelivery", c.idempotent.to_string(), "false", "Guarantees no redelivery after a successful ack, within a region; side effects still need care."),
        ],
        Platform::ServiceBus => vec![
            row("Ordering", "RequiresSession (SessionId)", fifo.to_string(), "false", "Sessions give FIFO per session id, like message groups."),
            row("Visibility timeout", "LockDuration", format!("{} s", vt.clamp(5, 300)), "60 s", "At most 5 minutes; renew the lock (RenewMessageLock) for longer work."),
            row("DLQ after", "MaxDeliveryCount", receives.map_or("10 (always on)".into(), |n| n.to_string()), "10",
                "Every queue has a dead-letter subqueue ($DeadLetterQueue); past the count the message moves there."),
            row("Retention", "DefaultMessageTimeToLive", format!("{} s", secs(s.queue.retention.0)), "no limit below the tier's maximum",
                "Expired messages go to the DLQ only if DeadLetteringOnMessageExpiration is on."),
            row("Delay", "ScheduledEnqueueTimeUtc (per message)", format!("{} s", secs(s.queue.delay.0)), "none", "Scheduled messages appear at their time."),
            none("Long polling", format!("{} s", secs(s.queue.receive_wait.0)), "The SDK's receiver waits (MaxWaitTime); no queue setting."),
            row("Batch size", "PrefetchCount / maxMessages", c.batch_size.to_string(), "0 prefetch", "Messages fetched ahead of processing."),
            none("Batch failure", c.batch_failure.words().into(), "Each message is completed or abandoned on its own."),
            row("Max depth", "MaxSizeInMegabytes", s.queue.max_depth.map_or("1024 MB".into(), |n| format!("{n} messages (in size)")), "1024 MB",
                "A full queue rejects sends (QuotaExceeded): backpressure by size, not count."),
            row("Ack", "ReceiveMode", match c.ack {
                AckMode::AfterProcessing => "PeekLock (Complete after processing)".into(),
                AckMode::BeforeProcessing => "ReceiveAndDelete (at most once)".into(),
            }, "PeekLock", "ReceiveAndDelete removes on receipt: a crash loses the message."),
            row("Extend visibility", "RenewMessageLock", if c.extend_visibility { "on" } else { "off" }.into(), "auto-renew in the processor (5 min)", "MaxAutoLockRenewalDuration sets how long."),
            row("Idempotent consumer", "RequiresDuplicateDetection", c.idempotent.to_string(), "false (window 10 min)", "Drops repeated sends by MessageId; consumer-side effects still need dedup."),
        ],
        // The JMS client's side of ActiveMQ Classic, as the activemq profile models it (§8).
        Platform::ActiveMq => vec![
            row("Ordering", "JMSXGroupID (message groups)", fifo.to_string(), "none",
                "A group's messages all go to one consumer; if it closes, another is chosen."),
            none("Visibility timeout", format!("{vt} s"),
                "No lease: an unacknowledged message waits for its session to acknowledge, roll back or close."),
            row("DLQ after", "maximumRedeliveries (RedeliveryPolicy)", receives.map_or("-1 (no limit)".into(), |n| n.saturating_sub(1).to_string()), "6",
                "It counts redeliveries, so 6 is seven deliveries; then the client sends a poison ack and the broker moves the message to the shared ActiveMQ.DLQ."),
            none("Batch failure", c.batch_failure.words().into(),
                "No batches: CLIENT_ACKNOWLEDGE acknowledges everything the session has consumed so far."),
            row("Ack", "acknowledgeMode", match c.ack {
                AckMode::AfterProcessing => "CLIENT_ACKNOWLEDGE (after processing)",
                AckMode::BeforeProcessing => "AUTO_ACKNOWLEDGE (as receive returns)",
            }.into(), "AUTO_ACKNOWLEDGE", "AUTO_ACKNOWLEDGE with a synchronous receive() acknowledges before processing: a crash loses the message."),
        ],
        Platform::RabbitClassic | Platform::RabbitQuorum => {
            let quorum = platform == Platform::RabbitQuorum;
            let limit = if quorum {
                row(
                    "DLQ after",
                    "x-delivery-limit",
                    receives.map_or("-1 (no limit)".into(), |n| quorum_limit(n).to_string()),
                    "20 (since RabbitMQ 4.0)",
                    "It counts redeliveries: the message is dead-lettered (reason delivery_limit) once the limit is exceeded, so a limit of N delivers N + 1 times.",
                )
            } else {
                none(
                    "DLQ after",
                    receives.map_or("off".into(), |n| n.to_string()),
                    "No equivalent on classic queues: a message nacked with requeue loops for ever. Count x-death in the consumer, or use a quorum queue. There is no x-max-retries argument.",
                )
            };
            vec![
                row(
                    "Ordering",
                    "x-queue-type",
                    if quorum { "quorum" } else { "classic" }.into(),
                    "classic",
                    if fifo {
                        "A single queue with one consumer keeps order; there are no message groups (Single Active Consumer is the nearest)."
                    } else {
                        "Several consumers on one queue: order is not kept between them."
                    },
                ),
                none(
                    "Visibility timeout",
                    format!("{vt} s"),
                    "No equivalent: an unacked delivery stays with its consumer until it acks, nacks or its channel closes (consumer_timeout closes it after 30 min by default).",
                ),
                limit,
                row(
                    "DLQ",
                    "x-dead-letter-exchange",
                    s.dlq.as_ref().map_or("none".into(), |d| format!("{}.dlx → {}", s.queue.name, d.name)),
                    "none (dead letters are dropped)",
                    "Dead letters carry an x-death header: queue, reason, count, time.",
                ),
                row(
                    "Retention",
                    "x-message-ttl",
                    format!("{} ms", s.queue.retention.0),
                    "none (kept until consumed)",
                    "Expired messages are dead-lettered (reason expired) when a DLX is set.",
                ),
                none(
                    "Delay",
                    format!("{} s", secs(s.queue.delay.0)),
                    "No built-in delay: use the delayed-message exchange plugin, or a TTL queue dead-lettering into the real one.",
                ),
                none(
                    "Long polling",
                    format!("{} s", secs(s.queue.receive_wait.0)),
                    "Not needed: the broker pushes deliveries to consumers (basic.consume).",
                ),
                row(
                    "Batch size",
                    "basic.qos prefetch_count",
                    c.batch_size.to_string(),
                    "0 (unlimited)",
                    "The nearest thing: how many unacked deliveries a consumer may hold.",
                ),
                none(
                    "Batch failure",
                    c.batch_failure.words().into(),
                    "Each delivery is acked or nacked on its own; basic.nack(multiple=true) rejects a whole range at once.",
                ),
                row(
                    "Max depth",
                    "x-max-length + x-overflow",
                    s.queue.max_depth.map_or("none".into(), |n| {
                        format!(
                            "{n}, {}",
                            match s.queue.overflow {
                                Overflow::RejectPublish => "reject-publish",
                                Overflow::DropOldest => "drop-head",
                            }
                        )
                    }),
                    "none; x-overflow drop-head",
                    "Counts ready messages only. drop-head dead-letters with reason maxlen.",
                ),
                row(
                    "Ack",
                    "basic.consume no_ack",
                    match c.ack {
                        AckMode::AfterProcessing => "false (manual basic.ack after processing)".into(),
                        AckMode::BeforeProcessing => "true (automatic ack: at most once)".into(),
                    },
                    "false",
                    "Manual acks redeliver after a crash, with redelivered=true.",
                ),
                none(
                    "Extend visibility",
                    if c.extend_visibility { "on" } else { "off" }.into(),
                    "Not needed: there is no timeout to extend while the channel is open.",
                ),
                none(
                    "Idempotent consumer",
                    if c.idempotent { "on" } else { "off" }.into(),
                    "No broker setting: the consumer remembers processed ids (message_id).",
                ),
            ]
        }
    }
}

/// A configuration to copy into the real platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub id: &'static str,
    pub title: &'static str,
    /// `hcl`, `json` or `properties`.
    pub format: &'static str,
    pub text: String,
}

/// A Terraform resource name: lower-case letters, digits and `_`.
pub(crate) fn tf_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Terraform for the queue and its DLQ, with the redrive policy.
#[inline]
pub fn terraform(s: &Scenario) -> String {
    let fifo = s.queue.kind == QueueKind::Fifo;
    let suffix = if fifo { ".fifo" } else { "" };
    let main = tf_name(&s.queue.name);
    let mut out = String::new();
    let fifo_lines = |out: &mut String| {
        if fifo {
            out.push_str("  fifo_queue                  = true\n");
            out.push_str(&format!(
                "  content_based_deduplication = {}\n",
                s.queue.content_based_dedup
            ));
        }
    };
    if let Some(dlq) = &s.dlq {
        let d = tf_name(&dlq.name);
        out.push_str(&format!("resource \"aws_sqs_queue\" \"{d}\" {{\n"));
        out.push_str(&format!(
            "  name                        = \"{}{suffix}\"\n",
            dlq.name
        ));
        out.push_str(&format!(
            "  message_retention_seconds   = {}\n",
            secs(dlq.retention.0).clamp(60, 1_209_600)
        ));
        fifo_lines(&mut out);
        out.push_str("}\n\n");
    }
    out.push_str(&format!("resource \"aws_sqs_queue\" \"{main}\" {{\n"));
    out.push_str(&format!(
        "  name                        = \"{}{suffix}\"\n",
        s.queue.name
    ));
    out.push_str(&format!(
        "  visibility_timeout_seconds  = {}\n",
        secs(s.queue.visibility_timeout.0).min(43_200)
    ));
    out.push_str(&format!(
        "  message_retention_seconds   = {}\n",
        secs(s.queue.retention.0).clamp(60, 1_209_600)
    ));
    out.push_str(&format!(
        "  delay_seconds               = {}\n",
        secs(s.queue.delay.0).min(900)
    ));
    out.push_str(&format!(
        "  receive_wait_time_seconds   = {}\n",
        secs(s.queue.receive_wait.0).min(20)
    ));
    // A version 1 file may set more than SQS allows; the export says what SQS can take (§1.1).
    out.push_str(&format!(
        "  max_message_size            = {}\n",
        s.queue
            .max_message_size
            .clamp(1024, crate::scenario::SQS_MAX_MESSAGE_SIZE)
    ));
    fifo_lines(&mut out);
    if let Some(dlq) = &s.dlq {
        out.push_str("  redrive_policy = jsonencode({\n");
        out.push_str(&format!(
            "    deadLetterTargetArn = aws_sqs_queue.{}.arn\n",
            tf_name(&dlq.name)
        ));
        out.push_str(&format!(
            "    maxReceiveCount     = {}\n",
            dlq.max_receive_count
        ));
        out.push_str("  })\n");
    }
    out.push_str("}\n");
    out
}

/// The Lambda event source mapping (`aws lambda create-event-source-mapping --cli-input-json`).
#[inline]
pub fn lambda_mapping(s: &Scenario) -> String {
    let fifo = s.queue.kind == QueueKind::Fifo;
    let responses = match s.consumers.batch_failure {
        BatchFailure::WholeBatch => vec![],
        _ => vec![Value::from("ReportBatchItemFailures")],
    };
    let mut fields = vec![
        (
            "EventSourceArn",
            Value::from(format!(
                "arn:aws:sqs:us-east-1:123456789012:{}{}",
                s.queue.name,
                if fifo { ".fifo" } else { "" }
            )),
        ),
        ("FunctionName", Value::from(s.consumers.name.as_str())),
        (
            "BatchSize",
            Value::from(if fifo {
                s.consumers.batch_size.min(10)
            } else {
                s.consumers.batch_size
            }),
        ),
        ("FunctionResponseTypes", Value::Array(responses)),
    ];
    if !fifo {
        fields.push((
            "MaximumBatchingWindowInSeconds",
            Value::from(secs(s.consumers.batch_window.0).min(300)),
        ));
    }
    let m = obj(fields);
    format!("{m:#}")
}

/// RabbitMQ definitions (importable with `rabbitmqadmin import` or the management UI).
#[inline]
pub fn rabbitmq(s: &Scenario, quorum: bool) -> String {
    let kind = Value::from(if quorum { "quorum" } else { "classic" });
    let mut args = vec![("x-queue-type", kind.clone())];
    let dlx = format!("{}.dlx", s.queue.name);
    if let Some(dlq) = &s.dlq {
        args.push(("x-dead-letter-exchange", Value::from(dlx.as_str())));
        args.push(("x-dead-letter-routing-key", Value::from(dlq.name.as_str())));
        if quorum {
            args.push((
                "x-delivery-limit",
                Value::from(quorum_limit(dlq.max_receive_count)),
            ));
        }
    } else if quorum {
        // Since 4.0 quorum queues default to 20; "no DLQ, retry for ever" must say so.
        args.push(("x-delivery-limit", Value::from(-1)));
    }
    if let Some(n) = s.queue.max_depth {
        args.push(("x-max-length", Value::from(n)));
        args.push((
            "x-overflow",
            Value::from(match s.queue.overflow {
                Overflow::RejectPublish => "reject-publish",
                Overflow::DropOldest => "drop-head",
            }),
        ));
    }
    let no_args = || obj(vec![]);
    let queue = |name: &str, arguments: Value| {
        obj(vec![
            ("name", Value::from(name)),
            ("vhost", Value::from("/")),
            ("durable", Value::from(true)),
            ("auto_delete", Value::from(false)),
            ("arguments", arguments),
        ])
    };
    let mut queues = vec![queue(&s.queue.name, obj(args))];
    let mut exchanges = vec![];
    let mut bindings = vec![];
    if let Some(dlq) = &s.dlq {
        queues.push(queue(&dlq.name, obj(vec![("x-queue-type", kind)])));
        exchanges.push(obj(vec![
            ("name", Value::from(dlx.as_str())),
            ("vhost", Value::from("/")),
            ("type", Value::from("direct")),
            ("durable", Value::from(true)),
            ("auto_delete", Value::from(false)),
            ("internal", Value::from(false)),
            ("arguments", no_args()),
        ]));
        bindings.push(obj(vec![
            ("source", Value::from(dlx.as_str())),
            ("vhost", Value::from("/")),
            ("destination", Value::from(dlq.name.as_str())),
            ("destination_type", Value::from("queue")),
            ("routing_key", Value::from(dlq.name.as_str())),
            ("arguments", no_args()),
        ]));
    }
    let all = obj(vec![
        ("queues", Value::Array(queues)),
        ("exchanges", Value::Array(exchanges)),
        ("bindings", Value::Array(bindings)),
    ]);
    format!("{all:#}")
}

/// A Kafka consumer configuration with the same delivery choices.
#[inline]
pub fn kafka_consumer(s: &Scenario) -> String {
    let c = &s.consumers;
    let mut out = String::new();
    out.push_str(&format!("group.id={}\n", c.name));
    out.push_str("auto.offset.reset=earliest\n");
    match c.ack {
        AckMode::AfterProcessing => {
            out.push_str(
                "# Commit after processing (at least once): commitSync() once the batch is done.\n",
            );
            out.push_str("enable.auto.commit=false\n");
        }
        AckMode::BeforeProcessing => {
            out.push_str(
                "# Auto-commit can commit before processing finishes (at most once on a crash).\n",
            );
            out.push_str("enable.auto.commit=true\n");
            out.push_str("auto.commit.interval.ms=5000\n");
        }
    }
    out.push_str(&format!("max.poll.records={}\n", c.batch_size.max(1)));
    out.push_str("max.poll.interval.ms=300000\n");
    out.push_str("session.timeout.ms=45000\n");
    if s.dlq.is_some() {
        out.push_str(&format!(
            "# Kafka consumer groups have no DLQ: after {} failed attempts, publish the record to {}-dlt\n# yourself (Spring Kafka: DeadLetterPublishingRecoverer), keeping topic, partition and offset as headers.\n",
            s.dlq.as_ref().map_or(0, |d| d.max_receive_count),
            s.queue.name
        ));
    }
    out
}

/// Every export for the current settings.
#[inline]
pub fn exports(s: &Scenario) -> Vec<Export> {
    vec![
        Export {
            id: "terraform",
            title: "Terraform: SQS queue + DLQ",
            format: "hcl",
            text: terraform(s),
        },
        Export {
            id: "lambda",
            title: "Lambda event source mapping",
            format: "json",
            text: lambda_mapping(s),
        },
        Export {
            id: "rabbitmq-quorum",
            title: "RabbitMQ definitions (quorum)",
            format: "json",
            text: rabbitmq(s, true),
        },
        Export {
            id: "rabbitmq-classic",
            title: "RabbitMQ definitions (classic)",
            format: "json",
            text: rabbitmq(s, false),
        },
        Export {
            id: "kafka",
            title: "Kafka consumer properties",
            format: "properties",
            text: kafka_consumer(s),
        },
    ]
}
