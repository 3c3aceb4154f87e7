//! The broker's side: replays a [`Plan`] on a real RabbitMQ over AMQP 0-9-1 and records, per
//! message, how often it was delivered and where it ended.
//!
//! # How a run goes
//! 1. Declare the dead-letter queue (if any), then the queue, with the profile's arguments
//!    ([`queue_arguments`]), under names unique to the run: `qsim-<pid>-<n>-<node>`.
//! 2. Start the consumer pool: one channel per consumer, prefetch 1. A poison message is
//!    rejected with `requeue=true` (the broker redelivers it, or dead-letters it once a quorum
//!    queue's `x-delivery-limit` is exceeded); any other is held for the pool's processing
//!    time (scaled) and acknowledged.
//! 3. Publish the engine's messages at their simulated times (scaled), `message_id` = the
//!    engine's id, with publisher confirms. A `basic.nack` is the refusal of a full
//!    `reject-publish` queue, recorded as place `rejected`; on any other queue it is an error.
//! 4. When the engine settles every message (processed, deleted or dead-lettered), end as soon
//!    as the broker has settled as many: nothing can change after that on either side.
//!    Otherwise (a message still looping), run the whole window. Then stop the consumers (a
//!    delivery still held is left unanswered and requeued when its channel closes, as the
//!    engine counts it still in the queue), take what is left in the queue and the
//!    dead-letter queue with `basic.get`, and read each dead letter's `x-death` entry.
//! 5. Delete everything declared, whether or not the run succeeded. As a safety net for a run
//!    killed half-way, every queue also carries `x-expires` ([`SAFETY_EXPIRY_MS`]): the broker
//!    removes it once unused for that long (queue expiry never dead-letters, so it changes
//!    nothing a run observes).

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_core::Stream;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions,
    BasicQosOptions, BasicRejectOptions, ConfirmSelectOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Connection, ConnectionProperties, Consumer};
use queue_engine::topology::profile::QueueProfile;
use queue_engine::Payload;
use tokio::time::{sleep, sleep_until, timeout, timeout_at, Instant};

use crate::compare::{Death, Facts};
use crate::plan::{payload_name, Plan, QueuePlan};
use crate::Error;

/// `x-expires` on every declared queue: 5 minutes unused and the broker deletes it.
pub const SAFETY_EXPIRY_MS: i64 = 300_000;
/// How long to wait for the broker to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// After the consumers stop: time for the broker to finish requeues and dead-lettering.
const SETTLE: Duration = Duration::from_millis(500);
/// How often a settling run checks whether the broker has settled every message.
const POLL: Duration = Duration::from_millis(100);
/// The header carrying a message's payload kind (normal, poison).
pub const PAYLOAD_HEADER: &str = "qsim-payload";

/// How to start a broker, for the message when none answers.
pub const HOW_TO_START: &str = "start one with \
    `RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5673 RABBITMQ_NODENAME=qsim@localhost rabbitmq-server` \
    (Debian: `apt-get install rabbitmq-server`) and pass `--broker amqp://127.0.0.1:5673`";

static RUN: AtomicU32 = AtomicU32::new(0);

/// A prefix no other run uses, `qsim-<pid>-<n>-`, for every name a run declares.
pub(crate) fn run_prefix() -> String {
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    format!("qsim-{}-{n}-", std::process::id())
}

/// The broker names of one run's queues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub prefix: String,
    pub queue: String,
    pub dlq: Option<String>,
}

impl Names {
    pub fn new(q: &QueuePlan) -> Names {
        let prefix = run_prefix();
        Names {
            queue: format!("{prefix}{}", q.node),
            dlq: q.dlq.as_ref().map(|d| format!("{prefix}{d}")),
            prefix,
        }
    }

    fn all(&self) -> Vec<&str> {
        std::iter::once(self.queue.as_str())
            .chain(self.dlq.as_deref())
            .collect()
    }
}

pub(crate) fn text(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}

pub(crate) fn queue_type(p: QueueProfile) -> &'static str {
    match p {
        QueueProfile::RabbitmqQuorum => "quorum",
        _ => "classic",
    }
}

/// The `queue.declare` arguments of the queue (`dead_letter_to`: the broker name of its
/// dead-letter queue) or, with `dead_letter_to == None` and `is_dlq`, of the dead-letter queue.
pub fn queue_arguments(
    q: &QueuePlan,
    is_dlq: bool,
    dead_letter_to: Option<&str>,
) -> BTreeMap<&'static str, AMQPValue> {
    let mut args = BTreeMap::new();
    args.insert("x-queue-type", text(queue_type(q.profile)));
    args.insert("x-expires", AMQPValue::LongLongInt(SAFETY_EXPIRY_MS));
    if is_dlq {
        return args;
    }
    if let Some(limit) = q.delivery_limit {
        args.insert("x-delivery-limit", AMQPValue::LongLongInt(limit.into()));
    }
    if let Some(max) = q.max_length {
        args.insert("x-max-length", AMQPValue::LongLongInt(max.into()));
        let overflow = if q.reject_publish {
            "reject-publish"
        } else {
            "drop-head"
        };
        args.insert("x-overflow", text(overflow));
    }
    if let Some(ttl) = q.message_ttl_ms {
        args.insert(
            "x-message-ttl",
            AMQPValue::LongLongInt(i64::try_from(ttl).unwrap_or(i64::MAX)),
        );
    }
    if let Some(dlq) = dead_letter_to {
        // The default exchange routes by queue name: no exchange to declare or clean up.
        args.insert("x-dead-letter-exchange", text(""));
        args.insert("x-dead-letter-routing-key", text(dlq));
    }
    args
}

pub(crate) fn table(args: BTreeMap<&'static str, AMQPValue>) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in args {
        t.insert(ShortString::from(k), v);
    }
    t
}

fn as_u64(v: &AMQPValue) -> Option<u64> {
    match v {
        AMQPValue::ShortShortInt(n) => u64::try_from(*n).ok(),
        AMQPValue::ShortShortUInt(n) => Some((*n).into()),
        AMQPValue::ShortInt(n) => u64::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some((*n).into()),
        AMQPValue::LongInt(n) => u64::try_from(*n).ok(),
        AMQPValue::LongUInt(n) => Some((*n).into()),
        AMQPValue::LongLongInt(n) => u64::try_from(*n).ok(),
        _ => None,
    }
}

fn as_text(v: &AMQPValue) -> Option<String> {
    match v {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// The `x-death` entry a message got when it died in `queue` (RabbitMQ keeps one per queue and
/// reason, newest first; the newest for that queue is taken).
pub fn death_in(headers: Option<&FieldTable>, queue: &str) -> Option<Death> {
    let AMQPValue::FieldArray(entries) = headers?.inner().get("x-death")? else {
        return None;
    };
    entries.as_slice().iter().find_map(|e| {
        let AMQPValue::FieldTable(t) = e else {
            return None;
        };
        let t = t.inner();
        if t.get("queue").and_then(as_text).as_deref() != Some(queue) {
            return None;
        }
        Some(Death {
            reason: t.get("reason").and_then(as_text)?,
            count: t.get("count").and_then(as_u64)?,
        })
    })
}

pub(crate) fn failed(what: &'static str) -> impl Fn(lapin::Error) -> Error {
    move |e| Error::Broker(format!("{what}: {e}"))
}

/// What the consumers saw, by message id.
#[derive(Default)]
struct Seen {
    delivered: BTreeMap<u64, u32>,
    processed: BTreeMap<u64, u32>,
    /// `processed` (acknowledged after processing) or `deleted` (acknowledged unprocessed).
    answered: BTreeMap<u64, &'static str>,
}

fn id_of(d: &Delivery) -> Option<u64> {
    d.properties.message_id().as_ref()?.as_str().parse().ok()
}

fn is_poison(d: &Delivery) -> bool {
    d.properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get(PAYLOAD_HEADER))
        .and_then(as_text)
        .as_deref()
        == Some(payload_name(Payload::Poison))
}

/// One consumer of the pool, until `deadline`.
async fn consume(
    mut consumer: Consumer,
    seen: Arc<Mutex<Seen>>,
    hold: Duration,
    discard_invalid: bool,
    deadline: Instant,
) -> Result<(), Error> {
    loop {
        let next = timeout_at(
            deadline,
            poll_fn(|cx| Pin::new(&mut consumer).poll_next(cx)),
        )
        .await;
        let d = match next {
            Err(_) | Ok(None) => return Ok(()),
            Ok(Some(d)) => d.map_err(failed("receiving a delivery"))?,
        };
        let id = id_of(&d);
        if let Some(id) = id {
            *seen
                .lock()
                .expect("no panics while held")
                .delivered
                .entry(id)
                .or_default() += 1;
        }
        let poison = is_poison(&d);
        let fails = poison && !discard_invalid;
        // A failing message is rejected at once: the broker then turns a requeue loop at
        // least as fast as the engine's consumer, which spends its processing time on each
        // attempt (the "broker ≥ engine" rule in `compare`).
        let hold = if fails { Duration::ZERO } else { hold };
        if Instant::now() + hold > deadline {
            // Still processing when the window closes: left unanswered, like the engine's
            // in-flight message at `until`.
            return Ok(());
        }
        sleep(hold).await;
        if fails {
            d.acker
                .reject(BasicRejectOptions { requeue: true })
                .await
                .map_err(failed("basic.reject"))?;
        } else {
            d.acker
                .ack(BasicAckOptions::default())
                .await
                .map_err(failed("basic.ack"))?;
            if let Some(id) = id {
                let place = if poison { "deleted" } else { "processed" };
                let mut seen = seen.lock().expect("no panics while held");
                seen.answered.insert(id, place);
                if !poison {
                    *seen.processed.entry(id).or_default() += 1;
                }
            }
        }
    }
}

/// A one-thread runtime for a run, refusing `amqps://` first (no TLS is built in).
pub(crate) fn runtime(url: &str) -> Result<tokio::runtime::Runtime, Error> {
    if url.starts_with("amqps:") {
        return Err(Error::Broker(format!(
            "{url}: TLS (amqps) is not built in; verify talks to a local broker over amqp://"
        )));
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Broker(format!("cannot start the async runtime: {e}")))
}

/// Connects, or says how to start a broker.
pub(crate) async fn connect(url: &str) -> Result<Connection, Error> {
    match timeout(
        CONNECT_TIMEOUT,
        Connection::connect(url, ConnectionProperties::default()),
    )
    .await
    {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(Error::Broker(format!(
            "cannot reach the broker at {url}: {e}; {HOW_TO_START}"
        ))),
        Err(_) => Err(Error::Broker(format!(
            "no answer from the broker at {url} within {}s; {HOW_TO_START}",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// Replays the plan on the broker at `url` and returns what happened to each message.
pub fn run(plan: &Plan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    runtime(url)?.block_on(async {
        let conn = connect(url).await?;
        let names = Names::new(&plan.queue);
        let outcome = exercise(&conn, plan, &names).await;
        let cleaned = cleanup(&conn, &names).await;
        let _ = conn.close(200, ShortString::from("qsim-verify done")).await;
        let facts = outcome?;
        cleaned?;
        Ok(facts)
    })
}

async fn exercise(
    conn: &Connection,
    plan: &Plan,
    names: &Names,
) -> Result<BTreeMap<u64, Facts>, Error> {
    let ch = conn
        .create_channel()
        .await
        .map_err(failed("opening a channel"))?;
    // Quorum queues must be durable; classic ones are too, so the two differ only in type.
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    if let Some(dlq) = &names.dlq {
        let args = table(queue_arguments(&plan.queue, true, None));
        ch.queue_declare(dlq.as_str().into(), durable, args)
            .await
            .map_err(failed("declaring the dead-letter queue"))?;
    }
    let args = table(queue_arguments(&plan.queue, false, names.dlq.as_deref()));
    ch.queue_declare(names.queue.as_str().into(), durable, args)
        .await
        .map_err(failed("declaring the queue"))?;
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(failed("confirm.select"))?;

    let start = Instant::now();
    let deadline = start + plan.wall(plan.until);
    let hold = plan.wall(plan.processing);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut tasks = Vec::new();
    let mut channels = Vec::new();
    for i in 0..plan.consumers {
        let cch = conn
            .create_channel()
            .await
            .map_err(failed("opening a consumer channel"))?;
        cch.basic_qos(1, BasicQosOptions::default())
            .await
            .map_err(failed("basic.qos"))?;
        let consumer = cch
            .basic_consume(
                names.queue.as_str().into(),
                format!("{}consumer-{i}", names.prefix).into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(failed("basic.consume"))?;
        tasks.push(tokio::spawn(consume(
            consumer,
            seen.clone(),
            hold,
            plan.discard_invalid,
            deadline,
        )));
        channels.push(cch);
    }
    let mut refused = Vec::new();
    for p in &plan.publishes {
        sleep_until(start + plan.wall(p.at)).await;
        let mut headers = FieldTable::default();
        headers.insert(PAYLOAD_HEADER.into(), text(payload_name(p.payload)));
        let props = BasicProperties::default()
            .with_message_id(p.id.to_string().into())
            .with_headers(headers)
            .with_delivery_mode(2);
        let body = format!(
            "{{\"id\":{},\"payload\":\"{}\"}}",
            p.id,
            payload_name(p.payload)
        );
        let confirm = ch
            .basic_publish(
                "".into(),
                names.queue.as_str().into(),
                BasicPublishOptions::default(),
                body.as_bytes(),
                props,
            )
            .await
            .map_err(failed("basic.publish"))?
            .await
            .map_err(failed("publisher confirm"))?;
        if !confirm.is_ack() && plan.queue.reject_publish {
            // semantics.md §2.4: a full reject-publish queue nacks the publish.
            refused.push(p.id);
        } else if !confirm.is_ack() {
            return Err(Error::Broker(format!(
                "the broker refused message {} (nack)",
                p.id
            )));
        }
    }
    if settles(plan) {
        wait_until_settled(plan, &ch, names, &seen, deadline).await?;
        // Ends each consumer's stream, so its task returns before the deadline.
        for (i, c) in channels.iter().enumerate() {
            let tag = format!("{}consumer-{i}", names.prefix);
            let _ = c
                .basic_cancel(tag.into(), BasicCancelOptions::default())
                .await;
        }
    }
    for t in tasks {
        t.await
            .map_err(|e| Error::Broker(format!("a consumer task failed: {e}")))??;
    }
    for c in channels {
        let _ = c.close(200, ShortString::from("window closed")).await;
    }
    sleep(SETTLE).await;

    let seen = std::mem::take(&mut *seen.lock().expect("no panics while held"));
    let mut facts: BTreeMap<u64, Facts> = BTreeMap::new();
    let mut place = |id: u64, place: &str, death: Option<Death>| {
        facts.insert(
            id,
            Facts {
                delivered: seen.delivered.get(&id).copied().unwrap_or(0),
                processed: seen.processed.get(&id).copied().unwrap_or(0),
                place: place.to_owned(),
                order: None,
                death,
            },
        );
    };
    for (id, p) in &seen.answered {
        place(*id, p, None);
    }
    for id in refused {
        place(id, "rejected", None);
    }
    for (id, _) in drain(&ch, &names.queue).await? {
        place(id, "queued", None);
    }
    if let Some(dlq) = &names.dlq {
        for (id, headers) in drain(&ch, dlq).await? {
            place(
                id,
                "dead_lettered",
                death_in(headers.as_ref(), &names.queue),
            );
        }
    }
    // Never delivered and not in the queue at the end: on a drop-head queue, the head the
    // broker dropped to make room; on a queue with a TTL and no dead-letter queue, a message
    // that expired (semantics.md §2.4). The plan refuses both at once without a DLQ.
    let unseen = match (&plan.queue, &names.dlq) {
        (q, _) if q.max_length.is_some() && !q.reject_publish => Some("dropped"),
        (q, None) if q.message_ttl_ms.is_some() => Some("expired"),
        _ => None,
    };
    if let Some(unseen) = unseen {
        for p in &plan.publishes {
            facts.entry(p.id).or_insert_with(|| Facts {
                delivered: 0,
                processed: 0,
                place: unseen.into(),
                order: None,
                death: None,
            });
        }
    }
    // Delivered but neither answered nor left anywhere: the broker dropped it. With no
    // dead-letter queue that is RabbitMQ's documented drop (semantics.md §2.3, "Missing DLX"),
    // the engine's `dropped`; with one, nothing should vanish, so it stays a plain "gone".
    let vanished = if names.dlq.is_none() {
        "dropped"
    } else {
        "gone"
    };
    for (id, n) in &seen.delivered {
        facts.entry(*id).or_insert_with(|| Facts {
            delivered: *n,
            processed: 0,
            place: vanished.into(),
            order: None,
            death: None,
        });
    }
    let _ = ch.close(200, ShortString::from("done")).await;
    Ok(facts)
}

/// Whether every message ends settled in the engine (processed, deleted, dead-lettered, or
/// refused at publish).
/// Then nothing can change on either side once the broker has settled as many: an
/// acknowledged message is gone and a dead letter waits in a queue nobody consumes, so the
/// run may end before the window does.
pub(crate) fn settles(plan: &Plan) -> bool {
    plan.expected.iter().all(|e| {
        matches!(
            e.facts.place.as_str(),
            "processed" | "deleted" | "dead_lettered" | "rejected" | "deduplicated"
        )
    })
}

/// Polls until the broker has settled as many messages as the engine (answered by the
/// consumers, or waiting in the dead-letter queue), or the window ends.
async fn wait_until_settled(
    plan: &Plan,
    ch: &lapin::Channel,
    names: &Names,
    seen: &Mutex<Seen>,
    deadline: Instant,
) -> Result<(), Error> {
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    // Refused publishes are settled before any consumer sees anything.
    let refused = crate::plan::settled_at_publish(&plan.expected);
    while Instant::now() < deadline {
        let answered = seen.lock().expect("no panics while held").answered.len() + refused;
        let dead = match &names.dlq {
            Some(dlq) => ch
                .queue_declare(dlq.as_str().into(), passive, FieldTable::default())
                .await
                .map_err(failed("counting the dead-letter queue"))?
                .message_count() as usize,
            None => 0,
        };
        if answered + dead >= plan.expected.len() {
            return Ok(());
        }
        sleep(POLL).await;
    }
    Ok(())
}

/// Takes every message left in a queue: (engine id, headers).
pub(crate) async fn drain(
    ch: &lapin::Channel,
    queue: &str,
) -> Result<Vec<(u64, Option<FieldTable>)>, Error> {
    let mut out = Vec::new();
    while let Some(m) = ch
        .basic_get(queue.into(), BasicGetOptions { no_ack: true })
        .await
        .map_err(failed("basic.get"))?
    {
        if let Some(id) = id_of(&m.delivery) {
            out.push((id, m.delivery.properties.headers().clone()));
        }
    }
    Ok(out)
}

/// Deletes every queue of the run on a fresh channel (the run's own may have been closed by an
/// error). Deleting a queue that was never declared succeeds, so this is safe at any point.
async fn cleanup(conn: &Connection, names: &Names) -> Result<(), Error> {
    let ch = conn
        .create_channel()
        .await
        .map_err(failed("opening a channel to clean up"))?;
    for q in names.all() {
        ch.queue_delete(q.into(), QueueDeleteOptions::default())
            .await
            .map_err(|e| Error::Broker(format!("deleting queue {q}: {e}")))?;
    }
    let _ = ch.close(200, ShortString::from("cleaned up")).await;
    Ok(())
}

#[cfg(test)]
mod tests;
