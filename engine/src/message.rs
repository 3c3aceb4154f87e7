//! What a message is: its states, why it failed or was dead-lettered, and the handle that
//! names a stored one. The record itself is packed ([`record`]); envelopes, traces and
//! explanations are built from it on demand, never stored per message.

use serde::Serialize;

mod record;

pub use record::Message;
pub(crate) use record::Published;

use crate::kernel::time::Millis;

/// A message's id within one simulation (1, 2, 3, … in publish order).
pub type MsgId = u64;

/// Why processing one message failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCause {
    /// The body failed validation (the pineapple order) and the consumer threw.
    Malformed,
    /// A passing fault, such as a dependency that was briefly down.
    Transient,
    /// A random failure at the configured failure rate.
    Random,
    /// Processing outlasted the visibility timeout, or the consumer crashed: nobody deleted it.
    VisibilityExpired,
    /// The event's schema version is newer than the consumer reads, and the consumer threw.
    UnknownVersion,
}

impl FailureCause {
    pub fn describe(self) -> &'static str {
        match self {
            FailureCause::Malformed => "the order failed validation (malformed body)",
            FailureCause::Transient => "a passing fault (a dependency was briefly unavailable)",
            FailureCause::UnknownVersion => "an event schema version the consumer does not read",
            FailureCause::Random => "a random processing failure",
            FailureCause::VisibilityExpired => {
                "its visibility timeout ran out before it was deleted"
            }
        }
    }
}

/// Why a message is in the dead-letter queue. Its counts are 16 bits, which keeps every
/// message's state, and so every stored message, 8 bytes smaller; every delivery limit is at
/// most 1,000 (`topology::profile`), and a count past 65,535 is kept as 65,535 and described
/// as "at least" that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DeadLetterReason {
    /// Received `max_receive_count` times without being deleted (SQS redrive policy).
    MaxReceiveCount {
        receives: u16,
        last_failure: Option<FailureCause>,
    },
    /// The last retry tier was used up.
    RetriesExhausted {
        attempts: u16,
        last_failure: Option<FailureCause>,
    },
    /// A person rejected it without requeue (AMQP `basic.reject`, `requeue=false`; §2.2).
    Rejected,
    /// Its time to live ran out at the head of the queue (RabbitMQ `x-message-ttl`; §2.4).
    Expired,
    /// A full queue dropped it from the head to make room (`x-overflow: drop-head`; §2.4).
    Maxlen,
}

/// A receive or attempt count as a dead-letter reason keeps it (see [`DeadLetterReason`]).
pub(crate) fn count16(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// As `#[derive(Hash)]` hashed it when the counts were `u32` (the variant's index as an
/// `isize`, then each field), so every recorded log hash stays what it was.
impl std::hash::Hash for DeadLetterReason {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (index, fields): (isize, _) = match *self {
            DeadLetterReason::MaxReceiveCount {
                receives,
                last_failure,
            } => (0, Some((receives, last_failure))),
            DeadLetterReason::RetriesExhausted {
                attempts,
                last_failure,
            } => (1, Some((attempts, last_failure))),
            DeadLetterReason::Rejected => (2, None),
            DeadLetterReason::Expired => (3, None),
            DeadLetterReason::Maxlen => (4, None),
        };
        index.hash(state);
        if let Some((count, failure)) = fields {
            u32::from(count).hash(state);
            failure.hash(state);
        }
    }
}

impl DeadLetterReason {
    pub fn describe(&self) -> String {
        let cause = |c: &Option<FailureCause>| {
            c.map(|c| format!("; last failure: {}", c.describe()))
                .unwrap_or_default()
        };
        match self {
            DeadLetterReason::MaxReceiveCount {
                receives,
                last_failure,
            } => {
                let times = match receives {
                    1 => "once".to_owned(),
                    &u16::MAX => format!("at least {} times", u16::MAX),
                    n => format!("{n} times"),
                };
                format!(
                    "received {times} without being deleted (maxReceiveCount){}",
                    cause(last_failure)
                )
            }
            DeadLetterReason::RetriesExhausted {
                attempts,
                last_failure,
            } => {
                format!(
                    "failed on all {attempts} attempts, and the last retry delay was used up{}",
                    cause(last_failure)
                )
            }
            DeadLetterReason::Rejected => "rejected without requeue".to_owned(),
            DeadLetterReason::Expired => {
                "its time to live ran out at the head of the queue".to_owned()
            }
            DeadLetterReason::Maxlen => {
                "the queue was full and dropped it from the head (drop-head)".to_owned()
            }
        }
    }
}

/// Why a synchronous HTTP call failed at the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpFailure {
    /// Nobody was listening: the callee is down.
    Refused,
    /// The callee's backlog was full (503).
    Overloaded,
    /// The caller gave up waiting.
    Timeout,
    /// The callee failed while handling it (500).
    ServerError,
}

/// Exactly one of these at any time. Terminal states never change again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MsgState {
    /// Not yet deliverable (delivery delay).
    Delayed {
        until: Millis,
    },
    /// Waiting to be received (in HTTP mode: waiting in the callee's backlog).
    Visible,
    /// Received and hidden until `deadline`, or deleted/extended before it.
    InFlight {
        consumer: u32,
        deadline: Millis,
    },
    /// Already deleted from the queue on receipt (ack before processing) and held by a consumer.
    Held {
        consumer: u32,
    },
    Processed {
        at: Millis,
    },
    DeadLettered {
        at: Millis,
        reason: DeadLetterReason,
    },
    /// Older than the retention period.
    Expired {
        at: Millis,
    },
    /// Dropped by a full queue's drop-oldest policy.
    Dropped {
        at: Millis,
    },
    /// Acknowledged before processing, then the consumer crashed or failed: gone.
    Lost {
        at: Millis,
    },
    /// Failed validation and was deleted on purpose, without retries.
    Rejected {
        at: Millis,
    },
    /// Deleted from the DLQ by a person.
    Discarded {
        at: Millis,
    },
    /// HTTP mode: the caller got an error.
    Failed {
        at: Millis,
        cause: HttpFailure,
    },
}

impl MsgState {
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self,
            MsgState::Delayed { .. }
                | MsgState::Visible
                | MsgState::InFlight { .. }
                | MsgState::Held { .. }
                | MsgState::DeadLettered { .. }
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            MsgState::Delayed { .. } => "delayed",
            MsgState::Visible => "visible",
            MsgState::InFlight { .. } => "in flight",
            MsgState::Held { .. } => "held by consumer",
            MsgState::Processed { .. } => "processed",
            MsgState::DeadLettered { .. } => "in the DLQ",
            MsgState::Expired { .. } => "expired",
            MsgState::Dropped { .. } => "dropped",
            MsgState::Lost { .. } => "lost",
            MsgState::Rejected { .. } => "rejected",
            MsgState::Discarded { .. } => "discarded",
            MsgState::Failed { .. } => "failed",
        }
    }
}

/// A reference to a stored message that also detects reuse of its storage slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Handle {
    pub slot: u32,
    pub id: MsgId,
}

#[cfg(test)]
mod tests {
    /// Issue 15's copy: never "received 1 times".
    #[test]
    fn a_dead_letter_reason_counts_receives_in_words() {
        let reason = |receives| {
            super::DeadLetterReason::MaxReceiveCount {
                receives,
                last_failure: None,
            }
            .describe()
        };
        assert_eq!(
            reason(1),
            "received once without being deleted (maxReceiveCount)"
        );
        assert_eq!(
            reason(3),
            "received 3 times without being deleted (maxReceiveCount)"
        );
    }
}
