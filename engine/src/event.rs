//! What happened in the queue model: its event vocabulary. Every state change and every counted
//! outcome is one event, so a test can assert on the log and a person can read it. Keeping,
//! draining and hashing the log is the kernel's job ([`crate::kernel::log`]).

use serde::Serialize;

use crate::command::Payload;
use crate::kernel::time::Millis;
use crate::message::{DeadLetterReason, FailureCause, HttpFailure, MsgId};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    pub t: Millis,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Published {
        msg: MsgId,
        event: u64,
        payload: Payload,
        group: u32,
        duplicate_send: bool,
    },
    /// A FIFO send within the deduplication window: accepted, not enqueued.
    Deduplicated {
        event: u64,
    },
    /// The queue was full and refused the publish; the producer saw an error.
    PublishRejected {
        producer: u32,
    },
    /// The full queue dropped its oldest ready message to make room.
    Dropped {
        msg: MsgId,
    },
    Visible {
        msg: MsgId,
    },
    /// `hidden_until`: when the visibility timeout runs out unless it is deleted first
    /// (`None` when nothing will bring it back: deleted on receipt, or an HTTP call).
    Received {
        msg: MsgId,
        consumer: u32,
        receive: u32,
        batch: u64,
        hidden_until: Option<Millis>,
    },
    EmptyReceive {
        consumer: u32,
    },
    Processed {
        msg: MsgId,
        consumer: u32,
        duplicate: bool,
    },
    /// Idempotent consumer: this event id was already processed, so it was acknowledged unprocessed.
    SkippedDuplicate {
        msg: MsgId,
        consumer: u32,
    },
    Failed {
        msg: MsgId,
        consumer: u32,
        cause: FailureCause,
    },
    /// Failed validation and was deleted without retries (logged, not thrown).
    Rejected {
        msg: MsgId,
        consumer: u32,
    },
    Deleted {
        msg: MsgId,
        consumer: u32,
    },
    /// A delete with an outdated receipt handle: the message had been received again meanwhile.
    StaleDelete {
        msg: MsgId,
        consumer: u32,
    },
    VisibilityExpired {
        msg: MsgId,
    },
    VisibilityExtended {
        msg: MsgId,
        until: Millis,
    },
    RetryScheduled {
        msg: MsgId,
        at: Millis,
    },
    DeadLettered {
        msg: MsgId,
        reason: DeadLetterReason,
    },
    Redriven {
        msg: MsgId,
    },
    Discarded {
        msg: MsgId,
    },
    Expired {
        msg: MsgId,
    },
    Lost {
        msg: MsgId,
        consumer: u32,
    },
    /// FIFO: a message was processed after a later message of its group.
    OrderViolation {
        msg: MsgId,
    },
    StoreWrite {
        msg: MsgId,
        event: u64,
        duplicate: bool,
    },
    ReplySent {
        msg: MsgId,
    },
    ReplyReceived {
        msg: MsgId,
    },
    HttpFailed {
        msg: MsgId,
        cause: HttpFailure,
    },
    /// HTTP: the callee finished work whose caller had already given up.
    WastedWork {
        msg: MsgId,
        consumer: u32,
    },
    ConsumerOnline {
        consumer: u32,
    },
    ConsumerOffline {
        consumer: u32,
    },
    ConsumerCrashed {
        consumer: u32,
    },
    ConsumerRestarted {
        consumer: u32,
    },
    ConsumersScaled {
        count: u32,
    },
    LagAlert {
        backlog: u64,
    },
    Setting {
        name: String,
        value: String,
    },
    /// A router had no binding that matched: the message went nowhere (world only). Last in
    /// the enum: the log hash covers each variant's position, so new kinds go at the end.
    Unroutable {
        producer: u32,
        event: u64,
    },
    /// The delivery limit was reached on a queue with nowhere to dead-letter to: the message is
    /// gone (RabbitMQ quorum queue without a dead-letter exchange).
    DroppedAtLimit {
        msg: MsgId,
        deliveries: u32,
    },
    /// A record was appended to a log's partition (Kafka). `key`: the message's group, whose
    /// key is `store-N`; 0: a record without a key.
    Appended {
        event: u64,
        key: u32,
        partition: u32,
        offset: u64,
    },
    /// A consumer group's member processed a record; `times`: how often this group has
    /// processed that offset now (more than 1: a duplicate or a replay).
    RecordProcessed {
        group: u32,
        member: u32,
        partition: u32,
        offset: u64,
        times: u16,
    },
    RecordFailed {
        group: u32,
        member: u32,
        partition: u32,
        offset: u64,
        attempt: u32,
    },
    /// After its last attempt the application published the record to `<topic>-dlt`.
    RecordDeadLettered {
        group: u32,
        partition: u32,
        offset: u64,
    },
    /// The group committed past records it never processed: they are gone for it.
    RecordsSkipped {
        group: u32,
        partition: u32,
        count: u64,
    },
    /// Retention removed the oldest records of a partition.
    RecordsExpired {
        partition: u32,
        count: u64,
    },
    GroupMemberJoined {
        group: u32,
        member: u32,
    },
    GroupMemberLeft {
        group: u32,
        member: u32,
        crashed: bool,
    },
    /// Partitions were reassigned among the group's live members.
    Rebalanced {
        group: u32,
        members: u32,
    },
    /// Redis Streams: `XAUTOCLAIM` gave an idle pending entry to `member`; `deliveries` is its
    /// delivery count now.
    RecordClaimed {
        member: u32,
        offset: u64,
        deliveries: u32,
    },
    /// A person took the message at the head of the queue (`basic.get`) and settled it;
    /// `delivery`: how many times it has been delivered now.
    Taken {
        msg: MsgId,
        outcome: crate::command::TakeOutcome,
        delivery: u32,
    },
    /// The queue refused a send whose body was over its maximum message size.
    TooLarge {
        producer: u32,
        event: u64,
    },
}

impl Event {
    /// The message this event is about, if any.
    pub fn msg(&self) -> Option<MsgId> {
        use EventKind::*;
        match &self.kind {
            Published { msg, .. }
            | Taken { msg, .. }
            | Dropped { msg }
            | DroppedAtLimit { msg, .. }
            | Visible { msg }
            | Received { msg, .. }
            | Processed { msg, .. }
            | SkippedDuplicate { msg, .. }
            | Failed { msg, .. }
            | Rejected { msg, .. }
            | Deleted { msg, .. }
            | StaleDelete { msg, .. }
            | VisibilityExpired { msg }
            | VisibilityExtended { msg, .. }
            | RetryScheduled { msg, .. }
            | DeadLettered { msg, .. }
            | Redriven { msg }
            | Discarded { msg }
            | Expired { msg }
            | Lost { msg, .. }
            | OrderViolation { msg }
            | StoreWrite { msg, .. }
            | ReplySent { msg }
            | ReplyReceived { msg }
            | HttpFailed { msg, .. }
            | WastedWork { msg, .. } => Some(*msg),
            _ => None,
        }
    }

    /// The consumer this event is about, if any.
    pub fn consumer(&self) -> Option<u32> {
        use EventKind::*;
        match &self.kind {
            Received { consumer, .. }
            | EmptyReceive { consumer }
            | Processed { consumer, .. }
            | SkippedDuplicate { consumer, .. }
            | Failed { consumer, .. }
            | Rejected { consumer, .. }
            | Deleted { consumer, .. }
            | StaleDelete { consumer, .. }
            | Lost { consumer, .. }
            | WastedWork { consumer, .. }
            | ConsumerOnline { consumer }
            | ConsumerOffline { consumer }
            | ConsumerCrashed { consumer }
            | ConsumerRestarted { consumer } => Some(*consumer),
            _ => None,
        }
    }

    /// A short machine name for filtering (`received`, `dead_lettered`, …).
    pub fn kind_name(&self) -> &'static str {
        use EventKind::*;
        match &self.kind {
            Published { .. } => "published",
            Deduplicated { .. } => "deduplicated",
            PublishRejected { .. } => "publish_rejected",
            TooLarge { .. } => "too_large",
            Unroutable { .. } => "unroutable",
            Dropped { .. } => "dropped",
            DroppedAtLimit { .. } => "dropped_at_limit",
            Visible { .. } => "visible",
            Received { .. } => "received",
            EmptyReceive { .. } => "empty_receive",
            Processed { .. } => "processed",
            SkippedDuplicate { .. } => "skipped_duplicate",
            Failed { .. } => "failed",
            Rejected { .. } => "rejected",
            Deleted { .. } => "deleted",
            StaleDelete { .. } => "stale_delete",
            VisibilityExpired { .. } => "visibility_expired",
            VisibilityExtended { .. } => "visibility_extended",
            RetryScheduled { .. } => "retry_scheduled",
            DeadLettered { .. } => "dead_lettered",
            Redriven { .. } => "redriven",
            Discarded { .. } => "discarded",
            Expired { .. } => "expired",
            Lost { .. } => "lost",
            OrderViolation { .. } => "order_violation",
            StoreWrite { .. } => "store_write",
            ReplySent { .. } => "reply_sent",
            ReplyReceived { .. } => "reply_received",
            HttpFailed { .. } => "http_failed",
            WastedWork { .. } => "wasted_work",
            ConsumerOnline { .. } => "consumer_online",
            ConsumerOffline { .. } => "consumer_offline",
            ConsumerCrashed { .. } => "consumer_crashed",
            ConsumerRestarted { .. } => "consumer_restarted",
            ConsumersScaled { .. } => "consumers_scaled",
            LagAlert { .. } => "lag_alert",
            Setting { .. } => "setting",
            Appended { .. } => "appended",
            RecordProcessed { .. } => "record_processed",
            RecordFailed { .. } => "record_failed",
            RecordDeadLettered { .. } => "record_dead_lettered",
            RecordsSkipped { .. } => "records_skipped",
            RecordsExpired { .. } => "records_expired",
            GroupMemberJoined { .. } => "group_member_joined",
            GroupMemberLeft { .. } => "group_member_left",
            Rebalanced { .. } => "rebalanced",
            RecordClaimed { .. } => "record_claimed",
            Taken { .. } => "taken",
        }
    }

    /// One plain sentence for the event log.
    #[inline]
    pub fn describe(&self) -> String {
        self.describe_in(&[])
    }

    /// The same sentence, with a log's consumer groups called by name (`groups`, in the
    /// log's order, as the canvas and the group table call them): "Group kitchen member 2
    /// processed …" says which group where "Group 1" made the reader count. A group
    /// without a name in `groups` keeps its number.
    #[inline]
    pub fn describe_in(&self, groups: &[String]) -> String {
        use EventKind::*;
        let c = |n: &u32| format!("consumer {}", n + 1);
        let named = |n: &u32| {
            groups
                .get(*n as usize)
                .map_or_else(|| (n + 1).to_string(), Clone::clone)
        };
        match &self.kind {
            Published { msg, payload, duplicate_send, .. } => {
                let what = match payload {
                    Payload::Normal => "an order",
                    Payload::Poison => "a malformed order (poison pill)",
                    Payload::Transient => "an order that will hit a passing fault",
                    Payload::Large => "an order with a 3 MB photo",
                    Payload::V2 => "an order in schema version 2",
                };
                let dup = if *duplicate_send { ", a duplicate send of the same event" } else { "" };
                format!("Message {msg} published: {what}{dup}")
            }
            Deduplicated { event } => {
                format!("A repeat send of event {event} was accepted but not enqueued (FIFO deduplication)")
            }
            TooLarge { producer, event } => format!(
                "Producer {} could not send event {event}: its 3 MB photo is over the queue's maximum message size",
                producer + 1
            ),
            PublishRejected { producer } => {
                format!("The queue is full: producer {} had a publish rejected", producer + 1)
            }
            Unroutable { producer, event } => format!(
                "Event {event} from producer {} matched no binding and went nowhere",
                producer + 1
            ),
            Dropped { msg } => format!("Message {msg} dropped: the queue was full and dropped its oldest message"),
            DroppedAtLimit { msg, deliveries } => format!(
                "Message {msg} dropped after {deliveries} deliveries: past the delivery limit, with no dead-letter target"
            ),
            Visible { msg } => format!("Message {msg} is visible and can be received"),
            Received { msg, consumer, receive, hidden_until, .. } => match hidden_until {
                Some(until) => format!(
                    "Message {msg} received by {} (receive #{receive}); hidden from others until {until}",
                    c(consumer)
                ),
                None => format!("Message {msg} received by {} (receive #{receive})", c(consumer)),
            },
            EmptyReceive { consumer } => format!("{} asked for messages and got none", cap(&c(consumer))),
            Processed { msg, consumer, duplicate } => {
                let dup = if *duplicate { " again: a duplicate" } else { "" };
                format!("Message {msg} processed by {}{dup}", c(consumer))
            }
            SkippedDuplicate { msg, consumer } => {
                format!("Message {msg}: {} saw its event id before and skipped it (idempotent)", c(consumer))
            }
            Failed { msg, consumer, cause } => {
                format!("Message {msg} failed at {}: {}", c(consumer), cause.describe())
            }
            Rejected { msg, consumer } => {
                format!("Message {msg} failed validation at {}; logged and deleted without retries", c(consumer))
            }
            Deleted { msg, consumer } => format!("Message {msg} deleted by {}", c(consumer)),
            StaleDelete { msg, consumer } => format!(
                "{} tried to delete message {msg} with an old receipt; it had been received again, so it stays",
                cap(&c(consumer))
            ),
            VisibilityExpired { msg } => {
                format!("Message {msg}'s visibility timeout ran out: it is visible again")
            }
            VisibilityExtended { msg, until } => {
                format!("Message {msg}'s visibility was extended until {until} (heartbeat)")
            }
            RetryScheduled { msg, at } => format!("Message {msg} will be retried at {at}"),
            DeadLettered { msg, reason } => {
                format!("Message {msg} moved to the DLQ: {}", reason.describe())
            }
            Redriven { msg } => format!("Message {msg} redriven from the DLQ back to the queue"),
            Discarded { msg } => format!("Message {msg} discarded from the DLQ"),
            Expired { msg } => format!("Message {msg} expired: older than the retention period"),
            Lost { msg, consumer } => format!(
                "Message {msg} lost: it was acknowledged before processing and {} did not finish",
                c(consumer)
            ),
            OrderViolation { msg } => {
                format!("Message {msg} was processed after a later message of its group: order broken")
            }
            StoreWrite { msg, duplicate, .. } => {
                if *duplicate {
                    format!("Message {msg} wrote its record to the data store a second time")
                } else {
                    format!("Message {msg} wrote its record to the data store")
                }
            }
            ReplySent { msg } => format!("Reply for message {msg} sent to the reply queue"),
            ReplyReceived { msg } => format!("The order service received the reply for message {msg}"),
            HttpFailed { msg, cause } => match cause {
                HttpFailure::Refused => format!("Order {msg} failed: the kitchen is down (connection refused)"),
                HttpFailure::Overloaded => format!("Order {msg} failed: the kitchen is overloaded (503)"),
                HttpFailure::Timeout => format!("Order {msg} failed: the kitchen did not answer in time"),
                HttpFailure::ServerError => format!("Order {msg} failed: the kitchen hit an error (500)"),
            },
            WastedWork { msg, consumer } => format!(
                "{} finished order {msg}, but its caller had already given up: wasted work",
                cap(&c(consumer))
            ),
            ConsumerOnline { consumer } => format!("{} is online", cap(&c(consumer))),
            ConsumerOffline { consumer } => format!("{} is offline", cap(&c(consumer))),
            ConsumerCrashed { consumer } => format!("{} crashed", cap(&c(consumer))),
            ConsumerRestarted { consumer } => format!("{} restarted", cap(&c(consumer))),
            ConsumersScaled { count } => format!("Consumers scaled to {count}"),
            LagAlert { backlog } => format!("Consumer lag alert: {backlog} messages waiting"),
            Setting { name, value } => format!("Setting changed: {name} = {value}"),
            Appended { event, key, partition, offset } => {
                let key = if *key == 0 { "no key".to_owned() } else { format!("key store-{key}") };
                format!("Event {event} appended to partition {partition} at offset {offset} ({key})")
            }
            RecordProcessed { group, member, partition, offset, times } => {
                let again = if *times > 1 { format!(", for the {} time", ordinal(*times)) } else { String::new() };
                format!("Group {} member {} processed partition {partition} offset {offset}{again}", named(group), member + 1)
            }
            RecordFailed { group, member, partition, offset, attempt } => format!(
                "Group {} member {} failed on partition {partition} offset {offset} (attempt {attempt}); the partition waits",
                named(group), member + 1
            ),
            RecordDeadLettered { group, partition, offset } => format!(
                "Group {} gave up on partition {partition} offset {offset} and published it to the dead-letter topic",
                named(group)
            ),
            RecordsSkipped { group, partition, count } => format!(
                "Group {} committed past {count} unprocessed record(s) of partition {partition}: skipped for good",
                named(group)
            ),
            RecordsExpired { partition, count } => {
                format!("Retention removed the {count} oldest record(s) of partition {partition}")
            }
            GroupMemberJoined { group, member } => format!("Member {} joined group {}", member + 1, named(group)),
            GroupMemberLeft { group, member, crashed } => {
                let how = if *crashed { "crashed" } else { "left" };
                format!("Member {} of group {} {how}", member + 1, named(group))
            }
            Rebalanced { group, members } => {
                format!("Group {} rebalanced its partitions over {members} live member(s)", named(group))
            }
            RecordClaimed { member, offset, deliveries } => format!(
                "Entry {offset} sat idle in the pending list: member {} claimed it (delivery {deliveries})",
                member + 1
            ),
            Taken { msg, outcome, delivery } => {
                let what = match outcome {
                    crate::command::TakeOutcome::Ack => "acked it",
                    crate::command::TakeOutcome::Reject => "rejected it without requeue",
                    crate::command::TakeOutcome::Requeue => "requeued it",
                };
                format!("You took message {msg} from the head of the queue (delivery {delivery}) and {what}")
            }
        }
    }
}

fn ordinal(n: u16) -> String {
    match n {
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        _ => format!("{n}th"),
    }
}

/// The sentence's first letter in capitals. Every sentence here starts with an ASCII word, and
/// Unicode's case tables would be kilobytes of download for nothing.
fn cap(s: &str) -> String {
    let mut s = s.to_owned();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}
