//! The broker's side for ActiveMQ Classic: replays a [`Plan`] on ActiveMQ 5.17 over STOMP 1.2
//! (the `async-stomp` client) and records, per message, how often it was delivered, how often
//! processed, and where it ended.
//!
//! # Why STOMP, and what makes the broker count
//! The engine's `activemq` profile (semantics notes §8) redelivers a failed message
//! `maximumRedeliveries` times, a delay apart, then the message goes to `ActiveMQ.DLQ`. With
//! OpenWire that policy lives in the JMS client, which sends the broker a "poison ack" once it
//! is exceeded. A STOMP `NACK` is that poison ack (observed, §8), and so is an AMQP 1.0
//! `rejected` outcome (`AmqpSender.delivery`); AMQP's `modified{delivery-failed}` is redelivered
//! at once by the transport itself, with no delay, limit or DLQ. Debian's package ships no AMQP
//! transport anyway. What turns the poison ack into counted, delayed redeliveries is the
//! broker's `redeliveryPlugin` (with `schedulerSupport`): below its policy's
//! `maximumRedeliveries` it re-sends a copy with the redelivery counter raised after the delay;
//! past it, the message goes to the dead-letter queue. The broker must therefore carry the
//! policies of [`wire::broker_policies`]; `cargo xtask verify` starts one that does.
//!
//! # How a run goes
//! 1. Start the consumer pool, one STOMP connection each, `ack:client-individual` and prefetch
//!    1, and a collector on `ActiveMQ.DLQ` that takes (and acknowledges) only this run's
//!    messages, by selector.
//! 2. Send the engine's messages at their simulated times (scaled), persistent, with a receipt.
//! 3. Each consumer holds a delivery for the pool's processing time (scaled), then `ACK`s it, or
//!    `NACK`s a poison message (with `on_invalid: discard` it is acknowledged unprocessed).
//! 4. When the engine settles every message, end as soon as the broker has settled as many;
//!    otherwise run the whole window. Then take whatever is left in the queue (it is
//!    "queued"), waiting out a pending scheduled redelivery.
//! 5. STOMP cannot delete a queue: the broker's `gcInactiveDestinations` policy on `qsim.>`
//!    removes the empty, unused queue a moment later. The run's dead letters were taken out
//!    of the shared `ActiveMQ.DLQ`, which belongs to the broker and stays.

pub mod wire;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_stomp::client::{ClientTransport, Connector, Subscriber};
use async_stomp::{AckMode, FromServer, Message, ToServer};
use futures::{SinkExt, StreamExt};
use tokio::time::{sleep, sleep_until, timeout, Instant};

use crate::compare::Facts;
use crate::plan::Plan;
use crate::Error;
use wire::Names;

/// How to start a broker, for the message when none answers.
pub const HOW_TO_START: &str = "start one with `cargo xtask verify` (it installs Debian's \
    `activemq` and runs a private broker with the redelivery policies), or run your own \
    ActiveMQ 5.17 with a STOMP connector, `schedulerSupport=\"true\"` and the policies that \
    `qsim-verify --activemq-policies` prints, and pass `--broker stomp://127.0.0.1:PORT`";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a frame that needs an answer (a receipt) may wait for it.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often waiting loops look at the stop flag and the settled count.
const POLL: Duration = Duration::from_millis(100);
/// Draining the queue ends after this much quiet. A redelivery the scheduler still holds comes
/// back within the broker's delay plus its lateness (observed: 1000 ms → 1.2–1.5 s).
const DRAIN_QUIET: Duration = Duration::from_millis(2_500);
/// The same when every message is already accounted for: only a stray could come.
const DRAIN_QUIET_SETTLED: Duration = Duration::from_millis(300);

/// What the run saw, by message id.
#[derive(Default)]
struct Seen {
    delivered: BTreeMap<u64, u32>,
    processed: BTreeMap<u64, u32>,
    /// `processed` or `deleted` (acknowledged unprocessed).
    answered: BTreeMap<u64, &'static str>,
    /// Found in the dead-letter queue, with the place [`wire::dead_place`] gives.
    dead: BTreeMap<u64, String>,
    /// Taken from the queue after the window.
    left: Vec<u64>,
}

type Shared = Arc<Mutex<Seen>>;

fn lock(seen: &Shared) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().expect("no panics while held")
}

fn failed(what: &'static str) -> impl Fn(anyhow::Error) -> Error {
    move |e| Error::Broker(format!("{what}: {e:#}"))
}

async fn connect(addr: &str, url: &str) -> Result<ClientTransport, Error> {
    let attempt = Connector::builder()
        .server(addr.to_owned())
        .virtualhost("localhost")
        .connect();
    match timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(Error::Broker(format!(
            "cannot reach the ActiveMQ broker at {url}: {e:#}; {HOW_TO_START}"
        ))),
        Err(_) => Err(Error::Broker(format!(
            "no STOMP answer from {url} within {} s; {HOW_TO_START}",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

fn with_receipt(content: ToServer, receipt: &str) -> Message<ToServer> {
    let mut m: Message<ToServer> = content.into();
    m.extra_headers
        .push((b"receipt".to_vec(), receipt.as_bytes().to_vec()));
    m
}

/// The next frame, or `None` when `wait` passed first. An ERROR frame is an error.
async fn next(t: &mut ClientTransport, wait: Duration) -> Result<Option<FromServer>, Error> {
    match timeout(wait, t.next()).await {
        Err(_) => Ok(None),
        Ok(None) => Err(Error::Broker(
            "the broker closed the STOMP connection".into(),
        )),
        Ok(Some(Err(e))) => Err(failed("reading a STOMP frame")(e)),
        Ok(Some(Ok(m))) => match m.content {
            FromServer::Error { message, body } => Err(Error::Broker(format!(
                "the broker answered ERROR: {} {}",
                message.unwrap_or_default(),
                String::from_utf8_lossy(&body.unwrap_or_default())
            ))),
            other => Ok(Some(other)),
        },
    }
}

/// Sends a frame with a receipt and waits for it (frames in between are not expected on a
/// connection without subscriptions, and are skipped).
async fn confirmed(t: &mut ClientTransport, content: ToServer, receipt: &str) -> Result<(), Error> {
    t.send(with_receipt(content, receipt))
        .await
        .map_err(failed("sending a STOMP frame"))?;
    let until = Instant::now() + RECEIPT_TIMEOUT;
    while Instant::now() < until {
        if let Some(FromServer::Receipt { receipt_id }) = next(t, POLL).await? {
            if receipt_id == receipt {
                return Ok(());
            }
        }
    }
    Err(Error::Broker(format!(
        "no RECEIPT {receipt} within {} s",
        RECEIPT_TIMEOUT.as_secs()
    )))
}

async fn subscribe(
    t: &mut ClientTransport,
    destination: &str,
    id: &str,
    headers: Vec<(String, String)>,
) -> Result<(), Error> {
    let mut m = Subscriber::builder()
        .destination(destination)
        .id(id)
        .ack(AckMode::ClientIndividual)
        .headers(headers)
        .subscribe();
    m.extra_headers
        .push((b"receipt".to_vec(), id.as_bytes().to_vec()));
    t.send(m).await.map_err(failed("SUBSCRIBE"))?;
    let until = Instant::now() + RECEIPT_TIMEOUT;
    while Instant::now() < until {
        if let Some(FromServer::Receipt { receipt_id }) = next(t, POLL).await? {
            if receipt_id == id {
                return Ok(());
            }
        }
    }
    Err(Error::Broker(format!(
        "no RECEIPT for SUBSCRIBE {destination}"
    )))
}

async fn answer(t: &mut ClientTransport, ack: Option<String>, nack: bool) -> Result<(), Error> {
    let id = ack.ok_or_else(|| Error::Broker("a MESSAGE without an ack header".into()))?;
    let content = if nack {
        ToServer::Nack {
            id,
            transaction: None,
        }
    } else {
        ToServer::Ack {
            id,
            transaction: None,
        }
    };
    t.send(content.into())
        .await
        .map_err(failed(if nack { "NACK" } else { "ACK" }))
}

/// Unsubscribes and disconnects with a receipt, so a held delivery is back in the queue
/// before the run looks at what is left.
async fn close(mut t: ClientTransport, sub: &str) -> Result<(), Error> {
    confirmed(
        &mut t,
        ToServer::Unsubscribe { id: sub.into() },
        &format!("unsubscribe-{sub}"),
    )
    .await?;
    disconnect(t).await
}

/// DISCONNECT with a receipt: once it comes, the broker has processed every frame before it.
async fn disconnect(mut t: ClientTransport) -> Result<(), Error> {
    let bye = ToServer::Disconnect {
        receipt: Some("bye".into()),
    };
    t.send(bye.into()).await.map_err(failed("DISCONNECT"))?;
    let until = Instant::now() + RECEIPT_TIMEOUT;
    while Instant::now() < until {
        match next(&mut t, POLL).await {
            Ok(Some(FromServer::Receipt { receipt_id })) if receipt_id == "bye" => return Ok(()),
            // The broker may close the connection right after the receipt.
            Err(_) => return Ok(()),
            _ => {}
        }
    }
    Err(Error::Broker("no RECEIPT for DISCONNECT".into()))
}

struct Consumer {
    transport: ClientTransport,
    sub: String,
    names: Names,
    seen: Shared,
    stop: Arc<AtomicBool>,
    hold: Duration,
    discard_invalid: bool,
    deadline: Instant,
}

impl Consumer {
    async fn run(mut self) -> Result<(), Error> {
        while !self.stop.load(Ordering::Relaxed) && Instant::now() < self.deadline {
            let wait = POLL.min(self.deadline.saturating_duration_since(Instant::now()));
            let Some(FromServer::Message { ack, headers, .. }) =
                next(&mut self.transport, wait).await?
            else {
                continue;
            };
            let Some((id, poison)) = wire::read(&headers, &self.names) else {
                continue;
            };
            *lock(&self.seen).delivered.entry(id).or_default() += 1;
            if Instant::now() + self.hold > self.deadline {
                // Still processing when the window closes: left unanswered, like the
                // engine's in-flight message at `until`.
                break;
            }
            // The engine's consumer spends its processing time on a failing attempt too.
            sleep(self.hold).await;
            let fails = poison && !self.discard_invalid;
            answer(&mut self.transport, ack, fails).await?;
            if !fails {
                let mut seen = lock(&self.seen);
                seen.answered
                    .insert(id, if poison { "deleted" } else { "processed" });
                if !poison {
                    *seen.processed.entry(id).or_default() += 1;
                }
            }
        }
        close(self.transport, &self.sub).await
    }
}

/// Takes this run's messages out of the shared dead-letter queue until `stop`, then until it
/// has been quiet for `quiet`.
async fn collect_dead(
    mut t: ClientTransport,
    names: Names,
    seen: Shared,
    stop: Arc<AtomicBool>,
    quiet: Duration,
) -> Result<(), Error> {
    let mut last = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) && last.elapsed() >= quiet {
            break;
        }
        if let Some(FromServer::Message { ack, headers, .. }) = next(&mut t, POLL).await? {
            last = Instant::now();
            if let Some((id, _)) = wire::read(&headers, &names) {
                lock(&seen)
                    .dead
                    .insert(id, wire::dead_place(&headers, &names));
            }
            answer(&mut t, ack, false).await?;
        }
    }
    close(t, "dlq").await
}

/// Replays the plan on the ActiveMQ broker at `url` (`stomp://HOST:PORT`) and returns what
/// happened to each message.
pub fn run(plan: &Plan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    let addr = wire::address(url)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Broker(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(exercise(plan, url, &addr))
}

async fn exercise(plan: &Plan, url: &str, addr: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    let names = Names::new(&plan.queue);
    let mut publisher = connect(addr, url).await?;
    let seen: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let dlq_stop = Arc::new(AtomicBool::new(false));

    let mut dlq = connect(addr, url).await?;
    let selector = vec![("selector".to_string(), names.dlq_selector())];
    let dlq_dest = format!("/queue/{}", wire::SHARED_DLQ);
    subscribe(&mut dlq, &dlq_dest, "dlq", selector).await?;
    let collector = tokio::spawn(collect_dead(
        dlq,
        names.clone(),
        seen.clone(),
        dlq_stop.clone(),
        DRAIN_QUIET_SETTLED,
    ));

    let start = Instant::now();
    let deadline = start + plan.wall(plan.until);
    let mut consumers = Vec::new();
    for i in 0..plan.consumers {
        let mut t = connect(addr, url).await?;
        let sub = format!("consumer-{i}");
        subscribe(&mut t, &names.destination(), &sub, wire::consumer_headers()).await?;
        consumers.push(tokio::spawn(
            Consumer {
                transport: t,
                sub,
                names: names.clone(),
                seen: seen.clone(),
                stop: stop.clone(),
                hold: plan.wall(plan.processing),
                discard_invalid: plan.discard_invalid,
                deadline,
            }
            .run(),
        ));
    }
    for (n, p) in plan.publishes.iter().enumerate() {
        sleep_until(start + plan.wall(p.at)).await;
        let send = ToServer::Send {
            destination: names.destination(),
            transaction: None,
            headers: Some(wire::send_headers(p, &names)),
            body: Some(wire::body(p)),
        };
        confirmed(&mut publisher, send, &format!("send-{n}")).await?;
    }
    disconnect(publisher).await?;

    let settled = |s: &Seen| s.answered.len() + s.dead.len() >= plan.expected.len();
    if crate::broker::settles(plan) {
        while Instant::now() < deadline && !settled(&lock(&seen)) {
            sleep(POLL).await;
        }
        stop.store(true, Ordering::Relaxed);
    }
    for c in consumers {
        c.await
            .map_err(|e| Error::Broker(format!("a consumer task failed: {e}")))??;
    }

    // Whatever is still in the queue (or coming back from the scheduler) is taken out, so the
    // queue is left empty for the broker to remove.
    let quiet = if settled(&lock(&seen)) {
        DRAIN_QUIET_SETTLED
    } else {
        DRAIN_QUIET
    };
    let mut drain = connect(addr, url).await?;
    subscribe(&mut drain, &names.destination(), "drain", Vec::new()).await?;
    let mut last = Instant::now();
    while last.elapsed() < quiet {
        if let Some(FromServer::Message { ack, headers, .. }) = next(&mut drain, POLL).await? {
            last = Instant::now();
            if let Some((id, _)) = wire::read(&headers, &names) {
                lock(&seen).left.push(id);
            }
            answer(&mut drain, ack, false).await?;
        }
    }
    close(drain, "drain").await?;
    dlq_stop.store(true, Ordering::Relaxed);
    collector
        .await
        .map_err(|e| Error::Broker(format!("the dead-letter collector failed: {e}")))??;

    let seen = std::mem::take(&mut *lock(&seen));
    Ok(facts(plan, &seen))
}

/// Each published message's facts: answered, dead, left in the queue, or else gone.
fn facts(plan: &Plan, seen: &Seen) -> BTreeMap<u64, Facts> {
    plan.publishes
        .iter()
        .map(|p| {
            let place = if let Some(a) = seen.answered.get(&p.id) {
                (*a).to_owned()
            } else if let Some(d) = seen.dead.get(&p.id) {
                d.clone()
            } else if seen.left.contains(&p.id) {
                "queued".to_owned()
            } else {
                "gone".to_owned()
            };
            let facts = Facts {
                delivered: seen.delivered.get(&p.id).copied().unwrap_or(0),
                processed: seen.processed.get(&p.id).copied().unwrap_or(0),
                place,
                order: None,
                death: None,
            };
            (p.id, facts)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_broker_says_how_to_start_one() {
        let file = format!(
            "{}/scenarios/activemq-poison-to-dlq.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let plan = crate::plan::load(&file, None).expect("the scenario loads");
        // Port 1 is never a broker: the connection is refused at once.
        let Err(Error::Broker(m)) = run(&plan, "stomp://127.0.0.1:1") else {
            panic!("a broker error")
        };
        assert!(
            m.contains("cannot reach the ActiveMQ broker at stomp://127.0.0.1:1"),
            "{m}"
        );
        assert!(m.contains("cargo xtask verify"), "{m}");
        assert!(m.contains("schedulerSupport"), "{m}");
        // The wrong broker for the profile is refused before anything runs.
        let Err(Error::File(m)) = crate::verify(&file, "amqp://127.0.0.1:1", None) else {
            panic!("a file error")
        };
        assert!(m.contains("nodes.orders.queue.profile is activemq"), "{m}");
        assert!(m.contains("stomp://"), "{m}");
    }
}
