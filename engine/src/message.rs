//! Message records: compact, fixed-size, with an explicit state enum. Envelopes, traces and
//! explanations are built from these on demand, never stored per message.

use serde::Serialize;

use crate::command::Payload;
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

/// One message. A backlog holds hundreds of thousands of these (rush hour's peak holds over a
/// million), so the record is packed into 40 bytes and read through methods; a test pins the
/// size. A simulation keeps live messages plus a bounded history.
///
/// # Packing
/// - Ids, event ids and times are 48 bits. An id or event past 2^48 (280 trillion publishes)
///   is beyond any run; a time past 2^48 ms (8,900 years) reads back as [`Millis::MAX`], which
///   is what such a time means here (never).
/// - The state is a 4-bit tag, its time, and one 32-bit word for its consumer, dead-letter
///   reason or HTTP failure.
/// - The FIFO group is 16 bits (scenarios and commands allow at most 10,000 groups), and the
///   processed count is kept at most 65,535.
#[derive(Clone, PartialEq)]
pub struct Message {
    id: U48,
    event: U48,
    published_at: U48,
    /// The state's time: `until`, `deadline` or `at` (0 for the states with none).
    time: U48,
    /// The state's consumer, dead-letter reason or HTTP failure (see [`Message::state`]).
    aux: u32,
    /// Times received (SQS `ApproximateReceiveCount`); reset by a redrive. A receive's
    /// visibility timer names the count as its receipt, so this stays a full `u32`.
    pub receive_count: u32,
    group: u16,
    processed: u16,
    redrives: u16,
    /// The state's tag (low 4 bits), the last failure (3 bits, 0 for none) and whether it
    /// happened during the current receive (the top bit).
    kind: u8,
    /// The producer (low 4 bits; a scenario has at most 16), the payload (3 bits) and whether
    /// this is the second copy of a duplicate send (the top bit).
    origin: u8,
}

/// A 48-bit number in 6 bytes, aligned to 2 so that four of them pack with no padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct U48([u16; 3]);

impl U48 {
    const MAX: u64 = (1 << 48) - 1;

    fn new(v: u64) -> U48 {
        let v = v.min(Self::MAX);
        U48([v as u16, (v >> 16) as u16, (v >> 32) as u16])
    }

    fn get(self) -> u64 {
        u64::from(self.0[0]) | u64::from(self.0[1]) << 16 | u64::from(self.0[2]) << 32
    }

    fn time(t: Millis) -> U48 {
        U48::new(t.0)
    }

    fn millis(self) -> Millis {
        match self.get() {
            Self::MAX => Millis::MAX,
            v => Millis(v),
        }
    }
}

const FAILURES: [FailureCause; 5] = [
    FailureCause::Malformed,
    FailureCause::Transient,
    FailureCause::Random,
    FailureCause::VisibilityExpired,
    FailureCause::UnknownVersion,
];

const HTTP_FAILURES: [HttpFailure; 4] = [
    HttpFailure::Refused,
    HttpFailure::Overloaded,
    HttpFailure::Timeout,
    HttpFailure::ServerError,
];

/// A failure as 3 bits: 0 for none, else its place in [`FAILURES`] plus 1.
fn failure_bits(f: Option<FailureCause>) -> u32 {
    f.map_or(0, |f| f as u32 + 1)
}

fn failure_of(bits: u32) -> Option<FailureCause> {
    FAILURES.get((bits as usize).checked_sub(1)?).copied()
}

/// A dead-letter reason as one word: its kind in bits 24.., its failure in bits 16..19 and its
/// count in the low 16.
fn reason_bits(r: DeadLetterReason) -> u32 {
    let (kind, count, failure) = match r {
        DeadLetterReason::MaxReceiveCount {
            receives,
            last_failure,
        } => (0, receives, last_failure),
        DeadLetterReason::RetriesExhausted {
            attempts,
            last_failure,
        } => (1, attempts, last_failure),
        DeadLetterReason::Rejected => (2, 0, None),
        DeadLetterReason::Expired => (3, 0, None),
        DeadLetterReason::Maxlen => (4, 0, None),
    };
    kind << 24 | failure_bits(failure) << 16 | u32::from(count)
}

fn reason_of(bits: u32) -> DeadLetterReason {
    let (count, last_failure) = (bits as u16, failure_of(bits >> 16 & 7));
    match bits >> 24 {
        0 => DeadLetterReason::MaxReceiveCount {
            receives: count,
            last_failure,
        },
        1 => DeadLetterReason::RetriesExhausted {
            attempts: count,
            last_failure,
        },
        2 => DeadLetterReason::Rejected,
        3 => DeadLetterReason::Expired,
        _ => DeadLetterReason::Maxlen,
    }
}

/// What a message is when it is published.
pub(crate) struct Published {
    pub id: MsgId,
    pub event: u64,
    pub producer: u32,
    pub payload: Payload,
    pub group: u32,
    pub at: Millis,
    pub state: MsgState,
    pub duplicate_send: bool,
}

impl Message {
    pub(crate) fn new(p: Published) -> Message {
        let mut m = Message {
            id: U48::new(p.id),
            event: U48::new(p.event),
            published_at: U48::time(p.at),
            time: U48::new(0),
            aux: 0,
            receive_count: 0,
            // Validation keeps groups at most 10,000.
            group: u16::try_from(p.group).unwrap_or(u16::MAX),
            processed: 0,
            redrives: 0,
            kind: 0,
            // A scenario has at most 16 producers (Scenario::validate).
            origin: (p.producer & 15) as u8
                | (p.payload as u8 & 7) << 4
                | u8::from(p.duplicate_send) << 7,
        };
        m.set_state(p.state);
        m
    }

    /// The slot's message id, or 0 for a free slot.
    pub fn id(&self) -> MsgId {
        self.id.get()
    }

    pub(crate) fn free(&mut self, next: u32) {
        self.id = U48::new(0);
        // A free slot's receive count links it to the next free slot.
        self.receive_count = next;
    }

    /// The CloudEvents id (as a number): the same for both copies of a duplicate send.
    pub fn event(&self) -> u64 {
        self.event.get()
    }

    /// The producer's index.
    pub fn producer(&self) -> u32 {
        u32::from(self.origin & 15)
    }

    pub fn payload(&self) -> Payload {
        use crate::names::Named;
        Payload::ALL
            .get(usize::from(self.origin >> 4 & 7))
            .copied()
            .unwrap_or_default()
    }

    /// The second copy of a duplicate send.
    pub fn duplicate_send(&self) -> bool {
        self.origin & 0x80 != 0
    }

    /// FIFO message group / partition key number, 1-based.
    pub fn group(&self) -> u32 {
        u32::from(self.group)
    }

    pub fn published_at(&self) -> Millis {
        self.published_at.millis()
    }

    pub fn state(&self) -> MsgState {
        let at = self.time.millis();
        match self.kind & 15 {
            0 => MsgState::Delayed { until: at },
            1 => MsgState::Visible,
            2 => MsgState::InFlight {
                consumer: self.aux,
                deadline: at,
            },
            3 => MsgState::Held { consumer: self.aux },
            4 => MsgState::Processed { at },
            5 => MsgState::DeadLettered {
                at,
                reason: reason_of(self.aux),
            },
            6 => MsgState::Expired { at },
            7 => MsgState::Dropped { at },
            8 => MsgState::Lost { at },
            9 => MsgState::Rejected { at },
            10 => MsgState::Discarded { at },
            _ => MsgState::Failed {
                at,
                cause: HTTP_FAILURES
                    .get(self.aux as usize)
                    .copied()
                    .unwrap_or(HttpFailure::ServerError),
            },
        }
    }

    /// `Sim::set_state` keeps the per-state counts in step; anything else may only move the
    /// time of the state a message is already in.
    pub(crate) fn set_state(&mut self, state: MsgState) {
        let (tag, at, aux) = match state {
            MsgState::Delayed { until } => (0, until, 0),
            MsgState::Visible => (1, Millis::ZERO, 0),
            MsgState::InFlight { consumer, deadline } => (2, deadline, consumer),
            MsgState::Held { consumer } => (3, Millis::ZERO, consumer),
            MsgState::Processed { at } => (4, at, 0),
            MsgState::DeadLettered { at, reason } => (5, at, reason_bits(reason)),
            MsgState::Expired { at } => (6, at, 0),
            MsgState::Dropped { at } => (7, at, 0),
            MsgState::Lost { at } => (8, at, 0),
            MsgState::Rejected { at } => (9, at, 0),
            MsgState::Discarded { at } => (10, at, 0),
            MsgState::Failed { at, cause } => (11, at, cause as u32),
        };
        self.kind = self.kind & 0xf0 | tag;
        self.time = U48::time(at);
        self.aux = aux;
    }

    /// Times processing ran to completion with side effects (more than 1 means duplicates;
    /// kept at most 65,535).
    pub fn processed_count(&self) -> u32 {
        u32::from(self.processed)
    }

    pub(crate) fn count_processed(&mut self) {
        self.processed = self.processed.saturating_add(1);
    }

    pub fn last_failure(&self) -> Option<FailureCause> {
        failure_of(u32::from(self.kind >> 4 & 7))
    }

    /// Whether the last failure happened during the current receive.
    pub(crate) fn failed_this_receive(&self) -> bool {
        self.kind & 0x80 != 0
    }

    /// Records a failure during the current receive.
    pub(crate) fn fail(&mut self, cause: FailureCause) {
        self.kind = self.kind & 15 | (failure_bits(Some(cause)) as u8) << 4 | 0x80;
    }

    /// A new receive: a failure recorded so far happened during an earlier one.
    pub(crate) fn received(&mut self) {
        self.receive_count += 1;
        self.kind &= 0x7f;
    }

    /// Times a person moved it back from the DLQ (kept at most 65,535).
    pub fn redrives(&self) -> u16 {
        self.redrives
    }

    /// A person moved it back from the DLQ: it starts over, with no receives (SQS resets the
    /// count) and no failure.
    pub(crate) fn redriven(&mut self) {
        self.redrives = self.redrives.saturating_add(1);
        self.receive_count = 0;
        self.kind &= 15;
    }

    /// Position in publish order (SQS FIFO `SequenceNumber`). A queue numbers its messages in
    /// the order they are published, so this is the id; a field of its own cost every stored
    /// message 8 bytes (8.5 MB at the rush-hour benchmark's peak).
    pub fn seq(&self) -> u64 {
        self.id()
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id())
            .field("event", &self.event())
            .field("producer", &self.producer())
            .field("payload", &self.payload())
            .field("group", &self.group())
            .field("published_at", &self.published_at())
            .field("state", &self.state())
            .field("receive_count", &self.receive_count)
            .field("processed_count", &self.processed_count())
            .field("last_failure", &self.last_failure())
            .field("redrives", &self.redrives)
            .field("duplicate_send", &self.duplicate_send())
            .finish()
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
    #[test]
    fn a_message_record_stays_compact() {
        let size = std::mem::size_of::<super::Message>();
        assert!(size <= 40, "Message grew to {size} bytes");
        println!("Message is {size} bytes");
    }

    /// Every state, and every field around it, reads back as written, at the edges of what
    /// each packed field holds.
    #[test]
    fn a_packed_message_reads_back_what_was_written() {
        use super::*;
        let reasons = [
            DeadLetterReason::MaxReceiveCount {
                receives: u16::MAX,
                last_failure: Some(FailureCause::UnknownVersion),
            },
            DeadLetterReason::RetriesExhausted {
                attempts: 3,
                last_failure: None,
            },
            DeadLetterReason::Rejected,
            DeadLetterReason::Expired,
            DeadLetterReason::Maxlen,
        ];
        let t = Millis((1 << 48) - 2);
        let mut states = vec![
            MsgState::Delayed { until: t },
            MsgState::Visible,
            MsgState::InFlight {
                consumer: 63,
                deadline: Millis::MAX,
            },
            MsgState::Held { consumer: 7 },
            MsgState::Processed { at: Millis(1) },
            MsgState::Expired { at: t },
            MsgState::Dropped { at: t },
            MsgState::Lost { at: t },
            MsgState::Rejected { at: t },
            MsgState::Discarded { at: t },
        ];
        states.extend(reasons.map(|reason| MsgState::DeadLettered { at: t, reason }));
        states.extend(HTTP_FAILURES.map(|cause| MsgState::Failed { at: t, cause }));
        for (i, state) in states.into_iter().enumerate() {
            let payload = Payload::V2;
            let mut m = Message::new(Published {
                id: (1 << 48) - 1,
                event: (1 << 47) + i as u64,
                producer: 15,
                payload,
                group: 10_000,
                at: Millis(1 << 40),
                state: MsgState::Visible,
                duplicate_send: true,
            });
            m.set_state(state);
            m.received();
            m.fail(FailureCause::Transient);
            assert_eq!(m.state(), state);
            assert_eq!(m.id(), (1 << 48) - 1);
            assert_eq!(m.event(), (1 << 47) + i as u64);
            assert_eq!((m.producer(), m.payload(), m.group()), (15, payload, 10_000));
            assert_eq!(m.published_at(), Millis(1 << 40));
            assert!(m.duplicate_send());
            assert_eq!(m.last_failure(), Some(FailureCause::Transient));
            assert!(m.failed_this_receive());
            m.received();
            assert!(!m.failed_this_receive());
            assert_eq!(m.last_failure(), Some(FailureCause::Transient));
            m.redriven();
            assert_eq!((m.receive_count, m.redrives()), (0, 1));
            assert_eq!(m.last_failure(), None);
            assert_eq!(m.state(), state, "the flags leave the state alone");
        }
    }

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
