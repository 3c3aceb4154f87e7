//! Which node each event happened at, in the topology's own names: the `node` column of
//! `qsim run --events`, so that someone outside can check the engine message by message.
//!
//! The queue engine's events name a consumer or producer by index and leave the queue implicit;
//! this maps them onto the scenario's nodes. A message arriving somewhere is placed at the node
//! it arrived at: a dead-lettered message at the dead-letter queue, a redriven one back at its
//! queue, a write at the store, a reply at the reply queue.

use super::scenario::ScenarioV2;
use super::{EdgeKind, NodeKind};
use crate::event::{Event, EventKind};
use crate::scenario::Scenario;

/// Node names for every role an event can name, resolved once per run.
pub struct EventNodes {
    producers: Vec<String>,
    queue: String,
    dlq: Option<String>,
    consumer: String,
    store: Option<String>,
    replies: Option<String>,
}

impl EventNodes {
    /// `lowered` must be `scenario.lower()`: its names are the topology's.
    pub fn new(scenario: &ScenarioV2, lowered: &Scenario) -> EventNodes {
        let t = &scenario.topology;
        let target = |kind| t.edges_of(kind).next().map(|(_, e)| e.to.clone());
        EventNodes {
            producers: t.of_kind(NodeKind::Producer).map(str::to_owned).collect(),
            queue: lowered.queue.name.clone(),
            dlq: lowered.dlq.as_ref().map(|d| d.name.clone()),
            consumer: lowered.consumers.name.clone(),
            store: target(EdgeKind::Write),
            replies: target(EdgeKind::Reply),
        }
    }

    /// The node an event happened at; `None` for run-wide events (a changed setting).
    pub fn of(&self, event: &Event) -> Option<&str> {
        use EventKind::*;
        let at = match &event.kind {
            Published { .. }
            | Deduplicated { .. }
            | Dropped { .. }
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
            | LagAlert { .. } => &self.queue,
            PublishRejected { producer } => self.producers.get(*producer as usize)?,
            DeadLettered { .. } | Discarded { .. } => self.dlq.as_ref().unwrap_or(&self.queue),
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
            | ConsumersScaled { .. } => &self.consumer,
            StoreWrite { .. } => self.store.as_ref()?,
            ReplyReceived { .. } => self.replies.as_ref()?,
            Setting { .. } => return None,
        };
        Some(at)
    }

    /// One line of `--events`: the event as JSON with its node and copy number. Every message
    /// has one copy until topics copy messages; the field is there so the schema need not change.
    pub fn json_line(&self, event: &Event) -> String {
        let mut value = serde_json::to_value(event).expect("events serialise");
        if let Some(map) = value.as_object_mut() {
            map.insert("t".into(), event.t.0.into());
            map.insert("node".into(), self.of(event).into());
            if event.msg().is_some() {
                map.insert("copy".into(), 0.into());
            }
        }
        value.to_string()
    }
}
