//! What an AMQP client sees on a dead letter: the `x-death` header and the
//! `x-first-death-*` headers RabbitMQ adds next to it (semantics notes §2.3), built from a
//! world's message records on demand rather than stored with every message.
//!
//! # Contract
//! - RabbitMQ keeps one entry per (queue, reason), newest first. Here a dead-letter queue
//!   sits behind one queue and a dead letter goes nowhere from it, so a message has at most
//!   one entry: that queue, with the reason of its latest death in RabbitMQ's names
//!   (`rejected`, `expired`, `maxlen`, `delivery_limit`).
//! - `exchange` and `routing-keys` are what the message was first published with: a person's
//!   publish keeps its own; a producer's is its publish edge's router and key, or the default
//!   exchange and the queue's name when it publishes straight to a queue (which is what an
//!   AMQP publish to a queue is).
//! - `count` counts the times the message died in that queue: a dead letter moved back (a
//!   redrive, which RabbitMQ does with a shovel) and dead-lettered again counts up, whatever
//!   the reason the first time.

use crate::kernel::time::Millis;
use crate::message::{DeadLetterReason, Message, MsgState};
use crate::world::World;

/// `true` if a topic binding key matches a routing key (semantics notes §2.1): words split on
/// `.`, `*` is exactly one word and `#` zero or more.
pub fn topic_matches(pattern: &str, key: &str) -> bool {
    fn go(p: &[&str], k: &[&str]) -> bool {
        match p.split_first() {
            None => k.is_empty(),
            Some((&"#", rest)) => (0..=k.len()).any(|skip| go(rest, &k[skip..])),
            Some((&"*", rest)) => !k.is_empty() && go(rest, &k[1..]),
            Some((word, rest)) => k.first() == Some(word) && go(rest, &k[1..]),
        }
    }
    // An empty binding key is one empty word; it matches only the empty routing key.
    if pattern.is_empty() {
        return key.is_empty();
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    };
    go(&p, &k)
}

/// One `x-death` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Death {
    pub queue: String,
    pub reason: &'static str,
    pub count: u32,
    pub exchange: String,
    pub routing_keys: Vec<String>,
    pub time: Millis,
}

impl DeadLetterReason {
    /// The value RabbitMQ writes in `x-death[].reason`. A consumer giving up after its last
    /// retry rejects the message, so that is `rejected` too.
    pub fn amqp(&self) -> &'static str {
        match self {
            DeadLetterReason::MaxReceiveCount { .. } => "delivery_limit",
            DeadLetterReason::RetriesExhausted { .. } | DeadLetterReason::Rejected => "rejected",
            DeadLetterReason::Expired => "expired",
            DeadLetterReason::Maxlen => "maxlen",
        }
    }
}

impl World {
    /// The exchange and routing key message `m` of member `member` was first published with.
    #[inline]
    pub fn published_with(&self, member: u16, m: &Message) -> (String, String) {
        if let Some((exchange, key)) = self.person_publish(m.event()) {
            return (exchange.to_owned(), key.to_owned());
        }
        let via_router = self.routers().iter().find_map(|r| {
            let (key, _) = r
                .publishers
                .iter()
                .find(|(_, p)| u32::from(*p) == m.producer())?;
            r.binds
                .iter()
                .any(|(_, to)| *to == member)
                .then(|| (r.name.clone(), key.clone().unwrap_or_default()))
        });
        via_router.unwrap_or_else(|| (String::new(), self.member_nodes(member).queue.clone()))
    }

    /// Message `m`'s `x-death` header, newest first; empty while it has never died.
    #[inline]
    pub fn x_death(&self, member: u16, m: &Message) -> Vec<Death> {
        let MsgState::DeadLettered { at, reason } = m.state() else {
            return Vec::new();
        };
        let (exchange, key) = self.published_with(member, m);
        vec![Death {
            queue: self.member_nodes(member).queue.clone(),
            reason: reason.amqp(),
            count: u32::from(m.redrives()) + 1,
            exchange,
            routing_keys: vec![key],
            time: at,
        }]
    }

    /// The `x-first-death-queue`, `-reason` and `-exchange` headers RabbitMQ sets once, on
    /// the first death, and never changes.
    #[inline]
    pub fn x_first_death(&self, member: u16, m: &Message) -> Option<[(&'static str, String); 3]> {
        let first = self.x_death(member, m).pop()?;
        Some([
            ("x-first-death-queue", first.queue),
            ("x-first-death-reason", first.reason.to_owned()),
            ("x-first-death-exchange", first.exchange),
        ])
    }
}

impl World {
    /// The dead-letter headers as a RabbitMQ client prints them: `x-death`, then the
    /// `x-first-death-*` ones, one per line (None while the message has never died).
    #[inline]
    pub fn dead_letter_headers(&self, member: u16, m: &Message) -> Option<String> {
        let deaths = self.x_death(member, m);
        let first = deaths.last()?;
        let entries: Vec<String> = deaths.iter().map(Death::header).collect();
        Some(format!(
            "x-death: [{}]\nx-first-death-queue: {}\nx-first-death-reason: {}\nx-first-death-exchange: {}",
            entries.join(",\n         "),
            first.queue,
            first.reason,
            first.exchange
        ))
    }
}

impl Death {
    /// The entry as a RabbitMQ client prints it.
    #[inline]
    pub fn header(&self) -> String {
        format!(
            "{{count={}, reason={}, queue={}, exchange={}, routing-keys=[{}], time={}}}",
            self.count,
            self.reason,
            self.queue,
            if self.exchange.is_empty() {
                "\"\""
            } else {
                self.exchange.as_str()
            },
            self.routing_keys.join(", "),
            crate::envelope::rfc3339(self.time)
        )
    }
}
