//! RabbitMQ-style routing: exchanges (direct, fanout, topic, and the default exchange), bindings,
//! queues with a TTL, a length limit and a dead-letter exchange, and the `x-death` header that
//! records why a message was dead-lettered.
//!
//! Follows the RabbitMQ 4.x documentation: a topic binding key's words are split on `.`, `*`
//! matches exactly one word and `#` zero or more; the default exchange `""` routes to the queue
//! named by the routing key; a message no binding matches is unroutable (dropped, counted);
//! dead-letter reasons are `rejected`, `expired`, `maxlen` and `delivery_limit`; `x-death` has one
//! entry per (queue, reason), newest first, whose `count` goes up each time it happens again.

use std::collections::VecDeque;

use crate::{Millis, ScenarioError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeKind {
    Direct,
    Fanout,
    Topic,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub name: String,
    pub kind: ExchangeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub exchange: String,
    pub queue: String,
    pub key: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// `x-overflow: drop-head` (the default): the oldest message is dropped or dead-lettered.
    #[default]
    DropHead,
    /// `x-overflow: reject-publish`: the new message is refused.
    RejectPublish,
}

/// A queue's arguments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueArgs {
    /// `x-message-ttl`.
    pub ttl: Option<Millis>,
    /// `x-max-length` (ready messages).
    pub max_length: Option<usize>,
    pub overflow: Overflow,
    /// `x-dead-letter-exchange`.
    pub dead_letter_exchange: Option<String>,
    /// `x-dead-letter-routing-key` (default: the message's own routing key).
    pub dead_letter_routing_key: Option<String>,
    /// `x-delivery-limit` (quorum queues only).
    pub delivery_limit: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeathReason {
    Rejected,
    Expired,
    Maxlen,
    DeliveryLimit,
}

impl DeathReason {
    /// The value RabbitMQ writes in `x-death[].reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeathReason::Rejected => "rejected",
            DeathReason::Expired => "expired",
            DeathReason::Maxlen => "maxlen",
            DeathReason::DeliveryLimit => "delivery_limit",
        }
    }
}

/// One `x-death` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Death {
    pub queue: String,
    pub reason: DeathReason,
    pub count: u32,
    pub exchange: String,
    pub routing_keys: Vec<String>,
    pub time: Millis,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: u64,
    pub exchange: String,
    pub routing_key: String,
    pub enqueued_at: Millis,
    /// When the publisher sent it (kept through dead-lettering, unlike `enqueued_at`).
    pub published_at: Millis,
    pub deliveries: u32,
    /// Newest first.
    pub x_death: Vec<Death>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub name: String,
    pub args: QueueArgs,
    pub ready: VecDeque<Message>,
}

/// What happened to a publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Routed {
    /// Copied to these queues.
    To(Vec<String>),
    /// No binding matched: dropped (and counted).
    Unroutable,
}

/// `true` if a topic binding key matches a routing key.
pub fn topic_matches(pattern: &str, key: &str) -> bool {
    fn go(p: &[&str], k: &[&str]) -> bool {
        match p.split_first() {
            None => k.is_empty(),
            Some((&"#", rest)) => (0..=k.len()).any(|skip| go(rest, &k[skip..])),
            Some((&"*", rest)) => !k.is_empty() && go(rest, &k[1..]),
            Some((word, rest)) => k.first() == Some(word) && go(rest, &k[1..]),
        }
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    };
    // An empty binding key is one empty word; it matches only the empty routing key.
    if pattern.is_empty() {
        return key.is_empty();
    }
    go(&p, &k)
}

#[derive(Clone, Debug, Default)]
pub struct Broker {
    pub exchanges: Vec<Exchange>,
    pub bindings: Vec<Binding>,
    pub queues: Vec<Queue>,
    pub unroutable: u64,
    /// Messages dropped because they had nowhere to go (no DLX).
    pub dropped: u64,
    next_id: u64,
}

impl Broker {
    pub fn declare_exchange(&mut self, name: &str, kind: ExchangeKind) {
        self.exchanges.push(Exchange {
            name: name.into(),
            kind,
        });
    }

    pub fn declare_queue(&mut self, name: &str, args: QueueArgs) {
        self.queues.push(Queue {
            name: name.into(),
            args,
            ready: VecDeque::new(),
        });
    }

    pub fn bind(&mut self, exchange: &str, queue: &str, key: &str) {
        self.bindings.push(Binding {
            exchange: exchange.into(),
            queue: queue.into(),
            key: key.into(),
        });
    }

    pub fn queue(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.name == name)
    }

    /// The queues a message published to `exchange` with `key` goes to.
    pub fn route(&self, exchange: &str, key: &str) -> Vec<String> {
        if exchange.is_empty() {
            // The default exchange: every queue is bound by its own name.
            return self
                .queues
                .iter()
                .filter(|q| q.name == key)
                .map(|q| q.name.clone())
                .collect();
        }
        let Some(ex) = self.exchanges.iter().find(|e| e.name == exchange) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.exchange == exchange) {
            let hit = match ex.kind {
                ExchangeKind::Fanout => true,
                ExchangeKind::Direct => b.key == key,
                ExchangeKind::Topic => topic_matches(&b.key, key),
            };
            // A queue bound twice still gets one copy.
            if hit && !out.contains(&b.queue) {
                out.push(b.queue.clone());
            }
        }
        out
    }

    pub fn publish(&mut self, exchange: &str, key: &str, now: Millis) -> Routed {
        self.next_id += 1;
        let message = Message {
            id: self.next_id,
            exchange: exchange.into(),
            routing_key: key.into(),
            enqueued_at: now,
            published_at: now,
            deliveries: 0,
            x_death: Vec::new(),
        };
        self.deliver(message, exchange, key, now)
    }

    fn deliver(&mut self, message: Message, exchange: &str, key: &str, now: Millis) -> Routed {
        let targets = self.route(exchange, key);
        if targets.is_empty() {
            self.unroutable += 1;
            return Routed::Unroutable;
        }
        for name in &targets {
            let mut copy = message.clone();
            copy.enqueued_at = now;
            self.enqueue(name, copy, now);
        }
        Routed::To(targets)
    }

    fn enqueue(&mut self, queue: &str, message: Message, now: Millis) {
        let Some(i) = self.queues.iter().position(|q| q.name == queue) else {
            return;
        };
        let q = &mut self.queues[i];
        if q.args.max_length.is_some_and(|max| q.ready.len() >= max) {
            match q.args.overflow {
                Overflow::RejectPublish => {
                    self.dropped += 1;
                    return;
                }
                Overflow::DropHead => {
                    let head = q.ready.pop_front().expect("full, so not empty");
                    q.ready.push_back(message);
                    self.dead_letter(i, head, DeathReason::Maxlen, now);
                    return;
                }
            }
        }
        q.ready.push_back(message);
    }

    /// Expires messages at the head of each queue whose TTL has passed (RabbitMQ expires at
    /// the head, so an expired message behind a live one waits its turn).
    pub fn expire(&mut self, now: Millis) {
        for i in 0..self.queues.len() {
            while let Some(head) = self.queues[i].ready.front() {
                let Some(ttl) = self.queues[i].args.ttl else {
                    break;
                };
                if now.0 < head.enqueued_at.0.saturating_add(ttl.0) {
                    break;
                }
                let m = self.queues[i].ready.pop_front().expect("peeked");
                self.dead_letter(i, m, DeathReason::Expired, now);
            }
        }
    }

    /// A consumer takes the head of a queue.
    pub fn get(&mut self, queue: &str) -> Option<Message> {
        let q = self.queues.iter_mut().find(|q| q.name == queue)?;
        let mut m = q.ready.pop_front()?;
        m.deliveries += 1;
        Some(m)
    }

    /// `basic.nack` / `basic.reject`. With `requeue`, the message goes back to the head, unless a
    /// quorum queue's delivery limit is passed; without it, it is dead-lettered (`rejected`).
    pub fn reject(&mut self, queue: &str, message: Message, requeue: bool, now: Millis) {
        let Some(i) = self.queues.iter().position(|q| q.name == queue) else {
            return;
        };
        if !requeue {
            self.dead_letter(i, message, DeathReason::Rejected, now);
            return;
        }
        if self.queues[i]
            .args
            .delivery_limit
            .is_some_and(|limit| message.deliveries > limit)
        {
            self.dead_letter(i, message, DeathReason::DeliveryLimit, now);
            return;
        }
        self.queues[i].ready.push_front(message);
    }

    fn dead_letter(&mut self, queue: usize, mut m: Message, reason: DeathReason, now: Millis) {
        let q = &self.queues[queue];
        let Some(dlx) = q.args.dead_letter_exchange.clone() else {
            // No DLX: the message is dropped.
            self.dropped += 1;
            return;
        };
        let key = q
            .args
            .dead_letter_routing_key
            .clone()
            .unwrap_or_else(|| m.routing_key.clone());
        let qname = q.name.clone();
        match m
            .x_death
            .iter()
            .position(|d| d.queue == qname && d.reason == reason)
        {
            Some(i) => {
                let mut d = m.x_death.remove(i);
                d.count += 1;
                d.time = now;
                m.x_death.insert(0, d);
            }
            None => m.x_death.insert(
                0,
                Death {
                    queue: qname,
                    reason,
                    count: 1,
                    exchange: m.exchange.clone(),
                    routing_keys: vec![m.routing_key.clone()],
                    time: now,
                },
            ),
        }
        m.deliveries = 0;
        m.exchange = dlx.clone();
        m.routing_key = key.clone();
        self.deliver(m, &dlx, &key, now);
    }
}

/// What a consumer does with the message it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `basic.ack`: done, gone.
    Ack,
    /// `basic.reject` with `requeue=false`: dead-lettered (`rejected`), or dropped without a DLX.
    Reject,
    /// `basic.nack` with `requeue=true`: back to the head, until a delivery limit says no.
    Requeue,
}

/// The last publish, kept so a view can show which bindings it matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub exchange: String,
    pub key: String,
    pub routed: Routed,
}

/// A broker on a clock: TTLs run out as time passes, as they would on a real node.
#[derive(Clone, Debug)]
pub struct BrokerRun {
    pub broker: Broker,
    pub now: Millis,
    pub last: Option<Published>,
}

/// AMQP carries the routing key as a short string: at most 255 bytes.
pub const MAX_ROUTING_KEY: usize = 255;

impl BrokerRun {
    pub fn new(broker: Broker) -> BrokerRun {
        BrokerRun {
            broker,
            now: Millis::ZERO,
            last: None,
        }
    }

    /// Runs to `t`, expiring each message at its own deadline, so `x-death` records the exact
    /// time however coarse the steps.
    pub fn advance_to(&mut self, t: Millis) {
        while let Some(due) = self.next_expiry().filter(|due| *due <= t) {
            self.now = self.now.max(due);
            self.broker.expire(self.now);
        }
        self.now = self.now.max(t);
    }

    /// When the earliest queue head's TTL runs out.
    fn next_expiry(&self) -> Option<Millis> {
        self.broker
            .queues
            .iter()
            .filter_map(|q| {
                let ttl = q.args.ttl?;
                Some(Millis(q.ready.front()?.enqueued_at.0.saturating_add(ttl.0)))
            })
            .min()
    }

    /// Publishes now; refuses an exchange that does not exist or a key AMQP cannot carry.
    pub fn publish(&mut self, exchange: &str, key: &str) -> Result<Routed, ScenarioError> {
        if !exchange.is_empty() && !self.broker.exchanges.iter().any(|e| e.name == exchange) {
            let names: Vec<&str> = self
                .broker
                .exchanges
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            return Err(ScenarioError::field(
                "exchange",
                format!("\"\" (the default exchange) or one of {}", names.join(", ")),
                format!("\"{exchange}\""),
            ));
        }
        if key.len() > MAX_ROUTING_KEY {
            return Err(ScenarioError::field(
                "routing key",
                format!("at most {MAX_ROUTING_KEY} bytes"),
                format!("{} bytes", key.len()),
            ));
        }
        let routed = self.broker.publish(exchange, key, self.now);
        self.last = Some(Published {
            exchange: exchange.into(),
            key: key.into(),
            routed: routed.clone(),
        });
        Ok(routed)
    }

    /// A consumer takes the head of `queue` and acks, rejects or requeues it.
    pub fn consume(&mut self, queue: &str, outcome: Outcome) -> Result<(), ScenarioError> {
        let Some(m) = self.broker.get(queue) else {
            return Err(ScenarioError::field(
                "queue",
                "a queue with a ready message",
                format!("\"{queue}\" (empty or unknown)"),
            ));
        };
        match outcome {
            Outcome::Ack => {}
            Outcome::Reject => self.broker.reject(queue, m, false, self.now),
            Outcome::Requeue => self.broker.reject(queue, m, true, self.now),
        }
        Ok(())
    }
}

/// The pizza shop on RabbitMQ: a topic exchange for orders (`order.<item>.<region>`), a fanout
/// for notifications, a direct exchange for payment results, and a dead-letter exchange that
/// the kitchen's quorum queue uses for every reason a message can die.
pub fn pizza_shop() -> Broker {
    let mut b = Broker::default();
    b.declare_exchange("orders", ExchangeKind::Topic);
    b.declare_exchange("notifications", ExchangeKind::Fanout);
    b.declare_exchange("payments", ExchangeKind::Direct);
    b.declare_exchange("orders.dlx", ExchangeKind::Fanout);
    b.declare_queue(
        "kitchen",
        QueueArgs {
            ttl: Some(Millis::from_secs(60)),
            max_length: Some(5),
            overflow: Overflow::DropHead,
            dead_letter_exchange: Some("orders.dlx".into()),
            dead_letter_routing_key: None,
            // Low so that a few requeues show it; RabbitMQ 4's default is 20.
            delivery_limit: Some(2),
        },
    );
    // A classic queue with no DLX: what it rejects is simply gone.
    b.declare_queue("bar", QueueArgs::default());
    for q in [
        "audit",
        "eu-billing",
        "email",
        "sms",
        "ledger",
        "retries",
        "orders.dead",
    ] {
        b.declare_queue(q, QueueArgs::default());
    }
    b.bind("orders", "kitchen", "order.pizza.*");
    b.bind("orders", "bar", "order.drink.*");
    b.bind("orders", "audit", "order.#");
    b.bind("orders", "eu-billing", "*.*.eu");
    b.bind("notifications", "email", "");
    b.bind("notifications", "sms", "");
    b.bind("payments", "ledger", "payment.ok");
    b.bind("payments", "retries", "payment.failed");
    b.bind("orders.dlx", "orders.dead", "");
    b
}

impl Message {
    /// The CloudEvents envelope this message carries: the id follows the message (a dead-lettered
    /// copy is still the same event), the type follows the exchange it was first published to.
    pub fn envelope(&self) -> crate::envelope::Envelope {
        use crate::envelope::{event_uuid, rfc3339, Envelope};
        let first_exchange = self
            .x_death
            .last()
            .map_or(self.exchange.as_str(), |d| d.exchange.as_str());
        let first_key = self
            .x_death
            .last()
            .and_then(|d| d.routing_keys.first())
            .map_or(self.routing_key.as_str(), String::as_str);
        let (source, ty) = match first_exchange {
            "orders" => ("order-service", "order.placed"),
            "notifications" => ("notifier", "notification.sent"),
            "payments" => ("payment-service", "payment.settled"),
            _ => ("order-service", "message.sent"),
        };
        let subject = format!("msg-{:05}", self.id);
        Envelope {
            specversion: "1.0".into(),
            id: event_uuid(0x5241_4242, self.id),
            source: format!("/pizza-shop/{source}"),
            ty: format!("com.example.pizzashop.{ty}.v1"),
            subject: subject.clone(),
            time: rfc3339(self.published_at),
            datacontenttype: "application/json".into(),
            dataschema: format!(
                "https://schemas.example.com/pizzashop/{}/v1.json",
                ty.replace('.', "-")
            ),
            data: serde_json::json!({ "id": subject, "routing_key": first_key }),
            traceparent: crate::trace::TraceIds::for_message(0x5241_4242, self.id).traceparent(),
            partitionkey: first_key.to_owned(),
            sequence: None,
            replyto: None,
        }
    }

    /// The `x-death` header as a RabbitMQ client would print it: newest first.
    pub fn x_death_header(&self) -> String {
        self.x_death
            .iter()
            .map(|d| {
                format!(
                    "{{count={}, reason={}, queue={}, exchange={}, routing-keys=[{}], time={}}}",
                    d.count,
                    d.reason.as_str(),
                    d.queue,
                    if d.exchange.is_empty() {
                        "\"\""
                    } else {
                        d.exchange.as_str()
                    },
                    d.routing_keys.join(", "),
                    crate::envelope::rfc3339(d.time)
                )
            })
            .collect::<Vec<_>>()
            .join(",\n         ")
    }
}
