//! The packed message record: one message in 36 bytes, read and written through methods, so
//! that a backlog of a million messages fits in memory.
//!
//! # Contract
//! - Every field reads back what was written, up to what its bits hold; a larger value reads
//!   as the largest (a time as never). A test walks every state at those edges.
//! - Only `Sim::set_state` changes a message's state, since it keeps the per-state counts in
//!   step; [`Message::set_deadline`] only moves an in-flight message's deadline.

use crate::command::Payload;
use crate::kernel::time::Millis;

use super::{DeadLetterReason, FailureCause, HttpFailure, MsgId, MsgState};

/// One message. A backlog holds hundreds of thousands of these (rush hour's peak holds over a
/// million), so the record is packed into 36 bytes and read through methods; a test pins the
/// size. A simulation keeps live messages plus a bounded history.
///
/// # Packing
/// - Ids and event ids are 48 bits: 280 trillion publishes, beyond any run.
/// - Times are 40 bits of milliseconds: 34 years of simulated time. A time past that reads
///   back as [`Millis::MAX`], which is what such a time means here (never).
/// - The state is a 4-bit tag, its time, and one 24-bit word for its consumer (at most 64),
///   dead-letter reason or HTTP failure.
/// - The receive count is 24 bits, kept at most 16,777,215. A receive's visibility timer
///   names the count as its receipt; a timer also checks its deadline, so two receives past
///   that count are still told apart by their deadlines.
/// - The FIFO group is 14 bits (scenarios and commands allow at most 10,000 groups); the two
///   bits left are the store's ([`crate::store`]). The processed count is kept at most 65,535.
#[derive(Clone, PartialEq)]
pub struct Message {
    /// The message id, 0 in a free slot.
    id: Packed<6>,
    /// The CloudEvents id; in a free slot, the next free slot.
    event: Packed<6>,
    published_at: Packed<5>,
    /// The state's time: `until`, `deadline` or `at` (0 for the states with none).
    time: Packed<5>,
    /// The state's consumer, dead-letter reason or HTTP failure (see [`Message::state`]).
    aux: Packed<3>,
    /// Times received (SQS `ApproximateReceiveCount`); reset by a redrive.
    receives: Packed<3>,
    /// The FIFO group (low 14 bits), and the store's two marks: in the publish-order line
    /// ([`IN_LIVE`]) and forgotten ([`FORGOTTEN`]).
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

/// [`Message::group`]'s bits; validation keeps groups at most 10,000.
const GROUP: u16 = 0x3fff;
/// In the store's publish-order line ([`crate::store`]).
const IN_LIVE: u16 = 0x8000;
/// Finished and let go of, while the line still names its slot.
const FORGOTTEN: u16 = 0x4000;
/// The state tag of [`MsgState::InFlight`].
const IN_FLIGHT: u8 = 2;

/// An unsigned number in `N` little-endian bytes, with no alignment, so that the record has
/// no padding; a larger value is kept as the largest `N` bytes hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packed<const N: usize>([u8; N]);

impl<const N: usize> Packed<N> {
    const MAX: u64 = (1 << (8 * N)) - 1;

    fn new(v: u64) -> Self {
        let mut b = [0; N];
        b.copy_from_slice(&v.min(Self::MAX).to_le_bytes()[..N]);
        Packed(b)
    }

    fn get(self) -> u64 {
        let mut b = [0; 8];
        b[..N].copy_from_slice(&self.0);
        u64::from_le_bytes(b)
    }

    fn time(t: Millis) -> Self {
        Self::new(t.0)
    }

    fn millis(self) -> Millis {
        match self.get() {
            v if v == Self::MAX => Millis::MAX,
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

/// A dead-letter reason in 22 bits: its kind in bits 19..22, its failure in bits 16..19 and
/// its count in the low 16.
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
    kind << 19 | failure_bits(failure) << 16 | u32::from(count)
}

fn reason_of(bits: u32) -> DeadLetterReason {
    let (count, last_failure) = (bits as u16, failure_of(bits >> 16 & 7));
    match bits >> 19 {
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
            id: Packed::new(p.id),
            event: Packed::new(p.event),
            published_at: Packed::time(p.at),
            time: Packed::new(0),
            aux: Packed::new(0),
            receives: Packed::new(0),
            group: u16::try_from(p.group).map_or(GROUP, |g| g.min(GROUP)),
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

    /// Empties the slot; it names `next` as the next free one.
    pub(crate) fn free(&mut self, next: u32) {
        self.id = Packed::new(0);
        self.group = 0;
        self.event = Packed::new(u64::from(next));
    }

    /// The free slot after this free one.
    pub(crate) fn next_free(&self) -> u32 {
        self.event.get() as u32
    }

    pub(crate) fn in_live(&self) -> bool {
        self.group & IN_LIVE != 0
    }

    pub(crate) fn set_in_live(&mut self, on: bool) {
        self.group = if on {
            self.group | IN_LIVE
        } else {
            self.group & !IN_LIVE
        };
    }

    pub(crate) fn forgotten(&self) -> bool {
        self.group & FORGOTTEN != 0
    }

    pub(crate) fn set_forgotten(&mut self) {
        self.group |= FORGOTTEN;
    }

    /// Times received (SQS `ApproximateReceiveCount`); reset by a redrive.
    pub fn receive_count(&self) -> u32 {
        self.receives.get() as u32
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
        u32::from(self.group & GROUP)
    }

    pub fn published_at(&self) -> Millis {
        self.published_at.millis()
    }

    // Read wherever a message is; inlined there, the decoding cost the page kilobytes.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn state(&self) -> MsgState {
        let at = self.time.millis();
        let aux = self.aux.get() as u32;
        match self.kind & 15 {
            0 => MsgState::Delayed { until: at },
            1 => MsgState::Visible,
            IN_FLIGHT => MsgState::InFlight {
                consumer: aux,
                deadline: at,
            },
            3 => MsgState::Held { consumer: aux },
            4 => MsgState::Processed { at },
            5 => MsgState::DeadLettered {
                at,
                reason: reason_of(aux),
            },
            6 => MsgState::Expired { at },
            7 => MsgState::Dropped { at },
            8 => MsgState::Lost { at },
            9 => MsgState::Rejected { at },
            10 => MsgState::Discarded { at },
            _ => MsgState::Failed {
                at,
                cause: HTTP_FAILURES
                    .get(aux as usize)
                    .copied()
                    .unwrap_or(HttpFailure::ServerError),
            },
        }
    }

    /// Only `Sim::set_state` calls this: it keeps the per-state counts in step.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub(crate) fn set_state(&mut self, state: MsgState) {
        let (tag, at, aux) = match state {
            MsgState::Delayed { until } => (0, until, 0),
            MsgState::Visible => (1, Millis::ZERO, 0),
            MsgState::InFlight { consumer, deadline } => (IN_FLIGHT, deadline, consumer),
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
        self.time = Packed::time(at);
        self.aux = Packed::new(u64::from(aux));
    }

    /// The consumer holding it, if it is in flight.
    pub(crate) fn in_flight_with(&self) -> Option<u32> {
        (self.kind & 15 == IN_FLIGHT).then(|| self.aux.get() as u32)
    }

    /// Moves an in-flight message's visibility deadline (a heartbeat, a retry delay); any
    /// other state is left alone. The state stays the same, so no count changes.
    pub(crate) fn set_deadline(&mut self, deadline: Millis) {
        if self.kind & 15 == IN_FLIGHT {
            self.time = Packed::time(deadline);
        }
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
        self.receives = Packed::new(self.receives.get() + 1);
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
        self.receives = Packed::new(0);
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
            .field("receive_count", &self.receive_count())
            .field("processed_count", &self.processed_count())
            .field("last_failure", &self.last_failure())
            .field("redrives", &self.redrives)
            .field("duplicate_send", &self.duplicate_send())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_message_record_stays_compact() {
        let size = std::mem::size_of::<super::Message>();
        assert!(size <= 36, "Message grew to {size} bytes");
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
        let t = Millis((1 << 40) - 2);
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
                at: Millis(1 << 39),
                state: MsgState::Visible,
                duplicate_send: true,
            });
            m.set_state(state);
            m.received();
            m.fail(FailureCause::Transient);
            assert_eq!(m.state(), state);
            assert_eq!(m.id(), (1 << 48) - 1);
            assert_eq!(m.event(), (1 << 47) + i as u64);
            assert_eq!(
                (m.producer(), m.payload(), m.group()),
                (15, payload, 10_000)
            );
            assert_eq!(m.published_at(), Millis(1 << 39));
            assert!(m.duplicate_send());
            assert_eq!(m.last_failure(), Some(FailureCause::Transient));
            assert!(m.failed_this_receive());
            m.received();
            assert!(!m.failed_this_receive());
            assert_eq!(m.last_failure(), Some(FailureCause::Transient));
            m.set_deadline(Millis(77));
            match state {
                MsgState::InFlight { consumer, .. } => {
                    assert_eq!(m.in_flight_with(), Some(consumer));
                    let moved = MsgState::InFlight {
                        consumer,
                        deadline: Millis(77),
                    };
                    assert_eq!(m.state(), moved, "only the deadline moves");
                    m.set_state(state);
                }
                _ => {
                    assert_eq!(m.in_flight_with(), None);
                    assert_eq!(m.state(), state, "a deadline moves only in flight");
                }
            }
            m.redriven();
            assert_eq!((m.receive_count(), m.redrives()), (0, 1));
            assert_eq!(m.last_failure(), None);
            assert_eq!(m.state(), state, "the flags leave the state alone");
        }
        // Past what a field holds: the largest value, which for a time means never.
        let mut m = Message::new(Published {
            id: 1,
            event: 1,
            producer: 0,
            payload: Payload::Normal,
            group: 1,
            at: Millis(1 << 40),
            state: MsgState::Delayed {
                until: Millis(1 << 45),
            },
            duplicate_send: false,
        });
        assert_eq!(m.published_at(), Millis::MAX);
        assert_eq!(m.state(), MsgState::Delayed { until: Millis::MAX });
        for _ in 0..3 {
            m.receives = Packed::new(Packed::<3>::MAX - 1);
            m.received();
            m.received();
        }
        assert_eq!(m.receive_count(), (1 << 24) - 1);
    }
}
