//! Which node each event happened at, in the topology's own names: the `node` column of
//! `qsim run --events`, so that someone outside can check the engine message by message.
//!
//! The queue engine's events name a consumer or producer by index and leave the queue implicit;
//! this maps them onto the scenario's nodes. A message arriving somewhere is placed at the node
//! it arrived at: a dead-lettered message at the dead-letter queue, a redriven one back at its
//! queue, a write at the store, a reply at the reply queue. On a log, an append or an expiry
//! happens at the log, and what a consumer group does at that group's pool.

use super::plan::MemberNodes;
use crate::event::{Event, EventKind};
use crate::scenario::ProducerConfig;

/// The node an event of member `m` happened at; `None` for run-wide events (a changed
/// setting). `producers` are the world's, by index.
pub fn node_of<'a>(
    m: &'a MemberNodes,
    producers: &'a [(String, ProducerConfig)],
    event: &Event,
) -> Option<&'a str> {
    use EventKind::*;
    let at = match &event.kind {
        Published { .. }
        | Taken { .. }
        | Deduplicated { .. }
        | Dropped { .. }
        | DroppedAtLimit { .. }
        | Visible { .. }
        | Received { .. }
        | Deleted { .. }
        | StaleDelete { .. }
        | VisibilityExpired { .. }
        | VisibilityExtended { .. }
        | RetryScheduled { .. }
        | Redriven { .. }
        | Expired { .. }
        | OrderViolation { .. }
        | LagAlert { .. } => &m.queue,
        PublishRejected { producer } | Unroutable { producer, .. } | TooLarge { producer, .. } => {
            &producers.get(*producer as usize)?.0
        }
        DeadLettered { .. } | Discarded { .. } => m.dlq.as_ref().unwrap_or(&m.queue),
        EmptyReceive { .. }
        | Processed { .. }
        | SkippedDuplicate { .. }
        | Failed { .. }
        | Rejected { .. }
        | Lost { .. }
        | ReplySent { .. }
        | HttpFailed { .. }
        | WastedWork { .. }
        | ConsumerOnline { .. }
        | ConsumerOffline { .. }
        | ConsumerCrashed { .. }
        | ConsumerRestarted { .. }
        | ConsumersScaled { .. } => m.consumer.as_ref().unwrap_or(&m.queue),
        StoreWrite { .. } => m.store.as_ref()?,
        ReplyReceived { .. } => m.replies.as_ref()?,
        Setting { .. } => return None,
        Appended { .. } | RecordsExpired { .. } => &m.queue,
        RecordProcessed { group, .. }
        | RecordFailed { group, .. }
        | RecordDeadLettered { group, .. }
        | RecordsSkipped { group, .. }
        | GroupMemberJoined { group, .. }
        | GroupMemberLeft { group, .. }
        | Rebalanced { group, .. } => m.groups.get(*group as usize)?,
        RecordClaimed { .. } => m.groups.first()?,
    };
    Some(at)
}
