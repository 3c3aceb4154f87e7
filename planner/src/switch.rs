//! A queue switched to another platform's profile: what the switch changes, in the new
//! platform's own names, and which of the queue's settings have no equivalent there.
//!
//! # Contract
//! - [`switch`] keeps every setting the new profile takes as it is, and leaves out one it has
//!   no place for (a delivery limit on a RabbitMQ classic queue) or whose value is outside the
//!   new platform's range (a 30 s lock on Pub/Sub, whose minimum is 10 s, stays; a 12-hour
//!   retention on ActiveMQ, which keeps messages until consumed, goes back to the default).
//! - What it says names each change in the new platform's words, from the engine's profile
//!   facts (`QueueProfile`, semantics notes §1 to §8): the lock on a delivery, the delivery
//!   limit and what a limit of n means (a quorum queue's 3 delivers 4 times, SQS's 3 receives
//!   3 times), retention, how a failed message comes back, what a full queue does, what happens
//!   to expired messages, and ordering. Only what differs is said.

use queue_engine::topology::profile::{Limit, QueueProfile};
use queue_engine::topology::QueueSpec;
use queue_engine::Millis;
use queue_engine::{Overflow, RetryPolicy};

/// A span as people say it: whole days when it is days.
pub(crate) fn span(t: Millis) -> String {
    const DAY: u64 = 86_400_000;
    if t.0 >= DAY && t.0 % DAY == 0 {
        let d = t.0 / DAY;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else {
        t.to_string()
    }
}

fn retry_words(r: &RetryPolicy) -> String {
    match r {
        RetryPolicy::VisibilityTimeout => "when its lock runs out".to_owned(),
        RetryPolicy::Immediate => "at once".to_owned(),
        RetryPolicy::Exponential { base, max } if base == max => format!("after {}", span(*base)),
        RetryPolicy::Exponential { base, max } => {
            format!("after {}, doubling up to {}", span(*base), span(*max))
        }
        RetryPolicy::Tiers { delays } => format!("after {} tiers of delay", delays.len()),
    }
}

fn inside<T: PartialOrd>(l: &Limit<T>, v: &T) -> bool {
    l.min <= *v && *v <= l.max
}

/// Switches `spec` (whose profile was `from`) to its new profile; what changed, in words.
pub fn switch(spec: &mut QueueSpec, from: QueueProfile) -> String {
    let to = spec.profile;
    let mut changes = Vec::new();
    let mut dropped = Vec::new();

    let (lock, was) = (to.visibility(), from.visibility());
    if (lock.name, lock.default) != (was.name, was.default) {
        changes.push(format!(
            "the lock on a delivery is {}, default {} (was {}, default {})",
            lock.name,
            span(lock.default),
            was.name,
            span(was.default)
        ));
    }
    if let Some(v) = spec.visibility_timeout.filter(|v| !inside(&lock, v)) {
        dropped.push(format!(
            "visibility_timeout {} ({} takes {} to {})",
            span(v),
            lock.name,
            span(lock.min),
            span(lock.max)
        ));
        spec.visibility_timeout = None;
    }

    match (to.delivery_limit(), spec.delivery_limit) {
        (None, Some(n)) => {
            dropped.push(format!(
                "delivery_limit {n} ({} has no delivery limit: a failing message comes back until it is rejected)",
                to.label()
            ));
            spec.delivery_limit = None;
        }
        (None, None) if from.delivery_limit().is_some() => {
            changes.push("there is no delivery limit".to_owned());
        }
        (Some(l), Some(n)) if !inside(&l, &n) => {
            dropped.push(format!(
                "delivery_limit {n} ({} takes {} to {})",
                l.name, l.min, l.max
            ));
            spec.delivery_limit = None;
        }
        // Said only of a limit the queue was given: with none, the new default is in the form.
        (Some(l), Some(n)) if from.delivery_limit().map(|w| w.name) != Some(l.name) => {
            changes.push(format!(
                "the delivery limit is {} {n}, which delivers {} times",
                l.name,
                to.deliveries(n)
            ));
        }
        (Some(_), _) => {}
        (None, None) => {}
    }

    let (keep, kept) = (to.retention(), from.retention());
    if (keep.name, keep.default) != (kept.name, kept.default) {
        changes.push(format!(
            "retention is {}, default {}",
            keep.name,
            span(keep.default)
        ));
    }
    if let Some(v) = spec.retention.filter(|v| !inside(&keep, v)) {
        dropped.push(format!(
            "retention {} ({} takes {} to {})",
            span(v),
            keep.name,
            span(keep.min),
            span(keep.max)
        ));
        spec.retention = None;
    }

    if spec.retry.is_none() && to.default_retry() != from.default_retry() {
        changes.push(format!(
            "a failed message comes back {}",
            retry_words(&to.default_retry())
        ));
    }
    if spec.overflow.is_none() && to.default_overflow() != from.default_overflow() {
        changes.push(match to.default_overflow() {
            Overflow::DropOldest => "a full queue drops its oldest message".to_owned(),
            _ => "a full queue refuses the publish".to_owned(),
        });
    }
    if to.dead_letter_drops() != from.dead_letter_drops() {
        changes.push(if to.dead_letter_drops() {
            "expired and dropped messages are dead-lettered".to_owned()
        } else {
            "expired and dropped messages are deleted".to_owned()
        });
    }
    if to.reorder_window() != from.reorder_window() {
        changes.push(if to.reorder_window() == Some(1) {
            "messages are handed out strictly in order".to_owned()
        } else {
            "order is best effort".to_owned()
        });
    }
    if let Some(dlq) = to.built_in_dlq() {
        changes.push(format!("it has a dead-letter queue of its own, {dlq}"));
    }

    let mut said = if changes.is_empty() {
        "Nothing else changes.".to_owned()
    } else {
        format!("What changes: {}.", changes.join("; "))
    };
    if !dropped.is_empty() {
        said.push_str(&format!(
            " No equivalent, so left out: {}.",
            dropped.join("; ")
        ));
    }
    said
}
