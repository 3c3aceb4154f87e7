//! A planned system's Redis streams as the commands a real Redis needs to run them the way the
//! engine does: the stream trimmed by `MAXLEN`, its consumer group, how each consumer reads
//! and acknowledges, the janitor's `XAUTOCLAIM`, and the dead stream (semantics notes §4).
//!
//! # Contract
//! - It reads the plan, not the file, so every setting the file leaves out is written as the
//!   engine runs it: `MAXLEN` 10,000, `COUNT`, the claim interval and minimum idle time, and
//!   the delivery limit.
//! - `MAXLEN =` trims exactly, as the engine does; `~` would let Redis keep up to a node more.
//! - Redis has no DLQ (§4): past the delivery limit the application adds the entry to
//!   `<stream>:dead` and acknowledges it, which is what the engine's janitor does.
//! - A queue or a Kafka log is refused, naming the node, what was expected and what was given.

use std::fmt::Write;

use super::log::LogPlan;
use super::plan::Plan;
use crate::error::ScenarioError;

/// The plan's Redis streams (see the module docs).
pub fn export(plan: &Plan) -> Result<String, ScenarioError> {
    let refuse = |path: String, given: &str| {
        Err(ScenarioError::field(
            path,
            "a Redis stream and the consumer group that reads it",
            given,
        ))
    };
    if let Some(m) = plan.members.first() {
        return refuse(format!("nodes.{}", m.nodes.queue), "a queue");
    }
    let mut out = String::new();
    for log in &plan.logs {
        let stream = &log.nodes.queue;
        let LogPlan::Redis(c) = &log.run else {
            return refuse(format!("nodes.{stream}"), "a Kafka log");
        };
        let group = log.nodes.groups.first().map_or("group", String::as_str);
        let (count, idle) = (c.count, c.min_idle.0);
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = write!(
            out,
            "# Stream {stream}: each order is added with XADD, and the stream keeps the newest {max} entries, read or not.
XADD {stream} MAXLEN = {max} * order '<the order>'
# Consumer group {group}, reading the entries added from now on.
XGROUP CREATE {stream} {group} $ MKSTREAM
# Each of its {n} consumers ({group}-1, {group}-2, ...) reads up to {count} new entries at a time.
# Each entry waits in the group's pending entries list until the consumer acknowledges it.
XREADGROUP GROUP {group} {group}-1 COUNT {count} STREAMS {stream} >
XACK {stream} {group} <entry id>
# Every {every}, the janitor hands entries idle for {idle} ms (a crashed consumer's) to a live consumer.
# Each claim raises the entry's delivery count.
XAUTOCLAIM {stream} {group} {group}-2 {idle} 0-0 COUNT {count}
# Redis has no DLQ: an idle entry already delivered {limit} times goes to {stream}:dead instead, acknowledged.
XADD {stream}:dead * entry <entry id> deliveries {limit}
XACK {stream} {group} <entry id>
",
            max = c.max_len,
            n = c.consumers,
            every = c.claim_every,
            limit = c.max_deliveries,
        );
    }
    if out.is_empty() {
        return refuse("nodes".into(), "no Redis stream");
    }
    Ok(out)
}
